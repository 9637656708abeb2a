"""Writes of the meetings app. Each action checks the conference's state and the actor's role,
writes its audit or attendance record, and publishes the new live state."""

import re
from datetime import datetime

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.audit import audit_record, snapshot
from giaoban.core.errors import ApplicationError, InvalidInput, PermissionDenied
from giaoban.core.limits import check_lengths
from giaoban.core.locking import save_revised
from giaoban.core.text import fold, nfc, nfc_text
from giaoban.meetings import signals
from giaoban.meetings.access import require_host, require_point
from giaoban.meetings.live import broadcast
from giaoban.meetings.models import (
    OPEN,
    AgendaItem,
    Attendance,
    AttendanceEvent,
    AttendanceEventKind,
    BridgePoint,
    Conclusion,
    Conference,
    ConferenceStatus,
    Delegate,
    Incident,
    IncidentKind,
    PointState,
)
from giaoban.meetings.signals import conference_created

S = ConferenceStatus


def _locked(conference: Conference) -> Conference:
    return Conference.objects.select_for_update().get(pk=conference.pk)


# Setting up ------------------------------------------------------------------------------


@transaction.atomic
def conference_create(
    *,
    actor,
    title: str,
    organizer,
    kind: str,
    start: datetime,
    end: datetime,
    report_form=None,
    period=None,
    chair=None,
    series: str = "",
    secretary_name: str = "",
    secretary=None,
) -> Conference:
    if end <= start:
        raise InvalidInput({"scheduled_end": _("The end is before the start.")})
    minutes_writer = _secretary(secretary_name, secretary)
    if actor is not None:
        from giaoban.orgs.access import can_edit, edit_filter
        from giaoban.orgs.models import Organization

        if (
            not can_edit(actor)
            or not Organization.objects.filter(
                edit_filter(actor, "unit__"), pk=organizer.pk
            ).exists()
        ):
            raise PermissionDenied(
                _("You may not organize a conference for %(org)s.") % {"org": organizer.name}
            )
    conference = Conference.objects.create(
        title=nfc(title),
        search_key=fold(title),
        organizer=organizer,
        kind=kind,
        scheduled_start=start,
        scheduled_end=end,
        report_form=report_form,
        period=period,
        chair=chair,
        series=nfc(series),
        **minutes_writer,
    )
    conference_created.send(sender=Conference, conference=conference, actor=actor)
    audit_record(
        actor=actor,
        action="conference.create",
        instance=conference,
        after={"title": conference.title},
    )
    return conference


@transaction.atomic
def point_add(
    *, actor, conference, unit, name: str, is_host: bool = False, location: str = "", operator=None
) -> BridgePoint:
    require_host(actor, conference)
    _require_open(conference)
    if is_host and conference.points.filter(is_host=True).exists():
        raise ApplicationError(_("This conference already has a host point."))
    order = (conference.points.aggregate(m=Max("order"))["m"] or 0) + 1
    point = BridgePoint.objects.create(
        conference=conference,
        unit=unit,
        name=nfc(name),
        is_host=is_host,
        location=nfc(location),
        operator=operator,
        order=order,
    )
    broadcast.publish(conference, "point.added", points=[point.pk], items=())
    return point


def _revise(
    actor, instance, revision: int, values: dict, *, fields: list[str], action: str, rows=None
):
    """Save `values` on `instance` with optimistic locking while its conference is open (or is
    among `rows`), and audit the named fields before and after."""
    before = snapshot(instance, fields)
    model = type(instance)
    status = "status" if model is Conference else "conference__status"
    rows = model.objects.filter(**{f"{status}__in": OPEN}) if rows is None else rows
    name = instance.title if model is AgendaItem else str(instance)
    save_revised(rows, instance.pk, revision, values, name=name)
    instance.refresh_from_db()
    audit_record(
        actor=actor,
        action=action,
        instance=instance,
        before=before,
        after=snapshot(instance, fields),
    )
    return before


def _require_open(conference: Conference) -> None:
    if not conference.is_open:
        raise ApplicationError(
            _("An ended or cancelled conference is part of the record: it is not changed.")
        )


_POINT_FIELDS = ["name", "location", "operator_id"]


@transaction.atomic
def point_update(
    *, actor, point: BridgePoint, revision: int, name: str, location: str = "", operator=None
) -> BridgePoint:
    """Rename a bridge point, change its room or its operator; a stale page is refused."""
    conference = point.conference
    require_host(actor, conference)
    _require_open(conference)
    values = {"name": nfc(name), "location": nfc(location), "operator": operator}
    before = _revise(actor, point, revision, values, fields=_POINT_FIELDS, action="point.update")
    if point.operator_id != before["operator_id"]:
        # The former operator's open consoles act for the point no more.
        broadcast.consoles_close(list(point.connections.values_list("channel", flat=True)))
    broadcast.publish(conference, "point.updated", points=[point.pk], items=())
    return point


@transaction.atomic
def point_remove(*, actor, point: BridgePoint) -> None:
    """Take a point (with its invited delegates) out of a conference that has not started."""
    conference = _locked(point.conference)
    require_host(actor, conference)
    if conference.status != S.PLANNED:
        raise ApplicationError(
            _("A bridge point can be removed only before the conference starts.")
        )
    if point.is_host:
        raise ApplicationError(_("The host point cannot be removed."))
    marked = point.delegates.exclude(attendance=Attendance.UNKNOWN).exists()
    if marked or AttendanceEvent.objects.filter(point=point).exists():
        raise ApplicationError(
            _("This point already has attendance on record: it stays in the conference.")
        )
    audit_record(
        actor=actor,
        action="point.remove",
        instance=point,
        before=snapshot(point, ["name", "unit_id", "location", "operator_id"])
        | {"delegates": point.delegates.count()},
    )
    point.delete()
    broadcast.publish(conference, "point.removed", points=(), items=())


@transaction.atomic
def delegate_invite(*, actor, point: BridgePoint, person, order: int | None = None) -> Delegate:
    """Invite a person with their designation as of the conference's day, kept as it was."""
    require_host(actor, point.conference)
    _require_open(point.conference)
    day = point.conference.day
    person = type(person).objects.prefetch_related("positions").get(pk=person.pk)
    delegate = Delegate.objects.create(
        point=point,
        person=person,
        full_name=person.full_name,
        designation=person.designation(day),
        order=order if order is not None else point.delegates.count() + 1,
    )
    broadcast.publish(point.conference, "delegate.added", points=[point.pk], items=())
    return delegate


@transaction.atomic
def delegate_add_guest(
    *, actor, point: BridgePoint, full_name: str, designation: str = ""
) -> Delegate:
    require_point(actor, point)
    _require_open(point.conference)
    full_name = nfc(full_name)
    if len(full_name.split()) < 2:
        raise InvalidInput({"full_name": _("Write the full name: family name and given name.")})
    delegate = Delegate.objects.create(
        point=point,
        full_name=full_name,
        designation=nfc(designation) or full_name,
        is_guest=True,
        order=point.delegates.count() + 1,
    )
    broadcast.publish(point.conference, "delegate.added", points=[point.pk], items=())
    return delegate


@transaction.atomic
def delegate_remove(*, actor, delegate: Delegate) -> None:
    """Take a delegate off a point's list (invited by mistake, a guest written twice) while the
    roll call has not marked them: once marked, they are part of the record."""
    point = delegate.point
    require_point(actor, point)
    _require_open(point.conference)
    audit_record(
        actor=actor,
        action="delegate.remove",
        instance=delegate,
        before=snapshot(delegate, ["full_name", "designation", "is_guest", "point_id"]),
    )
    # Deleted only if still unmarked, checked in the DELETE itself: a roll call committed
    # meanwhile wins, and this transaction (the audit entry with it) goes back.
    unmarked = Delegate.objects.filter(pk=delegate.pk, attendance=Attendance.UNKNOWN)
    if not unmarked.delete()[0]:
        raise ApplicationError(
            _("The roll call has marked this delegate: they stay in the record.")
        )
    broadcast.publish(point.conference, "delegate.removed", points=[point.pk], items=())


#: What conference_update changes, as the audit log records it.
_PARTICULARS = [
    "title",
    "kind",
    "series",
    "scheduled_start",
    "scheduled_end",
    "report_form_id",
    "period_id",
    "chair_id",
    "secretary_name",
    "secretary_id",
]


@transaction.atomic
def conference_update(
    *,
    actor,
    conference: Conference,
    revision: int,
    title: str,
    kind: str,
    start: datetime,
    end: datetime,
    report_form=None,
    period=None,
    chair=None,
    series: str = "",
    secretary_name: str = "",
    secretary=None,
) -> Conference:
    """Change a planned or live conference's particulars (a briefing is often moved). An edit
    made on a page opened before someone else's saved change is refused, its input kept."""
    require_host(actor, conference)
    _require_open(conference)
    if end <= start:
        raise InvalidInput({"scheduled_end": _("The end is before the start.")})
    minutes_writer = _secretary(secretary_name, secretary)
    values = {
        "title": nfc(title),
        "search_key": fold(title),
        "kind": kind,
        "series": nfc(series),
        "scheduled_start": start,
        "scheduled_end": end,
        "report_form": report_form,
        "period": period,
        "chair": chair,
        **minutes_writer,
    }
    _revise(actor, conference, revision, values, fields=_PARTICULARS, action="conference.update")
    broadcast.publish(conference, "conference.updated", points=(), items=())
    return conference


def _secretary(name: str, person) -> dict:
    """The secretary's fields: the name as typed, or the chosen person's from the registry. A
    typed name that is not the chosen person's is refused: which of the two was meant?"""
    name = nfc(name or "")
    if person is not None:
        if name and fold(name) != fold(person.full_name):
            raise InvalidInput(
                {
                    "secretary_name": _(
                        "The secretary's name is not that of the person chosen (%(name)s): "
                        "clear one of the two."
                    )
                    % {"name": person.full_name}
                }
            )
        name = person.full_name
    check_lengths(Conference, secretary_name=name)
    return {"secretary_name": name, "secretary": person}


@transaction.atomic
def conference_secretary_set(
    *, actor, conference: Conference, revision: int, name: str = "", person=None
) -> Conference:
    """Record who writes the minutes and signs them beside the chair. Like the minutes, it may be
    set after the conference ended (they are finished after it); a cancelled one has none."""
    require_host(actor, conference)
    if conference.status == S.CANCELLED:
        raise ApplicationError(_("A cancelled conference has no minutes to sign."))
    _revise(
        actor,
        conference,
        revision,
        _secretary(name, person),
        fields=["secretary_name", "secretary_id"],
        action="conference.secretary",
        rows=Conference.objects.exclude(status=S.CANCELLED),
    )
    broadcast.publish(conference, "conference.updated", points=(), items=())
    return conference


@transaction.atomic
def conference_spotlight(*, actor, conference: Conference, point: BridgePoint | None) -> Conference:
    """The host puts one point's picture before every point (the large place beside the host's
    on their consoles), or takes it away with `point=None`. Its sound follows the microphones'
    rules as always: the spotlight shows a point, the floor lets it speak."""
    require_host(actor, conference)
    conference = _locked(conference)
    if conference.status != S.LIVE:
        raise ApplicationError(_("A point can be put in the spotlight only during the conference."))
    if point is not None and point.conference_id != conference.pk:
        raise PermissionDenied(_("That does not belong to this conference."))
    if point is not None and point.is_host:
        raise ApplicationError(_("The host point is always shown; choose another point."))
    before = conference.spotlight.name if conference.spotlight else None
    conference.spotlight = point
    conference.save(update_fields=["spotlight"])
    audit_record(
        actor=actor,
        action="conference.spotlight",
        instance=conference,
        before={"spotlight": before},
        after={"spotlight": point.name if point else None},
    )
    broadcast.publish(conference, "spotlight", points=(), items=())
    return conference


@transaction.atomic
def agenda_add(
    *,
    actor,
    conference,
    kind: str,
    title: str,
    presenter: str = "",
    planned_minutes: int = 10,
    notes: str = "",
) -> AgendaItem:
    require_host(actor, conference)
    _require_open(conference)
    if not 1 <= planned_minutes <= 600:
        raise InvalidInput({"planned_minutes": _("Planned minutes must be between 1 and 600.")})
    order = (conference.agenda.aggregate(m=Max("order"))["m"] or 0) + 1
    item = AgendaItem.objects.create(
        conference=conference,
        order=order,
        kind=kind,
        title=nfc(title),
        presenter=nfc(presenter),
        planned_minutes=planned_minutes,
        notes=nfc_text(notes),
    )
    broadcast.publish(conference, "agenda.added", points=())
    return item


_ITEM_FIELDS = ["kind", "title", "presenter", "planned_minutes"]


@transaction.atomic
def agenda_update(
    *,
    actor,
    item: AgendaItem,
    revision: int,
    kind: str,
    title: str,
    presenter: str = "",
    planned_minutes: int = 10,
) -> AgendaItem:
    """Change an agenda item's kind, title, presenter or planned minutes; a stale page is
    refused."""
    conference = item.conference
    require_host(actor, conference)
    _require_open(conference)
    if not 1 <= planned_minutes <= 600:
        raise InvalidInput({"planned_minutes": _("Planned minutes must be between 1 and 600.")})
    values = {
        "kind": kind,
        "title": nfc(title),
        "presenter": nfc(presenter),
        "planned_minutes": planned_minutes,
    }
    _revise(actor, item, revision, values, fields=_ITEM_FIELDS, action="agenda.update")
    broadcast.publish(conference, "agenda.updated", points=(), items=[item.pk])
    return item


@transaction.atomic
def agenda_remove(*, actor, item: AgendaItem) -> None:
    """Take an item that has not been opened out of the agenda; those after it move up."""
    conference = _locked(item.conference)
    require_host(actor, conference)
    _require_open(conference)
    if item.started_at is not None:
        raise ApplicationError(_("An agenda item that has been opened stays in the record."))
    if item.documents.exists():
        raise ApplicationError(_("This item has documents attached: it cannot be removed."))
    audit_record(
        actor=actor, action="agenda.remove", instance=item, before=snapshot(item, _ITEM_FIELDS)
    )
    item.delete()
    conference.agenda.filter(order__gt=item.order).update(order=F("order") - 1)
    broadcast.publish(conference, "agenda.removed", points=(), items=None)


# The conference's life -------------------------------------------------------------------

_NEXT = {
    "start": ({S.PLANNED}, S.LIVE),
    "end": ({S.LIVE}, S.ENDED),
    "cancel": ({S.PLANNED}, S.CANCELLED),
    # A briefing already held, recorded afterwards (publishing's read-back of a text).
    "record": ({S.PLANNED}, S.ENDED),
}


@transaction.atomic
def conference_transition(*, actor, conference: Conference, action: str) -> Conference:
    """start: planned → live; end: live → ended; cancel: planned → cancelled."""
    require_host(actor, conference)
    conference = _locked(conference)
    allowed, target = _NEXT[action]
    if conference.status not in allowed:
        raise ApplicationError(
            _("A conference that is %(status)s cannot be %(action)s.")
            % {
                "status": conference.get_status_display().lower(),
                "action": _TRANSITION_NAMES[action](),
            }
        )
    before = conference.status
    conference.status = target
    conference.status_changed_at = timezone.now()
    conference.status_changed_by = actor
    conference.spotlight = None  # a spotlight belongs to the conference in progress
    if action == "end" and conference.current_item and not conference.current_item.ended_at:
        AgendaItem.objects.filter(pk=conference.current_item_id).update(ended_at=timezone.now())
    conference.save(update_fields=["status", "status_changed_at", "status_changed_by", "spotlight"])
    if not conference.is_open:
        _points_leave(conference, actor)
    audit_record(
        actor=actor,
        action=f"conference.{action}",
        instance=conference,
        before={"status": before},
        after={"status": target},
    )
    broadcast.publish(conference, f"conference.{action}", points=())
    if action in _TRANSITION_SIGNALS:
        _TRANSITION_SIGNALS[action].send(sender=Conference, conference=conference, actor=actor)
    return conference


def _points_leave(conference: Conference, actor) -> None:
    """An ended (or cancelled) conference has nobody online: the points still connected leave
    it, in the attendance log at this moment."""
    online = list(conference.points.filter(state=PointState.ONLINE))
    conference.points.filter(pk__in=[p.pk for p in online]).update(state=PointState.OFFLINE)
    AttendanceEvent.objects.bulk_create(
        AttendanceEvent(conference=conference, point=p, kind=AttendanceEventKind.OFFLINE, by=actor)
        for p in online
    )


_TRANSITION_SIGNALS = {"start": signals.conference_went_live, "end": signals.conference_ended}


_TRANSITION_NAMES = {
    "start": lambda: _("started"),
    "end": lambda: _("ended"),
    "cancel": lambda: _("cancelled"),
    "record": lambda: _("recorded as held"),
}


def _require_live(conference: Conference) -> None:
    if conference.status != S.LIVE:
        raise ApplicationError(_("The conference is not live."))


@transaction.atomic
def agenda_advance(*, actor, conference: Conference) -> AgendaItem | None:
    """Close the current agenda item and open the next one (the first one if none is open)."""
    require_host(actor, conference)
    conference = _locked(conference)
    _require_live(conference)
    now = timezone.now()
    current = conference.current_item
    items = conference.agenda.order_by("order")
    following = items.filter(order__gt=current.order).first() if current else items.first()
    if following is None:
        raise ApplicationError(_("This is the last agenda item."))
    if current:
        AgendaItem.objects.filter(pk=current.pk).update(ended_at=now)
    AgendaItem.objects.filter(pk=following.pk).update(started_at=now)
    conference.current_item = following
    conference.save(update_fields=["current_item"])
    changed = [following.pk] + ([current.pk] if current else [])
    broadcast.publish(conference, "agenda.advanced", points=(), items=changed)
    return following


# Bridge points ---------------------------------------------------------------------------


@transaction.atomic
def point_confirm(*, actor, point: BridgePoint) -> BridgePoint:
    require_point(actor, point)
    if point.confirmed_at is None:
        point.confirmed_at = timezone.now()
        if point.state == PointState.INVITED:
            point.state = PointState.CONFIRMED
        point.save(update_fields=["state", "confirmed_at"])
        broadcast.publish(point.conference, "point.confirmed", points=[point.pk], items=())
    return point


@transaction.atomic
def point_presence(*, point_id: int, online: bool, actor=None, publish: bool = True) -> bool:
    """A point's console connected or went away: its state and the attendance log follow.
    True if the state changed; `publish=False` leaves announcing it to the caller."""
    point = BridgePoint.objects.select_for_update().select_related("conference").get(pk=point_id)
    state = PointState.ONLINE if online else PointState.OFFLINE
    if point.state == state or (online and not point.conference.is_open):
        return False
    point.state = state
    point.save(update_fields=["state"])
    kind = AttendanceEventKind.ONLINE if online else AttendanceEventKind.OFFLINE
    AttendanceEvent.objects.create(conference=point.conference, point=point, kind=kind, by=actor)
    if publish:
        broadcast.publish(point.conference, f"point.{state}", points=[point.pk], items=())
    return True


@transaction.atomic
def readiness_tick(*, actor, point: BridgePoint, item: str, done: bool) -> BridgePoint:
    require_point(actor, point)
    if item not in BridgePoint.READINESS:
        raise InvalidInput({"item": _("Unknown readiness item “%(item)s”.") % {"item": item}})
    setattr(point, item, bool(done))
    point.readiness_checked_at = timezone.now()
    point.save(update_fields=[item, "readiness_checked_at"])
    broadcast.publish(point.conference, "point.readiness", points=[point.pk], items=())
    return point


@transaction.atomic
def incident_open(
    *, actor, point: BridgePoint, kind: str, action_taken: str = "", automatic: bool = False
) -> Incident:
    require_point(actor, point)
    if kind not in IncidentKind.values:
        raise InvalidInput({"kind": _("Unknown kind of incident.")})
    action_taken = nfc(action_taken)
    check_lengths(Incident, action_taken=action_taken)
    open_one = point.incidents.filter(kind=kind, ended_at__isnull=True).first()
    if open_one:
        return open_one
    incident = Incident.objects.create(
        point=point,
        kind=kind,
        action_taken=action_taken,
        automatic=automatic,
        reported_by=actor,
    )
    broadcast.publish(point.conference, "incident.opened", points=[point.pk], items=())
    return incident


@transaction.atomic
def incident_close(*, actor, incident: Incident, action_taken: str = "") -> Incident:
    require_point(actor, incident.point)
    action_taken = nfc(action_taken)
    check_lengths(Incident, action_taken=action_taken)
    if incident.ended_at is None:
        incident.ended_at = timezone.now()
        if action_taken:
            incident.action_taken = action_taken
        incident.save(update_fields=["ended_at", "action_taken"])
        broadcast.publish(
            incident.point.conference, "incident.closed", points=[incident.point_id], items=()
        )
    return incident


# Roll call -------------------------------------------------------------------------------

_ATTENDANCE_EVENTS = {
    Attendance.PRESENT: AttendanceEventKind.CHECKED_IN,
    Attendance.ABSENT: AttendanceEventKind.ABSENT,
    Attendance.REPRESENTED: AttendanceEventKind.REPRESENTED,
}


@transaction.atomic
def rollcall_mark(
    *, actor, delegate: Delegate, attendance: str, reason: str = "", represented_by: str = ""
) -> Delegate:
    """Present; absent with a reason; or represented by someone named."""
    point = delegate.point
    require_point(actor, point)
    if attendance not in _ATTENDANCE_EVENTS:
        raise InvalidInput(
            {"attendance": _("Unknown attendance “%(value)s”.") % {"value": attendance}}
        )
    reason, represented_by = nfc(reason), _who_represents(represented_by)
    keys = {"absence_reason": "reason"}
    check_lengths(Delegate, keys, absence_reason=reason, represented_by=represented_by)
    if attendance == Attendance.ABSENT and not reason:
        raise InvalidInput({"reason": _("Write the reason for the absence.")})
    if attendance == Attendance.REPRESENTED and not represented_by:
        raise InvalidInput({"represented_by": _("Write who represents the delegate.")})
    delegate.attendance = attendance
    delegate.absence_reason = reason if attendance == Attendance.ABSENT else ""
    delegate.represented_by = represented_by if attendance == Attendance.REPRESENTED else ""
    delegate.checked_in_at = timezone.now() if attendance == Attendance.PRESENT else None
    fields = ["attendance", "absence_reason", "represented_by", "checked_in_at"]
    if not Delegate.objects.filter(pk=delegate.pk).update(
        **{name: getattr(delegate, name) for name in fields}
    ):
        raise ApplicationError(_("This delegate is no longer on the list; reload the page."))
    AttendanceEvent.objects.create(
        conference=point.conference,
        point=point,
        delegate=delegate,
        kind=_ATTENDANCE_EVENTS[attendance],
        by=actor,
        note=reason or represented_by,
    )
    broadcast.publish(point.conference, "rollcall", points=[point.pk], items=())
    return delegate


#: "dự thay" ("attends in place of"), which the pages add to the name: an operator often
#: writes it too ("Đ/c Lò Văn Hải dự thay", "Dự thay: …"), and it must not come out twice.
_STANDS_IN = re.compile(
    r"^\s*(?:người\s+)?dự\s+thay\s*[:\-–]?\s*"  # "Người dự thay: X", "Dự thay - X"
    r"|\s*[(\-–,]?\s*dự\s+thay\s*\)?\s*$",  # "X dự thay", "X (dự thay)", "X - dự thay"
    re.IGNORECASE,
)


def _who_represents(text: str) -> str:
    """The name of who represents a delegate, without the words the pages add to it."""
    return _STANDS_IN.sub("", nfc(text)).strip()


# Minutes and conclusions -----------------------------------------------------------------


@transaction.atomic
def minutes_write(*, actor, item: AgendaItem, text: str, revision: int) -> AgendaItem:
    require_host(actor, item.conference)
    values = {"minutes": nfc_text(text)}
    rows = AgendaItem.objects.all()
    save_revised(rows, item.pk, revision, values, name=item.title, field="minutes_revision")
    item.refresh_from_db()
    audit_record(
        actor=actor,
        action="minutes.write",
        instance=item,
        after={"revision": item.minutes_revision},
    )
    broadcast.publish(item.conference, "minutes", points=(), items=())
    return item


@transaction.atomic
def conclusion_add(*, actor, conference: Conference, text: str) -> Conclusion:
    require_host(actor, conference)
    text = nfc_text(text)
    if not text:
        raise InvalidInput({"text": _("Write the conclusion.")})
    order = (conference.conclusions.aggregate(m=Max("order"))["m"] or 0) + 1
    conclusion = Conclusion.objects.create(
        conference=conference, order=order, text=text, created_by=actor
    )
    audit_record(actor=actor, action="conclusion.add", instance=conclusion, after={"text": text})
    broadcast.publish(conference, "conclusion", points=(), items=())
    return conclusion
