"""Reads of the follow-up app, always scoped to what the user may see.

Every function that speaks of "overdue" takes `today` (default: today in Vietnam), so that
pages, the API, the review item and the tests agree on one clock and the tests can move it.
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.errors import InvalidInput, NotFound
from giaoban.followup.models import Assignment, Notification, ProgressReport, Status, Task
from giaoban.orgs.access import membership_of
from giaoban.orgs.models import Organization, Unit

#: Labels written into stored records (the next briefing's agenda) and the .xlsx export, which
#: are official records: Vietnamese, whatever the reader's language.
STATUS_LABELS_VI = {
    Status.NOT_STARTED: "Chưa thực hiện",
    Status.IN_PROGRESS: "Đang thực hiện",
    Status.REPORTED_DONE: "Đã báo cáo hoàn thành",
    Status.DONE: "Hoàn thành",
    Status.CANNOT_DO: "Không thực hiện được",
}
OVERDUE_VI = "quá hạn"


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _rows(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return assignments.select_related(
        "task__assigner__unit",
        "task__source_conference",
        "task__source_conclusion",
        "organization__unit",
        "updated_by",
    )


def assignments_visible(*, user) -> QuerySet[Assignment]:
    return _rows(Assignment.objects.visible_to(user))


def tasks_visible(*, user) -> QuerySet[Task]:
    return Task.objects.visible_to(user).select_related("assigner__unit")


def task_get(*, user, pk: int) -> Task:
    task = (
        tasks_visible(user=user)
        .select_related("source_conference", "source_conclusion", "created_by")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise NotFound(_("No such task, or you may not see it."))
    return task


def assignment_get(*, user, pk: int) -> Assignment:
    assignment = assignments_visible(user=user).filter(pk=pk).first()
    if assignment is None:
        raise NotFound(_("No such assignment, or you may not see it."))
    return assignment


def task_assignments(*, user, task: Task) -> list[Assignment]:
    """The task's assignments the user may see, each with its history."""
    history = ProgressReport.objects.select_related("by").order_by("at", "id")
    return list(
        _rows(Assignment.objects.visible_to(user).filter(task=task))
        .prefetch_related(Prefetch("reports", queryset=history))
        .order_by("role", "organization__unit__code", "organization__name")
    )


def my_assignments(*, user) -> QuerySet[Assignment]:
    """What the user's organization has been asked to do."""
    membership = membership_of(user)
    if membership is None:
        return Assignment.objects.none()
    return assignments_visible(user=user).filter(organization=membership.organization)


def assigned_by_me(*, user) -> QuerySet[Assignment]:
    """What the user's organization has asked others to do."""
    membership = membership_of(user)
    if membership is None:
        return Assignment.objects.none()
    return assignments_visible(user=user).filter(task__assigner=membership.organization)


def unit_assignments(*, user, unit: Unit) -> QuerySet[Assignment]:
    return assignments_visible(user=user).filter(organization__unit=unit)


def overdue(*, user, today: date | None = None) -> QuerySet[Assignment]:
    return assignments_visible(user=user).overdue(_today(today))


def parse_status(raw: str | None) -> str | None:
    if not raw:
        return None
    if raw not in Status.values:
        raise InvalidInput(
            {
                "status": _("“%(value)s” is not a status: use one of %(choices)s.")
                % {"value": raw, "choices": ", ".join(Status.values)}
            }
        )
    return raw


def assignments_filtered(
    *,
    user,
    unit: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    today: date | None = None,
) -> QuerySet[Assignment]:
    """The API's list: by the assignee's unit code, status, and overdue or not as of `today`.

    An official code can repeat across the 2025 reform; both units' organizations match."""
    rows = assignments_visible(user=user)
    if unit:
        rows = rows.filter(organization__unit__code=unit.strip())
    if status := parse_status(status):
        rows = rows.filter(status=status)
    if overdue is True:
        rows = rows.overdue(_today(today))
    elif overdue is False:
        rows = rows.exclude(pk__in=Assignment.objects.overdue(_today(today)).values("pk"))
    return rows


def ordered(rows: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return rows.order_by("task__deadline", "task_id", "organization__unit__code", "id")


@dataclass
class UnitGroup:
    """One assignee organization's assignments, counted by status."""

    organization: Organization
    counts: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    rows: list[Assignment] = field(default_factory=list)


def grouped_by_unit(rows, *, today: date | None = None) -> list[UnitGroup]:
    """For "the tasks I assigned": one group per assignee organization, in unit order."""
    today = _today(today)
    groups: OrderedDict[int, UnitGroup] = OrderedDict()
    ordered_rows = rows.order_by(
        "organization__unit__code", "organization__name", "task__deadline", "id"
    )
    for row in ordered_rows:
        group = groups.setdefault(row.organization_id, UnitGroup(row.organization))
        group.counts[row.status] = group.counts.get(row.status, 0) + 1
        group.overdue += row.overdue_on(today)
        group.rows.append(row)
    for group in groups.values():
        group.counts = {s: group.counts.get(s, 0) for s in Status.values}
    return list(groups.values())


def columns_by_status(rows) -> list[tuple[str, str, list[Assignment]]]:
    """For a unit's board: (status, label, assignments) for every status, in workflow order."""
    by_status: dict[str, list[Assignment]] = {s: [] for s in Status.values}
    for row in rows.order_by("task__deadline", "id"):
        by_status[row.status].append(row)
    return [(s, Status(s).label, by_status[s]) for s in Status.values]


def status_counts(rows) -> dict[str, int]:
    counts = dict.fromkeys(Status.values, 0)
    for status in rows.values_list("status", flat=True):
        counts[status] += 1
    return counts


def unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_of(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related(
        "assignment__task", "assignment__organization"
    )


# The review at the next briefing -------------------------------------------------------------


def _where(assignment: Assignment, repeated_units: set[int]) -> str:
    unit = assignment.organization.unit
    if unit.pk in repeated_units:
        return f"{unit.name} ({assignment.organization.name})"
    return unit.name


def review_notes(tasks: QuerySet[Task], *, today: date) -> str:
    """One line per task: its title and deadline, then each assignee unit's status, with
    "quá hạn" where it is overdue on `today` (the day of the briefing that reviews them)."""
    assignments = Assignment.objects.select_related("organization__unit").order_by(
        "organization__unit__code", "organization__name"
    )
    lines = []
    for number, task in enumerate(
        tasks.prefetch_related(Prefetch("assignments", queryset=assignments)).order_by(
            "source_conclusion__order", "deadline", "id"
        ),
        start=1,
    ):
        rows = list(task.assignments.all())
        units = [a.organization.unit_id for a in rows]
        repeated = {u for u in units if units.count(u) > 1}
        parts = []
        for a in rows:
            label = STATUS_LABELS_VI[a.status]
            if a.overdue_on(today):
                label = f"{label}, {OVERDUE_VI}"
            parts.append(f"{_where(a, repeated)}: {label}")
        lines.append(f"{number}. {task.title} (hạn {task.deadline:%d/%m/%Y}) — {'; '.join(parts)}.")
    return "\n".join(lines)
