"""/health/live and /health/ready: anonymous, JSON, cheap, and honest about each dependency."""

import json
import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from websockets.sync.server import serve

from giaoban.ops import health, worker
from giaoban.ops.models import Heartbeat
from giaoban.ops.services import heartbeat_beat
from giaoban.ops.tests import tasks


@pytest.fixture(autouse=True)
def _no_janus_cache():
    health._janus_cache.clear()


def test_live_answers_anyone(client, db):
    response = client.get("/health/live")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]


def test_ready_without_redis_janus_or_a_worker_yet(client, db):
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"  # no worker has ever run
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"] == {"status": "off"}
    assert body["checks"]["janus"] == {"status": "off"}
    assert body["checks"]["worker"] == {"status": "missing"}


def test_ready_is_cheap(client, db, django_assert_max_num_queries):
    heartbeat_beat(loop="reminders", ok=True)
    client.get("/health/ready")  # the pages' list of media servers is read once per 10 s
    with django_assert_max_num_queries(2):
        assert client.get("/health/ready").json()["status"] == "ok"


def test_a_worker_that_stopped_beating_is_stale(client, db, settings):
    heartbeat_beat(loop="reminders", ok=True)
    Heartbeat.objects.update(
        beat_at=timezone.now() - timedelta(seconds=2 * settings.REMINDER_INTERVAL + 61)
    )
    response = client.get("/health/ready")
    assert response.status_code == 200  # the worker is shared: this process still serves
    assert response.json()["checks"]["worker"]["status"] == "stale"


def test_a_worker_whose_last_run_failed_is_failing(db):
    heartbeat_beat(loop="reminders", ok=False)
    assert health.worker()["status"] == "failing"


def test_redis_configured_but_unreachable_makes_the_process_unready(client, db, settings):
    settings.REDIS_URL = "redis://nobody:secret@127.0.0.1:1/0"
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["redis"] == {"status": "failing", "error": "ConnectionError"}
    assert "secret" not in response.content.decode()  # details go to the log only


def _fake_janus(answer: dict):
    """A WebSocket server answering Janus's `info` request with `answer`."""

    def handler(socket_):
        request = json.loads(socket_.recv())
        socket_.send(json.dumps(answer | {"transaction": request["transaction"]}))

    server = serve(handler, "127.0.0.1", 0, subprotocols=["janus-protocol"])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_janus_answers_its_version(db, settings):
    server = _fake_janus({"janus": "server_info", "version_string": "1.1.2"})
    try:
        settings.JANUS_URLS = [f"ws://127.0.0.1:{server.socket.getsockname()[1]}"]
        [checked] = health.janus()["servers"]
    finally:
        server.shutdown()
    assert (checked["status"], checked["version"]) == ("ok", "1.1.2")


def test_janus_down_is_reported_but_the_process_stays_ready(client, db, settings):
    settings.JANUS_URLS = ["ws://user:pass@127.0.0.1:1"]
    response = client.get("/health/ready")
    assert response.status_code == 200
    janus = response.json()["checks"]["janus"]
    assert janus["status"] == "failing"
    assert janus["servers"][0]["server"] == "ws://127.0.0.1:1"  # no password shown


def test_the_worker_loop_beats_after_each_run(transactional_db, monkeypatch):
    stop = tasks.STOP
    stop.clear()
    tasks.periodic_only(monkeypatch, tasks.loop_stop)  # one run, then the loop ends
    worker.run_every(stop)
    [beat] = Heartbeat.objects.all()
    assert beat.key.startswith("reminders@") and beat.ok


def test_probes_and_janus_events_reach_the_app_port_over_plain_http(client, db, settings):
    """Behind TLS (HTTPS=true) every other page is redirected to https; these come from the
    load balancer and from Janus on loopback, straight to an app process, and are answered."""
    from base64 import b64encode

    from giaoban.media.janus_conf import secret

    settings.SECURE_SSL_REDIRECT = True
    live = client.get("/health/live")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    ready = client.get("/health/ready")
    assert (ready.status_code, ready.json()["status"]) == (200, "degraded")  # no worker yet
    assert ready.json()["checks"]["database"]["status"] == "ok"
    janus = b64encode(f"janus:{secret('events')}".encode()).decode()
    events = client.post(
        "/media/janus/events/",
        data="[]",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {janus}",
    )
    assert (events.status_code, events.content) == (204, b"")
    # Anything else is still sent to https: the exemption is these paths only.
    other = client.get("/accounts/login/")
    assert (other.status_code, other["Location"]) == (301, "https://testserver/accounts/login/")


def test_a_database_that_does_not_answer_makes_the_process_unready_with_the_reason(
    client, db, monkeypatch
):
    from django.db import OperationalError, connection

    def refused(*args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.9 port 5432 failed: refused")

    with monkeypatch.context() as patched:
        patched.setattr(health, "_pool", lambda: None)  # this thread's session, pool or not
        patched.setattr(connection, "cursor", refused)
        response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    database = body["checks"]["database"]
    assert (database["status"], database["error"]) == ("failing", "OperationalError")
    assert database["reason"] == "Cơ sở dữ liệu không trả lời."
    assert body["checks"]["worker"] == {"status": "unknown"}  # not asked a second time
    assert "10.0.0.9" not in response.content.decode()


def test_a_pool_with_no_free_connection_within_the_timeout_is_not_ready(db, monkeypatch):
    """The pool's connections all in use: psycopg_pool answers PoolTimeout after the
    health check's timeout, not the requests' DATABASE_POOL_TIMEOUT."""
    from psycopg_pool import PoolTimeout

    class Busy:
        max_size = 20
        timeouts = []

        def open(self):
            pass

        def connection(self, timeout):
            self.timeouts.append(timeout)
            raise PoolTimeout(f"couldn't get a connection after {timeout} sec")

        def get_stats(self):
            return {"pool_size": 20, "pool_available": 0, "requests_waiting": 7}

    monkeypatch.setattr(health, "_pool", Busy)
    checked = health.database()
    assert Busy.timeouts == [health.TIMEOUT]
    assert (checked["status"], checked["error"]) == ("failing", "PoolTimeout")
    assert checked["pool"] == {"size": 20, "available": 0, "waiting": 7, "max": 20}
    assert checked["reason"].startswith("Không lấy được kết nối cơ sở dữ liệu trong 2 giây")


def test_a_postgresql_that_cannot_be_reached_answers_not_ready_in_a_bounded_time(tmp_path):
    """A process whose DATABASE_URL names a closed port: its pool never gets a session, and
    /health/ready says so after the check's own timeout (the subprocess has a minute)."""
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # bound, never listening: connections are refused
        env = os.environ | {
            "DATABASE_URL": f"postgres://giaoban:secret@127.0.0.1:{closed}/giaoban",
            "DJANGO_SETTINGS_MODULE": "giaoban.settings",
            "GIAOBAN_DATA_DIR": str(tmp_path),
            "SECRET_KEY": "x" * 50,
            "REDIS_URL": "",
            "JANUS_URL": "",
        }
        script = (
            "import django, json; django.setup();"
            "from django.test import Client;"
            "r = Client().get('/health/ready', HTTP_HOST='localhost');"
            "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
        )
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    database = answer["body"]["checks"]["database"]
    assert (database["status"], database["error"]) == ("failing", "PoolTimeout")
    assert database["reason"] and database["pool"]["available"] == 0
    assert "secret" not in done.stdout
