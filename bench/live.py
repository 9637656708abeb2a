"""The live room at conference size: the host's "next agenda item" fanned out to N consoles.

N bridge-point consoles (N = 100, 500, 1,000, 2,000, as far as the time budget allows) in one
live conference, each a WebSocket logged in as its own point's operator, and the host console
(the host point's operator) on server 1. The host sends {"action": "advance"}; for every console
we take the time from that send to the arrival of the {"type": "change"} message whose
room.current_item changed (CLOCK_MONOTONIC, which is one clock for every process on the
machine). p50/p99/max are over every delivery of every broadcast of a run; "lost" counts
deliveries that did not arrive within DEADLINE_S (the in-memory layer's own message expiry) or
whose socket closed.

Configurations:
  A  one `giaoban serve` (uvicorn, 1 worker), in-memory channel layer;
  B  two `giaoban serve` processes on two ports, channels_redis on a flushed Redis db, the
     consoles split half/half between them (the host on the first).
Clients run in two separate processes (websockets + asyncio, half the consoles each), offering
permessage-deflate as browsers do; they read messages as bytes and find current_item without
parsing the JSON, to keep their own CPU out of the numbers as far as possible (they share the
machine's 2 cores with the servers all the same).

Decisions, said once:
  * Consoles do not ping during the main runs, so that the numbers are the fan-out alone. The
    real console (meetings/static/meetings/live.js) pings every 3 s; the server notes a ping in
    memory and answers a pong, or the whole state if the ping's seq is behind. Runs per
    configuration at PING_NS have every console, the host's included, pinging every
    PING_INTERVAL_S seconds. There a host console the server drops reconnects (as live.js does)
    within HOST_RECONNECT_S; a dropped console does not, and its deliveries count as lost.
  * Config B sets ?socket_timeout=30 in REDIS_URL: without it redis-py 8's 5 s read timeout
    races channels_redis's 5 s BZPOPMIN and a server drops a console every ~5 s of silence
    (measured in the row "B as configured").
  * The bridge points are marked online before their consoles connect, so that the main runs
    measure the fan-out alone; consoles connecting to points not yet online (each point coming
    online is a change, announced together per 0.25 s window) are the "join storm" row.
  * Consoles connect in batches of CONNECT_BATCH (each waits for its hello and first state),
    so that SQLite and the Redis connection pool are not asked for hundreds of things at once.
  * At the end the servers are killed, not stopped: a graceful stop closes N consoles, and their
    points go offline (the join storm in reverse).
  * Every run has a budget. A run whose projected time (from the previous N, x 1.5 N/N':
    connecting and broadcasting are O(N)) exceeds MAX_RUN_S, or for N above the goal's 1,000
    (run last, after the other runs) the time left of TOTAL_BUDGET_S, is not run, and its row
    says so. A run stops broadcasting after MIN_BROADCASTS once BROADCAST_BUDGET_S is spent.
  * The host console's own copy of a broadcast is not counted as a delivery.

The database is SQLite in WAL mode in a temporary data dir (the servers share it); PostgreSQL
is not needed, so with another DATABASE_URL this prints no rows. Prints one JSON line for
bench/__main__.py: {"rows": [...], "note": "..."}; `python -m bench.live` prints the table too.
BENCH_LIVE_NS="100,500" limits the sizes; BENCH_LIVE_BUDGET_S changes the total budget.
"""

import asyncio
import json
import math
import os
import random
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from giaoban.testing.live_scenario import session_key
from giaoban.testing.servers import Served, free_port, tail

ROOT = Path(__file__).resolve().parent.parent
NS = [int(n) for n in os.environ.get("BENCH_LIVE_NS", "100,500,1000,2000").split(",")]
AGENDA_ITEMS = 16  # one warm-up advance + up to 15 measured
MAX_BROADCASTS = 15
MIN_BROADCASTS = 3
BROADCAST_BUDGET_S = 20  # per run, once MIN_BROADCASTS are done
DEADLINE_S = 60.0  # a delivery later than this is lost (the in-memory layer's expiry is 60 s)
TOTAL_BUDGET_S = float(os.environ.get("BENCH_LIVE_BUDGET_S", "600"))
MAX_RUN_S = 300.0
IDLE_CONSOLES, IDLE_S = 20, 11.0
HOST_RECONNECT_S = 30.0  # the host console reconnects (as live.js does) within this, or fails
PING_RUN_S = 30.0  # a pinging run stops broadcasting after this, even below MIN_BROADCASTS
PING_NS = [100, 500]  # the runs where every console pings as the real console does
STORM_N = 1000  # the join-storm run: every console connects to a point not yet online
CONNECT_BATCH = 50
PING_INTERVAL_S = 3.0  # SILENT_AFTER is 9 s: three missed pings and a console counts as gone
PING_PROBES = 10
GOAL_N, GOAL_MS = 1000, 200.0
NATIONAL_POINTS = 31000
SMALL_MESSAGE = 300  # bytes: a constant message (current item, seq, the console's own point)
REDIS_DB = int(os.environ.get("BENCH_LIVE_REDIS_DB", "11"))
REDIS_URL_PLAIN = f"redis://127.0.0.1:6379/{REDIS_DB}"
# redis-py 8 reads with a 5 s socket timeout by default, and channels_redis 4.3 blocks 5 s in
# BZPOPMIN: without a longer timeout a server drops a console every ~5 s of silence (measured
# in the row "B as configured"). The B runs set one in the URL, as a deployment can.
REDIS_URL = f"{REDIS_URL_PLAIN}?socket_timeout=30"
CONFIGS = {
    "A": "A: 1 process, in-memory layer",
    "B": "B: 2 processes, Redis layer",
}


def _log(message: str) -> None:
    print(f"[live {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# The client processes ------------------------------------------------------------------------
#
# `python -m bench.live --clients` reads one JSON command a line on stdin and answers one JSON
# line on stdout. It holds its consoles (and the host console, if asked to open it) open
# between commands; arrival times are recorded by each console's reader as messages come in.

_ITEM = b'"current_item": '
_ITEM_ID = b'{"id": '
_SEQ = b'"seq": '
_REASON = b'"reason": "'
_SYNC = b'{"type": "state", "reason": "sync"'
_ROOM_MESSAGES = (b'{"type": "state"', b'{"type": "change"')  # the whole state, or a change
_PING_RTTS: list[float] = []  # seconds from a console's ping to its answer (pong or sync)


def _int_after(data: bytes, start: int) -> int | None:
    end = start
    while end < len(data) and 48 <= data[end] <= 57:
        end += 1
    return int(data[start:end]) if end > start else None


class _Console:
    __slots__ = (
        "arrivals",
        "closed",
        "item",
        "pinged",
        "refused",
        "reply",
        "seq",
        "state_bytes",
        "states",
        "tasks",
        "ws",
    )

    def __init__(self, ws):
        self.ws = ws
        self.item = None
        self.seq = None
        self.arrivals: dict = {}
        self.states = 0
        self.state_bytes = 0
        self.closed = None
        self.reply = None
        self.refused = None
        self.pinged = None  # when this console's pinger sent a ping still unanswered
        self.tasks: list = []

    def take(self, data: bytes, now: float, counts: dict) -> bool:
        """Note one message; True if it was a state."""
        if isinstance(data, str):
            data = data.encode()
        at = data.find(_SEQ)
        if at >= 0:
            self.seq = _int_after(data, at + len(_SEQ))
        if data.startswith(b'{"type": "refused"'):
            self.refused = data[:300].decode(errors="replace")
        if (
            self.reply is not None
            and not self.reply.done()
            and (data.startswith(b'{"type": "pong"') or data.startswith(b'{"type": "state"'))
        ):
            self.reply.set_result((now, "pong" if data.startswith(b'{"type": "pong"') else "state"))
        if self.pinged is not None and (
            data.startswith(b'{"type": "pong"') or data.startswith(_SYNC)
        ):
            _PING_RTTS.append(now - self.pinged)
            self.pinged = None
        if not data.startswith(_ROOM_MESSAGES):
            return False
        self.states += 1
        self.state_bytes = len(data)
        at = data.find(_ITEM)
        if at >= 0:
            at += len(_ITEM)
            item = _int_after(data, at + len(_ITEM_ID)) if data.startswith(_ITEM_ID, at) else None
            if item != self.item:
                self.item = item
                if item is not None and item not in self.arrivals:
                    self.arrivals[item] = now
                    counts[item] = counts.get(item, 0) + 1
        return True


async def _clients_main() -> None:
    from websockets.asyncio.client import connect

    loop = asyncio.get_running_loop()
    loop.call_later(1800, os._exit, 3)  # a forgotten client process ends on its own
    reader = asyncio.StreamReader(limit=2**26)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    consoles: list[_Console] = []
    host: list[_Console] = []
    counts: dict = {}  # item id -> consoles that have it
    messages = {"states": 0}
    reasons: dict[str, int] = {}  # why each state message was sent, over all consoles
    host_params: dict = {}

    def answer(payload: dict) -> None:
        sys.stdout.write(json.dumps(payload) + "\n")
        sys.stdout.flush()

    def count_reason(data) -> None:
        if isinstance(data, str):
            data = data.encode()
        at = data.find(_REASON, 0, 40)
        if data.startswith(_ROOM_MESSAGES) and at >= 0:
            at += len(_REASON)
            reason = data[at : data.find(b'"', at)].decode()
            reasons[reason] = reasons.get(reason, 0) + 1

    async def pump(console: _Console, tally: dict) -> None:
        try:
            while True:
                data = await console.ws.recv(decode=False)
                if console.take(data, time.monotonic(), tally):
                    messages["states"] += 1
                    count_reason(data)
        except Exception as exc:  # closed by the server, or a protocol error
            console.closed = f"{type(exc).__name__}: {exc}"[:200]

    async def pinger(console: _Console, interval: float) -> None:
        await asyncio.sleep(random.uniform(0, interval))
        while console.closed is None:
            if console.pinged is None:  # as live.js: one ping every interval, answered or not
                console.pinged = time.monotonic()
            try:
                await console.ws.send(json.dumps({"action": "ping", "seq": console.seq}))
            except Exception:
                return
            await asyncio.sleep(interval)

    async def open_one(url, origin, cookie, ping_interval, tally, limit=180.0):
        ws = await connect(
            url,
            origin=origin,
            additional_headers={"Cookie": f"sessionid={cookie}"},
            compression="deflate",
            max_size=2**26,
            ping_interval=None,  # browsers send no protocol pings; the server's are answered
            open_timeout=limit,
            close_timeout=1,
        )
        console = _Console(ws)
        deadline = time.monotonic() + limit
        while console.states == 0:  # hello, then the first state ("sync")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no first state within {limit:.0f} s")
            data = await asyncio.wait_for(ws.recv(decode=False), left)
            if console.take(data, time.monotonic(), tally):
                messages["states"] += 1
                count_reason(data)
        console.tasks.append(asyncio.create_task(pump(console, tally)))
        if ping_interval:
            console.tasks.append(asyncio.create_task(pinger(console, ping_interval)))
        return console

    while True:
        line = await reader.readline()
        if not line:
            os._exit(0)
        cmd = json.loads(line)
        kind = cmd["cmd"]
        if kind == "connect":
            started = time.monotonic()
            errors: list[str] = []
            cookies = cmd["cookies"]
            target = host if cmd.get("host") else consoles
            tally = {} if cmd.get("host") else counts  # the host's copy is not a delivery
            if cmd.get("host"):
                host_params["again"] = (cmd["url"], cmd["origin"], cookies[0], cmd.get("ping"), {})
            for at in range(0, len(cookies), cmd.get("batch", CONNECT_BATCH)):
                batch = cookies[at : at + cmd.get("batch", CONNECT_BATCH)]
                opened = await asyncio.gather(
                    *(
                        open_one(cmd["url"], cmd["origin"], c, cmd.get("ping"), tally)
                        for c in batch
                    ),
                    return_exceptions=True,
                )
                for result in opened:
                    if isinstance(result, BaseException):
                        errors.append(f"{type(result).__name__}: {result}"[:200])
                    else:
                        target.append(result)
            answer(
                {
                    "connected": len(cookies) - len(errors),
                    "failed": len(errors),
                    "errors": errors[:5],
                    "seconds": time.monotonic() - started,
                    "state_bytes": max((c.state_bytes for c in target), default=0),
                }
            )
        elif kind == "advance":
            if host[0].closed is not None and "again" in host_params:
                # The host console reconnects, as live.js does after a dropped socket.
                try:
                    host[0] = await open_one(*host_params["again"], limit=HOST_RECONNECT_S)
                    host_params["reconnects"] = host_params.get("reconnects", 0) + 1
                except Exception as exc:
                    answer({"t0": 0, "error": f"host reconnect: {type(exc).__name__}: {exc}"})
                    continue
            console = host[0]
            console.refused = None
            t0 = time.monotonic()
            try:
                await console.ws.send('{"action": "advance"}')
            except Exception as exc:
                answer({"t0": t0, "error": f"host console: {type(exc).__name__}: {exc}"[:200]})
            else:
                answer({"t0": t0})
        elif kind == "collect":
            item, t0 = cmd["item"], cmd["t0"]
            limit = t0 + cmd["deadline"]
            while time.monotonic() < limit:
                open_ones = sum(1 for c in consoles if c.closed is None)
                if counts.get(item, 0) >= open_ones:
                    break
                if host and host[0].refused:
                    break
                await asyncio.sleep(0.02)
            lat = [(c.arrivals[item] - t0) * 1000 for c in consoles if item in c.arrivals]
            answer(
                {
                    "lat_ms": [round(x, 2) for x in lat],
                    "lost": len(consoles) - len(lat),
                    "closed": sum(1 for c in consoles if c.closed is not None),
                    "close_reasons": sorted({c.closed for c in consoles if c.closed})[:3],
                    "refused": host[0].refused if host else None,
                }
            )
        elif kind == "quiet":  # wait until no state message arrived for `for_s` seconds
            started = time.monotonic()
            last, last_change = messages["states"], time.monotonic()
            while time.monotonic() - started < cmd["limit"]:
                await asyncio.sleep(0.1)
                if messages["states"] != last:
                    last, last_change = messages["states"], time.monotonic()
                elif time.monotonic() - last_change >= cmd["for_s"]:
                    break
            answer(
                {
                    "reasons": reasons,
                    "states": messages["states"],
                    "seconds": last_change - started,
                    "quiet": time.monotonic() - last_change >= cmd["for_s"],
                }
            )
        elif kind == "ping_probe":  # server time of one ping, one at a time
            console = consoles[0]
            rtts, kinds = [], []
            for _ in range(cmd["count"]):
                console.reply = loop.create_future()
                t0 = time.monotonic()
                await console.ws.send(json.dumps({"action": "ping", "seq": console.seq}))
                try:
                    at, kind = await asyncio.wait_for(console.reply, 30)
                except TimeoutError:
                    break
                rtts.append((at - t0) * 1000)
                kinds.append(kind)
                await asyncio.sleep(0.05)
            console.reply = None
            answer({"rtt_ms": rtts, "kinds": kinds})
        elif kind == "status":  # sockets the server closed, after an optional idle wait
            await asyncio.sleep(cmd.get("wait", 0))
            closed = [c.closed for c in consoles + host if c.closed]
            answer(
                {
                    "closed": len(closed),
                    "why": sorted(set(closed))[:3],
                    "reasons": reasons,
                    "host_closed": bool(host and host[0].closed),
                    "host_reconnects": host_params.get("reconnects", 0),
                    "ping_rtts": [round(x, 3) for x in _PING_RTTS],
                }
            )
        elif kind == "exit":
            answer({"bye": True})
            os._exit(0)


# Measuring -----------------------------------------------------------------------------------


class _Worker:
    """One client process, spoken to one JSON line at a time, never waiting without a limit."""

    def __init__(self, log: Path):
        with open(log, "ab") as errors:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bench.live", "--clients"],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        self.buffer = b""

    def send(self, cmd: dict) -> None:
        self.proc.stdin.write(json.dumps(cmd).encode() + b"\n")
        self.proc.stdin.flush()

    def receive(self, timeout: float) -> dict:
        limit = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buffer:
            left = limit - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"client process silent for {timeout:.0f} s")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise RuntimeError(f"client process ended (code {self.proc.poll()})")
                self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send({"cmd": "exit"})
                self.proc.wait(timeout=5)
            except Exception:
                self.proc.kill()
                self.proc.wait()


def _ask_all(workers: list[_Worker], cmds: list[dict], timeout: float) -> list[dict]:
    for worker, cmd in zip(workers, cmds, strict=False):
        worker.send(cmd)
    return [worker.receive(timeout) for worker in workers]


def _rss_kb(pid: int, field_name: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Room:
    n: int
    conference_id: int
    host_cookie: str
    cookies: list[str]
    items: list[int]
    seq: int = 0  # the conference's seq when the room was ready


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


_rooms = 0


def _room(n: int, *, online: bool) -> Room:
    """A live conference with a host point and n bridge points, each with its own operator (an
    operator membership at the commune's mobilization board) logged in by a session."""
    from datetime import UTC, datetime, timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from giaoban.meetings import services
    from giaoban.meetings.models import BridgePoint, Conference, PointState
    from giaoban.orgs.models import Level, Membership, Organization, OrgKind, Role, Unit, UnitKind

    global _rooms
    _rooms += 1
    tag = f"r{_rooms}"
    User = get_user_model()
    password = make_password(None)  # unusable: these users only ever hold a session
    with transaction.atomic():
        province = Unit.objects.create(
            code=f"P{tag}", name=f"Tỉnh thử {tag}", kind=UnitKind.PROVINCE, level=Level.PROVINCE
        )
        province.path = f"/{province.pk}/"
        province.save(update_fields=["path"])
        board = Organization.objects.create(
            name=f"Ban Dân vận Tỉnh ủy thử {tag}", kind=OrgKind.MOBILIZATION_BOARD, unit=province
        )
        host = User.objects.create(username=f"host_{tag}", password=password)
        Membership.objects.create(user=host, organization=board, role=Role.OPERATOR)
        start = datetime.now(UTC)
        conference = services.conference_create(
            actor=None,
            title=f"Hội nghị giao ban trực tuyến ({n} điểm cầu)",
            organizer=board,
            kind="monthly",
            start=start,
            end=start + timedelta(hours=3),
        )
        services.point_add(
            actor=None,
            conference=conference,
            unit=province,
            name="Điểm cầu chính",
            is_host=True,
            operator=host,
        )
        items = [
            services.agenda_add(
                actor=None,
                conference=conference,
                kind="report" if i else "opening",
                title=f"Nội dung {i + 1}: báo cáo, tham luận của các địa phương",
                presenter="Đồng chí Trưởng ban",
            ).pk
            for i in range(AGENDA_ITEMS)
        ]
        communes = Unit.objects.bulk_create(
            Unit(
                code=f"{tag}-{i:05d}",
                name=f"Xã Thử Nghiệm {i + 1}",
                kind=UnitKind.COMMUNE,
                level=Level.COMMUNE,
                parent=province,
            )
            for i in range(n)
        )
        for unit in communes:
            unit.path = f"{province.path}{unit.pk}/"
        Unit.objects.bulk_update(communes, ["path"], batch_size=1000)
        orgs = Organization.objects.bulk_create(
            Organization(
                name=f"Ban Dân vận Đảng ủy xã Thử Nghiệm {i + 1}",
                kind=OrgKind.MOBILIZATION_BOARD,
                unit=unit,
                parent=board,
            )
            for i, unit in enumerate(communes)
        )
        users = User.objects.bulk_create(
            User(username=f"op_{tag}_{i:05d}", password=password) for i in range(n)
        )
        Membership.objects.bulk_create(
            Membership(user=user, organization=org, role=Role.OPERATOR)
            for user, org in zip(users, orgs, strict=True)
        )
        BridgePoint.objects.bulk_create(
            BridgePoint(
                conference=conference,
                unit=unit,
                name=f"Điểm cầu xã Thử Nghiệm {i + 1}",
                location="Hội trường Đảng ủy xã",
                operator=user,
                order=i + 2,
                state=PointState.ONLINE if online else PointState.INVITED,
            )
            for i, (unit, user) in enumerate(zip(communes, users, strict=True))
        )
        room = Room(n, conference.pk, session_key(host), [session_key(u) for u in users], items)
    services.conference_transition(actor=None, conference=conference, action="start")
    room.seq = Conference.objects.get(pk=conference.pk).seq
    return room


def _state_sizes(room: Room) -> dict:
    """The change message of "next agenda item" as live.py broadcasts it (json.dumps, ASCII),
    deflated as uvicorn's websockets does for a browser (12-bit window, memLevel 5), and the
    whole state a console receives on connecting."""
    import zlib

    from giaoban.meetings.live.broadcast import change_message
    from giaoban.meetings.live.cache import state_cache
    from giaoban.meetings.models import BridgePoint
    from giaoban.meetings.selectors import live_state

    started = time.perf_counter()
    state = live_state(room.conference_id)
    ms = (time.perf_counter() - started) * 1000
    whole = json.dumps({"type": "state", "reason": "sync", "state": state}).encode()
    # What a point's console receives on connecting: the compact view above
    # LIVE_ALL_POINTS_UP_TO points, the whole state below.
    point = BridgePoint.objects.filter(conference_id=room.conference_id, is_host=False).first()
    on_connect = state_cache.message(room.conference_id, point.pk).encode()
    # As agenda_advance publishes it: no point, the item closed and the item opened.
    text = change_message(
        room.conference_id, state["seq"], "agenda.advanced", [], room.items[:2]
    ).encode()
    deflate = zlib.compressobj(wbits=-12, memLevel=5)
    packed = deflate.compress(text) + deflate.flush(zlib.Z_SYNC_FLUSH)
    return {
        "bytes": len(text),
        "deflated": len(packed),
        "whole_bytes": len(whole),
        "point_connect_bytes": len(on_connect),
        "live_state_ms": ms,
    }


def _fresh_presence(room: Room) -> None:
    """Mark every console of the room as just seen, as if it had pinged: the ping probe then
    measures one ping, not the sweep that a console silent for 9 s (SILENT_AFTER) would set off
    (its point goes offline, and the whole state is published once per point)."""
    from django.utils import timezone

    from giaoban.meetings.models import Connection

    Connection.objects.filter(point__conference_id=room.conference_id).update(
        seen_at=timezone.now()
    )


def _room_events(room: Room) -> tuple[int, int]:
    """How many states the room published (its seq) and how many times a point went offline."""
    from giaoban.meetings.models import AttendanceEvent, AttendanceEventKind, Conference

    seq = Conference.objects.get(pk=room.conference_id).seq
    offline = AttendanceEvent.objects.filter(
        conference_id=room.conference_id, kind=AttendanceEventKind.OFFLINE
    ).count()
    return seq - room.seq, offline


def _measure(
    config: str,
    room: Room,
    data_dir: Path,
    *,
    ping: float | None = None,
    storm: bool = False,
    idle_s: float = 0,
    redis_url: str = REDIS_URL,
    label: str = "",
) -> Run:
    """One run: fresh server(s), two client processes, the consoles connected, then (unless
    `storm` or `idle_s`) broadcasts until MAX_BROADCASTS or the run's budget."""
    run = Run(config, room.n, label or CONFIGS[config])
    processes = 1 if config == "A" else 2
    env = {
        **os.environ,
        "GIAOBAN_DATA_DIR": str(data_dir),
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    if config == "B":
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        env["REDIS_URL"] = redis_url
    ports = [free_port() for _ in range(processes)]
    servers: list[subprocess.Popen] = []
    workers: list[_Worker] = []
    logs = data_dir / "logs"
    logs.mkdir(exist_ok=True)
    name = f"{config}{room.n}{'p' if ping else ''}{'s' if storm else ''}{'i' if idle_s else ''}"
    try:
        for i, port in enumerate(ports):
            log = logs / f"server-{name}-{i}.log"
            servers.append(Served(env, log, port=port).start().process)
        workers = [_Worker(logs / f"clients-{name}-{i}.log") for i in range(2)]
        url = [f"ws://127.0.0.1:{p}/ws/conferences/{room.conference_id}/" for p in ports]
        origin = [f"http://127.0.0.1:{p}" for p in ports]
        (answer,) = _ask_all(
            workers[:1],
            [
                {
                    "cmd": "connect",
                    "host": True,
                    "url": url[0],
                    "origin": origin[0],
                    "cookies": [room.host_cookie],
                    "ping": ping,
                }
            ],
            240,
        )
        if answer["failed"]:
            raise RuntimeError(f"the host console did not connect: {answer['errors']}")
        if processes == 2:  # a second host tab on server 2, so both have served a socket
            (answer,) = _ask_all(
                workers[1:],
                [
                    {
                        "cmd": "connect",
                        "host": True,
                        "url": url[1],
                        "origin": origin[1],
                        "cookies": [room.host_cookie],
                        "ping": ping,
                    }
                ],
                240,
            )
        time.sleep(0.5)
        rss0 = sum(_rss_kb(s.pid) for s in servers)
        half = (room.n + 1) // 2
        shares = [room.cookies[:half], room.cookies[half:]]
        targets = [0, 0] if processes == 1 else [0, 1]
        answers = _ask_all(
            workers,
            [
                {
                    "cmd": "connect",
                    "url": url[t],
                    "origin": origin[t],
                    "cookies": share,
                    "ping": ping,
                }
                for t, share in zip(targets, shares, strict=True)
            ],
            MAX_RUN_S * 2,
        )
        run.connect_s = max(a["seconds"] for a in answers)
        run.connect_failed = sum(a["failed"] for a in answers)
        run.state_bytes = max(a["state_bytes"] for a in answers)
        for a in answers:
            if a["errors"]:
                run.notes.append(f"connect errors: {a['errors'][:2]}")
        if storm:
            quiet = _ask_all(workers, [{"cmd": "quiet", "for_s": 2.0, "limit": 120}] * 2, 150)
            reasons: dict[str, int] = {}
            for q in quiet:
                for reason, count in q["reasons"].items():
                    reasons[reason] = reasons.get(reason, 0) + count
            run.storm = {
                "states": sum(q["states"] for q in quiet),
                "settled_s": run.connect_s + max(q["seconds"] for q in quiet),
                "quiet": all(q["quiet"] for q in quiet),
                "reasons": reasons,
            }
        if idle_s:
            status = _ask_all(workers, [{"cmd": "status", "wait": idle_s}] * 2, idle_s + 30)
            run.storm = {
                "closed": sum(s["closed"] for s in status),
                "why": sorted({w for s in status for w in s["why"]}),
                "idle_s": idle_s,
                "sockets": room.n + processes,
                "reasons": {k: v for s in status for k, v in s["reasons"].items()},
            }
        time.sleep(1.0)
        connected = room.n - run.connect_failed
        rss1 = sum(_rss_kb(s.pid) for s in servers)
        run.kb_per_conn = (rss1 - rss0) / max(connected, 1)
        started = time.monotonic()
        items = [] if storm or idle_s else room.items[: MAX_BROADCASTS + 1]
        for k, item in enumerate(items):
            (sent,) = _ask_all(workers[:1], [{"cmd": "advance"}], HOST_RECONNECT_S + 30)
            if sent.get("error"):
                run.notes.append(f"stopped after {run.broadcasts} broadcasts: {sent['error']}")
                break
            results = _ask_all(
                workers,
                [{"cmd": "collect", "item": item, "t0": sent["t0"], "deadline": DEADLINE_S}] * 2,
                DEADLINE_S + 30,
            )
            if results[0]["refused"]:
                raise RuntimeError(f"advance refused: {results[0]['refused']}")
            lat = [x for r in results for x in r["lat_ms"]]
            if k == 0 and room.n <= 500:
                continue  # a warm-up, where it is cheap
            run.broadcasts += 1
            run.lat += lat
            run.lost += sum(r["lost"] for r in results)
            run.closed = max(run.closed, sum(r["closed"] for r in results))
            for r in results:
                for reason in r["close_reasons"]:
                    if f"closed: {reason}" not in run.notes:
                        run.notes.append(f"closed: {reason}")
            run.durations.append(max(lat) / 1000 if lat else DEADLINE_S)
            elapsed = time.monotonic() - started
            # A pinging run may be far slower: its budget holds from the first broadcast.
            if run.broadcasts >= MAX_BROADCASTS or (
                (run.broadcasts >= MIN_BROADCASTS or (ping and elapsed > PING_RUN_S))
                and elapsed + run.durations[-1] > BROADCAST_BUDGET_S
            ):
                break
            time.sleep(1.0 if ping else 0.2)
        if items and not ping:
            _fresh_presence(room)
            (probe,) = _ask_all(workers[:1], [{"cmd": "ping_probe", "count": PING_PROBES}], 120)
            if probe["rtt_ms"]:
                run.ping_ms = statistics.median(probe["rtt_ms"])
        if ping:
            reasons: dict[str, int] = {}
            statuses = _ask_all(workers, [{"cmd": "status"}] * 2, 30)
            for status in statuses:
                for reason, count in status["reasons"].items():
                    reasons[reason] = reasons.get(reason, 0) + count
            rtts = [x for s in statuses for x in s["ping_rtts"]]
            if rtts:
                run.notes.append(
                    f"pings answered in p50 {_pct(rtts, 50):.2f} s / p99 {_pct(rtts, 99):.1f} s"
                    f" / max {max(rtts):.1f} s ({len(rtts):,} answers)"
                )
            closed = sum(s["closed"] for s in statuses)
            if closed and not run.closed:
                why = sorted({w for s in statuses for w in s["why"]})
                run.notes.append(f"{closed} sockets closed by the server: {'; '.join(why)[:160]}")
            published, offline = _room_events(room)
            run.notes.append(
                f"{published:,} states published during the run; points went offline"
                f" {offline:,} times (presence sweep or socket closed)"
            )
            run.pings = {
                "rtt_p99": _pct(rtts, 99) if rtts else None,
                "closed": max(closed, run.closed),
                "offline": offline,
                "published": published,
            }
            if statuses[0]["host_reconnects"]:
                run.notes.append(f"host console reconnected {statuses[0]['host_reconnects']}x")
            # Every console and host tab got one "sync" state on connecting; any more were
            # answers to pings whose seq was behind (the console had not had a broadcast yet).
            extra = reasons.pop("sync", 0) - (room.n + processes)
            reasons.pop("agenda.advanced", None)
            run.notes.append(f"{extra:,} whole states sent in answer to pings that were behind")
            if reasons:
                run.notes.append(f"other states: {reasons}")
        run.peak_mb = sum(_rss_kb(s.pid, "VmHWM") for s in servers) / 1024
    except Exception as exc:
        traceback.print_exc()
        run.error = f"{type(exc).__name__}: {exc}"[:300]
        for i, server in enumerate(servers):
            if server.poll() is not None:
                run.error += f"; server {i} exited: {tail(logs / f'server-{name}-{i}.log', 300)}"
    finally:
        for server in servers:  # killed: a graceful stop would publish N "offline" states
            server.kill()
            server.wait()
        for worker in workers:
            worker.close()
    return run


# Reporting -----------------------------------------------------------------------------------


def _row(run: Run) -> dict:
    row = {
        "config": run.label,
        "N": f"{run.n:,}",
        "p50 ms": "-",
        "p99 ms": "-",
        "max ms": "-",
        "lost": "-",
        "KB/conn": "-",
        "goal": "-",
        "note": "",
    }
    if run.skipped:
        row["note"] = f"not run: {run.skipped}"
        if run.n == GOAL_N:
            row["goal"] = "not measured"
        return row
    notes = []
    if run.lat:
        row["p50 ms"] = f"{_pct(run.lat, 50):,.0f}"
        row["p99 ms"] = f"{_pct(run.lat, 99):,.0f}"
        row["max ms"] = f"{max(run.lat):,.0f}"
        row["lost"] = f"{run.lost}"
        if run.n == GOAL_N and not run.label.startswith("A join") and "ping" not in run.label:
            met = _pct(run.lat, 99) < GOAL_MS and run.lost == 0
            row["goal"] = "met" if met else "MISSED"
        notes.append(f"{run.broadcasts} broadcasts x {run.n - run.connect_failed} consoles")
    if run.kb_per_conn:
        row["KB/conn"] = f"{run.kb_per_conn:.0f}"
    if run.storm and "closed" in run.storm:
        s = run.storm
        notes.append(
            f"{s['closed']} of {s['sockets']} sockets closed by the server within {s['idle_s']:.0f}"
            f" s of silence after connecting ({'; '.join(s['why']) or 'none'})"
        )
        other = {k: v for k, v in s["reasons"].items() if k != "sync"}
        if other:
            notes.append(f"states then published: {other}")
    elif run.storm:
        s = run.storm
        notes.append(
            f"{s['states']:,} state messages ({s['states'] * run.state_bytes / 2**20:,.0f} MB) "
            f"to the consoles while they connected; quiet after {s['settled_s']:.1f} s"
            + ("" if s["quiet"] else " (still busy at the limit)")
            + f"; by reason: {s['reasons']}"
        )
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
    row["note"] = "; ".join(notes)
    return row


def _revision() -> str:
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
    import hashlib

    digest = hashlib.sha1()
    for path in sorted((ROOT / "giaoban").rglob("*.py")):
        if "tests" not in path.parts:
            digest.update(path.read_bytes())
    return (
        f"{head or 'unknown'} + {len(dirty)} changed files under giaoban/"
        f" (its Python sources hash {digest.hexdigest()[:10]})"
    )


def _busy_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (all processes, all cores)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    """CPU seconds of this process and of its children that have ended (servers, clients)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _fit2(points: list[tuple[float, float, float]]) -> tuple[float, float]:
    """Least-squares a, b >= 0 for y = a * x1 + b * x2 (no intercept)."""
    s11 = sum(x1 * x1 for x1, _, _ in points)
    s12 = sum(x1 * x2 for x1, x2, _ in points)
    s22 = sum(x2 * x2 for _, x2, _ in points)
    s1y = sum(x1 * y for x1, _, y in points)
    s2y = sum(x2 * y for _, x2, y in points)
    det = s11 * s22 - s12 * s12
    if det > 0:
        a, b = (s1y * s22 - s2y * s12) / det, (s2y * s11 - s1y * s12) / det
        if a >= 0 and b >= 0:
            return a, b
    # One term only: whichever fits better.
    only_b = (0.0, _fit([(x2, y) for _, x2, y in points]))
    only_a = (_fit([(x1, y) for x1, _, y in points]), 0.0)

    def err(ab):
        return sum((ab[0] * x1 + ab[1] * x2 - y) ** 2 for x1, x2, y in points)

    return min(only_a, only_b, key=err) if points else (0.0, 0.0)


def _capacity(a: float, c: float, limit: float) -> float:
    """The largest n with a * n + c * n * n <= limit (c: per-console bytes x per-byte cost)."""
    if c <= 0:
        return limit / a if a else math.inf
    return (-a + math.sqrt(a * a + 4 * c * limit)) / (2 * c)


def _fit(points: list[tuple[float, float]]) -> float:
    """Least-squares c for y = c * x (through the origin)."""
    den = sum(x * x for x, _ in points)
    return sum(x * y for x, y in points) / den if den else 0.0


def _note(runs: list[Run], sizes: dict[int, dict]) -> str:
    main = [r for r in runs if r.lat and r.label in CONFIGS.values()]
    lines = [
        f"Scaling note ({os.cpu_count()} cores, Python {sys.version.split()[0]},"
        " from the runs above):"
    ]
    for config in CONFIGS:
        done = [r for r in main if r.config == config]
        if not done:
            continue
        held = [r.n for r in done if _pct(r.lat, 99) < GOAL_MS and r.lost == 0]
        lines.append(
            f"- {CONFIGS[config]}: p99 < {GOAL_MS:.0f} ms held at "
            + (f"N <= {max(held):,}" if held else "none of the sizes measured")
            + " ("
            + "; ".join(f"N = {r.n:,}: p99 {_pct(r.lat, 99):,.0f} ms" for r in done)
            + ")."
        )
    change = statistics.mean(s["bytes"] for s in sizes.values())
    per_point = _fit([(n, s["whole_bytes"]) for n, s in sizes.items()])
    lines.append(
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
    )
    models = {}
    for config in CONFIGS:
        done = [r for r in main if r.config == config and r.durations]
        procs = 1 if config == "A" else 2
        if not done:
            continue
        # Time until the last console has it ~ a x consoles per process (constant message).
        a = _fit([(r.n / procs, statistics.median(r.durations)) for r in done])
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
    if models:
        a = models.get("B", next(iter(models.values())))
        per_process = GOAL_MS / 1000 / a
        procs = math.ceil(NATIONAL_POINTS / per_process)
        lines.append(
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
        )
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
    for r in runs:
        if r.pings is None:
            continue
        p = r.pings
        lines.append(
            f"- {r.label}, N = {r.n:,}: "
            + (
                f"p99 {_pct(r.lat, 99):,.0f} ms over {r.broadcasts} broadcasts; "
                if r.lat
                else "no broadcast measured; "
            )
            + (f"pings answered within p99 {p['rtt_p99']:.2f} s; " if p["rtt_p99"] else "")
            + f"{p['closed']} sockets (of {r.n} consoles and the host) closed by the server,"
            f" points offline {p['offline']:,} times, {p['published']:,} changes published."
            " A ping is noted in memory; each process writes the pings of the last 3 s in one"
            " UPDATE and sweeps silent consoles then."
        )
    storms = [r for r in runs if r.storm and "states" in r.storm]
    for r in storms:
        lines.append(
            f"- Join storm: {r.n:,} consoles connecting to points not yet online received"
            f" {r.storm['states']:,} room messages in all while they connected (by reason:"
            f" {r.storm['reasons']}): the points coming online are announced together, one"
            " change per 0.25 s window, not one per console."
        )
    return "\n".join(lines)


def _print_table(rows: list[dict], note: str) -> None:
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("\nbench.live", file=sys.stderr)
    print(" | ".join(c.ljust(widths[c]) for c in columns), file=sys.stderr)
    print("-+-".join("-" * widths[c] for c in columns), file=sys.stderr)
    for row in rows:
        print(" | ".join(str(row[c]).ljust(widths[c]) for c in columns), file=sys.stderr)
    print(note, file=sys.stderr)


def _projected(prev: Run | None, n: int) -> float | None:
    if prev is None or not prev.durations:
        return None
    f = (n / prev.n) * 1.5  # connecting and broadcasting are O(N); 1.5 for headroom
    return prev.connect_s * f + MIN_BROADCASTS * statistics.median(prev.durations) * f + 15


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url and not url.startswith("sqlite"):
        print(json.dumps({"rows": [], "note": ""}))  # one database is enough: SQLite
        return
    began = time.monotonic()
    busy0, own0, load0 = _busy_s(), _own_cpu_s(), os.getloadavg()[0]
    revision = _revision()
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

    runs: list[Run] = []  # the fan-out runs, by N
    extras: list[Run] = []  # pings, join storm, Redis as configured
    sizes: dict[int, dict] = {}
    last: dict[str, Run] = {}

    def fan_out(n: int) -> None:
        # Above the goal the time left may not hold both: the multi-process one goes first.
        for config in CONFIGS if n <= GOAL_N else reversed(CONFIGS):
            left = TOTAL_BUDGET_S - (time.monotonic() - began)
            projected = _projected(last.get(config), n)
            # The sizes up to the goal's are always run unless one run alone is too long;
            # the larger ones (run last) only in the time left.
            over = projected is not None and (
                projected > MAX_RUN_S or (n > GOAL_N and projected > left)
            )
            if over:
                run = Run(config, n, CONFIGS[config])
                run.skipped = (
                    f"projected {projected:,.0f} s from N = {last[config].n:,} (connect and"
                    f" {MIN_BROADCASTS} broadcasts, x 1.5 N/N'), over the "
                    + (
                        f"per-run limit ({MAX_RUN_S:,.0f} s)"
                        if projected > MAX_RUN_S
                        else f"time left ({max(left, 0):,.0f} s)"
                    )
                )
                runs.append(run)
                _log(f"{config} N={n}: skipped, {run.skipped}")
                continue
            room = _room(n, online=True)
            if n not in sizes:
                sizes[n] = _state_sizes(room)
            _log(f"{config} N={n}: measuring (state {sizes[n]['bytes'] / 1024:.0f} KB)")
            run = _measure(config, room, data_dir)
            runs.append(run)
            last[config] = run
            _log(f"{config} N={n}: {_row(run)}")

    try:
        call_command("migrate", verbosity=0)
        for n in [n for n in NS if n <= GOAL_N]:
            fan_out(n)
        for n in PING_NS:
            for config in CONFIGS:
                room = _room(n, online=True)
                label = f"{config}, every console pinging every {PING_INTERVAL_S:.0f} s"
                run = _measure(config, room, data_dir, ping=PING_INTERVAL_S, label=label)
                extras.append(run)
                _log(f"{config} N={n} with pings: {_row(run)}")
        room = _room(STORM_N, online=False)
        label = "A join storm: points invited, online as they connect"
        run = _measure("A", room, data_dir, storm=True, label=label)
        extras.append(run)
        _log(f"join storm N={STORM_N}: {_row(run)}")
        room = _room(IDLE_CONSOLES, online=True)
        label = "B as configured: REDIS_URL without ?socket_timeout"
        run = _measure("B", room, data_dir, idle_s=IDLE_S, redis_url=REDIS_URL_PLAIN, label=label)
        extras.append(run)
        _log(f"B as configured: {_row(run)}")
        for n in [n for n in NS if n > GOAL_N]:
            fan_out(n)
    except Exception as exc:
        traceback.print_exc()
        extras.append(Run("A", 0, f"FAILED: {type(exc).__name__}: {exc}"[:300]))
    finally:
        if os.environ.get("BENCH_LIVE_KEEP"):
            _log(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    rows = [_row(r) for r in runs + extras]
    note = _note(runs + extras, sizes) if sizes else ""
    took = time.monotonic() - began
    others = (_busy_s() - busy0) - (_own_cpu_s() - own0)
    note += (
        f"\n(bench.live took {took:,.0f} s. The machine is shared: other processes used"
        f" {max(others, 0):,.0f} CPU-s of the {took * (os.cpu_count() or 1):,.0f} available"
        f" meanwhile ({max(others, 0) / (took * (os.cpu_count() or 1)) * 100:.0f}%); load average"
        f" {load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end. App: {revision}"
        + ("" if _revision() == revision else f" at the start, {_revision()} at the end")
        + ".)"
    )
    _print_table(rows, note)
    print(json.dumps({"rows": rows, "note": note}, ensure_ascii=False))


if __name__ == "__main__":
    if sys.argv[1:] == ["--clients"]:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        asyncio.run(_clients_main())
    else:
        main()
