"""What a console may ask of the live room, checked and carried out.

The consumer (and the API's actions endpoint) hands each incoming message here. Every object a
message names is looked up inside the conference the socket belongs to, so a forged id (another
conference's point, request, delegate) is refused before any service runs; who may do what is
decided by the services (meetings.access), as for the pages.
"""

from django.utils.translation import gettext as _

from giaoban.core.errors import ApplicationError, InvalidInput
from giaoban.meetings import floor, services
from giaoban.meetings.access import Role
from giaoban.meetings.models import BridgePoint, Conference, Delegate, FloorRequest, Incident


class Refused(ApplicationError):
    code = "forbidden"


#: The largest id a BigAutoField holds: a bigger number (or 1e999, a float's infinity) must be
#: refused here, not overflow in int() or in the database.
_MAX_ID = 2**63 - 1


def _id(value) -> int | None:
    """A message's id as the database can hold it, or None: ints and digit strings only."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        value = int(value)
    if type(value) is not int or not 0 < value <= _MAX_ID:
        return None
    return value


def _get(model, conference_id: int, raw, path: str, field: str):
    """The `model` row named by the message's `field` inside this conference. A value that is no
    id at all (a float, 1e999, a list, a number past 64 bits) is bad input naming the field; an
    id of another conference's row is refused."""
    pk = _id(raw)
    if pk is None and raw is not None:
        message = _("%(field)s must be a whole number from 1 to %(max)s.")
        raise InvalidInput({field: message % {"field": field, "max": _MAX_ID}})
    try:
        if pk is None:
            raise model.DoesNotExist
        return model.objects.select_related(
            *([path.rsplit("__", 1)[0]] if "__" in path else [])
        ).get(pk=pk, **{path: conference_id})
    except model.DoesNotExist:
        raise Refused(_("That does not belong to this conference.")) from None


def _point(role: Role, conference_id: int, message: dict) -> BridgePoint:
    return _get(
        BridgePoint, conference_id, message.get("point", role.point_id), "conference_id", "point"
    )


def _conference(conference_id: int) -> Conference:
    return Conference.objects.get(pk=conference_id)


def _transition(action):
    def run(user, role, cid, message):
        services.conference_transition(actor=user, conference=_conference(cid), action=action)

    return run


def _advance(user, role, cid, message):
    services.agenda_advance(actor=user, conference=_conference(cid))


def _confirm(user, role, cid, message):
    services.point_confirm(actor=user, point=_point(role, cid, message))


def _request_floor(user, role, cid, message):
    point = _point(role, cid, message)
    floor.floor_request(
        actor=user,
        point=point,
        topic=str(message.get("topic", "")),
        speaker=str(message.get("speaker", "")),
    )


def _floor(action):
    def run(user, role, cid, message):
        request = _get(FloorRequest, cid, message.get("request"), "conference_id", "request")
        if action == "grant":
            floor.floor_grant(actor=user, request=request)
        elif action == "finish":
            floor.floor_finish(actor=user, request=request, summary=str(message.get("summary", "")))
        else:
            floor.floor_decline(actor=user, request=request)

    return run


def _reorder(user, role, cid, message):
    floor.floor_reorder(actor=user, conference=_conference(cid), order=message.get("order"))


def _rollcall(user, role, cid, message):
    delegate = _get(Delegate, cid, message.get("delegate"), "point__conference_id", "delegate")
    services.rollcall_mark(
        actor=user,
        delegate=delegate,
        attendance=str(message.get("attendance", "")),
        reason=str(message.get("reason", "")),
        represented_by=str(message.get("represented_by", "")),
    )


def _readiness(user, role, cid, message):
    services.readiness_tick(
        actor=user,
        point=_point(role, cid, message),
        item=str(message.get("item", "")),
        done=bool(message.get("done")),
    )


def _incident_open(user, role, cid, message):
    services.incident_open(
        actor=user,
        point=_point(role, cid, message),
        kind=str(message.get("kind", "other")),
        action_taken=str(message.get("action_taken", "")),
    )


def _incident_close(user, role, cid, message):
    incident = _get(Incident, cid, message.get("incident"), "point__conference_id", "incident")
    services.incident_close(
        actor=user, incident=incident, action_taken=str(message.get("action_taken", ""))
    )


def _spotlight(user, role, cid, message):
    chosen = message.get("point")
    point = (
        None if chosen in (None, "") else _get(BridgePoint, cid, chosen, "conference_id", "point")
    )
    services.conference_spotlight(actor=user, conference=_conference(cid), point=point)


ACTIONS = {
    "start": _transition("start"),
    "end": _transition("end"),
    "cancel": _transition("cancel"),
    "advance": _advance,
    "confirm": _confirm,
    "request_floor": _request_floor,
    "grant": _floor("grant"),
    "finish": _floor("finish"),
    "decline": _floor("decline"),
    "reorder": _reorder,
    "rollcall": _rollcall,
    "readiness": _readiness,
    "incident_open": _incident_open,
    "incident_close": _incident_close,
    "spotlight": _spotlight,
}


def run(user, role: Role, conference_id: int, message: dict) -> None:
    """Carry out one console message, or raise ApplicationError saying why not."""
    if message.get("conference") not in (None, conference_id):
        raise Refused(_("This message is for another conference."))
    action = message.get("action")
    handler = ACTIONS.get(action) if isinstance(action, str) else None
    if handler is None:
        raise Refused(_("Unknown action."))
    handler(user, role, conference_id, message)
