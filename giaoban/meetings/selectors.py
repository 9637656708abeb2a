"""Reads of the meetings app: conferences a user may see, what their pages show, and the live
state of one."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.errors import NotFound
from giaoban.core.models import AuditEntry
from giaoban.core.text import fold
from giaoban.meetings.access import (
    Role,
    conference_filter,
    conference_role,
    require_host,
    require_participant,
    require_point,
)
from giaoban.meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceEvent,
    BridgePoint,
    Conference,
    Delegate,
    FloorRequest,
    FloorStatus,
    Incident,
    PointState,
)
from giaoban.orgs.models import Level, Organization, Person, Unit
from giaoban.orgs.selectors import person_search

#: Vietnam's clock: every time a record of a briefing shows, whatever the server's zone.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

#: Who the roll call counts as present: the delegates checked in. A delegate represented by
#: someone else is counted apart ("có người dự thay"), as the console and the workbook show it.
PRESENT = Attendance.PRESENT


@dataclass(frozen=True)
class RollCall:
    """A point's (or several points') roll call, as the console, the workbook and the minutes
    give it."""

    invited: int = 0
    present: int = 0
    represented: int = 0
    absent: int = 0
    unknown: int = 0

    @property
    def taken(self) -> bool:
        """Whether anyone has been checked (present, absent or represented) yet."""
        return self.unknown < self.invited

    def __add__(self, other: "RollCall") -> "RollCall":
        pairs = zip(vars(self).values(), vars(other).values(), strict=True)
        return RollCall(*(a + b for a, b in pairs))


def roll_call(delegates) -> RollCall:
    """The roll call of these delegates (e.g. `point.delegates.all()`, prefetched or not)."""
    kinds = [d.attendance for d in delegates]
    return RollCall(
        invited=len(kinds),
        present=kinds.count(PRESENT),
        represented=kinds.count(Attendance.REPRESENTED),
        absent=kinds.count(Attendance.ABSENT),
        unknown=kinds.count(Attendance.UNKNOWN),
    )


def attending(delegates) -> list[Delegate]:
    """Who a document says attended a point: the delegates checked in once the roll call is
    taken (not the absent, nor those someone else stood in for, nor those not yet checked); every
    delegate invited while it has not been taken (a briefing recorded from a text)."""
    delegates = list(delegates)
    if not roll_call(delegates).taken:
        return delegates
    return [d for d in delegates if d.attendance == PRESENT]


@dataclass(frozen=True)
class Held:
    """When a conference ran, from its record; `as_scheduled` when the record has no run (not
    started yet, or recorded afterwards from a text): then the schedule's times are given."""

    start: datetime
    end: datetime | None
    as_scheduled: bool


def conference_held(conference: Conference) -> Held:
    """The start is the moment the host started it (its audit entry), else the first agenda item
    opened; the end is the moment it was ended. Both are instants: show them in `VIETNAM`."""
    steps = AuditEntry.objects.filter(
        object_type=Conference._meta.label_lower,
        object_id=str(conference.pk),
        action__in=["conference.start", "conference.end"],
    )
    moments = dict(steps.order_by("-at").values_list("action", "at"))  # the earliest wins
    started = moments.get("conference.start")
    if started is None:
        first = conference.agenda.exclude(started_at=None).order_by("started_at").first()
        started = first.started_at if first else None
    if started is None:
        ended = conference.scheduled_end if conference.status == "ended" else None
        return Held(conference.scheduled_start, ended, as_scheduled=True)
    ended = moments.get("conference.end")
    if ended is None and conference.status == "ended":
        ended = conference.status_changed_at
    return Held(started, ended, as_scheduled=False)


def conferences_visible(*, user) -> QuerySet[Conference]:
    ids = Conference.objects.filter(conference_filter(user)).values("pk")
    return Conference.objects.filter(pk__in=ids).select_related("organizer", "chair")


def conference_get(*, user, pk: int) -> Conference:
    conference = conferences_visible(user=user).filter(pk=pk).first()
    if conference is None:
        raise NotFound(_("No such conference, or you may not see it."))
    return conference


def conference_for(*, user, pk: int, host: bool = False) -> tuple[Conference, Role]:
    """A conference the user may see, with their role in it (404 for anyone else); with
    `host`, a page of the host side's (403 for the other participants)."""
    conference = Conference.objects.select_related("organizer", "chair").filter(pk=pk).first()
    role = conference_role(user, conference) if conference else None
    if role is None:
        raise NotFound(_("No such conference, or you may not see it."))
    if host:
        require_host(user, conference)
    return conference, role


def point_for(*, user, pk: int) -> tuple[BridgePoint, Role]:
    """A bridge point of a conference the user may see, with their role in that conference."""
    point = BridgePoint.objects.select_related("conference").filter(pk=pk).first()
    role = conference_role(user, point.conference) if point else None
    if role is None:
        raise NotFound(_("No such bridge point, or you may not see it."))
    return point, role


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
        present=Count("delegates", filter=Q(delegates__attendance=PRESENT), distinct=True),
        open_incidents=Count(
            "incidents", filter=Q(incidents__ended_at__isnull=True), distinct=True
        ),
    ).order_by(*BridgePoint._meta.ordering)  # an aggregate drops the default ordering
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


# What the conference pages show ------------------------------------------------------------


def conference_rows(*, user) -> QuerySet[Conference]:
    """The conference list: newest first, with the organizer's unit and the number of points."""
    return (
        conferences_visible(user=user)
        .select_related("organizer__unit")
        .annotate(point_count=Count("points"))
        .order_by("-scheduled_start", "-pk")
    )


def points_with_delegates(conference: Conference) -> list[BridgePoint]:
    """The record's points, each with its delegates and how many readiness items are ticked."""
    points = list(
        conference.points.select_related("unit", "operator").prefetch_related("delegates")
    )
    for point in points:
        point.ready_count = sum(bool(getattr(point, name)) for name in BridgePoint.READINESS)
    return points


def agenda_with_documents(conference: Conference) -> QuerySet[AgendaItem]:
    return conference.agenda.prefetch_related("documents")


def items_with_documents(conference: Conference) -> QuerySet[AgendaItem]:
    """The agenda items that have documents attached, with them (a console's documents list)."""
    items = conference.agenda.annotate(n=Count("documents")).filter(n__gt=0)
    return items.order_by("order").prefetch_related("documents")


def minutes_items(conference: Conference) -> QuerySet[AgendaItem]:
    """The agenda with each item's finished turns at the floor, for the minutes page."""
    done = FloorRequest.objects.filter(status=FloorStatus.DONE).select_related("point")
    return conference.agenda.prefetch_related(Prefetch("contributions", queryset=done))


def incidents_of(conference: Conference) -> QuerySet[Incident]:
    return Incident.objects.filter(point__conference=conference).select_related("point")


def point_in(conference: Conference, pk) -> BridgePoint:
    """A bridge point of this conference (404 otherwise)."""
    point = conference.points.filter(pk=pk).select_related("unit").first() if pk else None
    if point is None:
        raise NotFound(_("No such bridge point in this conference."))
    return point


def item_in(conference: Conference, pk) -> AgendaItem:
    return _one_of(conference.agenda, pk)


def delegate_in(*, user, conference: Conference, pk) -> Delegate:
    """A delegate of this conference whom the user may act for (their point's, or the host)."""
    delegate = _one_of(
        Delegate.objects.filter(point__conference=conference).select_related("point"), pk
    )
    require_point(user, delegate.point)
    return delegate


def _one_of(rows, pk):
    found = rows.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("That does not belong to this conference."))
    return found


def guest_points(*, user, conference: Conference) -> QuerySet[BridgePoint]:
    """Where the user may add a guest: any point for the host side, their own for a point."""
    role = require_participant(user, conference)
    points = conference.points.all()
    return points if role.is_host else points.filter(pk=role.point_id)


def console_point(*, user, conference: Conference, wanted: str = "") -> tuple[BridgePoint, bool]:
    """The point whose console the user opens, and whether it is read-only: a point's operator
    opens their own; the host any point's (`wanted`, else the host point), read-only but their
    own."""
    role = require_participant(user, conference)
    if not role.is_host:
        return point_in(conference, role.point_id), False
    if wanted.isdigit():
        point = point_in(conference, int(wanted))
    else:
        point = conference.points.first()
        if point is None:
            raise NotFound(_("This conference has no bridge point yet."))
    return point, not point.is_host


def point_attendance(*, user, point: BridgePoint) -> dict:
    """A point's delegates and their attendance, for its console (the point's or the host's)."""
    require_point(user, point)
    return {
        "point": point.pk,
        "delegates": [
            {
                "id": d.pk,
                "full_name": d.full_name,
                "designation": d.designation,
                "is_guest": d.is_guest,
                "attendance": d.attendance,
                "attendance_label": d.get_attendance_display(),
                "absence_reason": d.absence_reason,
                "represented_by": d.represented_by,
            }
            for d in point.delegates.all()
        ],
        "counts": attendance_counts(point.conference_id, point.pk),
    }


# The choices of the conference forms --------------------------------------------------------


def form_choices(*, user) -> dict:
    """The report forms, periods and people (as chair) the conference form offers."""
    from giaoban.reporting.models import Period, ReportForm

    people = Person.objects.visible_to(user).prefetch_related("positions").order_by("full_name")
    return {
        "report_forms": ReportForm.objects.all(),
        "periods": Period.objects.all(),
        "people": people,
    }


def organizers_for(*, user) -> QuerySet[Organization]:
    return Organization.objects.editable_by(user).select_related("unit").order_by("name")


def people_found(*, user, query: str) -> QuerySet[Person]:
    """At most 20 people the user may see whose name matches `query` (none for no query)."""
    if not query.strip():
        return Person.objects.none()
    ids = [p.pk for p in person_search(user=user, text=query, limit=20)]
    return Person.objects.filter(pk__in=ids).prefetch_related("positions").order_by("full_name")


def people_invitable(*, user) -> QuerySet[Person]:
    return Person.objects.visible_to(user).prefetch_related("positions")


def operators_for(*, user):
    """The active accounts of the organizations the user sees: who may operate a point."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, membership__organization__in=Organization.objects.visible_to(user)
        )
        .select_related("membership__organization")
        .order_by("username")
    )


def point_units(*, user, conference: Conference) -> QuerySet[Unit]:
    """The units a bridge point may be at: those the user sees, valid on the conference's day,
    above the village."""
    units = Unit.objects.visible_to(user).on(conference.day)
    return units.exclude(level=Level.VILLAGE).order_by("path")


# Inviting at scale -------------------------------------------------------------------------


def invite_parents(*, user, conference: Conference) -> QuerySet[Unit]:
    """The units under which the host may invite every unit of a level: those the user sees,
    valid on the conference's day, above the commune."""
    units = Unit.objects.visible_to(user).on(conference.day)
    return units.filter(level__lt=Level.COMMUNE).order_by("path")


def copy_sources(*, user, conference: Conference) -> QuerySet[Conference]:
    """The organizer's other conferences the user sees, newest first: where to copy from."""
    others = conferences_visible(user=user).filter(organizer_id=conference.organizer_id)
    return others.exclude(pk=conference.pk).order_by("-scheduled_start", "-pk")


def points_matching(search: str) -> Q:
    """Bridge points whose unit's folded name holds `search` (case and diacritics ignored:
    "ban qua" finds "Xã Bản Qua") or whose own name does (case ignored)."""
    return Q(unit__search_key__contains=fold(search)) | Q(name__icontains=search)


def record_points_page(conference: Conference, number, per_page: int = 50, search: str = ""):
    """One page of the record's points with their delegates (a national briefing has
    thousands: the conference page shows them a page at a time), or of those `search` finds."""
    from django.core.paginator import Paginator

    rows = conference.points.select_related("unit", "operator").prefetch_related("delegates")
    if search:
        rows = rows.filter(points_matching(search))
    page = Paginator(rows.order_by(*BridgePoint._meta.ordering), per_page).get_page(number)
    for point in page.object_list:
        point.ready_count = sum(bool(getattr(point, name)) for name in BridgePoint.READINESS)
    return page
