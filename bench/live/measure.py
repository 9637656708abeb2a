"""One bench.live run: fresh server(s), two client processes, the consoles connected, then
broadcasts (or a join storm, or an idle wait) and what the servers did meanwhile."""

import math
import statistics
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from bench.live import (
    BARE,
    BARE_LABEL,
    BROADCAST_BUDGET_S,
    CONFIGS,
    DEADLINE_S,
    HOST_RECONNECT_S,
    MAX_BROADCASTS,
    MAX_RUN_S,
    MIN_BROADCASTS,
    PING_PROBES,
    PING_RUN_S,
    REDIS_URL,
    bare,
    server,
)
from bench.live.clients import Worker, ask_all
from bench.live.room import Room, fresh_presence, room_events
from giaoban.testing.servers import tail


@dataclass
class Run:
    config: str
    n: int
    label: str = ""
    lat: list[float] = field(default_factory=list)
    lost: int = 0
    closed: int = 0
    broadcasts: int = 0
    durations: list[float] = field(default_factory=list)  # per broadcast: until the last arrival
    connect_s: float = 0.0
    connect_failed: int = 0
    kb_per_conn: float = 0.0
    peak_mb: float = 0.0
    state_bytes: int = 0
    ping_ms: float | None = None
    storm: dict | None = None
    pings: dict | None = None  # a pinging run's outcome, for the note
    skipped: str = ""
    error: str = ""
    notes: list[str] = field(default_factory=list)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class _Session:
    """What one run holds while it runs: its servers, their URLs and the client processes."""

    run: Run
    room: Room
    ping: float | None
    processes: list = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)


def _connect_host(s: _Session) -> None:
    """The host console on server 1, and with two servers a second host tab on server 2, so
    both have served a socket before the consoles come."""
    for i in range(len(s.urls)):
        cmd = {"cmd": "connect", "host": True, "url": s.urls[i], "origin": s.origins[i]}
        (answer,) = ask_all(
            s.workers[i : i + 1], [cmd | {"cookies": [s.room.host_cookie], "ping": s.ping}], 240
        )
        if i == 0 and answer["failed"]:
            raise RuntimeError(f"the host console did not connect: {answer['errors']}")


def _connect_consoles(s: _Session) -> None:
    """Half the consoles from each client process, to server 1 and 2 in turn (B)."""
    run, room = s.run, s.room
    half = (room.n + 1) // 2
    shares = [room.cookies[:half], room.cookies[half:]]
    targets = [0, 0] if len(s.urls) == 1 else [0, 1]
    cmds = [
        {"cmd": "connect", "url": s.urls[t], "origin": s.origins[t], "cookies": share}
        | {"ping": s.ping}
        for t, share in zip(targets, shares, strict=True)
    ]
    answers = ask_all(s.workers, cmds, MAX_RUN_S * 2)
    run.connect_s = max(a["seconds"] for a in answers)
    run.connect_failed = sum(a["failed"] for a in answers)
    run.state_bytes = max(a["state_bytes"] for a in answers)
    for a in answers:
        if a["errors"]:
            run.notes.append(f"connect errors: {a['errors'][:2]}")


def _merged(answers: list[dict], key: str) -> dict[str, int]:
    merged: dict[str, int] = {}
    for answer in answers:
        for reason, count in answer[key].items():
            merged[reason] = merged.get(reason, 0) + count
    return merged


def _storm(s: _Session) -> None:
    """Wait for the room to fall quiet after the consoles connected to points not yet online."""
    quiet = ask_all(s.workers, [{"cmd": "quiet", "for_s": 2.0, "limit": 120}] * 2, 150)
    s.run.storm = {
        "states": sum(q["states"] for q in quiet),
        "settled_s": s.run.connect_s + max(q["seconds"] for q in quiet),
        "quiet": all(q["quiet"] for q in quiet),
        "reasons": _merged(quiet, "reasons"),
    }


def _idle(s: _Session, idle_s: float) -> None:
    """Silence for `idle_s` seconds, then how many sockets the server closed."""
    status = ask_all(s.workers, [{"cmd": "status", "wait": idle_s}] * 2, idle_s + 30)
    s.run.storm = {
        "closed": sum(x["closed"] for x in status),
        "why": sorted({w for x in status for w in x["why"]}),
        "idle_s": idle_s,
        "sockets": s.room.n + len(s.urls),
        "reasons": {k: v for x in status for k, v in x["reasons"].items()},
    }


def _one_broadcast(s: _Session, item: int) -> list[dict] | None:
    """The host advances; each client process's latencies to `item`, or None if not sent."""
    (sent,) = ask_all(s.workers[:1], [{"cmd": "advance"}], HOST_RECONNECT_S + 30)
    if sent.get("error"):
        s.run.notes.append(f"stopped after {s.run.broadcasts} broadcasts: {sent['error']}")
        return None
    cmd = {"cmd": "collect", "item": item, "t0": sent["t0"], "deadline": DEADLINE_S}
    results = ask_all(s.workers, [cmd] * 2, DEADLINE_S + 30)
    if results[0]["refused"]:
        raise RuntimeError(f"advance refused: {results[0]['refused']}")
    return results


def _broadcasts(s: _Session) -> None:
    """Broadcasts until MAX_BROADCASTS, or the run's budget once MIN_BROADCASTS are done."""
    run, started = s.run, time.monotonic()
    for k, item in enumerate(s.room.items[: MAX_BROADCASTS + 1]):
        results = _one_broadcast(s, item)
        if results is None:
            break
        lat = [x for r in results for x in r["lat_ms"]]
        if k == 0 and s.room.n <= 500:
            continue  # a warm-up, where it is cheap
        run.broadcasts += 1
        run.lat += lat
        run.lost += sum(r["lost"] for r in results)
        run.closed = max(run.closed, sum(r["closed"] for r in results))
        for reason in [x for r in results for x in r["close_reasons"]]:
            if f"closed: {reason}" not in run.notes:
                run.notes.append(f"closed: {reason}")
        run.durations.append(max(lat) / 1000 if lat else DEADLINE_S)
        elapsed = time.monotonic() - started
        # A pinging run may be far slower: its budget holds from the first broadcast.
        if run.broadcasts >= MAX_BROADCASTS or (
            (run.broadcasts >= MIN_BROADCASTS or (s.ping and elapsed > PING_RUN_S))
            and elapsed + run.durations[-1] > BROADCAST_BUDGET_S
        ):
            break
        time.sleep(1.0 if s.ping else 0.2)


def _ping_probe(s: _Session) -> None:
    """The server time of one ping, with every console freshly seen (no sweep set off)."""
    if s.run.config != BARE:
        fresh_presence(s.room)
    (probe,) = ask_all(s.workers[:1], [{"cmd": "ping_probe", "count": PING_PROBES}], 120)
    if probe["rtt_ms"]:
        s.run.ping_ms = statistics.median(probe["rtt_ms"])


def _ping_outcome(s: _Session) -> None:
    """A pinging run: pings answered, sockets closed, states published and why."""
    run = s.run
    statuses = ask_all(s.workers, [{"cmd": "status"}] * 2, 30)
    reasons = _merged(statuses, "reasons")
    rtts = [x for st in statuses for x in st["ping_rtts"]]
    if rtts:
        run.notes.append(
            f"pings answered in p50 {pct(rtts, 50):.2f} s / p99 {pct(rtts, 99):.1f} s"
            f" / max {max(rtts):.1f} s ({len(rtts):,} answers)"
        )
    closed = sum(st["closed"] for st in statuses)
    if closed and not run.closed:
        why = sorted({w for st in statuses for w in st["why"]})
        run.notes.append(f"{closed} sockets closed by the server: {'; '.join(why)[:160]}")
    published, offline = room_events(s.room)
    run.notes.append(
        f"{published:,} states published during the run; points went offline"
        f" {offline:,} times (presence sweep or socket closed)"
    )
    run.pings = {
        "rtt_p99": pct(rtts, 99) if rtts else None,
        "closed": max(closed, run.closed),
        "offline": offline,
        "published": published,
    }
    if statuses[0]["host_reconnects"]:
        run.notes.append(f"host console reconnected {statuses[0]['host_reconnects']}x")
    # Every console and host tab got one "sync" state on connecting; any more were answers to
    # pings whose seq was behind (the console had not had a broadcast yet).
    extra = reasons.pop("sync", 0) - (s.room.n + len(s.urls))
    reasons.pop("agenda.advanced", None)
    run.notes.append(f"{extra:,} whole states sent in answer to pings that were behind")
    if reasons:
        run.notes.append(f"other states: {reasons}")


def _start(s: _Session, data_dir: Path, logs: Path, name: str, options: dict) -> None:
    if s.run.config == BARE:
        started = bare.start(options["texts"], s.room.items, logs, name)
    else:
        started = server.start(s.run.config, data_dir, logs, name, options["redis_url"])
    s.processes = [process for process, _port in started]
    s.urls = [f"ws://127.0.0.1:{p}/ws/conferences/{s.room.conference_id}/" for _, p in started]
    s.origins = [f"http://127.0.0.1:{p}" for _, p in started]
    s.workers = [Worker(logs / f"clients-{name}-{i}.log") for i in range(2)]


def _exercise(s: _Session, storm: bool, idle_s: float) -> None:
    """Everything a run does once its servers and client processes are up."""
    run = s.run
    _connect_host(s)
    time.sleep(0.5)
    rss0 = sum(server.rss_kb(p.pid) for p in s.processes)
    _connect_consoles(s)
    if storm:
        _storm(s)
    if idle_s:
        _idle(s, idle_s)
    time.sleep(1.0)
    rss1 = sum(server.rss_kb(p.pid) for p in s.processes)
    run.kb_per_conn = (rss1 - rss0) / max(s.room.n - run.connect_failed, 1)
    if not (storm or idle_s):
        _broadcasts(s)
        if not s.ping:
            _ping_probe(s)
    if s.ping:
        _ping_outcome(s)
    run.peak_mb = sum(server.rss_kb(p.pid, "VmHWM") for p in s.processes) / 1024


def measure(
    config: str,
    room: Room,
    data_dir: Path,
    *,
    ping: float | None = None,
    storm: bool = False,
    idle_s: float = 0,
    redis_url: str = REDIS_URL,
    texts: dict | None = None,
    label: str = "",
) -> Run:
    """One run: fresh server(s) of `config` (A, B, or the bare baseline W, which needs the
    room's `texts`), two client processes, the consoles connected, then (unless `storm` or
    `idle_s`) broadcasts until MAX_BROADCASTS or the run's budget."""
    run = Run(config, room.n, label or (BARE_LABEL if config == BARE else CONFIGS[config]))
    session = _Session(run, room, ping)
    logs = data_dir / "logs"
    logs.mkdir(exist_ok=True)
    name = f"{config}{room.n}{'p' if ping else ''}{'s' if storm else ''}{'i' if idle_s else ''}"
    try:
        _start(session, data_dir, logs, name, {"redis_url": redis_url, "texts": texts})
        _exercise(session, storm, idle_s)
    except Exception as exc:
        traceback.print_exc()
        run.error = f"{type(exc).__name__}: {exc}"[:300]
        for i, process in enumerate(session.processes):
            if process.poll() is not None:
                run.error += f"; server {i} exited: {tail(logs / f'server-{name}-{i}.log', 300)}"
    finally:
        server.stop(session.processes)
        for worker in session.workers:
            worker.close()
    return run
