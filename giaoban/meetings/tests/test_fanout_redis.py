"""Two app processes share one live room through Redis: the host's change made on one process
reaches a point's console connected to the other, and back.

This runs the real thing: two `giaoban serve` processes (uvicorn) with REDIS_URL set and one
SQLite database file, and WebSocket clients logged in with session cookies. Without Redis the test
is skipped, except on CI (CI=true), where a missing Redis is a failure.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
#: A Redis database of its own, so that the test's groups meet nobody else's.
REDIS_DB = int(os.environ.get("GIAOBAN_TEST_REDIS_DB", "13"))
SECRET = "fan-out-test-secret-key-that-is-long-enough-0123456789"
DEADLINE = 20  # seconds for the servers to come up

PREPARE = (
    "import json, django; django.setup(); "
    "from giaoban.meetings.tests.test_fanout_redis import prepare; print(json.dumps(prepare()))"
)


def prepare() -> dict:
    """Run in a fresh process on the test's database: a live conference with a host point and
    one bridge point, each with its operator, and a logged-in session for each."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from giaoban.meetings import services
    from giaoban.orgs import services as org_services
    from giaoban.orgs.models import Level, OrgKind, Role, UnitKind
    from giaoban.orgs.testing import make_user

    province = org_services.unit_create(
        code="10", name="Tỉnh Lào Cai", kind=UnitKind.PROVINCE, level=Level.PROVINCE
    )
    town = org_services.unit_create(
        code="088", name="Thị xã Sa Pa", kind=UnitKind.TOWN, level=Level.DISTRICT, parent=province
    )
    board = org_services.organization_create(
        actor=None,
        name="Ban Dân vận Tỉnh ủy Lào Cai",
        kind=OrgKind.MOBILIZATION_BOARD,
        unit=province,
    )
    host = make_user("op_host", board, Role.OPERATOR)
    point_operator = make_user("op_sapa", board, Role.OPERATOR)
    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    conference = services.conference_create(
        actor=None,
        title="Giao ban công tác dân vận 9 tháng năm 2021",
        organizer=board,
        kind="nine",
        start=datetime(2021, 10, 8, 14, 0, tzinfo=vn),
        end=datetime(2021, 10, 8, 17, 0, tzinfo=vn),
    )
    services.point_add(
        actor=None,
        conference=conference,
        unit=province,
        name="Điểm cầu tỉnh Lào Cai",
        is_host=True,
        operator=host,
    )
    point = services.point_add(
        actor=None,
        conference=conference,
        unit=town,
        name="Điểm cầu thị xã Sa Pa",
        operator=point_operator,
    )
    services.agenda_add(actor=None, conference=conference, kind="opening", title="Khai mạc")
    services.agenda_add(actor=None, conference=conference, kind="report", title="Báo cáo")
    services.conference_transition(actor=None, conference=conference, action="start")

    def session(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    return {
        "conference": conference.pk,
        "point": point.pk,
        "host_session": session(host),
        "point_session": session(point_operator),
    }


def _redis_or_skip():
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return client


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    until = time.monotonic() + DEADLINE
    while time.monotonic() < until:
        if process.poll() is not None:
            pytest.fail(f"server on port {port} exited:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"server on port {port} did not start in {DEADLINE} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def environment(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "GIAOBAN_DATA_DIR", "SECRET_KEY"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "giaoban.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fanout.sqlite3'}",
        "GIAOBAN_DATA_DIR": str(tmp_path),
        "SECRET_KEY": SECRET,
        "PYTHONUNBUFFERED": "1",
    }
    return env


def _giaoban(*args: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "giaoban", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture
def servers(environment, tmp_path):
    """Two app processes on free ports, sharing Redis and the database; always stopped."""
    redis_client = _redis_or_skip()
    _giaoban("migrate", "--noinput", env=environment)
    prepared = subprocess.run(
        [sys.executable, "-c", PREPARE],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert prepared.returncode == 0, prepared.stderr[-3000:]
    room = json.loads(prepared.stdout.strip().splitlines()[-1])

    env = environment | {"REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"}
    processes, ports = [], []
    try:
        for name in ("a", "b"):
            port = _free_port()
            log = tmp_path / f"server-{name}.log"
            with log.open("w") as output:
                process = subprocess.Popen(
                    [sys.executable, "-m", "giaoban", "serve", "--port", str(port)],
                    env=env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            processes.append(process)
            ports.append(port)
            _wait_for_port(port, process, log)
        yield {"ports": ports, **room}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        redis_client.delete(f"asgi:group:conference_{room['conference']}")
        redis_client.close()


async def _until(socket_, wanted, timeout: float = 10) -> dict:
    """The next message that satisfies `wanted`, skipping the others."""
    seen = []

    async def wait():
        while True:
            message = json.loads(await socket_.recv())
            seen.append(message.get("type"))
            if wanted(message):
                return message

    try:
        return await asyncio.wait_for(wait(), timeout)
    except TimeoutError:
        pytest.fail(f"no such message within {timeout} s; received {seen}")


def _connect(port: int, conference_id: int, session: str):
    from websockets.asyncio.client import connect

    return connect(
        f"ws://127.0.0.1:{port}/ws/conferences/{conference_id}/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=10,
    )


def test_a_change_made_on_one_process_reaches_a_console_on_the_other(servers):
    port_a, port_b = servers["ports"]
    conference_id = servers["conference"]

    async def scenario():
        async with _connect(port_b, conference_id, servers["point_session"]) as point:
            hello = await _until(point, lambda m: m["type"] == "hello")
            assert (hello["role"], hello["point"]) == ("point", servers["point"])
            await _until(point, lambda m: m["type"] == "state")
            async with _connect(port_a, conference_id, servers["host_session"]) as host:
                assert (await _until(host, lambda m: m["type"] == "hello"))["role"] == "host"
                await _until(host, lambda m: m["type"] == "state")

                # Host on A → point on B.
                await host.send(json.dumps({"action": "advance"}))
                advanced = await _until(
                    point, lambda m: m["type"] == "change" and m["reason"] == "agenda.advanced"
                )
                assert advanced["room"]["current_item"]["title"] == "Khai mạc"

                # Point on B → host on A.
                await point.send(json.dumps({"action": "request_floor", "topic": "Dân vận khéo"}))
                requested = await _until(
                    host, lambda m: m["type"] == "change" and m["reason"] == "floor.requested"
                )
                [waiting] = requested["room"]["queue"]
                assert (waiting["point_id"], waiting["topic"]) == (servers["point"], "Dân vận khéo")

    asyncio.run(scenario())
