"""What a console may ask of the live room, checked and carried out.

The consumer (and the API's actions endpoint) hands each incoming message here. Every object a
message names is looked up inside the conference the socket belongs to, so a forged id (another
conference's point, request, delegate) is refused before any service runs; who may do what is
decided by the services (meetings.access), as for the pages.
"""

import logging

from django.utils.translation import gettext as _

from giaoban.core.audit import audit_record
from giaoban.core.errors import ApplicationError
from giaoban.meetings import services
from giaoban.meetings.access import Role
from giaoban.meetings.models import BridgePoint, Conference, Delegate, FloorRequest, Incident

log = logging.getLogger("giaoban.meetings.live")


class Refused(ApplicationError):
    code = "forbidden"


def _get(model, conference_id: int, pk, path: str):
    try:
        return model.objects.select_related(
            *([path.rsplit("__", 1)[0]] if "__" in path else [])
        ).get(pk=int(pk), **{path: conference_id})
    except (TypeError, ValueError, model.DoesNotExist):
        raise Refused(_("That does not belong to this conference.")) from None


def _point(role: Role, conference_id: int, message: dict) -> BridgePoint:
    return _get(BridgePoint, conference_id, message.get("point", role.point_id), "conference_id")


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
    services.floor_request(
        actor=user,
        point=point,
        topic=str(message.get("topic", "")),
        speaker=str(message.get("speaker", "")),
    )


def _floor(action):
    def run(user, role, cid, message):
        request = _get(FloorRequest, cid, message.get("request"), "conference_id")
        if action == "grant":
            services.floor_grant(actor=user, request=request)
        elif action == "finish":
            services.floor_finish(
                actor=user, request=request, summary=str(message.get("summary", ""))
            )
        else:
            services.floor_decline(actor=user, request=request)

    return run


def _reorder(user, role, cid, message):
    services.floor_reorder(actor=user, conference=_conference(cid), order=message.get("order"))


def _rollcall(user, role, cid, message):
    delegate = _get(Delegate, cid, message.get("delegate"), "point__conference_id")
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
    incident = _get(Incident, cid, message.get("incident"), "point__conference_id")
    services.incident_close(
        actor=user, incident=incident, action_taken=str(message.get("action_taken", ""))
    )


def _spotlight(user, role, cid, message):
    chosen = message.get("point")
    point = None if chosen in (None, "") else _get(BridgePoint, cid, chosen, "conference_id")
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
    handler = ACTIONS.get(message.get("action"))
    if handler is None:
        raise Refused(_("Unknown action."))
    handler(user, role, conference_id, message)


def record_refusal(user, conference_id: int, message: dict, reason: str) -> None:
    """A refused console message is logged and kept in the audit log: it may be an attack."""
    log.warning(
        "live room %s refused %r from %s: %s", conference_id, message.get("action"), user, reason
    )
    conference = Conference.objects.filter(pk=conference_id).first()
    if conference is not None:
        audit_record(
            actor=user,
            action="live.refused",
            instance=conference,
            after={"message": {k: str(v)[:200] for k, v in message.items()}, "reason": reason},
        )
