"""Two app processes share one live room through Redis: the host's change made on one process
reaches a point's console connected to the other, and back.

This runs the real thing: two `giaoban serve` processes (uvicorn) with REDIS_URL set and one
SQLite database file, and WebSocket clients logged in with session cookies. Without Redis the test
is skipped, except on CI (CI=true), where a missing Redis is a failure.
"""

import asyncio
import os

import pytest

from giaoban.testing import live_scenario, servers
from giaoban.testing.live_scenario import console, until

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
#: A Redis database of its own, so that the test's groups meet nobody else's.
REDIS_DB = int(os.environ.get("GIAOBAN_TEST_REDIS_DB", "13"))
SECRET = "fan-out-test-secret-key-that-is-long-enough-0123456789"


def _redis_or_skip():
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        servers.skip_or_fail(f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT}: {exc}")
    return client


@pytest.fixture
def processes(tmp_path):
    """Two app processes on free ports, sharing Redis and the database; always stopped."""
    redis_client = _redis_or_skip()
    env = servers.scratch_env(tmp_path, SECRET_KEY=SECRET)
    servers.migrate(env)
    room = servers.run_json(env, "-c", live_scenario.PREPARE)
    env["REDIS_URL"] = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    apps = [servers.Served(env, tmp_path / f"server-{name}.log") for name in "ab"]
    try:
        for app in apps:
            app.start()
        yield {"ports": [app.port for app in apps], **room}
    finally:
        for app in apps:
            app.stop()
        redis_client.delete(f"asgi:group:conference_{room['conference']}")
        redis_client.close()


def _console(port: int, conference_id: int, session: str):
    return console(f"http://127.0.0.1:{port}", conference_id, session)


def test_a_change_made_on_one_process_reaches_a_console_on_the_other(processes):
    port_a, port_b = processes["ports"]
    conference_id = processes["conference"]

    async def scenario():
        async with _console(port_b, conference_id, processes["point_session"]) as point:
            hello = await until(point, lambda m: m["type"] == "hello")
            assert (hello["role"], hello["point"]) == ("point", processes["point"])
            await until(point, lambda m: m["type"] == "state")
            async with _console(port_a, conference_id, processes["host_session"]) as host:
                assert (await until(host, lambda m: m["type"] == "hello"))["role"] == "host"
                await until(host, lambda m: m["type"] == "state")

                # Host on A → point on B, and point on B → host on A.
                waiting = await live_scenario.advance_and_ask_the_floor(host, point)
                assert waiting["point_id"] == processes["point"]

    asyncio.run(scenario())
