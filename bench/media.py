"""Janus fan-out through the app's own adapter: 1 publisher, N subscribers.

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

Janus needs no database, so the numbers do not depend on DATABASE_URL; bench/__main__.py runs
every bench once per database, and this one prints its rows only for SQLite (once).
"""

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")

import django

django.setup()

from giaoban.media import adapter  # noqa: E402
from giaoban.media.janus_conf import (  # noqa: E402
    JanusConfig,
    free_port,
    janus_binary,
    primary_ipv4,
    secret,
)
from giaoban.testing.media import Publisher, Subscriber, wait_for  # noqa: E402

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
        f"streams -> {servers} edge servers + 1 origin (cascade over RTP forwarders). "
        "At 1.5 Mbit/s per stream (720p) a stream carries ~3x the packets, so ~1/3 as many "
        "per server: see docs/media.md."
    )


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
            rows = asyncio.run(_bench(config.url, janus.pid))
        finally:
            janus.kill()
            janus.wait()
            log.close()
    print(json.dumps({"rows": rows, "note": extrapolate(rows)}, ensure_ascii=False))


if __name__ == "__main__":
    if "--table" in sys.argv:
        os.environ.setdefault("DATABASE_URL", "sqlite")
    main()
