"""The two live consoles (the host's and a bridge point's) that run on the conference's
WebSocket, and the point's delegates that a console refreshes after a roll call."""

from django.conf import settings
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render

from giaoban.core.limits import max_length
from giaoban.meetings import selectors
from giaoban.meetings.live.labels import console_labels
from giaoban.meetings.models import BridgePoint, Delegate, FloorRequest


def _console_context(conference, role, point=None, readonly=False) -> dict:
    return {
        "conference": conference,
        "role": role,
        "point": point,
        "readonly": readonly,
        "ws_path": f"/ws/conferences/{conference.pk}/",
        "labels": console_labels(),
        "readiness_items": [
            (name, BridgePoint._meta.get_field(name).verbose_name) for name in BridgePoint.READINESS
        ],
        # The inputs' maxlength: the same numbers the services refuse above (issue 13).
        "max_topic": max_length(FloorRequest, "topic"),
        "max_speaker": max_length(FloorRequest, "speaker"),
        # One input holds either: the reason for an absence or who represents the delegate.
        "max_note": min(
            max_length(Delegate, "absence_reason"), max_length(Delegate, "represented_by")
        ),
    }


def host_console(request, pk: int):
    conference, role = selectors.conference_for(user=request.user, pk=pk, host=True)
    context = _console_context(conference, role) | {
        "all_points_up_to": settings.LIVE_ALL_POINTS_UP_TO
    }
    return render(request, "meetings/host_console.html", context)


def point_console(request, pk: int):
    """A point's operator sees their own point; the host may look at any point's console
    (?point=ID), read-only except for the host's own point."""
    conference, role = selectors.conference_for(user=request.user, pk=pk)
    point, readonly = selectors.console_point(
        user=request.user, conference=conference, wanted=request.GET.get("point", "")
    )
    context = _console_context(conference, role, point, readonly) | {
        "delegates": point.delegates.all(),
        "documents": selectors.items_with_documents(conference),
        "all_points": _switch_points(conference, point) if role.is_host else [],
    }
    return render(request, "meetings/point_console.html", context)


#: The host's switch between point consoles lists the points around the one shown (and the
#: host point) when the conference is large: not 31,000 links on one page.
SWITCH_AROUND = 25


def _switch_points(conference, point):
    points = conference.points.all()
    if points.count() <= settings.LIVE_ALL_POINTS_UP_TO:
        return points
    near = Q(order__gte=point.order - SWITCH_AROUND, order__lte=point.order + SWITCH_AROUND)
    return points.filter(near | Q(is_host=True))


def point_delegates(request, pk: int, point_pk: int):
    """The point's delegates and their attendance, for its console to refresh after a roll call."""
    conference, _role = selectors.conference_for(user=request.user, pk=pk)
    point = selectors.point_in(conference, point_pk)
    return JsonResponse(selectors.point_attendance(user=request.user, point=point))
