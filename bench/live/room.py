"""bench.live's conference in the database: the room, its message sizes, its presence.

The one module of bench.live that imports `giaoban.meetings` (its models, services, selectors
and the live room's encoders): when that app's modules move, this is the file to follow them.
"""

import json
import time
import zlib
from dataclasses import dataclass
from types import SimpleNamespace

from bench.live import AGENDA_ITEMS
from giaoban.testing.live_scenario import session_key


def _meetings() -> SimpleNamespace:
    """The live room's modules, imported here and nowhere else in bench.live (Django must be
    set up first, so not at the top of the module)."""
    from giaoban.meetings import models, selectors, services
    from giaoban.meetings.live import broadcast, cache

    return SimpleNamespace(
        broadcast=broadcast, cache=cache, models=models, selectors=selectors, services=services
    )


@dataclass
class Room:
    n: int
    conference_id: int
    host_cookie: str
    cookies: list[str]
    items: list[int]
    seq: int = 0  # the conference's seq when the room was ready


_rooms = 0


def _host_side(tag: str, n: int, password: str):
    """The province, its board, the host operator, the conference with its host point and
    agenda; returns (province, board, host user, conference, agenda item ids)."""
    from datetime import UTC, datetime, timedelta

    from django.contrib.auth import get_user_model

    from giaoban.orgs.models import Level, Membership, Organization, OrgKind, Role, Unit, UnitKind

    services = _meetings().services
    province = Unit.objects.create(
        code=f"P{tag}", name=f"Tỉnh thử {tag}", kind=UnitKind.PROVINCE, level=Level.PROVINCE
    )
    province.path = f"/{province.pk}/"
    province.save(update_fields=["path"])
    board = Organization.objects.create(
        name=f"Ban Dân vận Tỉnh ủy thử {tag}", kind=OrgKind.MOBILIZATION_BOARD, unit=province
    )
    host = get_user_model().objects.create(username=f"host_{tag}", password=password)
    Membership.objects.create(user=host, organization=board, role=Role.OPERATOR)
    start = datetime.now(UTC)
    conference = services.conference_create(
        actor=None,
        title=f"Hội nghị giao ban trực tuyến ({n} điểm cầu)",
        organizer=board,
        kind="monthly",
        start=start,
        end=start + timedelta(hours=3),
    )
    services.point_add(
        actor=None,
        conference=conference,
        unit=province,
        name="Điểm cầu chính",
        is_host=True,
        operator=host,
    )
    items = [
        services.agenda_add(
            actor=None,
            conference=conference,
            kind="report" if i else "opening",
            title=f"Nội dung {i + 1}: báo cáo, tham luận của các địa phương",
            presenter="Đồng chí Trưởng ban",
        ).pk
        for i in range(AGENDA_ITEMS)
    ]
    return province, board, host, conference, items


def _points(tag: str, n: int, password: str, province, board, conference, online: bool):
    """n communes, each with its board, its operator and its bridge point; the operators."""
    from django.contrib.auth import get_user_model

    from giaoban.orgs.models import Level, Membership, Organization, OrgKind, Role, Unit, UnitKind

    models = _meetings().models
    communes = Unit.objects.bulk_create(
        Unit(
            code=f"{tag}-{i:05d}",
            name=f"Xã Thử Nghiệm {i + 1}",
            kind=UnitKind.COMMUNE,
            level=Level.COMMUNE,
            parent=province,
        )
        for i in range(n)
    )
    for unit in communes:
        unit.path = f"{province.path}{unit.pk}/"
    Unit.objects.bulk_update(communes, ["path"], batch_size=1000)
    orgs = Organization.objects.bulk_create(
        Organization(
            name=f"Ban Dân vận Đảng ủy xã Thử Nghiệm {i + 1}",
            kind=OrgKind.MOBILIZATION_BOARD,
            unit=unit,
            parent=board,
        )
        for i, unit in enumerate(communes)
    )
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"op_{tag}_{i:05d}", password=password) for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(user=user, organization=org, role=Role.OPERATOR)
        for user, org in zip(users, orgs, strict=True)
    )
    state = models.PointState.ONLINE if online else models.PointState.INVITED
    models.BridgePoint.objects.bulk_create(
        models.BridgePoint(
            conference=conference,
            unit=unit,
            name=f"Điểm cầu xã Thử Nghiệm {i + 1}",
            location="Hội trường Đảng ủy xã",
            operator=user,
            order=i + 2,
            state=state,
        )
        for i, (unit, user) in enumerate(zip(communes, users, strict=True))
    )
    return users


def make_room(n: int, *, online: bool) -> Room:
    """A live conference with a host point and n bridge points, each with its own operator (an
    operator membership at the commune's mobilization board) logged in by a session."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    global _rooms
    _rooms += 1
    tag = f"r{_rooms}"
    password = make_password(None)  # unusable: these users only ever hold a session
    with transaction.atomic():
        province, board, host, conference, items = _host_side(tag, n, password)
        users = _points(tag, n, password, province, board, conference, online)
        room = Room(n, conference.pk, session_key(host), [session_key(u) for u in users], items)
    _meetings().services.conference_transition(actor=None, conference=conference, action="start")
    room.seq = _meetings().models.Conference.objects.get(pk=conference.pk).seq
    return room


def room_texts(room: Room) -> dict:
    """What a point's console receives on connecting (the compact view above
    LIVE_ALL_POINTS_UP_TO points, the whole state below), and the change of "next agenda item"
    as agenda_advance publishes it (no point, the item closed and the item opened)."""
    meetings = _meetings()
    point = (
        _meetings()
        .models.BridgePoint.objects.filter(conference_id=room.conference_id, is_host=False)
        .first()
    )
    seq = _meetings().models.Conference.objects.get(pk=room.conference_id).seq
    return {
        "connect": meetings.cache.state_cache.message(room.conference_id, point.pk),
        "change": meetings.broadcast.change_message(
            room.conference_id, seq, "agenda.advanced", [], room.items[:2]
        ),
    }


def state_sizes(room: Room) -> dict:
    """The change message of "next agenda item" as meetings.live.broadcast sends it (json.dumps),
    deflated as uvicorn's websockets does for a browser (12-bit window, memLevel 5), and the
    whole state a console receives on connecting."""
    started = time.perf_counter()
    state = _meetings().selectors.live_state(room.conference_id)
    ms = (time.perf_counter() - started) * 1000
    whole = json.dumps({"type": "state", "reason": "sync", "state": state}).encode()
    texts = room_texts(room)
    text = texts["change"].encode()
    deflate = zlib.compressobj(wbits=-12, memLevel=5)
    packed = deflate.compress(text) + deflate.flush(zlib.Z_SYNC_FLUSH)
    return {
        "bytes": len(text),
        "deflated": len(packed),
        "whole_bytes": len(whole),
        "point_connect_bytes": len(texts["connect"].encode()),
        "live_state_ms": ms,
    }


def fresh_presence(room: Room) -> None:
    """Mark every console of the room as just seen, as if it had pinged: the ping probe then
    measures one ping, not the sweep that a console silent for 9 s (SILENT_AFTER) would set off
    (its point goes offline, and the whole state is published once per point)."""
    from django.utils import timezone

    _meetings().models.Connection.objects.filter(point__conference_id=room.conference_id).update(
        seen_at=timezone.now()
    )


def room_events(room: Room) -> tuple[int, int]:
    """How many states the room published (its seq) and how many times a point went offline."""
    models = _meetings().models
    seq = models.Conference.objects.get(pk=room.conference_id).seq
    offline = models.AttendanceEvent.objects.filter(
        conference_id=room.conference_id, kind=models.AttendanceEventKind.OFFLINE
    ).count()
    return seq - room.seq, offline
