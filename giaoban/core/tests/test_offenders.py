"""A client refused too often waits before it is heard again; nobody else does (issue 13,
bench.briefing: twenty scripts sending refused messages as fast as they were answered made the
officials' pages four to eight times slower)."""

import asyncio

import pytest

from giaoban.core import offenders as module
from giaoban.core.admission import HttpAdmission, WebsocketAdmission
from giaoban.core.offenders import (
    FIRST_DELAY_S,
    HALF_LIFE_S,
    MAX_DELAY_S,
    THRESHOLD,
    Offenders,
    client_key,
    offenders,
)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def waits(monkeypatch):
    """The waits the server would take, recorded instead of taken."""
    taken = []

    async def sleep(seconds):
        taken.append(seconds)

    monkeypatch.setattr(module, "_sleep", sleep)
    offenders.clear()
    yield taken
    offenders.clear()


# The score ----------------------------------------------------------------------------------


def test_a_client_waits_only_past_the_threshold_longer_with_each_refusal_up_to_a_bound():
    table = Offenders(clock=Clock())
    for _ in range(THRESHOLD - 1):
        table.note("session:a")
    assert table.delay("session:a") == 0
    table.note("session:a")
    assert table.delay("session:a") == pytest.approx(FIRST_DELAY_S)
    for _ in range(module.DOUBLING_EVERY):
        table.note("session:a")
    assert table.delay("session:a") == pytest.approx(2 * FIRST_DELAY_S)
    for _ in range(100):
        table.note("session:a")
    assert table.delay("session:a") == MAX_DELAY_S
    assert table.delay("session:b") == 0


def test_a_client_that_stops_being_refused_is_forgiven_within_minutes():
    clock = Clock()
    table = Offenders(clock=clock)
    for _ in range(2 * THRESHOLD):
        table.note("session:a")
    assert table.delay("session:a") > 0
    clock.now += HALF_LIFE_S
    assert table.score("session:a") == pytest.approx(THRESHOLD)
    clock.now += HALF_LIFE_S
    assert table.delay("session:a") == 0


def test_the_table_forgets_the_longest_unheard_clients_past_its_size(monkeypatch):
    monkeypatch.setattr(module, "MAX_CLIENTS", 3)
    table = Offenders(clock=Clock())
    for key in ("a", "b", "c", "d"):
        table.note(key, weight=THRESHOLD)
    assert table.score("a") == 0 and table.delay("d") > 0


def test_crossing_the_threshold_is_logged_once_without_the_session(caplog):
    table = Offenders(clock=Clock())
    for _ in range(3 * THRESHOLD):
        table.note("session:0123", where="session from 10.0.0.7")
    lines = [r.getMessage() for r in caplog.records if r.name == "giaoban.offenders"]
    assert lines == [f"session from 10.0.0.7 refused {THRESHOLD} times: its requests now wait"]


# Who a client is ----------------------------------------------------------------------------


def _scope(headers=(), client=("10.0.0.7", 5000), kind="http"):
    return {
        "type": kind,
        "method": "GET",
        "path": "/",
        "client": client,
        "headers": [(k.encode(), v.encode()) for k, v in headers],
    }


def test_a_client_is_its_session_else_its_tokens_prefix_else_its_address():
    one = client_key(_scope([("cookie", "csrftoken=x; sessionid=abc123")]))
    other = client_key(_scope([("cookie", "sessionid=def456")]))
    assert one.startswith("session:") and other.startswith("session:") and one != other
    assert "abc123" not in one  # the table holds no key that opens a session
    assert client_key(_scope([("authorization", "Bearer gb_Abc123restofit")])) == "token:Abc123"
    assert client_key(_scope([("authorization", "Bearer Abc123other")])) == "token:Abc123"
    assert client_key(_scope()) == "address:10.0.0.7"
    # Read as Django reads it: a cookie the standard library would refuse (a JSON value of an
    # intranet's other application) does not hide the session.
    other = 'prefs={"lang":"vi"}; sessionid=abc123; a:b=c'
    assert client_key(_scope([("cookie", other)])) == one
    assert client_key(_scope([("cookie", "sessionid=")])) == "address:10.0.0.7"


# Through the HTTP door ----------------------------------------------------------------------


def _answering(status: int):
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


async def _call(app, scope) -> int:
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"]


def test_a_session_refused_too_often_waits_and_is_still_served(waits):
    forger = _scope([("cookie", "sessionid=forger")])
    official = _scope([("cookie", "sessionid=official")])  # the same address

    async def scenario():
        refusing = HttpAdmission(_answering(403), limit=2, wait_s=5)
        for _ in range(THRESHOLD):
            assert await _call(refusing, forger) == 403
        assert waits == []
        serving = HttpAdmission(_answering(200), limit=2, wait_s=5)
        assert await _call(serving, official) == 200
        assert waits == []
        assert await _call(serving, forger) == 200
        assert waits == [pytest.approx(FIRST_DELAY_S)]

    asyncio.run(scenario())


@pytest.mark.parametrize("status, counted", [(401, True), (429, True), (400, False), (404, False)])
def test_which_answers_count_as_refusals(waits, status, counted):
    scope = _scope([("authorization", "Bearer gb_wrong1xxxxxxxx")])

    async def scenario():
        app = HttpAdmission(_answering(status), limit=2, wait_s=5)
        for _ in range(THRESHOLD + 1):
            await _call(app, scope)

    asyncio.run(scenario())
    assert bool(waits) is counted


def test_wrong_tokens_never_slow_a_valid_token_from_the_same_address(waits):
    async def scenario():
        app = HttpAdmission(_answering(401), limit=2, wait_s=5)
        for _ in range(3 * THRESHOLD):
            await _call(app, _scope([("authorization", "Bearer gb_wrong1xxxxxxxx")]))
        waits.clear()
        valid = HttpAdmission(_answering(200), limit=2, wait_s=5)
        assert await _call(valid, _scope([("authorization", "Bearer gb_valid1xxxxxxxx")])) == 200

    asyncio.run(scenario())
    assert waits == []


def test_a_websocket_handshake_of_a_client_refused_too_often_waits(waits):
    opened = []

    async def app(scope, receive, send):
        opened.append(scope["type"])

    offenders.note(client_key(_scope([("cookie", "sessionid=forger")])), weight=THRESHOLD)
    door = WebsocketAdmission(app)
    asyncio.run(door(_scope([("cookie", "sessionid=official")], kind="websocket"), None, None))
    assert waits == []
    asyncio.run(door(_scope([("cookie", "sessionid=forger")], kind="websocket"), None, None))
    assert waits == [pytest.approx(FIRST_DELAY_S)] and opened == ["websocket", "websocket"]


# A real server --------------------------------------------------------------------------------


def test_a_real_server_slows_wrong_tokens_and_keeps_serving_the_officials(tmp_path):
    """Through uvicorn, as bench.briefing's hostile clients: wrong tokens from one address are
    answered (401, then 429), the server says once that the client now waits, and an official's
    session from the same address is served."""
    import httpx

    from giaoban.core.tests.test_admission import SEED
    from giaoban.testing.servers import migrate, run_json, scratch_env, serve

    env = scratch_env(tmp_path)
    migrate(env)
    sessions = run_json(env, "-", stdin=SEED)
    log = tmp_path / "server.log"
    with serve(env, log, "--no-worker") as served:
        wrong = {"Authorization": "Bearer gb_wrong1" + "x" * 37}
        statuses = [
            httpx.get(f"{served.base}/api/v1/people/", headers=wrong, timeout=30).status_code
            for _ in range(THRESHOLD + 1)
        ]
        page = httpx.get(f"{served.base}/", cookies={"sessionid": sessions[0]}, timeout=30)
    assert set(statuses) <= {401, 429} and page.status_code == 200
    waiting = [line for line in log.read_text().splitlines() if "now wait" in line]
    assert len(waiting) == 1 and "token from 127.0.0.1" in waiting[0]
