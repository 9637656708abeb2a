"""The live room's WebSocket through the whole ASGI stack (giaoban.asgi): a page of another site
cannot open it with the user's cookies (Origin check), a missing Origin is refused, the site's
own pages get in, and a session that skipped the two-factor code step is nobody there."""

import json
from datetime import datetime
from http.cookies import SimpleCookie
from zoneinfo import ZoneInfo

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.test import Client
from django.urls import reverse

from giaoban.asgi import application
from giaoban.core.tests.test_security_twofactor import _code, _enrol
from giaoban.core.websocket import origin_allowed
from giaoban.meetings import services
from giaoban.orgs.testing import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "giaoban.core.layers.ThrottledInMemoryChannelLayer"}
    }


@pytest.fixture
def conference(tree, bob):
    conference = services.conference_create(
        actor=None,
        title="Giao ban công tác dân vận thị xã Sa Pa",
        organizer=tree["sapa_board"],
        kind="monthly",
        start=datetime(2021, 10, 8, 14, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        end=datetime(2021, 10, 8, 17, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    services.point_add(
        actor=None, conference=conference, unit=tree["sapa"], name="Điểm cầu Sa Pa", is_host=True
    )
    return conference


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    cookie = SimpleCookie()
    cookie["sessionid"] = client.cookies["sessionid"].value
    return cookie.output(header="", sep=";").strip()


def _first_messages(conference_id: int, headers: list[tuple[bytes, bytes]]) -> list[dict]:
    """The first message, and the second one if the first was the handshake's acceptance."""
    path = f"/ws/conferences/{conference_id}/"
    scope = {
        "type": "websocket",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "subprotocols": [],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
    }

    async def connect():
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "websocket.connect"})
        messages = [await communicator.receive_output(3)]
        if messages[0]["type"] == "websocket.accept":
            messages.append(await communicator.receive_output(3))
        await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
        await communicator.wait(3)
        return messages

    return async_to_sync(connect)()


def _headers(cookie: str, origin: str | None) -> list[tuple[bytes, bytes]]:
    headers = [(b"host", b"localhost"), (b"cookie", cookie.encode())]
    if origin:
        headers.append((b"origin", origin.encode()))
    return headers


def test_a_page_of_the_site_opens_the_live_room(conference, bob):
    origin = "http://localhost"
    accepted, hello = _first_messages(conference.pk, _headers(_session_cookie(bob), origin))
    assert accepted["type"] == "websocket.accept"
    assert json.loads(hello["text"])["type"] == "hello"


def test_a_page_of_another_site_is_refused_with_the_users_cookie(conference, bob):
    cookie = _session_cookie(bob)
    messages = _first_messages(conference.pk, _headers(cookie, "https://evil.example"))
    assert [m["type"] for m in messages] == ["websocket.close"]  # refused before the handshake


def test_a_connection_without_an_origin_is_refused(conference, bob):
    messages = _first_messages(conference.pk, _headers(_session_cookie(bob), None))
    assert [m["type"] for m in messages] == ["websocket.close"]


def _refused_by_the_room(messages) -> bool:
    """The consumer accepts, then closes with its own code: it did not know the user."""
    return [m["type"] for m in messages] == ["websocket.accept", "websocket.close"]


def test_a_session_that_skipped_the_code_step_is_anonymous_in_the_live_room(conference, bob):
    device = _enrol(bob)
    cookie = _session_cookie(bob)  # logged in without the code, as another login path would
    messages = _first_messages(conference.pk, _headers(cookie, "http://localhost"))
    assert _refused_by_the_room(messages)
    verified = Client()
    verified.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    verified.post(reverse("two_factor_verify"), {"code": _code(device, 1)})
    cookie = f"sessionid={verified.cookies['sessionid'].value}"
    _accepted, hello = _first_messages(conference.pk, _headers(cookie, "http://localhost"))
    assert json.loads(hello["text"])["type"] == "hello"


@pytest.mark.parametrize(
    "origin", ["http://localhost:9999", "https://localhost", "http://localhost.evil.example"]
)
def test_an_origin_on_another_port_or_scheme_is_refused(conference, bob, origin):
    messages = _first_messages(conference.pk, _headers(_session_cookie(bob), origin))
    assert [m["type"] for m in messages] == ["websocket.close"]


def test_the_sites_own_port_is_compared(conference, bob):
    headers = [(b"host", b"localhost:8000"), (b"cookie", _session_cookie(bob).encode())]
    accepted, _hello = _first_messages(
        conference.pk, [*headers, (b"origin", b"http://localhost:8000")]
    )
    assert accepted["type"] == "websocket.accept"
    refused = _first_messages(conference.pk, [*headers, (b"origin", b"http://localhost")])
    assert [m["type"] for m in refused] == ["websocket.close"]


def test_a_trusted_origin_is_let_in_with_its_own_scheme_and_port(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://giaoban.example"]

    def scope(origin: bytes) -> dict:
        return {"scheme": "ws", "headers": [(b"host", b"app:8000"), (b"origin", origin)]}

    assert origin_allowed(scope(b"https://giaoban.example"))
    assert origin_allowed(scope(b"https://giaoban.example:443"))
    assert not origin_allowed(scope(b"http://giaoban.example"))
    assert not origin_allowed(scope(b"https://giaoban.example:8443"))
    assert not origin_allowed(scope(b"http://app:8000:x"))


def test_a_path_no_route_knows_is_closed_not_a_server_error(conference, bob):
    messages = _first_messages("abc", _headers(_session_cookie(bob), "http://localhost"))
    assert messages[-1] == {"type": "websocket.close", "code": 4404}


def test_a_client_refused_at_the_door_again_and_again_waits_before_each_handshake(
    conference, bob, eve, monkeypatch
):
    """A script reconnecting at once after each refusal (another site's Origin, or an account
    with no place in the briefing, closed 4403) cost a session's load and a role's lookup each
    time (bench.briefing): past offenders.THRESHOLD its handshakes wait; an official's do not."""
    from giaoban.core import offenders

    waits = []

    async def sleep(seconds):
        waits.append(seconds)

    monkeypatch.setattr(offenders, "_sleep", sleep)
    evil = _headers(_session_cookie(bob), "https://evil.example")
    placeless = _headers(_session_cookie(eve), "http://localhost")
    for _ in range(offenders.THRESHOLD // 2):
        assert [m["type"] for m in _first_messages(conference.pk, evil)] == ["websocket.close"]
    eve_key = offenders.client_key({"headers": placeless})
    for _ in range(offenders.THRESHOLD):
        assert _refused_by_the_room(_first_messages(conference.pk, placeless))
    assert waits == [] and offenders.offenders.delay(eve_key) > 0
    official = _headers(_session_cookie(bob), "http://localhost")
    accepted, _hello = _first_messages(conference.pk, official)
    assert accepted["type"] == "websocket.accept" and waits == []
    assert _refused_by_the_room(_first_messages(conference.pk, placeless))
    assert waits == [pytest.approx(offenders.FIRST_DELAY_S, rel=0.1)]
