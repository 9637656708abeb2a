"""Task pages: my organization's tasks, the tasks it assigned, a unit's board, what is overdue
across the subtree, one task with its forms, a new task, the .xlsx export and the notifications."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from giaoban.core.errors import ApplicationError, InvalidInput, PermissionDenied
from giaoban.core.files import download_response, protected_file_response
from giaoban.core.forms import add_errors
from giaoban.followup import exports, selectors, services
from giaoban.followup.access import acts_for, is_assignee, is_assigner
from giaoban.followup.forms import AssignForm, ProgressForm, SendBackForm, TaskForm
from giaoban.followup.models import ProgressReport, Status
from giaoban.meetings.documents import XLSX
from giaoban.meetings.models import Conclusion
from giaoban.meetings.selectors import conferences_visible
from giaoban.orgs import selectors as org_selectors
from giaoban.orgs.access import membership_of
from giaoban.orgs.models import Level, Organization

PAGE_SIZE = 100


def _status(request) -> str | None:
    """The status filter of a list; an unknown one shows everything rather than an error page."""
    try:
        return selectors.parse_status(request.GET.get("status"))
    except InvalidInput:
        return None


def _page(request, rows):
    return Paginator(selectors.ordered(rows), PAGE_SIZE).get_page(request.GET.get("page"))


# Lists -------------------------------------------------------------------------------------


def my_tasks(request):
    rows = selectors.my_assignments(user=request.user)
    status = _status(request)
    counts = selectors.status_counts(rows)
    counts = [(value, label, counts[value]) for value, label in Status.choices]
    if status:
        rows = rows.filter(status=status)
    context = {
        "page": _page(request, rows),
        "counts": counts,
        "status": status,
        "statuses": Status.choices,
        "export": "mine",
        "today": timezone.localdate(),
    }
    return render(request, "followup/my_tasks.html", context)


def assigned(request):
    rows = selectors.assigned_by_me(user=request.user)
    context = {
        "groups": selectors.grouped_by_unit(rows),
        "statuses": Status.choices,
        "export": "assigned",
        "today": timezone.localdate(),
    }
    return render(request, "followup/assigned.html", context)


def unit_board(request, pk: int):
    unit = org_selectors.unit_get(user=request.user, pk=pk)
    rows = selectors.unit_assignments(user=request.user, unit=unit)
    context = {
        "unit": unit,
        "columns": selectors.columns_by_status(rows),
        "export": "unit",
        "today": timezone.localdate(),
    }
    return render(request, "followup/unit_board.html", context)


def overdue(request):
    today = timezone.localdate()
    rows = selectors.overdue(user=request.user, today=today)
    context = {"page": _page(request, rows), "export": "overdue", "today": today}
    return render(request, "followup/overdue.html", context)


def _export_rows(request):
    """The assignments of the list the user was looking at."""
    which = request.GET.get("list", "mine")
    user = request.user
    if which == "assigned":
        return selectors.assigned_by_me(user=user), _("Tasks we assigned")
    if which == "overdue":
        return selectors.overdue(user=user), _("Overdue tasks")
    if which == "unit":
        try:
            unit = org_selectors.unit_get(user=user, pk=int(request.GET.get("unit", "")))
        except ValueError:
            raise Http404(_("No such unit, or you may not see it.")) from None
        return selectors.unit_assignments(user=user, unit=unit), unit.name
    rows = selectors.my_assignments(user=user)
    status = _status(request)
    return (rows.filter(status=status) if status else rows), _("Our tasks")


@require_GET
def export_xlsx(request):
    rows, title = _export_rows(request)
    today = timezone.localdate()
    content = exports.assignments_workbook(selectors.ordered(rows), title=title, today=today)
    return download_response(content, name=f"nhiem-vu-{today:%Y%m%d}.xlsx", content_type=XLSX)


# One task ----------------------------------------------------------------------------------


def _revision(assignment) -> dict:
    return {"revision": assignment.revision}


def _detail(request, task, bound: dict | None = None, status: int = 200):
    """The task with the assignments the user sees and, on each, the forms the user may use.
    `bound` holds a refused form, shown again with its input and errors."""
    bound = bound or {}
    user = request.user
    rows = selectors.task_assignments(user=user, task=task)
    assigner = is_assigner(user, task)
    for a in rows:
        prefix = f"a{a.pk}"
        a.overdue_now = a.overdue_on()
        a.progress_form = None
        a.send_back_form = None
        if is_assignee(user, a) and a.status not in (Status.REPORTED_DONE, Status.DONE):
            a.progress_form = bound.get(("progress", a.pk)) or ProgressForm(
                prefix=prefix, initial=_revision(a)
            )
        a.can_accept = assigner and a.status == Status.REPORTED_DONE
        if assigner and a.status in (Status.REPORTED_DONE, Status.CANNOT_DO):
            a.send_back_form = bound.get(("send_back", a.pk)) or SendBackForm(
                prefix=prefix, initial=_revision(a)
            )
    context = {
        "task": task,
        "assignments": rows,
        "is_assigner": assigner,
        "assign_form": bound.get("assign") or (_assign_form(request, None) if assigner else None),
    }
    return render(request, "followup/task_detail.html", context, status=status)


def _assign_form(request, data):
    organizations = (
        Organization.objects.visible_to(request.user)
        .exclude(unit__level=Level.VILLAGE)
        .select_related("unit")
        .order_by("unit__level", "unit__code", "name")
    )
    return AssignForm(data, organizations=organizations, prefix="assign")


def task_detail(request, pk: int):
    return _detail(request, selectors.task_get(user=request.user, pk=pk))


@require_POST
def task_assign(request, pk: int):
    task = selectors.task_get(user=request.user, pk=pk)
    if not is_assigner(request.user, task):
        raise PermissionDenied(
            _("Only %(org)s, which assigned the task, may do this.") % {"org": task.assigner.name}
        )
    form = _assign_form(request, request.POST)
    if form.is_valid():
        try:
            services.task_assign(
                actor=request.user,
                task=task,
                organizations=form.cleaned_data["organizations"],
                role=form.cleaned_data["role"],
            )
        except InvalidInput as exc:
            form.add_error("organizations", exc.message)
        else:
            messages.success(request, _("The task was given to more organizations."))
            return redirect("followup:task_detail", pk=task.pk)
    return _detail(request, task, {"assign": form}, status=400)


@require_POST
def assignment_report(request, pk: int):
    assignment = selectors.assignment_get(user=request.user, pk=pk)
    form = ProgressForm(request.POST, request.FILES, prefix=f"a{assignment.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_report(
                actor=request.user,
                assignment=assignment,
                status=data["status"],
                text=data["text"],
                reason=data["reason"],
                attachment=data["attachment"],
                revision=data["revision"],
            )
        except PermissionDenied:
            raise
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Your report was recorded."))
            return redirect("followup:task_detail", pk=assignment.task_id)
    return _detail(request, assignment.task, {("progress", assignment.pk): form}, status=400)


@require_POST
def assignment_accept(request, pk: int):
    assignment = selectors.assignment_get(user=request.user, pk=pk)
    revision = request.POST.get(f"a{assignment.pk}-revision")
    try:
        services.assignment_accept(
            actor=request.user,
            assignment=assignment,
            revision=int(revision) if revision and revision.isdigit() else None,
        )
    except PermissionDenied:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(org)s's work was accepted as done.") % {"org": assignment.organization.name},
        )
    return redirect("followup:task_detail", pk=assignment.task_id)


@require_POST
def assignment_send_back(request, pk: int):
    assignment = selectors.assignment_get(user=request.user, pk=pk)
    form = SendBackForm(request.POST, prefix=f"a{assignment.pk}")
    if form.is_valid():
        try:
            services.assignment_send_back(
                actor=request.user,
                assignment=assignment,
                reason=form.cleaned_data["reason"],
                revision=form.cleaned_data["revision"],
            )
        except PermissionDenied:
            raise
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("The assignment was sent back to %(org)s.")
                % {"org": assignment.organization.name},
            )
            return redirect("followup:task_detail", pk=assignment.task_id)
    return _detail(request, assignment.task, {("send_back", assignment.pk): form}, status=400)


@require_GET
def attachment_download(request, pk: int):
    """A progress report's file, only for those who see the assignment."""
    visible = selectors.assignments_visible(user=request.user).values("pk")
    entry = ProgressReport.objects.filter(pk=pk, assignment__in=visible).first()
    if entry is None or not entry.attachment:
        raise Http404(_("No such file, or you may not see it."))
    return protected_file_response(
        entry.attachment,
        content_type=entry.attachment_type,
        name=entry.attachment_name,
        missing=_("No such file, or you may not see it."),
    )


# A new task --------------------------------------------------------------------------------


def _task_form(request):
    user = request.user
    membership = membership_of(user)
    assigners = Organization.objects.filter(pk=membership.organization_id)
    conferences = conferences_visible(user=user).order_by("-scheduled_start")
    initial = {"assigner": membership.organization_id if membership else None}
    wanted = request.GET.get("conclusion", "")
    conclusion = Conclusion.objects.filter(
        conference__in=conferences.values("pk"), pk=int(wanted) if wanted.isdigit() else 0
    ).first()
    if conclusion:
        initial |= {
            "source_conference": conclusion.conference_id,
            "source_conclusion": conclusion.pk,
            "title": conclusion.text[:300],
        }
    return TaskForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        assigners=assigners.select_related("unit").order_by("unit__level", "unit__code", "name"),
        conferences=conferences,
        conclusions=Conclusion.objects.filter(conference__in=conferences.values("pk"))
        .select_related("conference")
        .order_by("-conference__scheduled_start", "order"),
        organizations=Organization.objects.visible_to(user)
        .exclude(unit__level=Level.VILLAGE)
        .select_related("unit")
        .order_by("unit__level", "unit__code", "name"),
    )


def task_create(request):
    membership = membership_of(request.user)
    if membership is None or not acts_for(request.user, membership.organization_id):
        raise PermissionDenied(_("Your role may not assign tasks."))
    form = _task_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_create(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                assigner=data["assigner"],
                deadline=data["deadline"],
                priority=data["priority"],
                leads=data["leads"],
                coordinating=data["coordinating"],
                source_conference=data["source_conference"],
                source_conclusion=data["source_conclusion"],
                source_document_number=data["source_document_number"],
                source_document_date=data["source_document_date"],
            )
        except PermissionDenied:
            raise
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The task was assigned."))
            return redirect("followup:task_detail", pk=task.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "followup/task_form.html", {"form": form}, status=status)


# Notifications -----------------------------------------------------------------------------


def notifications(request):
    if request.method == "POST":
        raw = request.POST.get("id")
        ids = [int(raw)] if raw and raw.isdigit() else None
        services.notifications_read(user=request.user, ids=ids)
        return redirect("followup:notifications")
    rows = selectors.notifications_of(user=request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "followup/notifications.html", {"page": page})
