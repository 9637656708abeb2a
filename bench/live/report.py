"""bench.live's report: one table row per run (with p99 as a ratio to the bare baseline's at the
same N), the scaling note drawn from the runs, and what else loaded the machine meanwhile."""

import hashlib
import math
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

from bench.live import (
    BARE,
    BARE_GOAL_RATIO,
    CONFIGS,
    CONNECT_BATCH,
    GOAL_MS,
    GOAL_N,
    NATIONAL_POINTS,
    ROOT,
)
from bench.live.measure import Run, pct

RATIO = "x bare p99"


def _bare_ratio(run: Run, bare_p99: dict[int, float]) -> str:
    """giaoban's p99 over the bare server's at the same N, in the same run."""
    if run.config == BARE:
        return "baseline" if run.lat else "-"
    base = bare_p99.get(run.n)
    if not run.lat or not base or run.config not in CONFIGS or run.label != CONFIGS[run.config]:
        return "-"
    ratio = pct(run.lat, 99) / base
    if run.n != GOAL_N:
        return f"{ratio:.2f}"
    verdict = "met" if ratio <= BARE_GOAL_RATIO else "MISSED"
    return f"{ratio:.2f} (goal ≤ {BARE_GOAL_RATIO:g}: {verdict})"


def _storm_notes(run: Run) -> list[str]:
    s = run.storm
    if not s:
        return []
    if "closed" in s:  # an idle run
        notes = [
            f"{s['closed']} of {s['sockets']} sockets closed by the server within {s['idle_s']:.0f}"
            f" s of silence after connecting ({'; '.join(s['why']) or 'none'})"
        ]
        other = {k: v for k, v in s["reasons"].items() if k != "sync"}
        return notes + ([f"states then published: {other}"] if other else [])
    return [
        f"{s['states']:,} state messages ({s['states'] * run.state_bytes / 2**20:,.0f} MB) "
        f"to the consoles while they connected; quiet after {s['settled_s']:.1f} s"
        + ("" if s["quiet"] else " (still busy at the limit)")
        + f"; by reason: {s['reasons']}"
    ]


def _row_notes(run: Run) -> list[str]:
    notes = []
    if run.lat:
        notes.append(f"{run.broadcasts} broadcasts x {run.n - run.connect_failed} consoles")
    notes += _storm_notes(run)
    notes.append(f"connect {run.connect_s:.1f} s")
    if run.connect_failed:
        notes.append(f"{run.connect_failed} failed to connect")
    if run.state_bytes:
        notes.append(f"state {run.state_bytes / 1024:,.0f} KB")
    if run.ping_ms is not None:
        notes.append(f"one ping {run.ping_ms:.0f} ms")
    if run.peak_mb:
        notes.append(f"server peak {run.peak_mb:,.0f} MB")
    if run.closed:
        notes.append(f"{run.closed} sockets closed")
    notes += run.notes[:6]
    if run.error:
        notes.append(f"FAILED: {run.error}")
    return notes


def row(run: Run, bare_p99: dict[int, float]) -> dict:
    """The run's row of the table; `bare_p99`: the baseline's p99 by N."""
    row = {"config": run.label, "N": f"{run.n:,}"}
    row |= dict.fromkeys(["p50 ms", "p99 ms", "max ms", RATIO, "lost", "KB/conn", "goal"], "-")
    row["note"] = ""
    if run.skipped:
        row["note"] = f"not run: {run.skipped}"
        if run.n == GOAL_N:
            row["goal"] = "not measured"
        return row
    if run.lat:
        row["p50 ms"] = f"{pct(run.lat, 50):,.0f}"
        row["p99 ms"] = f"{pct(run.lat, 99):,.0f}"
        row["max ms"] = f"{max(run.lat):,.0f}"
        row["lost"] = f"{run.lost}"
        if run.n == GOAL_N and run.label in CONFIGS.values():
            met = pct(run.lat, 99) < GOAL_MS and run.lost == 0
            row["goal"] = "met" if met else "MISSED"
    row[RATIO] = _bare_ratio(run, bare_p99)
    if run.kb_per_conn:
        row["KB/conn"] = f"{run.kb_per_conn:.0f}"
    row["note"] = "; ".join(_row_notes(run))
    return row


def rows(runs: list[Run]) -> list[dict]:
    bare_p99 = {r.n: pct(r.lat, 99) for r in runs if r.config == BARE and r.lat}
    return [row(r, bare_p99) for r in runs]


def revision() -> str:
    """The app's commit, and how many files under giaoban/ differ from it (read-only git)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "giaoban"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        head, dirty = "unknown", []
    digest = hashlib.sha1()
    for path in sorted((ROOT / "giaoban").rglob("*.py")):
        if "tests" not in path.parts:
            digest.update(path.read_bytes())
    return (
        f"{head or 'unknown'} + {len(dirty)} changed files under giaoban/"
        f" (its Python sources hash {digest.hexdigest()[:10]})"
    )


def busy_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (all processes, all cores)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    """CPU seconds of this process and of its children that have ended (servers, clients)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _fit(points: list[tuple[float, float]]) -> float:
    """Least-squares c for y = c * x (through the origin)."""
    den = sum(x * x for x, _ in points)
    return sum(x * y for x, y in points) / den if den else 0.0


def _goal_lines(main: list[Run]) -> list[str]:
    lines = []
    for config in CONFIGS:
        done = [r for r in main if r.config == config]
        if not done:
            continue
        held = [r.n for r in done if pct(r.lat, 99) < GOAL_MS and r.lost == 0]
        lines.append(
            f"- {CONFIGS[config]}: p99 < {GOAL_MS:.0f} ms held at "
            + (f"N <= {max(held):,}" if held else "none of the sizes measured")
            + " ("
            + "; ".join(f"N = {r.n:,}: p99 {pct(r.lat, 99):,.0f} ms" for r in done)
            + ")."
        )
    return lines


def _bare_lines(runs: list[Run]) -> list[str]:
    bare = {r.n: r for r in runs if r.config == BARE and r.lat}
    if not bare:
        return []
    parts = []
    for n, base in sorted(bare.items()):
        ours = [r for r in runs if r.n == n and r.lat and r.label in CONFIGS.values()]
        parts.append(
            f"N = {n:,}: bare p50/p99 {pct(base.lat, 50):,.0f}/{pct(base.lat, 99):,.0f} ms"
            + "".join(f", {r.config} {pct(r.lat, 99) / pct(base.lat, 99):.2f}x" for r in ours)
        )
    return [
        "- Baseline (W, a bare websockets server sending the same change message to the same"
        f" consoles, run right after A; goal: giaoban's p99 within {BARE_GOAL_RATIO:g}x at"
        f" N = {GOAL_N:,}): " + "; ".join(parts) + "."
    ]


def _message_lines(sizes: dict[int, dict]) -> list[str]:
    per_point = _fit([(n, s["whole_bytes"]) for n, s in sizes.items()])
    return [
        "- Messages: the broadcast of a change carries the room (status, current item, queue,"
        " speaker, attendance totals) and only the points and agenda items it touched;"
        ' "next agenda item" touches no point and two items: '
        + ", ".join(f"{s['bytes']:,} B at N = {n:,}" for n, s in sorted(sizes.items()))
        + f" ({sizes[max(sizes)]['deflated']:,} B deflated) — the same at every N. The whole"
        f" state (on connecting, or after a gap) grows by ~{per_point:.0f} B per point:"
        + ", ".join(
            f"{s['whole_bytes'] / 1024:,.0f} KB at N = {n:,}" for n, s in sorted(sizes.items())
        )
        + "; it is read once per change number per process and sent to the host's consoles."
        " A point's console receives it only up to LIVE_ALL_POINTS_UP_TO points; beyond, the"
        " compact view (the room with the counts, the host's tile and its own): "
        + ", ".join(
            f"{s['point_connect_bytes'] / 1024:,.1f} KB at N = {n:,}"
            for n, s in sorted(sizes.items())
        )
        + " on connecting, and in each change only its own tile when it changed."
    ]


def _per_console_fits(main: list[Run]) -> tuple[dict[str, float], list[str]]:
    """Time until the last console has it ~ a x consoles per process (constant message)."""
    models, lines = {}, []
    for config in CONFIGS:
        done = [r for r in main if r.config == config and r.durations]
        procs = 1 if config == "A" else 2
        a = _fit([(r.n / procs, statistics.median(r.durations)) for r in done]) if done else 0
        if a <= 0:
            continue
        models[config] = a
        lines.append(
            f"- {config}: one process spends ~{a * 1000:.2f} ms per console per broadcast (median"
            f" time to the last console, fitted over N), so it reaches ~{GOAL_MS / 1000 / a:,.0f}"
            f" consoles within {GOAL_MS:.0f} ms"
            + (f"; this machine runs {procs} such processes" if procs > 1 else "")
            + "."
        )
    return models, lines


def _national_lines(models: dict[str, float], sizes: dict[int, dict]) -> list[str]:
    if not models:
        return []
    change = statistics.mean(s["bytes"] for s in sizes.values())
    per_point = _fit([(n, s["whole_bytes"]) for n, s in sizes.items()])
    per_process = GOAL_MS / 1000 / models.get("B", next(iter(models.values())))
    procs = math.ceil(NATIONAL_POINTS / per_process)
    return [
        f"- {NATIONAL_POINTS:,} points: at ~{per_process:,.0f} consoles per process within"
        f" {GOAL_MS:.0f} ms, ~{procs} app processes (~{math.ceil(procs / 2)} machines of 2"
        f" cores, with the median time; p99 needs headroom, say x1.5) behind one Redis, which"
        f" stores {procs} copies of a {change / 1024:,.1f} KB message per broadcast; the"
        f" consoles receive {NATIONAL_POINTS:,} x {change / 1024:,.1f} KB ="
        f" ~{NATIONAL_POINTS * change / 2**20:,.0f} MB per broadcast before deflate. The"
        f" whole state at that size is ~{NATIONAL_POINTS * per_point / 2**20:,.1f} MB: fine"
        " for the host's console, too much for every point's: above LIVE_ALL_POINTS_UP_TO"
        " points a point's console gets the compact view instead (the room with the counts,"
        " the host's tile and its own; the size measured above)."
    ]


def _memory_and_connect_lines(main: list[Run]) -> list[str]:
    lines = []
    kb = [r.kb_per_conn for r in main if r.kb_per_conn]
    if kb:
        total_gb = statistics.median(kb) * NATIONAL_POINTS / 2**20
        lines.append(
            f"- Memory: {min(kb):.0f}-{max(kb):.0f} KB of server RSS per connection, so"
            f" {NATIONAL_POINTS:,} consoles hold ~{total_gb:,.1f} GB across the servers."
        )
    connects = [(r.n, r.connect_s / r.n * 1000) for r in main if r.config == "A"]
    if connects:
        lines.append(
            "- Connecting (each console: session, role, its Connection row, the cached whole"
            " state): "
            + ", ".join(f"{ms:,.1f} ms per console at N = {n:,}" for n, ms in connects)
            + f", {CONNECT_BATCH} at a time."
        )
    return lines


def _ping_and_storm_lines(runs: list[Run]) -> list[str]:
    lines = []
    for r in (r for r in runs if r.pings is not None):
        p = r.pings
        lines.append(
            f"- {r.label}, N = {r.n:,}: "
            + (
                f"p99 {pct(r.lat, 99):,.0f} ms over {r.broadcasts} broadcasts; "
                if r.lat
                else "no broadcast measured; "
            )
            + (f"pings answered within p99 {p['rtt_p99']:.2f} s; " if p["rtt_p99"] else "")
            + f"{p['closed']} sockets (of {r.n} consoles and the host) closed by the server,"
            f" points offline {p['offline']:,} times, {p['published']:,} changes published."
            " A ping is noted in memory; each process writes the pings of the last 3 s in one"
            " UPDATE and sweeps silent consoles then."
        )
    for r in (r for r in runs if r.storm and "states" in r.storm):
        lines.append(
            f"- Join storm: {r.n:,} consoles connecting to points not yet online received"
            f" {r.storm['states']:,} room messages in all while they connected (by reason:"
            f" {r.storm['reasons']}): the points coming online are announced together, one"
            " change per 0.25 s window, not one per console."
        )
    return lines


def note(runs: list[Run], sizes: dict[int, dict]) -> str:
    """The scaling note printed after the table, from the runs above."""
    main = [r for r in runs if r.lat and r.label in CONFIGS.values()]
    models, fits = _per_console_fits(main)
    lines = [
        f"Scaling note ({os.cpu_count()} cores, Python {sys.version.split()[0]},"
        " from the runs above):",
        *_goal_lines(main),
        *_bare_lines(runs),
        *_message_lines(sizes),
        *fits,
        *_national_lines(models, sizes),
        *_memory_and_connect_lines(main),
        *_ping_and_storm_lines(runs),
    ]
    return "\n".join(lines)


def print_table(rows: list[dict], note: str) -> None:
    """The table on stderr (stdout's last line is the JSON for bench/__main__.py)."""
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("\nbench.live", file=sys.stderr)
    print(" | ".join(c.ljust(widths[c]) for c in columns), file=sys.stderr)
    print("-+-".join("-" * widths[c] for c in columns), file=sys.stderr)
    for row in rows:
        print(" | ".join(str(row[c]).ljust(widths[c]) for c in columns), file=sys.stderr)
    print(note, file=sys.stderr)
