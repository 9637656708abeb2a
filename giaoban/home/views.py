"""The role homes (what each user sees after login) and the one search across the registry,
conferences and tasks."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giaoban.core.errors import ApplicationError, NotFound, PermissionDenied
from giaoban.core.text import fold
from giaoban.followup import selectors as followup
from giaoban.followup.models import Status
from giaoban.home import selectors
from giaoban.meetings import selectors as meetings
from giaoban.meetings import services as meeting_services
from giaoban.meetings.models import BridgePoint
from giaoban.reporting import selectors as reporting


def home(request):
    kind = selectors.home_kind(request.user)
    today = selectors.today()
    build = {
        selectors.LEADER: _leader,
        selectors.OFFICER: _officer,
        selectors.OPERATOR: _operator,
    }.get(kind)
    context = {
        "kind": kind,
        "today": today,
        "unit": selectors.start_unit(request.user, today=today),
    }
    if build is not None and context["unit"] is not None:
        context |= build(request, context["unit"], today)
    return render(request, f"home/{kind}.html", context)


def _subtree(request, unit, today) -> dict:
    """Completeness of the current reports and overdue tasks, by the units directly below."""
    user = request.user
    progress = selectors.report_progress(user=user, unit=unit, today=today)
    overdue = selectors.overdue_by_unit(user=user, unit=unit, today=today)
    return {
        "progress": progress,
        "overdue": overdue,
        "overdue_total": sum(row.count for row in overdue),
        "overdue_chart": selectors.overdue_chart(overdue, _("Overdue tasks")),
    }


def _leader(request, unit, today) -> dict:
    context = _subtree(request, unit, today)
    coming = selectors.conferences_coming(user=request.user)
    return context | {
        "coming": coming[: selectors.COMING],
        "coming_count": coming.count(),
        "key": selectors.key_figures(user=request.user, unit=unit, progress=context["progress"]),
        "inbox_count": len(reporting.inbox(user=request.user)),
    }


def _officer(request, unit, today) -> dict:
    coming = selectors.conferences_coming(user=request.user).first()
    context = {
        "due": selectors.reports_due(user=request.user, today=today),
        "tasks": selectors.my_open_tasks(user=request.user),
        "task_counts": _task_counts(request.user),
        "assigned_count": followup.assigned_by_me(user=request.user).count(),
        "next": coming,
        "next_point": selectors.point_of_unit(coming, unit) if coming else None,
    }
    return context | _below(request, unit, today)


def _below(request, unit, today) -> dict:
    """For an officer whose unit has units below it that report or are given tasks (the
    provincial board's officers): the same overview as the leader's, without their own unit."""
    context = _subtree(request, unit, today)
    context["progress"] = [p for p in context["progress"] if p.units]
    context["overdue"] = [row for row in context["overdue"] if row.unit != unit]
    context["overdue_total"] = sum(row.count for row in context["overdue"])
    context["overdue_chart"] = selectors.overdue_chart(context["overdue"], _("Overdue tasks"))
    return context if context["progress"] or context["overdue"] else {}


def _task_counts(user) -> list[tuple[str, str, int]]:
    counts = followup.status_counts(followup.my_assignments(user=user))
    return [(value, label, counts[value]) for value, label in Status.choices]


def _operator(request, unit, today) -> dict:
    point = selectors.next_point_operated(user=request.user)
    return {
        "point": point,
        "checklist": selectors.checklist(point) if point else None,
        "next": point.conference if point else None,
    }


@require_POST
def readiness(request, pk: int):
    """The point's operator ticks the readiness checklist from the home page (no script needed);
    every change goes through the live room's own service, so the host's console follows."""
    visible = meetings.conferences_visible(user=request.user)
    point = BridgePoint.objects.filter(pk=pk, conference__in=visible).first()
    if point is None:
        raise NotFound(_("No such bridge point in this conference."))
    ticked = set(request.POST.getlist("done"))
    try:
        for name in BridgePoint.READINESS:
            if bool(getattr(point, name)) != (name in ticked):
                point = meeting_services.readiness_tick(
                    actor=request.user, point=point, item=name, done=name in ticked
                )
    except PermissionDenied:
        raise  # a refused write answers 403, as on every page
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The readiness checklist was saved."))
    return redirect("home")


def search(request):
    query = request.GET.get("q", "")
    found = selectors.search(user=request.user, text=query) if len(fold(query)) > 1 else None
    return render(request, "home/search.html", {"query": query.strip(), "found": found})
