"""The live room over its WebSocket, with the in-memory channel layer: who may connect, the host's
changes reaching the points' consoles, forged messages refused and logged, a console catching up
after it missed changes, presence, and the speaker queue under simultaneous requests."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from django.contrib.auth.models import AnonymousUser

from giaoban.core.models import AuditEntry
from giaoban.meetings import floor, services
from giaoban.meetings.live.routing import websocket_urlpatterns
from giaoban.meetings.models import AttendanceEvent, Conference, FloorRequest
from giaoban.orgs import services as org_services
from giaoban.orgs.models import Level, Role, UnitKind
from giaoban.orgs.testing import make_user

pytestmark = pytest.mark.django_db(transaction=True)

#: The live room's routes without the session middleware: each test puts its user in the scope.
APP = URLRouter(websocket_urlpatterns)
WAIT = 3  # seconds; every message here arrives in milliseconds


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """A fresh in-memory layer per test, even when REDIS_URL is set in the environment."""
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "giaoban.core.layers.ThrottledInMemoryChannelLayer"}
    }
    # Many users per test; a deliberately slow password hash would be most of the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class WebsocketCommunicator(ApplicationCommunicator):
    """channels.testing.WebsocketCommunicator's few methods used here. channels.testing itself
    cannot be imported without daphne (channels[daphne]), which giaoban does not install."""

    def __init__(self, application, path: str):
        scope = {
            "type": "websocket",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": [],
            "subprotocols": [],
        }
        super().__init__(application, scope)

    async def connect(self, timeout: float = 1) -> tuple[bool, int | str | None]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        # A refused console is accepted and closed at once with its code (see the consumer).
        following = await self.receive_output(timeout)
        if following["type"] == "websocket.close":
            return False, following.get("code", 1000)
        self._pending = following
        return True, response.get("subprotocol")

    async def send_json_to(self, data) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self, timeout: float = 1):
        response = getattr(self, "_pending", None) or await self.receive_output(timeout)
        self._pending = None
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def run(scenario):
    """Run an async scenario from a synchronous test (database work stays on this thread)."""
    async_to_sync(scenario)()


class Console:
    """One browser tab on the live room."""

    def __init__(self, user, conference_id: int):
        self.communicator = WebsocketCommunicator(APP, f"/ws/conferences/{conference_id}/")
        self.communicator.scope["user"] = user
        self.seen: list[dict] = []

    async def open(self) -> dict:
        """Connect; returns the first state (the "sync" sent on connecting)."""
        connected, code = await self.communicator.connect()
        assert connected, f"closed with {code}"
        hello = await self.receive()
        assert hello["type"] == "hello"
        self.hello = hello
        return await self.until(lambda m: m["type"] == "state")

    async def send(self, message: dict) -> None:
        await self.communicator.send_json_to(message)

    async def receive(self) -> dict:
        message = await self.communicator.receive_json_from(timeout=WAIT)
        self.seen.append(message)
        return message

    async def until(self, wanted) -> dict:
        """The next message that satisfies `wanted`, skipping others."""
        while True:
            try:
                message = await self.receive()
            except TimeoutError:
                pytest.fail(f"no such message; received {[m.get('type') for m in self.seen]}")
            if wanted(message):
                return message

    async def close(self) -> None:
        await self.communicator.disconnect()


def _state(reason: str | None = None):
    """The whole state (on connecting, or asked for with `sync`)."""
    return lambda m: m["type"] == "state" and (reason is None or m["reason"] == reason)


def _change(reason: str | None = None):
    """A change: the room and the points it touched."""
    return lambda m: m["type"] == "change" and (reason is None or m["reason"] == reason)


def _point_state(point_id: int, state: str):
    def wanted(m):
        if m["type"] != "change":
            return False
        return any(p["id"] == point_id and p["state"] == state for p in m["points"])

    return wanted


@database_sync_to_async
def _server_seq(conference_id: int) -> int:
    return Conference.objects.get(pk=conference_id).seq


@database_sync_to_async
def _refusals(user) -> list[dict]:
    return list(
        AuditEntry.objects.filter(action="live.refused", actor=user).order_by("id").values("after")
    )


# Who may connect -----------------------------------------------------------------------


def test_anonymous_and_unrelated_users_are_closed_with_4403(live_conference, eve):
    async def scenario():
        for user in (AnonymousUser(), eve):
            communicator = WebsocketCommunicator(APP, f"/ws/conferences/{live_conference.pk}/")
            communicator.scope["user"] = user
            assert await communicator.connect() == (False, 4403)

    run(scenario)


def test_a_console_for_a_conference_that_does_not_exist_is_closed(operators):
    async def scenario():
        communicator = WebsocketCommunicator(APP, "/ws/conferences/999999/")
        communicator.scope["user"] = operators["host"]
        assert await communicator.connect() == (False, 4403)

    run(scenario)


# The host's changes reach the points ---------------------------------------------------


def test_the_hosts_advance_reaches_a_points_console(live_conference, points, operators):
    async def scenario():
        host = Console(operators["host"], live_conference.pk)
        sapa = Console(operators["sapa"], live_conference.pk)
        await host.open()
        first = await sapa.open()
        try:
            assert (host.hello["role"], sapa.hello) == (
                "host",
                {"type": "hello", "role": "point", "point": points["088"].pk},
            )
            assert first["state"]["current_item"] is None
            online = await sapa.until(_point_state(points["088"].pk, "online"))
            await host.send({"action": "advance"})
            message = await sapa.until(_change("agenda.advanced"))
            assert message["room"]["current_item"]["title"] == "Khai mạc"
            assert message["seq"] == online["seq"] + 1
            assert message["seq"] == await _server_seq(live_conference.pk)
            assert message["points"] == []  # advancing the agenda touches no point's tile
            [opened] = message["items"]  # only the item that changed (none was open before)
            assert (opened["title"], opened["started_at"] is not None) == ("Khai mạc", True)
        finally:
            await sapa.close()
            await host.close()

    run(scenario)


# Forged messages -----------------------------------------------------------------------


def test_a_points_forged_messages_are_refused_and_logged(live_conference, points, operators):
    batxat = points["082"]
    theirs = floor.floor_request(actor=operators["batxat"], point=batxat, topic="Tảo hôn")
    other = services.conference_create(
        actor=None,
        title="Hội nghị khác",
        organizer=live_conference.organizer,
        kind="thematic",
        start=live_conference.scheduled_start,
        end=live_conference.scheduled_end,
    )
    forged = [
        {"action": "request_floor", "conference": other.pk, "topic": "Nhầm hội nghị"},
        {"action": "request_floor", "point": batxat.pk, "topic": "Thay Bát Xát"},
        {"action": "decline", "request": theirs.pk},
        {"action": "advance"},
        {"action": "grant", "request": theirs.pk},
        {"action": "end"},
    ]

    async def scenario():
        sapa = Console(operators["sapa"], live_conference.pk)
        await sapa.open()
        try:
            for message in forged:
                await sapa.send(message)
                refused = await sapa.until(lambda m: m["type"] == "refused")
                assert refused["action"] == message["action"] and refused["message"]
            # One audit row per reason, with its count and a sample of the first message.
            logged = await _refusals(operators["sapa"])
            assert sum(entry["after"]["count"] for entry in logged) == len(forged)
            assert logged[0]["after"]["message"]["action"] == forged[0]["action"]
            assert len({entry["after"]["reason"] for entry in logged}) == len(logged)
        finally:
            await sapa.close()

    run(scenario)
    conference = Conference.objects.get(pk=live_conference.pk)
    assert (conference.status, conference.current_item) == ("live", None)
    theirs.refresh_from_db()
    assert theirs.status == "waiting"
    assert list(FloorRequest.objects.values_list("point_id", flat=True)) == [batxat.pk]


def test_a_viewer_watches_but_cannot_act(live_conference, bob):
    async def scenario():
        viewer = Console(bob, live_conference.pk)
        await viewer.open()
        try:
            assert viewer.hello["role"] == "viewer"
            await viewer.send({"action": "request_floor", "topic": "Hỏi"})
            await viewer.until(lambda m: m["type"] == "refused")
        finally:
            await viewer.close()

    run(scenario)
    assert not FloorRequest.objects.exists()
    assert AuditEntry.objects.filter(action="live.refused", actor=bob).count() == 1


# Catching up ---------------------------------------------------------------------------


def test_a_console_that_missed_changes_gets_the_whole_state_back(
    live_conference, points, operators
):
    advance = database_sync_to_async(services.agenda_advance)

    async def scenario():
        host = Console(operators["host"], live_conference.pk)
        await host.open()
        sapa = Console(operators["sapa"], live_conference.pk)
        before = await sapa.open()
        await host.until(_point_state(points["088"].pk, "online"))
        await sapa.close()
        # Its point's going offline is announced (what the host sees) before it misses changes.
        await host.until(_point_state(points["088"].pk, "offline"))
        await host.close()
        await advance(actor=None, conference=live_conference)  # missed while away
        await advance(actor=None, conference=live_conference)

        sapa = Console(operators["sapa"], live_conference.pk)
        resync = await sapa.open()
        try:
            assert resync["reason"] == "sync"
            assert resync["state"]["seq"] > before["state"]["seq"]
            await sapa.until(_point_state(points["088"].pk, "online"))  # back, announced
            assert resync["state"]["current_item"]["order"] == 2

            # A ping carrying an old number is answered with the whole state …
            await sapa.send({"action": "ping", "seq": before["state"]["seq"]})
            answer = await sapa.until(_state("sync"))
            current = await _server_seq(live_conference.pk)
            assert answer["state"]["seq"] == current
            # … and one that is up to date with a pong.
            await sapa.send({"action": "ping", "seq": current})
            pong = await sapa.until(lambda m: m["type"] == "pong")
            assert pong["seq"] == current
        finally:
            await sapa.close()

    run(scenario)


# Presence ------------------------------------------------------------------------------


def test_a_points_console_puts_it_online_and_its_leaving_offline(
    live_conference, points, operators
):
    sapa_id = points["088"].pk

    async def scenario():
        host = Console(operators["host"], live_conference.pk)
        await host.open()
        sapa = Console(operators["sapa"], live_conference.pk)
        try:
            await sapa.open()
            online = await host.until(_point_state(sapa_id, "online"))
            assert online["reason"] == "presence"
            await sapa.close()
            offline = await host.until(_point_state(sapa_id, "offline"))
            assert offline["reason"] == "presence"
        finally:
            await host.close()

    run(scenario)
    kinds = AttendanceEvent.objects.filter(point_id=sapa_id).values_list("kind", flat=True)
    assert list(kinds) == ["online", "offline"]


# A large conference: a point's console holds the host's tile and its own -------------------


def test_in_a_large_conference_a_points_console_receives_only_the_host_and_its_own(
    live_conference, points, operators, settings
):
    settings.LIVE_ALL_POINTS_UP_TO = 2  # the conference has three
    host_id, sapa_id, batxat_id = points["10"].pk, points["088"].pk, points["082"].pk

    async def scenario():
        host = Console(operators["host"], live_conference.pk)
        sapa = Console(operators["sapa"], live_conference.pk)
        batxat = Console(operators["batxat"], live_conference.pk)
        full = (await host.open())["state"]
        # The host's console holds a page and the points needing attention (issue 15): here
        # all three, the conference being live and none connected yet.
        assert {p["id"] for p in full["points"]} == {host_id, sapa_id, batxat_id}
        assert full["points_scope"] == "page" and full["attention"]["total"] == 2
        compact = (await sapa.open())["state"]
        assert [p["id"] for p in compact["points"]] == [host_id, sapa_id]
        assert (compact["points_scope"], compact["points_total"]) == ("own", 3)
        try:
            # Bát Xát comes online: the host sees its tile; Sa Pa only the count.
            await batxat.open()
            await host.until(_point_state(batxat_id, "online"))
            seen = await sapa.until(
                lambda m: m["type"] == "change" and m["room"]["points_online"] == 3
            )
            assert batxat_id not in {p["id"] for p in seen["points"]}
            assert seen["room"]["points_scope"] == "own"
            # Sa Pa's own change reaches Sa Pa with its tile, Bát Xát without it.
            await sapa.send({"action": "readiness", "item": "camera_ready", "done": True})
            own = await sapa.until(_change("point.readiness"))
            assert [p["id"] for p in own["points"]] == [sapa_id]
            other = await batxat.until(_change("point.readiness"))
            assert other["points"] == [] and other["seq"] == own["seq"]
            assert [p["id"] for p in (await host.until(_change("point.readiness")))["points"]] == [
                sapa_id
            ]
            # Asked again (sync), Sa Pa's console gets the compact state, its tick in it.
            await sapa.send({"action": "sync"})
            again = (await sapa.until(_state()))["state"]
            assert [p["id"] for p in again["points"]] == [host_id, sapa_id]
            assert again["points"][1]["readiness"]["camera_ready"] is True
        finally:
            for console in (batxat, sapa, host):
                await console.close()

    run(scenario)


def test_a_change_wider_than_the_compact_limit_asks_point_consoles_to_sync(monkeypatch):
    from giaoban.meetings.live import broadcast as live

    monkeypatch.setattr(live, "COMPACT_OWN_MAX", 1)
    message = {
        "type": "change",
        "room": {"seq": 5},
        "points": [{"id": 1}, {"id": 2}, {"id": 3}],
        "items": [],
    }
    texts = live.compact_texts(message, host_id=1)
    base = json.loads(texts["base"])
    assert ("tiles" in texts, base["sync"], base["points"]) == (False, True, [{"id": 1}])


def test_a_compact_change_carries_the_base_once_and_each_changed_points_tile():
    from giaoban.meetings.live import broadcast as live

    message = {
        "type": "change",
        "room": {"seq": 5, "title": "Giao ban"},
        "points": [{"id": 1, "name": "chủ trì"}, {"id": 2, "name": "Sa Pa"}],
        "items": [],
    }
    texts = live.compact_texts(message, host_id=1)
    assert list(texts["tiles"]) == ["2"]
    own = json.loads(live.compact_view(texts, 2))
    assert [p["id"] for p in own["points"]] == [1, 2] and own["room"]["points_scope"] == "own"
    for other in (3, 0):  # another point's console, a viewer's
        assert json.loads(live.compact_view(texts, other))["points"] == [message["points"][0]]


def test_the_hosts_spotlight_reaches_the_points_and_a_point_cannot_set_it(
    live_conference, points, operators
):
    batxat = points["082"]

    async def scenario():
        host = Console(operators["host"], live_conference.pk)
        sapa = Console(operators["sapa"], live_conference.pk)
        await host.open()
        await sapa.open()
        try:
            await host.send({"action": "spotlight", "point": batxat.pk})
            shown = await sapa.until(_change("spotlight"))
            assert shown["room"]["spotlight"] == {"point_id": batxat.pk, "point": batxat.name}
            await sapa.send({"action": "spotlight", "point": points["088"].pk})
            refused = await sapa.until(lambda m: m["type"] == "refused")
            assert refused["action"] == "spotlight"
            await host.send({"action": "spotlight", "point": None})
            cleared = await sapa.until(_change("spotlight"))
            assert cleared["room"]["spotlight"] is None
        finally:
            await sapa.close()
            await host.close()

    run(scenario)


def test_a_points_console_is_closed_when_another_operator_takes_the_point(
    live_conference, points, operators, tree
):
    sapa = points["088"]
    successor = make_user("op_sapa_moi", tree["sapa_board"], Role.OPERATOR)

    async def scenario():
        console = Console(operators["sapa"], live_conference.pk)
        await console.open()
        await database_sync_to_async(services.point_update)(
            actor=None, point=sapa, revision=sapa.revision, name=sapa.name, operator=successor
        )
        closed = await console.communicator.receive_output(WAIT)
        while closed["type"] != "websocket.close":
            closed = await console.communicator.receive_output(WAIT)
        assert closed["code"] == 4403

    run(scenario)


# The speaker queue ---------------------------------------------------------------------


def test_simultaneous_floor_requests_all_queue_in_distinct_places(
    live_conference, points, operators, tree
):
    consoles_of = [(operators["sapa"], points["088"]), (operators["batxat"], points["082"])]
    for i in range(4):
        unit = org_services.unit_create(
            code=f"9{i}",
            name=f"Xã {i}",
            kind=UnitKind.COMMUNE,
            level=Level.COMMUNE,
            parent=tree["sapa"],
        )
        operator = make_user(f"op_xa_{i}", tree["sapa_board"], Role.OPERATOR)
        point = services.point_add(
            actor=None,
            conference=live_conference,
            unit=unit,
            name=f"Điểm cầu xã {i}",
            operator=operator,
        )
        consoles_of.append((operator, point))

    async def scenario():
        host = Console(operators["host"], live_conference.pk)
        await host.open()
        consoles = [Console(user, live_conference.pk) for user, _point in consoles_of]
        try:
            for console in consoles:
                await console.open()
            await asyncio.gather(
                *(
                    console.send({"action": "request_floor", "topic": f"Ý kiến {n}"})
                    for n, console in enumerate(consoles)
                )
            )
            final = await host.until(
                lambda m: m["type"] == "change" and len(m["room"]["queue"]) == len(consoles)
            )
            return final["room"]["queue"]
        finally:
            for console in consoles:
                await console.close()
            await host.close()

    queue = async_to_sync(scenario)()
    requests = list(FloorRequest.objects.order_by("position", "id"))
    positions = [r.position for r in requests]
    assert len(set(positions)) == len(positions) == len(consoles_of)
    assert {r.point_id for r in requests} == {point.pk for _user, point in consoles_of}
    assert [entry["id"] for entry in queue] == [r.pk for r in requests]


def test_presence_changes_close_together_go_out_as_one_change(monkeypatch):
    from giaoban.meetings.live import presence

    announced = []
    monkeypatch.setattr(
        presence,
        "presence_publish",
        lambda *, conference_id, point_ids: announced.append((conference_id, set(point_ids))),
    )
    announcer = presence.Announcer()

    async def announced_count(count: int) -> None:
        async with asyncio.timeout(WAIT):
            while len(announced) < count:
                await asyncio.sleep(presence.COALESCE_S / 10)

    async def scenario():
        announcer.add(7, [1])
        announcer.add(7, [2, 3])
        announcer.add(8, [4])
        announcer.add(7, [])  # nothing to say: no change
        await announced_count(2)  # one per conference
        announcer.add(7, [5])  # after the window: a change of its own
        await announced_count(3)
        # Nothing more is said: a last change, in a window of its own, is the next one out.
        announcer.add(9, [6])
        await announced_count(4)

    run(scenario)
    assert sorted(announced, key=lambda a: (a[0], min(a[1]))) == [
        (7, {1, 2, 3}),
        (7, {5}),
        (8, {4}),
        (9, {6}),
    ]
    assert announced[-1] == (9, {6})


def test_a_process_joins_the_conferences_group_once_for_all_its_consoles(
    live_conference, operators
):
    from channels.layers import get_channel_layer

    from giaoban.meetings.live.broadcast import group_name
    from giaoban.meetings.live.fanout import fanout

    layer = get_channel_layer()
    group = group_name(live_conference.pk)

    async def scenario():
        consoles = [
            Console(operators[who], live_conference.pk) for who in ("host", "sapa", "batxat")
        ]
        for console in consoles:
            await console.open()
        assert len(layer.groups[group]) == 1
        assert fanout.consoles(live_conference.pk) == 3
        await consoles[0].send({"action": "advance"})
        for console in consoles:
            await console.until(_change("agenda.advanced"))
        for console in consoles:
            await console.close()
        assert fanout.consoles(live_conference.pk) == 0
        assert not layer.groups.get(group)  # the last one out leaves the group

    run(scenario)
