"""bench.live's runner: the runs in order (A, the bare baseline W, B at each N; pings, join
storm, Redis as configured; the sizes above the goal), each within the time budget."""

import json
import os
import resource
import shutil
import statistics
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from bench.live import (
    BARE,
    BARE_LABEL,
    CONFIGS,
    EXTRAS,
    GOAL_N,
    IDLE_CONSOLES,
    IDLE_S,
    MAX_RUN_S,
    MIN_BROADCASTS,
    NS,
    PING_INTERVAL_S,
    PING_NS,
    REDIS_URL_PLAIN,
    STORM_N,
    TOTAL_BUDGET_S,
    log,
    report,
)


@dataclass
class _Bench:
    """The runs so far, and what the next ones are planned from."""

    data_dir: Path
    began: float = field(default_factory=time.monotonic)
    runs: list = field(default_factory=list)  # the fan-out runs, by N
    extras: list = field(default_factory=list)  # pings, join storm, Redis as configured
    sizes: dict = field(default_factory=dict)  # N -> message sizes
    last: dict = field(default_factory=dict)  # config -> its last run


def _projected(prev, n: int) -> float | None:
    if prev is None or not prev.durations:
        return None
    f = (n / prev.n) * 1.5  # connecting and broadcasting are O(N); 1.5 for headroom
    return prev.connect_s * f + MIN_BROADCASTS * statistics.median(prev.durations) * f + 15


def _too_long(bench: _Bench, config: str, n: int) -> str:
    """Why the run of `config` at `n` is not run (its projected time), or ""."""
    left = TOTAL_BUDGET_S - (time.monotonic() - bench.began)
    projected = _projected(bench.last.get(config), n)
    # The sizes up to the goal's are always run unless one run alone is too long; the larger
    # ones (run last) only in the time left.
    if projected is None or not (projected > MAX_RUN_S or (n > GOAL_N and projected > left)):
        return ""
    return (
        f"projected {projected:,.0f} s from N = {bench.last[config].n:,} (connect and"
        f" {MIN_BROADCASTS} broadcasts, x 1.5 N/N'), over the "
        + (
            f"per-run limit ({MAX_RUN_S:,.0f} s)"
            if projected > MAX_RUN_S
            else f"time left ({max(left, 0):,.0f} s)"
        )
    )


def _fan_out(bench: _Bench, n: int) -> None:
    """A, then the bare baseline W on A's room's texts, then B; above the goal the time left
    may not hold them all: the multi-process one goes first."""
    from bench.live.measure import Run, measure
    from bench.live.room import make_room, room_texts, state_sizes

    order = ["A", BARE, "B"] if n <= GOAL_N else ["B", "A", BARE]
    texts = None
    for config in order:
        why = _too_long(bench, config, n)
        if why:
            label = BARE_LABEL if config == BARE else CONFIGS[config]
            bench.runs.append(Run(config, n, label, skipped=why))
            log(f"{config} N={n}: skipped, {why}")
            continue
        room = texts["room"] if config == BARE and texts else make_room(n, online=True)
        if n not in bench.sizes:
            bench.sizes[n] = state_sizes(room)
        if texts is None:
            texts = {"room": room, "texts": room_texts(room)}
        log(f"{config} N={n}: measuring (state {bench.sizes[n]['bytes'] / 1024:.0f} KB)")
        run = measure(config, room, bench.data_dir, texts=texts["texts"])
        bench.runs.append(run)
        bench.last[config] = run
        log(f"{config} N={n}: {report.row(run, {})}")


def _extras(bench: _Bench) -> None:
    """Every console pinging; the join storm; B with REDIS_URL as a deployment might set it."""
    from bench.live.measure import measure
    from bench.live.room import make_room

    for n in PING_NS:
        for config in CONFIGS:
            label = f"{config}, every console pinging every {PING_INTERVAL_S:.0f} s"
            room = make_room(n, online=True)
            run = measure(config, room, bench.data_dir, ping=PING_INTERVAL_S, label=label)
            bench.extras.append(run)
            log(f"{config} N={n} with pings: {report.row(run, {})}")
    label = "A join storm: points invited, online as they connect"
    run = measure("A", make_room(STORM_N, online=False), bench.data_dir, storm=True, label=label)
    bench.extras.append(run)
    log(f"join storm N={STORM_N}: {report.row(run, {})}")
    label = "B as configured: REDIS_URL without ?socket_timeout"
    room = make_room(IDLE_CONSOLES, online=True)
    run = measure("B", room, bench.data_dir, idle_s=IDLE_S, redis_url=REDIS_URL_PLAIN, label=label)
    bench.extras.append(run)
    log(f"B as configured: {report.row(run, {})}")


def _set_up() -> Path:
    """More open files, a scratch SQLite database for the servers, Django set up."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max(soft, min(hard, 65536) if hard != resource.RLIM_INFINITY else 65536)
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    data_dir = Path(tempfile.mkdtemp(prefix="bench-live-"))
    os.environ["GIAOBAN_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/live.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return data_dir


def _machine_note(bench: _Bench, start: tuple, revision: str) -> str:
    """How long the bench took, and how busy the shared machine was meanwhile."""
    busy0, own0, load0 = start
    took = time.monotonic() - bench.began
    cores = os.cpu_count() or 1
    others = max((report.busy_s() - busy0) - (report.own_cpu_s() - own0), 0)
    now = report.revision()
    return (
        f"\n(bench.live took {took:,.0f} s. The machine is shared: other processes used"
        f" {others:,.0f} CPU-s of the {took * cores:,.0f} available meanwhile"
        f" ({others / (took * cores) * 100:.0f}%); load average {load0:.1f} at the start,"
        f" {os.getloadavg()[0]:.1f} at the end. App: {revision}"
        + ("" if now == revision else f" at the start, {now} at the end")
        + ".)"
    )


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url and not url.startswith("sqlite"):
        print(json.dumps({"rows": [], "note": ""}))  # one database is enough: SQLite
        return
    start = (report.busy_s(), report.own_cpu_s(), os.getloadavg()[0])
    revision = report.revision()
    bench = _Bench(_set_up())
    try:
        for n in [n for n in NS if n <= GOAL_N]:
            _fan_out(bench, n)
        if EXTRAS:
            _extras(bench)
        for n in [n for n in NS if n > GOAL_N]:
            _fan_out(bench, n)
    except Exception as exc:
        from bench.live.measure import Run

        traceback.print_exc()
        bench.extras.append(Run("A", 0, f"FAILED: {type(exc).__name__}: {exc}"[:300]))
    finally:
        if os.environ.get("BENCH_LIVE_KEEP"):
            log(f"kept {bench.data_dir}")
        else:
            shutil.rmtree(bench.data_dir, ignore_errors=True)
    runs = bench.runs + bench.extras
    note = report.note(runs, bench.sizes) if bench.sizes else ""
    note += _machine_note(bench, start, revision)
    rows = report.rows(runs)
    report.print_table(rows, note)
    print(json.dumps({"rows": rows, "note": note}, ensure_ascii=False))
