"""bench.live's client processes: consoles over WebSockets, and the runner's handle on them.

`python -m bench.live --clients` reads one JSON command a line on stdin and answers one JSON
line on stdout. It holds its consoles (and the host console, if asked to open it) open between
commands; arrival times are recorded by each console's reader as messages come in. The same
clients speak to giaoban's servers and to the bare baseline server (bench/live/bare.py).
Nothing here imports Django: a client process stays small.
"""

import asyncio
import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.live import CONNECT_BATCH, HOST_RECONNECT_S, ROOT

_ITEM = b'"current_item": '
_ITEM_ID = b'{"id": '
_SEQ = b'"seq": '
_REASON = b'"reason": "'
_PONG = b'{"type": "pong"'
_STATE = b'{"type": "state"'
_SYNC = b'{"type": "state", "reason": "sync"'
_ROOM_MESSAGES = (_STATE, b'{"type": "change"')  # the whole state, or a change
_PING_RTTS: list[float] = []  # seconds from a console's ping to its answer (pong or sync)


def _int_after(data: bytes, start: int) -> int | None:
    end = start
    while end < len(data) and 48 <= data[end] <= 57:
        end += 1
    return int(data[start:end]) if end > start else None


class Console:
    """One console's socket and what it has seen, read without parsing the JSON (to keep the
    clients' own CPU out of the numbers as far as possible)."""

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
        self._answered(data, now)
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

    def _answered(self, data: bytes, now: float) -> None:
        """A pong or a state answers the ping probe; a pong or a sync answers the pinger."""
        pong = data.startswith(_PONG)
        if self.reply is not None and not self.reply.done() and (pong or data.startswith(_STATE)):
            self.reply.set_result((now, "pong" if pong else "state"))
        if self.pinged is not None and (pong or data.startswith(_SYNC)):
            _PING_RTTS.append(now - self.pinged)
            self.pinged = None


class Clients:
    """The consoles of one client process, and the commands it answers (`do_<cmd>`)."""

    def __init__(self):
        self.consoles: list[Console] = []
        self.host: list[Console] = []
        self.counts: dict = {}  # item id -> consoles that have it
        self.states = 0
        self.reasons: dict[str, int] = {}  # why each state message was sent, over all consoles
        self.host_again: tuple | None = None  # how to reopen the host console
        self.host_reconnects = 0

    @staticmethod
    def answer(payload: dict) -> None:
        sys.stdout.write(json.dumps(payload) + "\n")
        sys.stdout.flush()

    def _note(self, console: Console, data, tally: dict) -> None:
        if not console.take(data, time.monotonic(), tally):
            return
        self.states += 1
        if isinstance(data, str):
            data = data.encode()
        at = data.find(_REASON, 0, 40)
        if at >= 0:
            at += len(_REASON)
            reason = data[at : data.find(b'"', at)].decode()
            self.reasons[reason] = self.reasons.get(reason, 0) + 1

    async def _pump(self, console: Console, tally: dict) -> None:
        try:
            while True:
                self._note(console, await console.ws.recv(decode=False), tally)
        except Exception as exc:  # closed by the server, or a protocol error
            console.closed = f"{type(exc).__name__}: {exc}"[:200]

    @staticmethod
    async def _pinger(console: Console, interval: float) -> None:
        await asyncio.sleep(random.uniform(0, interval))
        while console.closed is None:
            if console.pinged is None:  # as live.js: one ping every interval, answered or not
                console.pinged = time.monotonic()
            try:
                await console.ws.send(json.dumps({"action": "ping", "seq": console.seq}))
            except Exception:
                return
            await asyncio.sleep(interval)

    async def _open(self, url, origin, cookie, ping, tally, limit=180.0) -> Console:
        """One console: connected as a browser does, once it has its hello and first state."""
        from websockets.asyncio.client import connect

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
        console = Console(ws)
        deadline = time.monotonic() + limit
        while console.states == 0:  # hello, then the first state ("sync")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no first state within {limit:.0f} s")
            self._note(console, await asyncio.wait_for(ws.recv(decode=False), left), tally)
        console.tasks.append(asyncio.create_task(self._pump(console, tally)))
        if ping:
            console.tasks.append(asyncio.create_task(self._pinger(console, ping)))
        return console

    async def do_connect(self, cmd: dict) -> None:
        started = time.monotonic()
        errors: list[str] = []
        cookies, is_host, ping = cmd["cookies"], cmd.get("host"), cmd.get("ping")
        target = self.host if is_host else self.consoles
        tally = {} if is_host else self.counts  # the host's copy is not a delivery
        if is_host:
            self.host_again = (cmd["url"], cmd["origin"], cookies[0], ping, {})
        batch = cmd.get("batch", CONNECT_BATCH)
        for at in range(0, len(cookies), batch):
            opened = await asyncio.gather(
                *(
                    self._open(cmd["url"], cmd["origin"], c, ping, tally)
                    for c in cookies[at : at + batch]
                ),
                return_exceptions=True,
            )
            for result in opened:
                if isinstance(result, BaseException):
                    errors.append(f"{type(result).__name__}: {result}"[:200])
                else:
                    target.append(result)
        self.answer(
            {
                "connected": len(cookies) - len(errors),
                "failed": len(errors),
                "errors": errors[:5],
                "seconds": time.monotonic() - started,
                "state_bytes": max((c.state_bytes for c in target), default=0),
            }
        )

    async def do_advance(self, cmd: dict) -> None:
        if self.host[0].closed is not None and self.host_again:
            # The host console reconnects, as live.js does after a dropped socket.
            try:
                self.host[0] = await self._open(*self.host_again, limit=HOST_RECONNECT_S)
                self.host_reconnects += 1
            except Exception as exc:
                self.answer({"t0": 0, "error": f"host reconnect: {type(exc).__name__}: {exc}"})
                return
        console = self.host[0]
        console.refused = None
        t0 = time.monotonic()
        try:
            await console.ws.send('{"action": "advance"}')
        except Exception as exc:
            self.answer({"t0": t0, "error": f"host console: {type(exc).__name__}: {exc}"[:200]})
        else:
            self.answer({"t0": t0})

    async def do_collect(self, cmd: dict) -> None:
        """Wait until every open console has the item (or the deadline); their latencies."""
        item, t0 = cmd["item"], cmd["t0"]
        limit = t0 + cmd["deadline"]
        consoles = self.consoles
        while time.monotonic() < limit:
            open_ones = sum(1 for c in consoles if c.closed is None)
            if self.counts.get(item, 0) >= open_ones or (self.host and self.host[0].refused):
                break
            await asyncio.sleep(0.02)
        lat = [(c.arrivals[item] - t0) * 1000 for c in consoles if item in c.arrivals]
        self.answer(
            {
                "lat_ms": [round(x, 2) for x in lat],
                "lost": len(consoles) - len(lat),
                "closed": sum(1 for c in consoles if c.closed is not None),
                "close_reasons": sorted({c.closed for c in consoles if c.closed})[:3],
                "refused": self.host[0].refused if self.host else None,
            }
        )

    async def do_quiet(self, cmd: dict) -> None:
        """Wait until no state message arrived for `for_s` seconds."""
        started = time.monotonic()
        last, last_change = self.states, time.monotonic()
        while time.monotonic() - started < cmd["limit"]:
            await asyncio.sleep(0.1)
            if self.states != last:
                last, last_change = self.states, time.monotonic()
            elif time.monotonic() - last_change >= cmd["for_s"]:
                break
        self.answer(
            {
                "reasons": self.reasons,
                "states": self.states,
                "seconds": last_change - started,
                "quiet": time.monotonic() - last_change >= cmd["for_s"],
            }
        )

    async def do_ping_probe(self, cmd: dict) -> None:
        """The round trip of one ping at a time, from the first console."""
        console = self.consoles[0]
        rtts, kinds = [], []
        for _ in range(cmd["count"]):
            console.reply = asyncio.get_running_loop().create_future()
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
        self.answer({"rtt_ms": rtts, "kinds": kinds})

    async def do_status(self, cmd: dict) -> None:
        """Sockets the server closed, after an optional idle wait."""
        await asyncio.sleep(cmd.get("wait", 0))
        closed = [c.closed for c in self.consoles + self.host if c.closed]
        self.answer(
            {
                "closed": len(closed),
                "why": sorted(set(closed))[:3],
                "reasons": self.reasons,
                "host_closed": bool(self.host and self.host[0].closed),
                "host_reconnects": self.host_reconnects,
                "ping_rtts": [round(x, 3) for x in _PING_RTTS],
            }
        )

    async def do_exit(self, cmd: dict) -> None:
        self.answer({"bye": True})
        os._exit(0)


async def _serve_commands() -> None:
    loop = asyncio.get_running_loop()
    loop.call_later(1800, os._exit, 3)  # a forgotten client process ends on its own
    reader = asyncio.StreamReader(limit=2**26)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    clients = Clients()
    while True:
        line = await reader.readline()
        if not line:
            os._exit(0)
        cmd = json.loads(line)
        await getattr(clients, f"do_{cmd['cmd']}")(cmd)


def main() -> None:
    """The client process: `python -m bench.live --clients`."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    asyncio.run(_serve_commands())


class Worker:
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


def ask_all(workers: list[Worker], cmds: list[dict], timeout: float) -> list[dict]:
    """Send each worker its command, then read every answer."""
    for worker, cmd in zip(workers, cmds, strict=False):
        worker.send(cmd)
    return [worker.receive(timeout) for worker in workers]
