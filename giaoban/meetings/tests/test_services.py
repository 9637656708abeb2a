"""The conference's rules: its life, roll call, the speaker queue, presence, minutes."""

import re
import threading

import pytest
from django.db import connection
from django.utils.translation import gettext

from giaoban.core.errors import ApplicationError, ConcurrentEdit, InvalidInput, PermissionDenied
from giaoban.core.locking import stale
from giaoban.core.models import AuditEntry
from giaoban.meetings import floor, selectors, services
from giaoban.meetings.live import presence
from giaoban.meetings.models import (
    AttendanceEvent,
    BridgePoint,
    Conference,
    Delegate,
    FloorRequest,
)
from giaoban.testing.refusals import refused

pytestmark = pytest.mark.django_db


def test_a_conference_goes_from_planned_to_live_to_ended_with_who_and_when(conference, alice):
    services.conference_transition(actor=alice, conference=conference, action="start")
    conference.refresh_from_db()
    assert conference.status == "live" and conference.status_changed_by == alice
    services.conference_transition(actor=alice, conference=conference, action="end")
    conference.refresh_from_db()
    assert conference.status == "ended"


def _cannot(status: str, action: str) -> str:
    """The refusal of a transition (`action`, a past participle) from `status` (its label)."""
    return gettext("A conference that is %(status)s cannot be %(action)s.") % {
        "status": gettext(status).lower(),
        "action": gettext(action),
    }


@pytest.mark.parametrize(
    ("first", "then", "status", "named"),
    [
        ("start", "start", "Live", "started"),
        ("start", "cancel", "Live", "cancelled"),
        ("cancel", "start", "Cancelled", "started"),
    ],
)
def test_refused_transitions(conference, first, then, status, named):
    services.conference_transition(actor=None, conference=conference, action=first)
    with refused(ApplicationError, _cannot(status, named)):
        services.conference_transition(actor=None, conference=conference, action=then)
    assert Conference.objects.get(pk=conference.pk).status == status.lower()  # unchanged


def test_an_ended_conference_cannot_be_restarted(live_conference):
    services.conference_transition(actor=None, conference=live_conference, action="end")
    with refused(ApplicationError, _cannot("Ended", "started")):
        services.conference_transition(actor=None, conference=live_conference, action="start")


def test_only_the_host_side_runs_the_conference(conference, operators, bob, charlie):
    for user in (operators["sapa"], bob, charlie):
        with refused(PermissionDenied, gettext("Only the host of the conference may do this.")):
            services.conference_transition(actor=user, conference=conference, action="start")
    services.conference_transition(actor=operators["host"], conference=conference, action="start")


def test_a_delegate_keeps_the_designation_of_the_day(conference, points, tree):
    delegate = services.delegate_invite(actor=None, point=points["088"], person=tree["toan"])
    from datetime import date

    from giaoban.orgs import services as org_services

    position = tree["toan"].positions.get(title="Tỉnh ủy viên")
    org_services.position_end(actor=None, position=position, end_date=date(2022, 1, 1))
    org_services.position_add(
        actor=None,
        person=tree["toan"],
        organization=tree["party"],
        title="Phó Bí thư Tỉnh ủy",
        protocol_rank=5,
        start_date=date(2023, 1, 1),
    )
    delegate.refresh_from_db()
    assert delegate.designation == "Phan Đăng Toàn - Tỉnh ủy viên, Bí thư Thị ủy"


def test_roll_call_counts_per_point_and_in_total(live_conference, points, tree, operators):
    sapa = points["088"]
    toan = services.delegate_invite(actor=None, point=sapa, person=tree["toan"])
    guest = services.delegate_add_guest(
        actor=operators["sapa"],
        point=sapa,
        full_name="Lê Văn Khách",
        designation="Lê Văn Khách - Phóng viên",
    )
    other = services.delegate_add_guest(
        actor=None, point=points["082"], full_name="Nguyễn Thị Vắng"
    )
    services.rollcall_mark(actor=operators["sapa"], delegate=toan, attendance="present")
    services.rollcall_mark(
        actor=operators["sapa"],
        delegate=guest,
        attendance="represented",
        represented_by="Trần Văn Thay",
    )
    services.rollcall_mark(actor=None, delegate=other, attendance="absent", reason="Ốm")
    assert selectors.attendance_counts(live_conference.pk) == {
        "unknown": 0,
        "present": 1,
        "absent": 1,
        "represented": 1,
        "total": 3,
    }
    assert selectors.attendance_counts(live_conference.pk, sapa.pk)["present"] == 1
    kinds = list(
        AttendanceEvent.objects.filter(delegate__isnull=False).values_list("kind", flat=True)
    )
    assert kinds == ["present", "represented", "absent"]
    state_points = {p["id"]: p for p in selectors.live_state(live_conference.pk)["points"]}
    assert (state_points[sapa.pk]["invited"], state_points[sapa.pk]["present"]) == (2, 1)


def test_an_absence_needs_a_reason_and_a_representation_a_name(live_conference, points):
    delegate = services.delegate_add_guest(actor=None, point=points["088"], full_name="Lò Văn Sáng")
    reason = gettext("Write the reason for the absence.")
    with refused(InvalidInput, reason, field="reason"):
        services.rollcall_mark(actor=None, delegate=delegate, attendance="absent")
    who = gettext("Write who represents the delegate.")
    with refused(InvalidInput, who, field="represented_by"):
        services.rollcall_mark(actor=None, delegate=delegate, attendance="represented")
    assert Delegate.objects.get(pk=delegate.pk).attendance == "unknown"


def test_a_point_cannot_mark_another_points_delegates(live_conference, points, operators):
    delegate = services.delegate_add_guest(actor=None, point=points["082"], full_name="Giàng A Páo")
    with refused(PermissionDenied, gettext("You may act only for your own bridge point.")):
        services.rollcall_mark(actor=operators["sapa"], delegate=delegate, attendance="present")


def test_the_agenda_advances_item_by_item(live_conference):
    first = services.agenda_advance(actor=None, conference=live_conference)
    second = services.agenda_advance(actor=None, conference=live_conference)
    first.refresh_from_db()
    assert (first.order, second.order) == (1, 2) and first.ended_at is not None
    assert selectors.live_state(live_conference.pk)["current_item"]["title"] == second.title
    for _ in range(3):
        services.agenda_advance(actor=None, conference=live_conference)
    with refused(ApplicationError, gettext("This is the last agenda item.")):
        services.agenda_advance(actor=None, conference=live_conference)


def test_the_speaker_queue_grants_declines_and_reorders(live_conference, points, operators):
    services.agenda_advance(actor=None, conference=live_conference)
    sapa = floor.floor_request(actor=operators["sapa"], point=points["088"], topic="Dân vận khéo")
    batxat = floor.floor_request(actor=operators["batxat"], point=points["082"], topic="Tảo hôn")
    floor.floor_reorder(actor=None, conference=live_conference, order=[batxat.pk, sapa.pk])
    assert [r["id"] for r in selectors.live_state(live_conference.pk)["queue"]] == [
        batxat.pk,
        sapa.pk,
    ]
    floor.floor_grant(actor=operators["host"], request=batxat)
    state = selectors.live_state(live_conference.pk)
    assert state["speaking"]["point"] == "Điểm cầu huyện Bát Xát"
    floor.floor_grant(actor=operators["host"], request=sapa)
    batxat.refresh_from_db()
    assert batxat.status == "done" and batxat.item.order == 1
    floor.floor_finish(actor=None, request=sapa, summary="Đề nghị nhân rộng mô hình")
    assert selectors.live_state(live_conference.pk)["speaking"] is None


def test_a_point_cannot_grant_itself_the_floor_or_decline_others(
    live_conference, points, operators
):
    mine = floor.floor_request(actor=operators["sapa"], point=points["088"], topic="Xin ý kiến")
    theirs = floor.floor_request(actor=operators["batxat"], point=points["082"], topic="Ý kiến")
    with refused(PermissionDenied, gettext("Only the host of the conference may do this.")):
        floor.floor_grant(actor=operators["sapa"], request=mine)
    with refused(PermissionDenied, gettext("You may act only for your own bridge point.")):
        floor.floor_decline(actor=operators["sapa"], request=theirs)
    assert floor.floor_decline(actor=operators["sapa"], request=mine).status == "withdrawn"


def test_the_host_points_own_request_taken_back_is_withdrawn_not_declined(
    live_conference, points, operators
):
    host_point = next(p for p in points.values() if p.is_host)
    own = floor.floor_request(actor=operators["host"], point=host_point, topic="Bổ sung")
    other = floor.floor_request(actor=operators["sapa"], point=points["088"], topic="Ý kiến")
    assert floor.floor_decline(actor=operators["host"], request=own).status == "withdrawn"
    assert floor.floor_decline(actor=operators["host"], request=other).status == "declined"


def test_a_point_waits_once(live_conference, points, operators):
    floor.floor_request(actor=operators["sapa"], point=points["088"], topic="Một")
    with refused(ApplicationError, gettext("This point is already waiting for the floor.")):
        floor.floor_request(actor=operators["sapa"], point=points["088"], topic="Hai")


def test_no_floor_before_the_conference_is_live(conference, points, operators):
    with refused(ApplicationError, gettext("The conference is not live.")):
        floor.floor_request(actor=operators["sapa"], point=points["088"], topic="Sớm quá")


# The spotlight -------------------------------------------------------------------------


def test_the_host_puts_a_point_in_the_spotlight_and_takes_it_out(
    live_conference, points, operators
):
    sapa = points["088"]
    services.conference_spotlight(actor=operators["host"], conference=live_conference, point=sapa)
    state = selectors.live_state(live_conference.pk)
    assert state["spotlight"] == {"point_id": sapa.pk, "point": sapa.name}
    services.conference_spotlight(actor=operators["host"], conference=live_conference, point=None)
    assert selectors.live_state(live_conference.pk)["spotlight"] is None
    entries = AuditEntry.objects.filter(action="conference.spotlight").order_by("id")
    assert [(e.before, e.after) for e in entries] == [
        ({"spotlight": None}, {"spotlight": sapa.name}),
        ({"spotlight": sapa.name}, {"spotlight": None}),
    ]


def test_the_host_point_is_not_spotlighted_and_the_end_clears_the_spotlight(
    live_conference, points, operators
):
    host = operators["host"]
    always = gettext("The host point is always shown; choose another point.")
    with refused(ApplicationError, always):
        services.conference_spotlight(actor=host, conference=live_conference, point=points["10"])
    services.conference_spotlight(actor=host, conference=live_conference, point=points["088"])
    ended = services.conference_transition(actor=host, conference=live_conference, action="end")
    assert ended.spotlight is None
    assert selectors.live_state(ended.pk)["spotlight"] is None


def test_only_the_host_and_only_during_the_conference_spotlights(
    conference, points, operators, tree
):
    other = services.conference_create(
        actor=None,
        title="Hội nghị khác",
        organizer=tree["board"],
        kind="thematic",
        start=conference.scheduled_start,
        end=conference.scheduled_end,
    )
    other_conference_point = services.point_add(
        actor=None, conference=other, unit=tree["sapa"], name="Điểm cầu khác"
    )
    with pytest.raises(ApplicationError, match="khi hội nghị đang diễn ra"):
        services.conference_spotlight(
            actor=operators["host"], conference=conference, point=points["088"]
        )
    live = services.conference_transition(actor=None, conference=conference, action="start")
    with refused(PermissionDenied, gettext("Only the host of the conference may do this.")):
        services.conference_spotlight(actor=operators["sapa"], conference=live, point=points["088"])
    with refused(PermissionDenied, gettext("That does not belong to this conference.")):
        services.conference_spotlight(
            actor=operators["host"], conference=live, point=other_conference_point
        )


def _as_deployed(tmp_path):
    """A way for each thread to reach the test's data as the product runs it. PostgreSQL: the
    test database itself. SQLite: the test database is in memory with a shared cache, where a
    second writer is refused at once ("database table is locked") instead of waiting its turn;
    the product's database is a file (WAL, BEGIN IMMEDIATE, a busy timeout). So the data is
    copied into such a file, and each thread opens a connection of its own to it."""
    if connection.vendor != "sqlite":
        return lambda: None, lambda: list(FloorRequest.objects.values_list("position", flat=True))
    import sqlite3

    from django.db import connections

    copy = tmp_path / "giaoban.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    settings = {**connection.settings_dict, "NAME": str(copy)}
    wrapper = type(connections["default"])

    def connect():
        connections["default"] = wrapper(settings, "default")  # this thread's own

    def positions():
        with sqlite3.connect(copy) as db:
            return [row[0] for row in db.execute("SELECT position FROM meetings_floorrequest")]

    return connect, positions


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_each_get_their_own_place(live_conference, points, tree, tmp_path):
    """Requests racing from many points all wait their turn on the conference's row and form one
    queue with distinct positions, on SQLite (one writer at a time) and PostgreSQL alike."""
    from giaoban.meetings.models import BridgePoint
    from giaoban.orgs import services as org_services
    from giaoban.orgs.models import Level, UnitKind

    many = [points["088"], points["082"]]
    for i in range(6):
        unit = org_services.unit_create(
            code=f"9{i}",
            name=f"Xã {i}",
            kind=UnitKind.COMMUNE,
            level=Level.COMMUNE,
            parent=tree["sapa"],
        )
        many.append(
            services.point_add(
                actor=None, conference=live_conference, unit=unit, name=f"Điểm cầu {i}"
            )
        )
    connect, read_positions = _as_deployed(tmp_path)
    errors = []

    def ask(point):
        connect()
        try:
            floor.floor_request(
                actor=None, point=BridgePoint.objects.get(pk=point.pk), topic="Ý kiến"
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(p,)) for p in many]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(read_positions()) == list(range(1, len(many) + 1))


def test_presence_puts_a_point_online_and_offline_and_logs_it(live_conference, points):
    sapa = points["088"]
    presence.console_connected(point_id=sapa.pk, channel="a")
    presence.console_connected(point_id=sapa.pk, channel="b")
    presence.console_disconnected(channel="a")
    sapa.refresh_from_db()
    assert sapa.state == "online"  # another console is still open
    presence.console_disconnected(channel="b")
    sapa.refresh_from_db()
    assert sapa.state == "offline"
    kinds = list(AttendanceEvent.objects.filter(point=sapa).values_list("kind", flat=True))
    assert kinds == ["online", "offline"]


def test_a_silent_console_is_swept_offline(live_conference, points):
    from datetime import timedelta

    from django.utils import timezone

    from giaoban.meetings.models import Connection

    presence.console_connected(point_id=points["088"].pk, channel="quiet")
    Connection.objects.update(seen_at=timezone.now() - timedelta(seconds=10))
    presence.presence_sweep(conference_id=live_conference.pk)
    points["088"].refresh_from_db()
    assert points["088"].state == "offline"


def test_readiness_and_incidents_show_in_the_state(live_conference, points, operators):
    sapa = points["088"]
    for item in sapa.READINESS:
        services.readiness_tick(actor=operators["sapa"], point=sapa, item=item, done=True)
    incident = services.incident_open(actor=operators["sapa"], point=sapa, kind="no_sound")
    state = {p["id"]: p for p in selectors.live_state(live_conference.pk)["points"]}
    assert state[sapa.pk]["ready"] and state[sapa.pk]["open_incidents"] == 1
    services.incident_close(actor=operators["sapa"], incident=incident, action_taken="Thay micro")
    assert {p["id"]: p for p in selectors.live_state(live_conference.pk)["points"]}[sapa.pk][
        "open_incidents"
    ] == 0
    unknown = gettext("Unknown readiness item “%(item)s”.") % {"item": "coffee"}
    with refused(InvalidInput, unknown, field="item"):
        services.readiness_tick(actor=operators["sapa"], point=sapa, item="coffee", done=True)


def test_minutes_refuse_a_stale_revision(live_conference):
    item = live_conference.agenda.first()
    services.minutes_write(actor=None, item=item, text="Đồng chí Chủ trì khai mạc", revision=0)
    with refused(ConcurrentEdit, stale(item.title).message):
        services.minutes_write(actor=None, item=item, text="Bản khác", revision=0)
    item.refresh_from_db()
    assert item.minutes == "Đồng chí Chủ trì khai mạc"


def test_conclusions_are_numbered(live_conference):
    services.conclusion_add(
        actor=None, conference=live_conference, text="Tiếp tục vận động tiêm vắc xin"
    )
    second = services.conclusion_add(
        actor=None, conference=live_conference, text="Xây dựng mô hình dân vận khéo"
    )
    assert second.order == 2


def test_every_change_is_numbered_for_the_consoles(conference):
    before = Conference.objects.get(pk=conference.pk).seq
    services.conference_transition(actor=None, conference=conference, action="start")
    assert Conference.objects.get(pk=conference.pk).seq == before + 1


def test_pings_are_written_in_batches_and_still_keep_a_console_present(live_conference, points):
    from datetime import timedelta

    from django.utils import timezone

    from giaoban.meetings.live.presence import Heartbeats
    from giaoban.meetings.models import Connection

    sapa = points["088"]
    presence.console_connected(point_id=sapa.pk, channel="alive")
    presence.console_connected(point_id=points["082"].pk, channel="gone")
    long_ago = timezone.now() - timedelta(seconds=30)
    Connection.objects.update(seen_at=long_ago)
    beats = Heartbeats()

    # The first ping flushes: it is seen, the silent console is swept, the number is read.
    seq = beats.beat(channel="alive", conference_id=live_conference.pk)
    assert seq == Conference.objects.get(pk=live_conference.pk).seq
    assert Connection.objects.get(channel="alive").seen_at > long_ago
    assert not Connection.objects.filter(channel="gone").exists()
    points["082"].refresh_from_db()
    sapa.refresh_from_db()
    assert (sapa.state, points["082"].state) == ("online", "offline")

    # Pings before the next flush touch no row and answer with the number last read.
    Connection.objects.update(seen_at=long_ago)
    services.agenda_advance(actor=None, conference=live_conference)
    assert beats.beat(channel="alive", conference_id=live_conference.pk) == seq
    assert Connection.objects.get(channel="alive").seen_at == long_ago

    beats.flush({"alive": live_conference.pk})
    assert Connection.objects.get(channel="alive").seen_at > long_ago
    assert beats.beat(channel="alive", conference_id=live_conference.pk) == seq + 1


def test_a_change_message_carries_the_room_and_only_the_points_it_touched(
    live_conference, points, operators
):
    import json

    from giaoban.meetings.live import broadcast as live

    sapa = points["088"]
    services.readiness_tick(actor=operators["sapa"], point=sapa, item="camera_ready", done=True)
    seq = Conference.objects.get(pk=live_conference.pk).seq
    message = json.loads(
        live.change_message(live_conference.pk, seq, "point.readiness", [sapa.pk], [])
    )
    assert (message["type"], message["seq"], message["reason"]) == (
        "change",
        seq,
        "point.readiness",
    )
    assert [p["id"] for p in message["points"]] == [sapa.pk]
    assert message["points"][0]["readiness"]["camera_ready"] is True
    assert "points" not in message["room"] and message["room"]["seq"] == seq
    assert message["items"] == []  # the agenda was not touched: left out (the default is all)
    assert "agenda" not in message["room"]
    everything = json.loads(live.change_message(live_conference.pk, seq, "x", None))
    assert len(everything["points"]) == live_conference.points.count()
    assert len(everything["items"]) == live_conference.agenda.count()
    assert json.loads(live.change_message(live_conference.pk, seq, "x", []))["points"] == []


def test_the_whole_state_is_read_once_per_change_for_consoles_that_connect(
    live_conference, django_assert_max_num_queries
):
    import json

    from giaoban.meetings.live.cache import _StateCache

    cache = _StateCache()
    first = cache.get(live_conference.pk)
    with django_assert_max_num_queries(1):  # the number only
        again = cache.get(live_conference.pk)
    assert again["points"] == first["points"] and again["seq"] == first["seq"]
    services.agenda_advance(actor=None, conference=live_conference)
    after = cache.get(live_conference.pk)
    assert after["seq"] == first["seq"] + 1 and after["current_item"]["order"] == 1
    # As the consoles receive it: encoded once, the clock spliced in fresh.
    message = json.loads(cache.message(live_conference.pk))
    assert (message["type"], message["reason"]) == ("state", "sync")
    assert message["state"] == after | {"server_time": message["state"]["server_time"]}
    assert message["state"]["server_time"] >= after["server_time"]


# After the end ------------------------------------------------------------------------------


def test_at_the_end_the_points_still_connected_go_offline_and_stay_so(live_conference, points):
    sapa = points["088"]
    presence.console_connected(point_id=sapa.pk, channel="sapa")
    services.conference_transition(actor=None, conference=live_conference, action="end")
    sapa.refresh_from_db()
    assert sapa.state == "offline"
    assert AttendanceEvent.objects.filter(point=sapa).values_list("kind", flat=True).last() == (
        "offline"
    )
    presence.console_connected(point_id=sapa.pk, channel="sapa-again")  # a console left open
    sapa.refresh_from_db()
    assert sapa.state == "offline"


def test_nothing_is_added_to_an_ended_conference(live_conference, points, tree):
    services.conference_transition(actor=None, conference=live_conference, action="end")
    live_conference.refresh_from_db()
    sapa = BridgePoint.objects.get(pk=points["088"].pk)
    record = gettext("An ended or cancelled conference is part of the record: it is not changed.")
    attempts = [
        lambda: services.point_add(
            actor=None, conference=live_conference, unit=tree["sapa_ward"], name="Điểm cầu mới"
        ),
        lambda: services.agenda_add(
            actor=None, conference=live_conference, kind="report", title="Mục mới"
        ),
        lambda: services.delegate_add_guest(actor=None, point=sapa, full_name="Lò Văn Hải"),
    ]
    for attempt in attempts:
        with pytest.raises(ApplicationError, match=re.escape(record)):
            attempt()
    assert live_conference.points.count() == 3 and live_conference.agenda.count() == 5


@pytest.mark.parametrize(
    "typed",
    [
        "Lò Văn Hải dự thay",
        "Dự thay: Lò Văn Hải",
        "Lò Văn Hải (dự thay)",
        "Người dự thay - Lò Văn Hải",
    ],
)
def test_who_represents_a_delegate_is_kept_without_the_words_the_pages_add(
    live_conference, points, typed
):
    delegate = services.delegate_add_guest(
        actor=None, point=points["088"], full_name="Nguyễn Văn Nam", designation="Chủ tịch"
    )
    services.rollcall_mark(
        actor=None, delegate=delegate, attendance="represented", represented_by=typed
    )
    delegate.refresh_from_db()
    assert delegate.represented_by == "Lò Văn Hải"
