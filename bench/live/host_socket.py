"""The host console of a large conference through a real socket (issue 15): what it receives on
connecting and how long a change takes to reach it, at 1,000 and 10,000 bridge points.

bench.live.host measures the server's work alone (no console connected). Here a real `giaoban
serve` (uvicorn, one process, in-memory channel layer, on the database bench/__main__ gives) runs
the conference and a real WebSocket client, logged in by a session cookie as the host point's
operator, is its host console; other clients are bridge points' consoles. Timed on the client
(CLOCK_MONOTONIC, one process for every console):

* connect: from opening the host console's socket to the whole first state received (the
  handshake, the server's reading and encoding, permessage-deflate both ways). The first
  sample is the host's first console; the others are a second host tab opened after every
  CONNECT_EVERY-th change, so that no sample finds the state cached at its change number.
* updates, ROUNDS of each, one at a time, each from its cause to the host socket's receipt of
  the change message it sets off:
  - "off-page online": a point off the host's page and beyond its attention list (a point not
    yet connected, late in the order, with more than ATTENTION_MAX before it) opens its console;
  - "on-page online": a point on the host's first page does the same;
  - "floor request": a connected point's console sends {"action": "request_floor"}.
  A point coming online is announced after the presence coalescing window (COALESCE_S, 250 ms),
  which the two online rows include by design.

"before" is what the host console ran until issue 15, in the same run on the same rows: a
server started by this module (`--serve PORT before`) with two functions put back as they were
(`state_cache.host_message` answers `state_cache.message`, the whole state; a broadcast carries
no host texts, so the host console receives the whole change). The point consoles receive the
compact view in both, as they did before issue 15. "after" is `giaoban serve` as it is.

The rows are prepared in bulk: n communes and their points, most online, NOT_CONNECTED of them
invited (spread out, so that the attention list is full), and 2 x ROUNDS measured points with
an operator each. Between "before" and "after" the measured points are put back as they were.
Prints one JSON line for bench/__main__.py; BENCH_HOST_SOCKET_NS="1000,10000" sets the sizes.
`python -m bench.live.host_socket` alone runs on an SQLite file in a scratch directory.
"""

import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

NS = [int(n) for n in os.environ.get("BENCH_HOST_SOCKET_NS", "1000,10000").split(",")]
ROUNDS = int(os.environ.get("BENCH_HOST_SOCKET_ROUNDS", "20"))
CONNECT_EVERY = 10  # a second host tab connects after every 10th change
NOT_CONNECTED = 130  # invited points spread over the list: with the measured ones > ATTENTION_MAX
WAIT_S = 120.0  # a change or a state that does not arrive within this fails the run
MODES = {
    "before": "before (whole state)",
    "after": "after (counts, attention, a page)",
}
ROOT = Path(__file__).resolve().parent.parent.parent
_HEAD = re.compile(rb'^\{"type": "([a-z_]+)"(?:, "reason": "([a-z._]+)")?')


def log(message: str) -> None:
    print(f"[host-socket {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# The server ---------------------------------------------------------------------------------


def serve(port: str, mode: str) -> None:
    """`python -m bench.live.host_socket --serve PORT before|after`: `giaoban serve` on PORT, for
    "before" with the host console's code as it was until issue 15."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")
    import django

    django.setup()
    if mode == "before":
        from giaoban.meetings.live import broadcast, cache

        # The whole state on connecting and on every sync; every change whole (no host texts:
        # the fan-out then gives the host's console the broadcast's text, as it did).
        cache._StateCache.host_message = lambda self, conference_id, page: (
            self.message(conference_id),
            None,
        )
        broadcast.host_texts = lambda message, conference_id: None
    from django.core.management import call_command

    call_command("serve", "--port", port, "--no-worker")


def _start_server(mode: str, logs: Path, n: int) -> tuple[subprocess.Popen, int]:
    from giaoban.testing.servers import free_port, wait_until_up

    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "LIVE_ALL_POINTS_UP_TO": "200"}
    env.pop("REDIS_URL", None)  # one process, in-memory layer
    log_path = logs / f"server-{mode}-{n}.log"
    with log_path.open("a") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.live.host_socket", "--serve", str(port), mode],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(port, process, log_path, timeout=120)
    except Exception:
        process.kill()
        process.wait()
        raise
    return process, port


# The rows -----------------------------------------------------------------------------------


@dataclass
class Room:
    n: int
    conference_id: int
    host_cookie: str
    on_page: list[str]  # cookies of the points on the host's first page, not yet connected
    off_page: list[str]  # cookies of points late in the order, not yet connected
    measured: list[int] = field(default_factory=list)  # their ids


def _operators(tag: str, count: int) -> list:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    password = make_password(None)  # unusable: these users only ever hold a session
    user = get_user_model()
    return user.objects.bulk_create(
        user(username=f"hs_{tag}_{i:03d}", password=password) for i in range(count)
    )


def make_room(n: int) -> Room:
    """A live conference: the host point (its operator the host console) and n communes'
    points in bulk; ROUNDS invited on the first page, ROUNDS invited at the end of the order
    (each with its operator), NOT_CONNECTED invited in between, the rest online."""
    from datetime import UTC, datetime, timedelta

    from django.db import transaction

    from giaoban.meetings import services
    from giaoban.meetings.models import BridgePoint, PointState
    from giaoban.orgs.models import Level, Organization, OrgKind, Unit, UnitKind
    from giaoban.testing.live_scenario import session_key

    tag = f"{n}_{time.monotonic_ns() % 10**6}"
    with transaction.atomic():
        province = Unit.objects.create(
            code=f"HS{tag}", name=f"Tỉnh thử {n}", kind=UnitKind.PROVINCE, level=Level.PROVINCE
        )
        province.path = f"/{province.pk}/"
        province.save(update_fields=["path"])
        board = Organization.objects.create(
            name=f"Ban Dân vận thử {tag}", kind=OrgKind.MOBILIZATION_BOARD, unit=province
        )
        host, *operators = _operators(tag, 1 + 2 * ROUNDS)
        start = datetime.now(UTC)
        conference = services.conference_create(
            actor=None,
            title=f"Hội nghị trực tuyến ({n:,} điểm cầu)",
            organizer=board,
            kind="thematic",
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
        units = Unit.objects.bulk_create(
            Unit(
                code=f"{tag}-{i:05d}",
                name=f"Xã Thử Nghiệm {i + 1}",
                kind=UnitKind.COMMUNE,
                level=Level.COMMUNE,
                parent=province,
                path=f"/{province.pk}/x{i}/",
            )
            for i in range(n)
        )
        measured = {i: operators[i] for i in range(ROUNDS)}  # on the first page
        measured |= {n - ROUNDS + k: operators[ROUNDS + k] for k in range(ROUNDS)}  # at the end
        span = n - 2 * ROUNDS
        spread = {ROUNDS + k * span // NOT_CONNECTED for k in range(min(NOT_CONNECTED, span))}
        points = BridgePoint.objects.bulk_create(
            BridgePoint(
                conference=conference,
                unit=unit,
                name=f"Điểm cầu xã Thử Nghiệm {i + 1}",
                order=i + 2,
                operator=measured.get(i),
                state=PointState.INVITED if i in measured or i in spread else PointState.ONLINE,
            )
            for i, unit in enumerate(units)
        )
        services.conference_transition(actor=None, conference=conference, action="start")
    ids = [p.pk for i, p in enumerate(points) if i in measured]
    cookies = {i: session_key(user) for i, user in measured.items()}
    return Room(
        n,
        conference.pk,
        session_key(host),
        on_page=[cookies[i] for i in range(ROUNDS)],
        off_page=[cookies[n - ROUNDS + k] for k in range(ROUNDS)],
        measured=ids,
    )


def reset(room: Room) -> None:
    """The measured points as they were before a run (not connected, no floor request), and no
    console counted (the killed server's are left in the table)."""
    from giaoban.meetings.models import BridgePoint, Connection, FloorRequest, PointState

    Connection.objects.filter(point__conference_id=room.conference_id).delete()
    FloorRequest.objects.filter(conference_id=room.conference_id).delete()
    BridgePoint.objects.filter(pk__in=room.measured).update(state=PointState.INVITED)
    BridgePoint.objects.filter(conference_id=room.conference_id, is_host=True).update(
        state=PointState.INVITED
    )


# The consoles -------------------------------------------------------------------------------


class Console:
    """One console's socket; every message noted as (arrival, bytes, type, reason) in a queue,
    and read without parsing more than its head."""

    def __init__(self, ws):
        self.ws = ws
        self.queue: asyncio.Queue = asyncio.Queue()
        self.task = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        try:
            async for data in self.ws:
                now = time.monotonic()
                if isinstance(data, str):
                    data = data.encode()
                head = _HEAD.match(data[:80])
                kind, reason = (head.group(1), head.group(2)) if head else (b"?", None)
                self.queue.put_nowait((now, data, kind.decode(), reason and reason.decode()))
        except Exception as exc:  # closed by the server
            self.queue.put_nowait((time.monotonic(), b"", "closed", str(exc)[:200]))

    async def next(self, kind: str, reason: str | None = None) -> tuple[float, bytes]:
        """The next message of this type (and reason): its arrival and its text."""
        deadline = time.monotonic() + WAIT_S
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind} {reason or ''} within {WAIT_S:.0f} s")
            at, data, got, why = await asyncio.wait_for(self.queue.get(), left)
            if got == "closed":
                raise RuntimeError(f"the console's socket closed: {why}")
            if got == "refused":
                raise RuntimeError(f"refused: {data[:300].decode(errors='replace')}")
            if got == kind and (reason is None or why == reason):
                return at, data

    async def quiet(self, for_s: float = 0.6) -> None:
        """Until no message arrived for `for_s` seconds (what a step set off has all come)."""
        while True:
            try:
                await asyncio.wait_for(self.queue.get(), for_s)
            except TimeoutError:
                return

    async def close(self) -> None:
        await self.ws.close()
        self.task.cancel()


async def _open(url: str, origin: str, cookie: str) -> tuple[float, Console, bytes]:
    """A console opened as a browser does: the time to its first whole state, and the state."""
    from websockets.asyncio.client import connect

    started = time.monotonic()
    ws = await connect(
        url,
        origin=origin,
        additional_headers={"Cookie": f"sessionid={cookie}"},
        compression="deflate",
        max_size=2**27,
        ping_interval=None,  # browsers send no protocol pings; the server's are answered
        open_timeout=WAIT_S,
        close_timeout=1,
    )
    console = Console(ws)
    at, state = await console.next("state")
    return (at - started) * 1000, console, state


@dataclass
class Figures:
    connect_ms: list[float] = field(default_factory=list)
    connect_bytes: list[int] = field(default_factory=list)
    updates: dict = field(default_factory=dict)  # kind -> [(ms, bytes, tiles)]
    state: bytes = b""  # the last first state received, for its deflated size
    peak_mb: float = 0.0  # the server's peak resident memory


async def _connect_sample(room: Room, url: str, origin: str, figures: Figures) -> None:
    """A second host tab: its connect, then closed (the host point stays online by the first)."""
    ms, tab, state = await _open(url, origin, room.host_cookie)
    figures.connect_ms.append(ms)
    figures.connect_bytes.append(len(state))
    figures.state = state
    await tab.close()


async def _scenario(room: Room, port: int) -> Figures:
    url = f"ws://127.0.0.1:{port}/ws/conferences/{room.conference_id}/"
    origin = f"http://127.0.0.1:{port}"
    figures = Figures()
    ms, host, state = await _open(url, origin, room.host_cookie)
    figures.connect_ms.append(ms)
    figures.connect_bytes.append(len(state))
    figures.state = state
    await host.quiet(1.0)  # the host point came online: that change, whenever it comes
    consoles, changes = [], 0

    async def measured(kind: str, reason: str, cause) -> None:
        nonlocal changes
        started = time.monotonic()
        done = asyncio.create_task(cause())
        at, text = await host.next("change", reason)
        consoles.append(await done)
        tiles = len(json.loads(text)["points"])  # a few KB: parsed after the clock stopped
        figures.updates.setdefault(kind, []).append(((at - started) * 1000, len(text), tiles))
        changes += 1
        await host.quiet(0.3)
        if changes % CONNECT_EVERY == 0:
            await _connect_sample(room, url, origin, figures)

    async def comes_online(cookie: str):
        _ms, console, _state = await _open(url, origin, cookie)
        return console

    for cookie in room.off_page:
        await measured("off-page online", "presence", lambda c=cookie: comes_online(c))
    for cookie in room.on_page:
        await measured("on-page online", "presence", lambda c=cookie: comes_online(c))
    for k, console in enumerate(consoles[:ROUNDS]):

        async def ask(console=console, k=k):
            topic = f"Ý kiến về nội dung {k + 1}: kết quả công tác dân vận ở cơ sở"
            await console.ws.send(json.dumps({"action": "request_floor", "topic": topic}))
            return None

        await measured("floor request", "floor.requested", ask)
    for console in [host, *[c for c in consoles if c]]:
        await console.close()
    return figures


# The table ----------------------------------------------------------------------------------

KINDS = ["off-page online", "on-page online", "floor request"]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)] if ordered else float("nan")


def _deflated(size_of: bytes) -> int:
    """Deflated as uvicorn's websockets does for a browser (12-bit window, memLevel 5)."""
    deflate = zlib.compressobj(wbits=-12, memLevel=5)
    return len(deflate.compress(size_of) + deflate.flush(zlib.Z_SYNC_FLUSH))


def _row(n: int, mode: str, figures: Figures) -> dict:
    row = {
        "points": f"{n:,}",
        "host console": MODES[mode],
        "connect KB (deflated)": (
            f"{statistics.median(figures.connect_bytes) / 1024:,.0f}"
            f" ({_deflated(figures.state) / 1024:,.0f})"
        ),
        "connect ms first / p50 / max": (
            f"{figures.connect_ms[0]:,.0f} / {statistics.median(figures.connect_ms):,.0f}"
            f" / {max(figures.connect_ms):,.0f}"
        ),
    }
    row["server peak MB"] = f"{figures.peak_mb:,.0f}"
    for kind in KINDS:
        samples = figures.updates.get(kind, [])
        ms = [s[0] for s in samples]
        if not samples:
            row[f"{kind}: ms p50/p95 (bytes, tiles)"] = "-"
            continue
        size = statistics.median([s[1] for s in samples])
        tiles = statistics.median([s[2] for s in samples])
        row[f"{kind}: ms p50/p95 (bytes, tiles)"] = (
            f"{_pct(ms, 50):,.0f}/{_pct(ms, 95):,.0f} ({size:,.0f}, {tiles:.0f})"
        )
    return row


def _run(room: Room, mode: str, logs: Path) -> Figures:
    from django.db import connections

    from bench.live.server import rss_kb

    reset(room)
    connections.close_all()  # SQLite: the server is the only writer meanwhile
    process, port = _start_server(mode, logs, room.n)
    try:
        figures = asyncio.run(_scenario(room, port))
        figures.peak_mb = rss_kb(process.pid, "VmHWM") / 1024
    finally:
        process.kill()  # killed, not stopped: a graceful stop takes the points offline
        process.wait()
    return figures


def _set_up() -> Path | None:
    """Django on bench/__main__'s database; alone, an SQLite file in a scratch directory (never
    the installation's own database). The scratch directory, to remove at the end."""
    scratch = None
    if not os.environ.get("DATABASE_URL"):
        scratch = Path(tempfile.mkdtemp(prefix="bench-host-socket-"))
        os.environ["GIAOBAN_DATA_DIR"] = str(scratch)
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return scratch


def main() -> None:
    load0, began = os.getloadavg(), time.monotonic()
    scratch = _set_up()
    logs = Path(tempfile.mkdtemp(prefix="bench-host-socket-logs-"))
    rows = []
    try:
        for n in NS:
            started = time.monotonic()
            room = make_room(n)
            log(f"N={n:,}: rows prepared in {time.monotonic() - started:.1f} s")
            for mode in MODES:
                started = time.monotonic()
                try:
                    figures = _run(room, mode, logs)
                except Exception as exc:
                    for server_log in sorted(logs.glob(f"server-{mode}-{n}.log")):
                        sys.stderr.write(server_log.read_text(errors="replace")[-3000:])
                    rows.append(
                        {"points": f"{n:,}", "host console": MODES[mode]}
                        | {"FAILED": f"{type(exc).__name__}: {exc}"[:200]}
                    )
                    continue
                rows.append(_row(n, mode, figures))
                log(f"N={n:,} {mode}: {time.monotonic() - started:.1f} s: {rows[-1]}")
    finally:
        shutil.rmtree(logs, ignore_errors=True)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    load1 = os.getloadavg()
    note = (
        "bench.live.host_socket: the host console through a real socket (one `giaoban serve`,"
        " in-memory layer, no background worker; LIVE_ALL_POINTS_UP_TO=200), a WebSocket client"
        " logged in as the host point's operator, permessage-deflate. connect: from opening the"
        " socket to the whole first state (KB of JSON; in brackets deflated as the server sends"
        " it: the test rows' names repeat, real ones compress less); 'first' is the host's first"
        f" console, the others a second tab after every {CONNECT_EVERY}th change (no state"
        f" cached at its change number). Updates, {ROUNDS} of each, one at a time, from the cause"
        " (a point's console opening; a point's console sending request_floor) to the host"
        " socket's receipt of the change it sets off (bytes, tiles: the change's median size and"
        " points' tiles); the online rows include the 250 ms presence coalescing window."
        " 'off-page': a point late in the order, beyond the attention list"
        f" ({NOT_CONNECTED} points not yet connected before it); 'on-page': on the host's first"
        " page. 'before' is the host console's code until issue 15 (the whole state; every"
        " change whole), put back in the server this bench starts; the points' consoles are"
        " compact in both."
        f" Load average {load0[0]:.1f}/{load0[1]:.1f} at the start,"
        f" {load1[0]:.1f}/{load1[1]:.1f} at the end (1/5 min, {os.cpu_count()} cores);"
        f" took {time.monotonic() - began:,.0f} s."
    )
    from bench.__main__ import _print_table

    _print_table("bench.live.host_socket", rows)  # bench/__main__ reads only the last line
    print(note)
    print(json.dumps({"rows": rows, "note": note}, ensure_ascii=False))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(*sys.argv[2:4])
    else:
        main()
