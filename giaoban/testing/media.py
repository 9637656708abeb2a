"""WebRTC test peers (aiortc) for the media tests and the benchmark: a publisher sending a known
picture and a tone, a subscriber decoding what Janus forwards. Not used by the app itself."""

import asyncio
import contextlib
import fractions
import math
import time

import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from av import AudioFrame, VideoFrame

from giaoban.media import adapter

WIDTH, HEIGHT, FPS = 320, 240, 30
#: Eight vertical bars: the known picture a publisher sends and a subscriber must get back.
BARS = np.array(
    [
        [235, 235, 235],
        [235, 235, 16],
        [16, 235, 235],
        [16, 235, 16],
        [235, 16, 235],
        [235, 16, 16],
        [16, 16, 235],
        [16, 16, 16],
    ],
    dtype=np.uint8,
)


def bars_picture() -> np.ndarray:
    picture = np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8)
    step = WIDTH // len(BARS)
    for i, colour in enumerate(BARS):
        picture[:, i * step : (i + 1) * step] = colour
    return picture


def bars_match(picture: np.ndarray, tolerance: int = 40) -> bool:
    """The centre of each bar has its colour, give or take what VP8 changes."""
    height, width, _ = picture.shape
    step = width // len(BARS)
    for i, colour in enumerate(BARS):
        sample = picture[
            height // 4 : 3 * height // 4, i * step + step // 4 : (i + 1) * step - step // 4
        ]
        if np.abs(sample.reshape(-1, 3).mean(axis=0) - colour).max() > tolerance:
            return False
    return True


class BarsTrack(MediaStreamTrack):
    """The bars; with `noise`, a strip of fresh noise under them, so that the encoder spends a
    camera's bitrate (a still picture costs VP8 almost nothing)."""

    kind = "video"

    def __init__(self, noise: bool = False):
        super().__init__()
        self._picture = bars_picture()
        self._noise = noise
        self._rng = np.random.default_rng(1)
        self._start, self._count = None, 0

    async def recv(self):
        if self._start is None:
            self._start = time.monotonic()
        self._count += 1
        await asyncio.sleep(max(0, self._start + self._count / FPS - time.monotonic()))
        picture = self._picture
        if self._noise:
            picture = picture.copy()
            strip = picture[-HEIGHT // 6 :]
            strip[:] = self._rng.integers(0, 256, strip.shape, dtype=np.uint8)
        frame = VideoFrame.from_ndarray(picture, format="rgb24")
        frame.pts, frame.time_base = self._count * 3000, fractions.Fraction(1, 90000)
        return frame


class ToneTrack(MediaStreamTrack):
    """A loud 440 Hz tone, 20 ms per frame."""

    kind = "audio"
    RATE, SAMPLES = 48000, 960

    def __init__(self):
        super().__init__()
        self._start, self._count = None, 0

    async def recv(self):
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0, self._start + self._count * 0.02 - time.monotonic()))
        t = (np.arange(self.SAMPLES) + self._count * self.SAMPLES) / self.RATE
        samples = (np.sin(2 * math.pi * 440 * t) * 12000).astype(np.int16)
        frame = AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts = self.RATE, self._count * self.SAMPLES
        frame.time_base = fractions.Fraction(1, self.RATE)
        self._count += 1
        return frame


def _pc() -> RTCPeerConnection:
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))  # no public STUN


class Peer:
    def __init__(self, url: str):
        self.url = url
        self.client = adapter.JanusClient(url)
        self.pc = _pc()
        self.handle = None
        self.session = None

    async def _attach(self):
        await self.client.connect()
        self.session = await self.client.session()
        self.handle = await self.session.attach()

    async def close(self):
        with contextlib.suppress(Exception):
            await self.pc.close()
        with contextlib.suppress(Exception):
            if self.session:
                await self.session.destroy()
        await self.client.close()


class Publisher(Peer):
    """Publishes the bars and the tone as point `feed`."""

    def __init__(self, url: str, noise: bool = False):
        super().__init__(url)
        self.noise = noise

    async def publish(self, *, room: int, feed: int, token: str, display: str = "test") -> None:
        await self._attach()
        self.pc.addTrack(ToneTrack())
        self.pc.addTrack(BarsTrack(noise=self.noise))
        await self.pc.setLocalDescription(await self.pc.createOffer())
        offer = {"type": "offer", "sdp": self.pc.localDescription.sdp}
        answer = await adapter.publish(
            self.handle, room=room, feed=feed, token=token, display=display, offer=offer
        )
        await self.pc.setRemoteDescription(RTCSessionDescription(**answer))

    async def configure(self, body: dict) -> dict:
        data, _ = await self.handle.request({"request": "configure"} | body)
        return data


class Subscriber(Peer):
    """Receives `feeds`, decodes every frame, keeps counts, the last picture and audio levels."""

    def __init__(self, url: str):
        super().__init__(url)
        self.frames = 0
        self.picture = None
        self.audio_rms: list[tuple[float, float]] = []  # (monotonic time, rms)
        self.joined_at = None
        self.first_frame_at = None
        self._tasks = []
        self.pc.on("track", self._on_track)

    def _on_track(self, track):
        self._tasks.append(asyncio.ensure_future(self._consume(track)))

    async def _consume(self, track):
        with contextlib.suppress(Exception):
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    if self.first_frame_at is None:
                        self.first_frame_at = time.monotonic()
                    self.frames += 1
                    if self.frames % 10 == 1:
                        self.picture = frame.to_ndarray(format="rgb24")
                else:
                    samples = frame.to_ndarray().astype(np.float64)
                    self.audio_rms.append((time.monotonic(), float(np.sqrt((samples**2).mean()))))

    async def subscribe(self, *, room: int, feeds: list[int], token: str) -> None:
        self.joined_at = time.monotonic()
        await self._attach()
        for _attempt in range(50):  # a feed exists once its publisher's media is up
            try:
                offer = await adapter.subscribe(self.handle, room=room, feeds=feeds, token=token)
                break
            except adapter.JanusError as exc:
                if exc.code != 428:
                    raise
                await asyncio.sleep(0.2)
        else:
            raise adapter.JanusError(428, "the feed never appeared")
        await self.pc.setRemoteDescription(RTCSessionDescription(**offer))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        await adapter.start(self.handle, {"type": "answer", "sdp": self.pc.localDescription.sdp})

    def energy_since(self, moment: float) -> float:
        levels = [rms for at, rms in self.audio_rms if at >= moment]
        return max(levels) if levels else 0.0

    async def close(self):
        for task in self._tasks:
            task.cancel()
        await super().close()


async def wait_for(predicate, timeout: float = 15.0, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(every)
    return predicate()
