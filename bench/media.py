"""Janus fan-out through the app's own adapter: 1 publisher, N subscribers; then the cascade
with 1, 2 and 3 servers.

A Janus from Debian's package, configured by giaoban.media.janus_conf (loopback, event handler
off: no app runs here), one VideoRoom created with giaoban.media.adapter.VideoRoom, one aiortc
publisher sending 320x240 VP8 at 30 fps plus Opus (giaoban.testing.media), and N aiortc
subscribers joining at once through the adapter. For each N (BENCH_MEDIA_NS, default
1,5,10,25) we take, over a WINDOW_S window after every subscriber has its first frame:
  * fps received: frames decoded per second by each subscriber (mean and the slowest);
  * Janus CPU: its process's user+system CPU over the window, in % of one core, and per
    forwarded stream (one subscriber = one video + one audio stream forwarded);
  * join → first frame: from the subscriber's "join" request to its first decoded frame, p50 and
    p99 over the subscribers of that N;
  * the publisher's video bitrate, from its outbound-rtp stats.
The subscribers decode every frame, as a browser would, all in this one Python process, which
shares the machine's cores with Janus: "clients CPU %" shows when they, not Janus, are the limit
(the fps falls and the publisher's encoder lowers its bitrate). The
extrapolation (one server, and 31,000 points) is printed as the note; docs/media.md explains it.

The cascade: 1, 2 and 3 Janus processes (origin + edges), the host's stream relayed from the
origin to each edge as giaoban.media.cascade does (add_remote_publisher + publish_remotely), and
BENCH_CASCADE_PER_SERVER subscribers (default 3) on every server: first frame after joining
(p50/p95 over all of them), Janus CPU per forwarded stream on the origin (its subscribers + one
relay per edge) and on the edges, and the latency one hop adds: each frame carries its number in
its picture (StampedTrack), so the same frame's decoding time on an edge minus on the origin.

Janus needs no database, so the numbers do not depend on DATABASE_URL; bench/__main__.py runs
every bench once per database, and this one prints its rows only for SQLite (once).
"""

import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")

import django

django.setup()

from av import VideoFrame  # noqa: E402

from giaoban.media import adapter  # noqa: E402
from giaoban.media.janus_conf import (  # noqa: E402
    JanusConfig,
    free_port,
    janus_binary,
    primary_ipv4,
    secret,
)
from giaoban.testing.media import (  # noqa: E402
    BarsTrack,
    Publisher,
    Subscriber,
    ToneTrack,
    wait_for,
)

WINDOW_S = 8.0
ROOM = 4242
TOKEN = "bench"
POINTS = 31_000
SERVER_CORES = 16  # a commodity media server for the extrapolation
CPU_TARGET = 0.7  # keep a server at 70 % of its cores
NIC_BPS = 10e9 * 0.7  # a 10 Gbit/s interface at 70 %


def _ns() -> list[int]:
    raw = os.environ.get("BENCH_MEDIA_NS", "1,5,10,25")
    return [int(n) for n in raw.split(",") if n.strip()]


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _bitrate(pc, seconds: float) -> float:
    async def sent():
        stats = await pc.getStats()
        return sum(
            s.bytesSent for s in stats.values() if s.type == "outbound-rtp" and s.kind == "video"
        )

    before = await sent()
    await asyncio.sleep(seconds)
    return (await sent() - before) * 8 / seconds


async def _run(url: str, janus_pid: int, n: int) -> dict:
    publisher = Publisher(url, noise=True)
    subscribers = [Subscriber(url) for _ in range(n)]
    try:
        await publisher.publish(room=ROOM, feed=1, token=TOKEN, display="bench")
        await asyncio.gather(*(s.subscribe(room=ROOM, feeds=[1], token=TOKEN) for s in subscribers))
        await wait_for(lambda: all(s.first_frame_at for s in subscribers), timeout=30)
        await asyncio.sleep(1.0)  # past the first keyframe's burst
        frames = [s.frames for s in subscribers]
        cpu, started = _cpu(janus_pid), time.monotonic()
        clients = _cpu(os.getpid())
        bitrate = await _bitrate(publisher.pc, WINDOW_S)
        elapsed = time.monotonic() - started
        cpu = (_cpu(janus_pid) - cpu) / elapsed * 100
        clients = (_cpu(os.getpid()) - clients) / elapsed * 100
        fps = [(s.frames - f) / elapsed for s, f in zip(subscribers, frames, strict=True)]
        joins = [(s.first_frame_at - s.joined_at) * 1000 for s in subscribers if s.first_frame_at]
        return {
            "subscribers": n,
            "fps mean": round(statistics.mean(fps), 1),
            "fps slowest": round(min(fps), 1),
            "janus CPU %": round(cpu, 1),
            "CPU % per stream": round(cpu / n, 2),
            "join→frame p50 ms": round(_percentile(joins, 0.5)),
            "join→frame p99 ms": round(_percentile(joins, 0.99)),
            "no frame": n - len(joins),
            "video kbit/s": round(bitrate / 1000),
            "clients CPU %": round(clients),
        }
    finally:
        for peer in [publisher, *subscribers]:
            with contextlib.suppress(Exception):
                await peer.close()


async def _bench(url: str, janus_pid: int) -> list[dict]:
    async with adapter.VideoRoom.open(url, secret("admin-key")) as room:
        await room.create(ROOM, secret="bench", tokens=[TOKEN], description="bench", publishers=3)
    rows = []
    for n in _ns():
        rows.append(await _run(url, janus_pid, n))
        await asyncio.sleep(1.0)
    return rows


def extrapolate(rows: list[dict]) -> str:
    """The marginal CPU of one more forwarded stream (between the smallest and the largest N
    whose subscribers all kept 25 fps), scaled to a server and to 31,000 points; the arithmetic
    is in docs/media.md."""
    good = [r for r in rows if r["fps slowest"] >= 25 and not r["no frame"]] or rows
    low, high = min(good, key=lambda r: r["subscribers"]), max(good, key=lambda r: r["subscribers"])
    if high["subscribers"] > low["subscribers"]:
        extra = high["janus CPU %"] - low["janus CPU %"]
        per_stream = extra / (high["subscribers"] - low["subscribers"])
    else:
        per_stream = high["CPU % per stream"]
    per_stream = round(max(per_stream, 0.01), 3)
    by_cpu = int(SERVER_CORES * 100 * CPU_TARGET / per_stream)
    kbps = high["video kbit/s"] + 40  # + Opus
    by_nic = int(NIC_BPS / (kbps * 1000))
    per_server = min(by_cpu, by_nic)
    streams = POINTS * 2  # each point receives the host and the floor
    servers = -(-streams // per_server)
    return (
        f"Extrapolation (N={low['subscribers']}..{high['subscribers']}: {per_stream} % of a core "
        f"per extra forwarded stream, {kbps} kbit/s per stream): one {SERVER_CORES}-core server "
        f"at {int(CPU_TARGET * 100)} % CPU forwards ~{by_cpu:,} streams, a 10 Gbit/s link at "
        f"70 % carries ~{by_nic:,}; so ~{per_server:,} streams (= {per_server // 2:,} points "
        f"receiving host + floor) per server. {POINTS:,} points x 2 streams = {streams:,} "
        f"streams -> {servers} edge servers + 1 origin (cascade over remote publishers). "
        "At 1.5 Mbit/s per stream (720p) a stream carries ~3x the packets, so ~1/3 as many "
        "per server: see docs/media.md."
    )


# The cascade: 1, 2 and 3 servers ------------------------------------------------------------


class StampedTrack(BarsTrack):
    """The bars with the frame's number drawn as 16 black/white blocks along the top: every
    subscriber reads which frame it decoded, so the same frame's arrival on the origin and on
    an edge gives the latency of one cascade hop."""

    BITS, BLOCK = 16, 20

    async def recv(self):
        frame = await super().recv()
        picture = frame.to_ndarray(format="rgb24")
        number = self._count & 0xFFFF
        for bit in range(self.BITS):
            on = 235 if number >> bit & 1 else 16
            picture[: self.BLOCK, bit * self.BLOCK : (bit + 1) * self.BLOCK] = on
        stamped = VideoFrame.from_ndarray(picture, format="rgb24")
        stamped.pts, stamped.time_base = frame.pts, frame.time_base
        return stamped


def read_stamp(picture) -> int:
    block = StampedTrack.BLOCK
    number = 0
    for bit in range(StampedTrack.BITS):
        cell = picture[4 : block - 4, bit * block + 4 : (bit + 1) * block - 4]
        if cell.mean() > 125:
            number |= 1 << bit
    return number


class StampedSubscriber(Subscriber):
    """Notes when each numbered frame was decoded."""

    def __init__(self, url: str):
        super().__init__(url)
        self.seen: dict[int, float] = {}

    async def _consume(self, track):
        with contextlib.suppress(Exception):
            while True:
                frame = await track.recv()
                if track.kind != "video":
                    continue
                now = time.monotonic()
                if self.first_frame_at is None:
                    self.first_frame_at = now
                self.frames += 1
                self.seen.setdefault(read_stamp(frame.to_ndarray(format="rgb24")), now)


class StampedPublisher(Publisher):
    async def publish(self, *, room: int, feed: int, token: str, display: str = "bench"):
        await self._attach()
        self.pc.addTrack(ToneTrack())
        self.pc.addTrack(StampedTrack(noise=True))
        await self.pc.setLocalDescription(await self.pc.createOffer())
        offer = {"type": "offer", "sdp": self.pc.localDescription.sdp}
        answer = await adapter.publish(
            self.handle, room=room, feed=feed, token=token, display=display, offer=offer
        )
        from aiortc import RTCSessionDescription

        await self.pc.setRemoteDescription(RTCSessionDescription(**answer))


def _start_janus(tmp: Path, index: int) -> tuple[JanusConfig, subprocess.Popen]:
    base = 44000 + index * 300
    config = JanusConfig(
        tmp / f"janus{index}",
        free_port(),
        "http://127.0.0.1:9/",
        f"{base}-{base + 299}",
        primary_ipv4(),
        events=False,
    )
    config.write()
    log = open(config.directory / "janus.log", "w")  # noqa: SIM115
    process = subprocess.Popen(config.command(), stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", config.ws_port)) == 0:
                break
        time.sleep(0.05)
    else:
        raise RuntimeError((config.directory / "janus.log").read_text()[-2000:])
    return config, process


async def _relay(origin: str, edge: str, streams: list[dict]) -> None:
    """What giaoban.media.cascade does for the host: a remote publisher on the edge, fed by the
    origin's publish_remotely."""
    async with adapter.VideoRoom.open(edge, secret("admin-key")) as vr:
        port, rtcp = await vr.add_remote_publisher(ROOM, "bench", 1, "host", streams)
    async with adapter.VideoRoom.open(origin, secret("admin-key")) as vr:
        await vr.publish_remotely(ROOM, "bench", 1, f"edge-{port}", "127.0.0.1", port, rtcp)


async def _cascade_run(urls: list[str], pids: list[int], per_server: int) -> dict:
    for url in urls:
        async with adapter.VideoRoom.open(url, secret("admin-key")) as vr:
            await vr.create(ROOM, secret="bench", tokens=[TOKEN], description="b", publishers=4)
    host = StampedPublisher(urls[0])
    subs = {url: [StampedSubscriber(url) for _ in range(per_server)] for url in urls}
    everyone = [host, *(s for group in subs.values() for s in group)]
    try:
        await host.publish(room=ROOM, feed=1, token=TOKEN)
        streams = [{"type": "audio", "codec": "opus"}, {"type": "video", "codec": "vp8"}]
        await asyncio.gather(*(_relay(urls[0], edge, streams) for edge in urls[1:]))
        await asyncio.sleep(0.5)  # the relays' first packets
        await asyncio.gather(
            *(s.subscribe(room=ROOM, feeds=[1], token=TOKEN) for g in subs.values() for s in g)
        )
        await wait_for(lambda: all(s.first_frame_at for s in everyone[1:]), timeout=30)
        await asyncio.sleep(1.0)
        cpu = [_cpu(pid) for pid in pids]
        frames = [s.frames for s in everyone[1:]]
        started = time.monotonic()
        await asyncio.sleep(WINDOW_S)
        elapsed = time.monotonic() - started
        cpu = [(_cpu(pid) - before) / elapsed * 100 for pid, before in zip(pids, cpu, strict=True)]
        fps = [(s.frames - f) / elapsed for s, f in zip(everyone[1:], frames, strict=True)]
        return _cascade_row(urls, subs, cpu, per_server) | {"fps slowest": round(min(fps), 1)}
    finally:
        for peer in everyone:
            with contextlib.suppress(Exception):
                await peer.close()


def _cascade_row(urls, subs, cpu, per_server) -> dict:
    everyone = [s for group in subs.values() for s in group]
    joins = [(s.first_frame_at - s.joined_at) * 1000 for s in everyone if s.first_frame_at]
    direct = subs[urls[0]]
    hops = []
    for edge in urls[1:]:
        for sub in subs[edge]:
            for number, at in sub.seen.items():
                first = min((d.seen[number] for d in direct if number in d.seen), default=None)
                if first is not None:
                    hops.append((at - first) * 1000)
    # The origin forwards to its own subscribers and one relay per edge; an edge to its own.
    origin_streams = per_server + len(urls) - 1
    edge_cpu = [c / per_server for c in cpu[1:]]
    return {
        "servers": len(urls),
        "points": per_server * len(urls),
        "first frame p50 ms": round(_percentile(joins, 0.5)),
        "first frame p95 ms": round(_percentile(joins, 0.95)),
        "no frame": per_server * len(urls) - len(joins),
        "origin CPU %": round(cpu[0], 1),
        "origin CPU %/stream": round(cpu[0] / origin_streams, 2),
        "edge CPU %/stream": round(statistics.mean(edge_cpu), 2) if edge_cpu else "",
        "hop ms p50": round(_percentile(hops, 0.5), 1) if hops else "",
        "hop ms p95": round(_percentile(hops, 0.95), 1) if hops else "",
        "frames compared": len(hops),
    }


def cascade_bench(tmp: Path) -> list[dict]:
    per_server = int(os.environ.get("BENCH_CASCADE_PER_SERVER", "3"))
    rows = []
    for count in (1, 2, 3):
        started = [_start_janus(tmp, count * 10 + i) for i in range(count)]
        try:
            time.sleep(0.5)
            urls = [config.url for config, _ in started]
            pids = [process.pid for _, process in started]
            rows.append(asyncio.run(_cascade_run(urls, pids, per_server)))
        finally:
            for _, process in started:
                process.kill()
                process.wait()
    return rows


def table(rows: list[dict]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    if not os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite"):
        print(json.dumps({"rows": []}))  # measured once, with the SQLite run
        return
    if janus_binary() is None or primary_ipv4() is None:
        reason = "Janus is not installed" if janus_binary() is None else "no non-loopback IPv4"
        print(json.dumps({"rows": [{"subscribers": f"skipped: {reason}"}]}))
        return
    with tempfile.TemporaryDirectory() as tmp:
        config = JanusConfig(
            Path(tmp),
            free_port(),
            "http://127.0.0.1:9/",
            "43000-43999",
            primary_ipv4(),
            events=False,
        )
        config.write()
        log = open(Path(tmp) / "janus.log", "w")  # noqa: SIM115
        janus = subprocess.Popen(config.command(), stdout=log, stderr=subprocess.STDOUT)
        try:
            time.sleep(0.5)
            rows = asyncio.run(_bench(config.url, janus.pid)) if _ns() else []
        finally:
            janus.kill()
            janus.wait()
            log.close()
        cascade = cascade_bench(Path(tmp))
    note = extrapolate(rows) if rows else ""
    note += "\n\nThe cascade (host on the origin, relayed to each edge; subscribers per server: "
    note += os.environ.get("BENCH_CASCADE_PER_SERVER", "3") + "):\n" + table(cascade)
    print(json.dumps({"rows": rows or cascade, "note": note}, ensure_ascii=False))


if __name__ == "__main__":
    if "--table" in sys.argv:
        os.environ.setdefault("DATABASE_URL", "sqlite")
    main()
