"""A real Janus for the media tests: its own configuration on free ports, posting its events to
the test server (pytest-django's live_server); aiortc peers run on an event loop in a thread of
their own, so that the tests call the app's services directly in between."""

import asyncio
import contextlib
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from giaoban.media.janus_conf import JanusConfig, free_port, janus_binary, primary_ipv4
from giaoban.meetings.tests.conftest import (  # noqa: F401  (the briefing of the meetings tests)
    VN,
    conference,
    operators,
    points,
)

CI = os.environ.get("CI") == "true"


def need(condition: bool, reason: str) -> None:
    """Skip without the service, except in CI where its absence is a failure."""
    if not condition:
        if CI:
            pytest.fail(f"CI must have it: {reason}")
        pytest.skip(reason)


class JanusProcess:
    """A Janus of the tests. `write=False` leaves the files to `giaoban janus_config` run in
    another process (whose SECRET_KEY the secrets derive from)."""

    def __init__(self, directory: Path, events_url: str, write: bool = True):
        base = 30000 + (os.getpid() % 200) * 100
        self.config = JanusConfig(
            directory=directory,
            ws_port=free_port(),
            events_url=events_url,
            rtp_ports=f"{base}-{base + 99}",
            ice_ip=primary_ipv4(),
        )
        if write:
            self.config.write()
        self.url = self.config.url
        self.process = None
        self.log = directory / "janus.log"

    def start(self) -> None:
        log = self.log.open("a")
        self.process = subprocess.Popen(self.config.command(), stdout=log, stderr=log)
        deadline = time.monotonic() + 10
        import socket

        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.config.ws_port)) == 0:
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"Janus did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_janus(directory: Path, events_url: str, configure=None) -> JanusProcess:
    """Start a Janus; `configure(janus)` writes its files when another process must."""
    need(janus_binary() is not None, "Janus is not installed (apt-get install janus)")
    need(primary_ipv4() is not None, "this machine has only a loopback interface: no ICE")
    janus = JanusProcess(directory, events_url, write=configure is None)
    if configure is not None:
        configure(janus)
    janus.start()
    return janus


@pytest.fixture(scope="session")
def janus(live_server, tmp_path_factory):
    server = start_janus(tmp_path_factory.mktemp("janus"), f"{live_server.url}/media/janus/events/")
    yield server
    server.kill()


@pytest.fixture
def media_settings(settings, janus, db_turns, tmp_path):
    settings.DATA_DIR = tmp_path  # recordings of this test only
    settings.JANUS_URLS = [janus.url]
    settings.JANUS_BROWSER_URL = janus.url
    return settings


class EventGate:
    """Janus's events are handled in the test server's thread while the test works in its own;
    the tests' in-memory SQLite (shared cache) refuses a second writer at once instead of
    waiting. So the test thread holds this lock and lets events in only while it waits (for the
    peers, or for a condition): the two never write at the same time. PostgreSQL would not need
    it; it does no harm there."""

    def __init__(self):
        self.lock = threading.Lock()
        self.last = 0.0

    def wrap(self, handle):
        def handle_in_turn(batch):
            with self.lock:
                self.last = time.monotonic()
                return handle(batch)

        return handle_in_turn

    @contextlib.contextmanager
    def open(self):
        """The test waits: events may be handled meanwhile."""
        self.lock.release()
        try:
            yield
        finally:
            self.lock.acquire()

    def settle(self, quiet: float = 0.7, timeout: float = 10.0) -> None:
        """Until no event came for `quiet` seconds: the test's end must not race the server."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and time.monotonic() - self.last < quiet:
            time.sleep(0.1)


GATE = EventGate()


@pytest.fixture
def db_turns(monkeypatch):
    from giaoban.media import events

    monkeypatch.setattr(events, "handle_events", GATE.wrap(events.handle_events))
    GATE.lock.acquire()
    try:
        yield GATE
    finally:
        GATE.lock.release()
        GATE.settle()


class LoopThread:
    """An asyncio loop in a thread: `run(coro)` from the test's own (database) thread, which
    lets Janus's events in while it waits."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 30):
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        with GATE.open():
            return future.result(timeout)

    def stop(self):
        async def cancel_all():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(cancel_all(), timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def aio(db_turns):
    loop = LoopThread()
    yield loop
    loop.stop()


def wait_until(predicate, timeout: float = 15.0) -> bool:
    """For the database side (Janus's events arrive through the test server)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        with GATE.open():
            time.sleep(0.1)
    return predicate()


@pytest.fixture
def tmp_janus_dir(tmp_path):
    directory = tmp_path / "janus"
    yield directory
    shutil.rmtree(directory, ignore_errors=True)
