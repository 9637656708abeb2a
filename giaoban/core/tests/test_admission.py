"""A burst of requests waits its turn instead of failing: the admission queue in front of Django,
a database too busy to answer in time told as a 503 with Retry-After, SQLite's writers waiting
for the lock (issue 13, bench.briefing)."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import path

from giaoban import config, urls
from giaoban.core.admission import HttpAdmission

BUSY_VI = "Máy chủ đang bận"


# The queue ---------------------------------------------------------------------------------------


class _Gate:
    """An ASGI app whose requests stay in flight until `open` is set; counts them."""

    def __init__(self):
        self.open = asyncio.Event()
        self.running = self.most = 0

    async def __call__(self, scope, receive, send):
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await self.open.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
        finally:
            self.running -= 1


async def _request(app, path_: str = "/") -> dict:
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path_, "headers": []}
    await app(scope, receive, send)
    start = sent[0]
    return {
        "status": start["status"],
        "headers": dict(start["headers"]),
        "body": b"".join(m.get("body", b"") for m in sent[1:]),
    }


def test_no_more_than_the_limit_run_at_once_and_the_others_wait_their_turn():
    async def scenario():
        gate = _Gate()
        app = HttpAdmission(gate, limit=2, wait_s=30)
        requests = [asyncio.create_task(_request(app)) for _ in range(6)]
        while gate.running < 2:
            await asyncio.sleep(0)
        gate.open.set()
        answers = await asyncio.gather(*requests)
        return gate.most, [a["status"] for a in answers]

    most, statuses = asyncio.run(scenario())
    assert most == 2
    assert statuses == [200] * 6


def test_a_request_that_waits_too_long_is_told_in_vietnamese_to_come_back():
    async def scenario():
        gate = _Gate()
        app = HttpAdmission(gate, limit=1, wait_s=0.05)
        first = asyncio.create_task(_request(app))
        while gate.running < 1:
            await asyncio.sleep(0)
        page, api = await _request(app, "/reports/1/"), await _request(app, "/api/v1/people/")
        gate.open.set()
        return (await first)["status"], page, api

    first, page, api = asyncio.run(scenario())
    assert first == 200
    assert page["status"] == 503
    assert page["headers"][b"retry-after"] == b"5"
    assert BUSY_VI in page["body"].decode()
    assert api["status"] == 503
    assert json.loads(api["body"])["error"]["code"] == "busy"
    assert BUSY_VI in json.loads(api["body"])["error"]["message"]


def test_health_and_static_files_never_queue():
    async def scenario():
        gate = _Gate()
        gate.open.set()
        app = HttpAdmission(gate, limit=1, wait_s=0.05)
        await app._semaphore().acquire()  # every slot taken
        return [(await _request(app, p))["status"] for p in ("/health/live", "/static/x.css")]

    assert asyncio.run(scenario()) == [200, 200]


def test_the_application_admits_http_requests_through_the_queue(settings):
    from giaoban.asgi import application

    http = application.application_mapping["http"]
    assert isinstance(http, HttpAdmission)
    assert http.limit == settings.HTTP_CONCURRENCY


def test_http_concurrency_leaves_postgres_sessions_for_the_sockets_and_the_worker(
    monkeypatch, tmp_path
):
    assert config.http_concurrency(config.database(tmp_path)) == 8  # SQLite: no pool
    monkeypatch.setenv("DATABASE_URL", "postgres://giaoban@127.0.0.1:5432/giaoban")
    monkeypatch.setenv("DATABASE_POOL_MAX", "10")
    assert config.http_concurrency(config.database(tmp_path)) == 4
    monkeypatch.setenv("HTTP_CONCURRENCY", "5")
    with pytest.raises(ImproperlyConfigured, match=r"HTTP_CONCURRENCY=5 .* at most 4"):
        config.http_concurrency(config.database(tmp_path))


# The database too busy -------------------------------------------------------------------------


@login_not_required
def _pool_exhausted(request):
    try:
        raise TimeoutError("couldn't get a connection after 5.00 sec")
    except TimeoutError as exc:
        raise OperationalError("couldn't get a connection after 5.00 sec") from exc


@login_not_required
def _broken(request):
    raise OperationalError("relation does not exist")


urlpatterns = [path("busy/", _pool_exhausted), path("broken/", _broken), *urls.urlpatterns]
handler500 = "giaoban.core.views.server_error"


@pytest.mark.urls(__name__)
def test_a_pool_timeout_is_a_503_with_retry_after_not_a_500(client, db):
    client.raise_request_exception = False
    response = client.get("/busy/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert BUSY_VI in response.content.decode()
    assert client.get("/broken/").status_code == 500  # a real bug stays one


def test_the_api_answers_a_pool_timeout_with_its_json_503(db):
    from giaoban.api import _server_error

    try:
        _pool_exhausted(None)
    except OperationalError as exc:
        response = _server_error(RequestFactory().get("/api/v1/people/"), exc)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert json.loads(response.content)["error"]["code"] == "busy"


# SQLite -----------------------------------------------------------------------------------------


def test_sqlite_writers_wait_for_the_lock_longer_than_a_busy_moment(tmp_path, monkeypatch):
    # Python's default 5 s was passed on a busy machine: a report save answered 500.
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database(tmp_path)["OPTIONS"]["timeout"] >= 30


# A real server on the suite's database, its pool far smaller than the burst ---------------------

BURST = 48


def _served_database(settings, stack) -> str:
    """The suite's database server: a scratch database on PostgreSQL, else an SQLite file."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return ""
    from giaoban.ops.tests.helpers import scratch_database

    user = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    server = f"postgres://{user}@{database['HOST']}:{database['PORT'] or 5432}/postgres"
    return stack.enter_context(scratch_database(server, "giaoban_admission"))


SEED = """
import json
import django
django.setup()
from giaoban.orgs import services
from giaoban.orgs.models import Role
from giaoban.orgs.testing import make_user
from giaoban.testing.live_scenario import session_key
unit = services.unit_create(code="99", name="Tỉnh Thử", kind="province", level=1)
org = services.organization_create(
    actor=None, name="Ban Dân vận", kind="mobilization_board", unit=unit
)
print(json.dumps([session_key(make_user(f"u{n}", org, Role.OFFICER)) for n in range(4)]))
"""


def test_a_burst_larger_than_the_pool_is_served_without_an_error(settings, tmp_path):
    import contextlib

    import httpx

    from giaoban.testing.servers import migrate, run_json, scratch_env, serve

    with contextlib.ExitStack() as stack:
        env = scratch_env(
            tmp_path,
            # Three sessions, waited for 0.2 s: a burst of requests each holding one
            # while it runs answered 500 (PoolTimeout) before the queue.
            DATABASE_POOL_MAX="3",
            DATABASE_POOL_TIMEOUT="0.2",
        )
        if url := _served_database(settings, stack):
            env["DATABASE_URL"] = url
        migrate(env)
        sessions = run_json(env, "-", stdin=SEED)
        served = stack.enter_context(serve(env, tmp_path / "server.log", "--no-worker"))

        def get(n):
            cookies = {"sessionid": sessions[n % len(sessions)]}
            return httpx.get(f"{served.base}/", cookies=cookies, timeout=60).status_code

        with ThreadPoolExecutor(BURST) as pool:
            statuses = list(pool.map(get, range(BURST)))
    assert statuses == [200] * BURST, (tmp_path / "server.log").read_text()[-3000:]


class _SlowDownload:
    """An ASGI app that streams its body in two parts, the second when `finish` is set."""

    def __init__(self):
        self.streaming, self.finish = asyncio.Event(), asyncio.Event()

    async def __call__(self, scope, receive, send):
        if scope["path"] == "/download":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"part", "more_body": True})
            self.streaming.set()
            await self.finish.wait()
        else:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def test_a_download_streaming_to_a_slow_line_frees_its_slot_for_the_pages():
    async def scenario():
        app = _SlowDownload()
        admission = HttpAdmission(app, limit=1, wait_s=1.0)
        download = asyncio.ensure_future(_request(admission, "/download"))
        await app.streaming.wait()  # the download took the one slot and streams its body
        page = await _request(admission, "/")  # served while the download still streams
        assert not download.done()
        app.finish.set()
        return page, await download

    page, download = asyncio.run(scenario())
    assert (page["status"], page["body"]) == (200, b"ok")
    assert download["body"] == b"partok"
