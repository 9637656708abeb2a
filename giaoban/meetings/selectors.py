"""Reads of the meetings app: conferences a user may see, and the live state of one."""

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.errors import NotFound
from giaoban.meetings.access import conference_filter
from giaoban.meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceEvent,
    BridgePoint,
    Conference,
    Delegate,
    FloorRequest,
    FloorStatus,
    PointState,
)


def conferences_visible(*, user) -> QuerySet[Conference]:
    ids = Conference.objects.filter(conference_filter(user)).values("pk")
    return Conference.objects.filter(pk__in=ids).select_related("organizer", "chair")


def conference_get(*, user, pk: int) -> Conference:
    conference = conferences_visible(user=user).filter(pk=pk).first()
    if conference is None:
        raise NotFound(_("No such conference, or you may not see it."))
    return conference


def conferences_on(*, user, day) -> QuerySet[Conference]:
    return conferences_visible(user=user).filter(
        scheduled_start__date__lte=day, scheduled_end__date__gte=day
    )


def _iso(moment):
    return moment.isoformat() if moment else None


def _item(item):
    if item is None:
        return None
    return {
        "id": item.pk,
        "order": item.order,
        "kind": item.kind,
        "title": item.title,
        "presenter": item.presenter,
        "notes": item.notes,
        "planned_minutes": item.planned_minutes,
        "started_at": _iso(item.started_at),
        "ended_at": _iso(item.ended_at),
    }


def points_state(conference_id: int, ids=None) -> list[dict]:
    """The bridge points as consoles draw them; only those in `ids` when given."""
    points = BridgePoint.objects.filter(conference_id=conference_id)
    if ids is not None:
        points = points.filter(pk__in=ids)
    points = points.annotate(
        invited=Count("delegates", distinct=True),
        present=Count(
            "delegates", filter=Q(delegates__attendance=Attendance.PRESENT), distinct=True
        ),
        open_incidents=Count(
            "incidents", filter=Q(incidents__ended_at__isnull=True), distinct=True
        ),
    ).order_by("-is_host", "order", "id")
    return [
        {
            "id": p.pk,
            "order": p.order,
            "name": p.name,
            "is_host": p.is_host,
            "state": p.state,
            "confirmed": p.confirmed_at is not None,
            "ready": p.is_ready,
            "readiness": {name: getattr(p, name) for name in BridgePoint.READINESS},
            "invited": p.invited,
            "present": p.present,
            "open_incidents": p.open_incidents,
        }
        for p in points
    ]


def attendance_counts(conference_id: int, point_id: int | None = None) -> dict:
    delegates = Delegate.objects.filter(point__conference_id=conference_id)
    if point_id:
        delegates = delegates.filter(point_id=point_id)
    counts = dict(delegates.values_list("attendance").annotate(n=Count("id")))
    total = sum(counts.values())
    return {kind: counts.get(kind, 0) for kind in Attendance.values} | {"total": total}


def points_counts(conference_id: int) -> dict:
    """How many bridge points the conference has and how many are online: what a console that
    does not receive every point's tile shows."""
    counts = BridgePoint.objects.filter(conference_id=conference_id).aggregate(
        total=Count("id"), online=Count("id", filter=Q(state=PointState.ONLINE))
    )
    return {"points_total": counts["total"], "points_online": counts["online"]}


def compact_host(conference_id: int) -> int | None:
    """The host point's id when the conference has more points than LIVE_ALL_POINTS_UP_TO, so
    that a point's console receives only the host's tile and its own; else None (every tile)."""
    points = BridgePoint.objects.filter(conference_id=conference_id)
    if points.count() <= settings.LIVE_ALL_POINTS_UP_TO:
        return None
    return points.filter(is_host=True).values_list("pk", flat=True).first() or 0


def _queue(conference_id: int) -> list[dict]:
    active = FloorRequest.objects.filter(
        conference_id=conference_id, status__in=[FloorStatus.WAITING, FloorStatus.SPEAKING]
    ).select_related("point")
    return [
        {
            "id": r.pk,
            "point_id": r.point_id,
            "point": r.point.name,
            "topic": r.topic,
            "speaker": r.speaker,
            "status": r.status,
            "requested_at": _iso(r.requested_at),
            "granted_at": _iso(r.granted_at),
        }
        for r in active.order_by("position", "id")
    ]


def agenda_state(conference_id: int, ids=None) -> list[dict]:
    """The agenda items in order; only those in `ids` when given."""
    items = AgendaItem.objects.filter(conference_id=conference_id)
    if ids is not None:
        items = items.filter(pk__in=ids)
    return [_item(i) for i in items.order_by("order", "id")]


def room_state(conference_id: int, agenda: bool = True) -> dict:
    """Everything a console shows but the bridge points (and, with `agenda=False`, the agenda
    items, for changes that carry only those they touched): a size that does not grow."""
    conference = Conference.objects.select_related("current_item", "chair", "spotlight").get(
        pk=conference_id
    )
    queue = _queue(conference_id)
    return {
        "id": conference.pk,
        "seq": conference.seq,
        "title": conference.title,
        "status": conference.status,
        "status_label": conference.get_status_display(),
        "chair": conference.chair.full_name if conference.chair else "",
        "current_item": _item(conference.current_item),
        "spotlight": (
            {"point_id": conference.spotlight_id, "point": conference.spotlight.name}
            if conference.spotlight
            else None
        ),
        "attendance": attendance_counts(conference_id),
        **points_counts(conference_id),
        "queue": [r for r in queue if r["status"] == FloorStatus.WAITING],
        "speaking": next((r for r in queue if r["status"] == FloorStatus.SPEAKING), None),
        "server_time": _iso(timezone.now()),
    } | ({"agenda": agenda_state(conference_id)} if agenda else {})


def live_state(conference_id: int) -> dict:
    """Everything a console shows, as plain JSON; the server's truth at this moment. The room is
    read before the points, so the points are at least as new as the number it carries."""
    return room_state(conference_id) | {"points": points_state(conference_id)}


def attendance_log(conference: Conference) -> QuerySet[AttendanceEvent]:
    return conference.attendance_log.select_related("point", "delegate", "by")
