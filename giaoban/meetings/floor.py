"""The speaker queue: a point asks for the floor, the chair gives it, the turn ends, a request is
declined or withdrawn, the waiting requests are put in a new order. Each write checks the
conference's state and the actor's role and publishes the new live state, as services does."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.errors import ApplicationError, InvalidInput
from giaoban.core.limits import check_lengths
from giaoban.core.text import nfc, nfc_text
from giaoban.meetings import signals
from giaoban.meetings.access import require_host, require_point
from giaoban.meetings.live import broadcast
from giaoban.meetings.models import BridgePoint, Conference, FloorRequest, FloorStatus
from giaoban.meetings.services import _locked, _require_live


@transaction.atomic
def floor_request(*, actor, point: BridgePoint, topic: str, speaker: str = "") -> FloorRequest:
    """A point asks for the floor. Requests queue in arrival order, even when they race: the
    conference row is locked while the next position is taken."""
    require_point(actor, point)
    conference = _locked(point.conference)
    _require_live(conference)
    topic, speaker = nfc(topic), nfc(speaker)
    if not topic:
        raise InvalidInput({"topic": _("Write what you want to speak about.")})
    check_lengths(FloorRequest, topic=topic, speaker=speaker)
    if conference.floor_requests.filter(point=point, status=FloorStatus.WAITING).exists():
        raise ApplicationError(_("This point is already waiting for the floor."))
    position = (conference.floor_requests.aggregate(m=Max("position"))["m"] or 0) + 1
    request = FloorRequest.objects.create(
        conference=conference,
        point=point,
        item=conference.current_item,
        topic=topic,
        speaker=speaker,
        position=position,
        requested_by=actor,
    )
    broadcast.publish(conference, "floor.requested", points=(), items=())
    return request


def _request_locked(request: FloorRequest) -> FloorRequest:
    return (
        FloorRequest.objects.select_for_update()
        .select_related("conference", "point")
        .get(pk=request.pk)
    )


@transaction.atomic
def floor_grant(*, actor, request: FloorRequest) -> FloorRequest:
    """The chair gives the floor: whoever spoke before finishes."""
    require_host(actor, request.conference)
    _locked(request.conference)
    request = _request_locked(request)
    if request.status != FloorStatus.WAITING:
        raise ApplicationError(_("This request is no longer waiting."))
    now = timezone.now()
    FloorRequest.objects.filter(conference=request.conference, status=FloorStatus.SPEAKING).update(
        status=FloorStatus.DONE, ended_at=now
    )
    request.status, request.granted_at = FloorStatus.SPEAKING, now
    request.item = request.conference.current_item or request.item
    request.save(update_fields=["status", "granted_at", "item"])
    broadcast.publish(request.conference, "floor.granted", points=(), items=())
    signals.floor_granted.send(sender=FloorRequest, request=request, actor=actor)
    return request


@transaction.atomic
def floor_finish(*, actor, request: FloorRequest, summary: str = "") -> FloorRequest:
    """The turn ends; what was said is recorded against the agenda item."""
    require_host(actor, request.conference)
    request = _request_locked(request)
    if request.status != FloorStatus.SPEAKING:
        raise ApplicationError(_("This point does not have the floor."))
    summary = nfc_text(summary)
    check_lengths(FloorRequest, summary=summary)
    request.status, request.ended_at = FloorStatus.DONE, timezone.now()
    request.summary = summary or request.summary
    request.save(update_fields=["status", "ended_at", "summary"])
    broadcast.publish(request.conference, "floor.finished", points=(), items=())
    signals.floor_finished.send(sender=FloorRequest, request=request, actor=actor)
    return request


@transaction.atomic
def floor_decline(*, actor, request: FloorRequest) -> FloorRequest:
    """The chair declines a request, or the point withdraws its own."""
    role = require_point(actor, request.point)
    request = _request_locked(request)
    if request.status != FloorStatus.WAITING:
        raise ApplicationError(_("This request is no longer waiting."))
    # The host point's own request, taken back from the host console, is withdrawn too.
    own = role.point_id == request.point_id
    request.status = FloorStatus.WITHDRAWN if own else FloorStatus.DECLINED
    request.ended_at = timezone.now()
    request.save(update_fields=["status", "ended_at"])
    broadcast.publish(request.conference, "floor.declined", points=(), items=())
    return request


@transaction.atomic
def floor_reorder(*, actor, conference: Conference, order: list[int]) -> None:
    """The chair puts the waiting requests in a new order (ids, first to speak first)."""
    require_host(actor, conference)
    if not isinstance(order, list) or not all(type(pk) is int for pk in order):
        raise InvalidInput({"order": _("The new order must be a list of request numbers.")})
    conference = _locked(conference)
    waiting = {r.pk: r for r in conference.floor_requests.filter(status=FloorStatus.WAITING)}
    if set(order) != set(waiting):
        raise InvalidInput({"order": _("The new order must list every waiting request once.")})
    base = (conference.floor_requests.aggregate(m=Max("position"))["m"] or 0) + 1
    for offset, pk in enumerate(order):
        FloorRequest.objects.filter(pk=pk).update(position=base + offset)
    broadcast.publish(conference, "floor.reordered", points=(), items=())
