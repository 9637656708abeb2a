"""The live room across processes, shared by the fan-out, deployment and fault tests: a live
conference prepared in the servers' database, consoles logged in by session cookie, and the
host's "advance" answered by the point's "request the floor".

Run `PREPARE` with `python -c` in the servers' environment; it prints the ids and sessions as
JSON on its last line (`servers.run_json`).
"""

import asyncio
import json

PREPARE = (
    "import json, django; django.setup(); "
    "from giaoban.testing.live_scenario import prepare; print(json.dumps(prepare()))"
)
TOPIC = "Dân vận khéo"


def session_key(user) -> str:
    """A logged-in session for `user`, as a browser holds after logging in; its cookie value."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def prepare() -> dict:
    """Run in a fresh process on the servers' database: a live conference with a host point and
    one bridge point, each with its operator, two agenda items, and a logged-in session for
    each operator."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

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
    return {
        "conference": conference.pk,
        "point": point.pk,
        "host_session": session_key(host),
        "point_session": session_key(point_operator),
    }


def console(base: str, conference_id: int, session: str, **options):
    """A WebSocket to the live room of `conference_id` at `base` (http or https), logged in
    with `session`, its Origin the site's own; `options` go to websockets' connect."""
    from websockets.asyncio.client import connect

    return connect(
        base.replace("http", "ws", 1) + f"/ws/conferences/{conference_id}/",
        origin=base,
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=15,
        **options,
    )


async def until(socket_, wanted, timeout: float = 10) -> dict:
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
        raise AssertionError(f"no such message within {timeout} s; received {seen}") from None


def _change(reason: str):
    return lambda message: message["type"] == "change" and message["reason"] == reason


async def advance_and_ask_the_floor(host, point) -> dict:
    """The host advances the agenda and the point sees the first item current; the point asks
    for the floor and the host sees it waiting. Returns the waiting request."""
    await host.send(json.dumps({"action": "advance"}))
    advanced = await until(point, _change("agenda.advanced"))
    current = advanced["room"]["current_item"]
    assert current["title"] == "Khai mạc", current

    await point.send(json.dumps({"action": "request_floor", "topic": TOPIC}))
    requested = await until(host, _change("floor.requested"))
    [waiting] = requested["room"]["queue"]
    assert waiting["topic"] == TOPIC, waiting
    return waiting
