"""Task endpoints: the list of assignments by unit, status and overdue; a new task, more
assignees; an assignee's progress report; the assigner's acceptance or sending back.

Scoped like the pages: a task or assignment the caller may not see is a 404, one they may see
but not change a 403. Errors come out through the API's JSON error handlers.
"""

from datetime import date
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from giaoban.core.apischema import MAX_ID, BodyIn, PathId, Revision, answers
from giaoban.core.errors import InvalidInput
from giaoban.followup import selectors, services
from giaoban.followup.models import Assignment, Task
from giaoban.meetings.models import Conclusion
from giaoban.meetings.selectors import conferences_visible
from giaoban.orgs.models import Organization

router = Router(tags=["followup"])

MAX_OFFSET = 2**63 - 1
MAX_LIMIT = 1000

#: An id in a body: a positive integer the database can hold.
Id = Annotated[int, Field(gt=0, le=MAX_ID)]


class AssignmentOut(Schema):
    id: int
    task: int
    title: str
    description: str
    deadline: date
    priority: str
    assigner: str
    source_conference: int | None
    source_conclusion: int | None
    source_document_number: str
    source_document_date: date | None
    organization: int
    organization_name: str
    unit: str
    role: str
    status: str
    overdue: bool
    progress: str
    reason: str
    sent_back_reason: str
    updated_at: str | None
    revision: int


class TaskOut(Schema):
    id: int
    title: str
    description: str
    deadline: date
    priority: str
    assigner: int
    source_conference: int | None
    source_conclusion: int | None
    source_document_number: str
    source_document_date: date | None
    revision: int
    assignments: list[AssignmentOut]


class TaskIn(BodyIn):
    title: str
    description: str = ""
    assigner: Id | None = None
    deadline: date
    priority: str = "normal"
    assignees: list[Id]
    coordinating: list[Id] = []
    source_conference: Id | None = None
    source_conclusion: Id | None = None
    source_document_number: str = ""
    source_document_date: date | None = None


class AssignIn(BodyIn):
    organizations: list[Id]
    role: str = "lead"


class ProgressIn(BodyIn):
    status: str
    text: str = ""
    reason: str = ""
    revision: Revision | None = None


class DecisionIn(BodyIn):
    revision: Revision | None = None


_NO_DECISION = DecisionIn()


class SendBackIn(DecisionIn):
    reason: str


class ListFilters(Schema):
    unit: str | None = None
    status: str | None = None
    overdue: bool | None = None
    limit: int = Field(200, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _assignment_out(a: Assignment, today: date) -> dict:
    task = a.task
    return {
        "id": a.pk,
        "task": task.pk,
        "title": task.title,
        "description": task.description,
        "deadline": task.deadline,
        "priority": task.priority,
        "assigner": task.assigner.name,
        "source_conference": task.source_conference_id,
        "source_conclusion": task.source_conclusion_id,
        "source_document_number": task.source_document_number,
        "source_document_date": task.source_document_date,
        "organization": a.organization_id,
        "organization_name": a.organization.name,
        "unit": a.organization.unit.code,
        "role": a.role,
        "status": a.status,
        "overdue": a.overdue_on(today),
        "progress": a.progress,
        "reason": a.reason,
        "sent_back_reason": a.sent_back_reason,
        "updated_at": _iso(a.updated_at),
        "revision": a.revision,
    }


def _task_out(request, task: Task) -> dict:
    today = timezone.localdate()
    return {
        "id": task.pk,
        "title": task.title,
        "description": task.description,
        "deadline": task.deadline,
        "priority": task.priority,
        "assigner": task.assigner_id,
        "source_conference": task.source_conference_id,
        "source_conclusion": task.source_conclusion_id,
        "source_document_number": task.source_document_number,
        "source_document_date": task.source_document_date,
        "revision": task.revision,
        "assignments": [
            _assignment_out(a, today)
            for a in selectors.task_assignments(user=request.user, task=task)
        ],
    }


def _organizations(request, ids: list[int], field: str) -> list[Organization]:
    # An id past the database's 64-bit range cannot exist (and would fail the query): missing.
    possible = [pk for pk in ids if 0 < pk < 2**63]
    found = Organization.objects.visible_to(request.user).in_bulk(possible)
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise InvalidInput(
            {field: _("No organization with id %(ids)s.") % {"ids": ", ".join(missing)}}
        )
    return [found[pk] for pk in ids]


def _one(rows, pk: int | None, field: str):
    """A referenced record among those the caller may see; one they may not see is no record."""
    if pk is None:
        return None
    found = rows.filter(pk=pk).first()
    if found is None:
        raise InvalidInput({field: _("No such record: %(id)s.") % {"id": pk}})
    return found


def _assigner(request, pk: int | None) -> Organization:
    if pk is not None:
        return _one(Organization.objects.visible_to(request.user), pk, "assigner")
    from giaoban.orgs.access import membership_of

    membership = membership_of(request.user)
    if membership is None:
        raise InvalidInput({"assigner": _("Say which organization assigns the task.")})
    return membership.organization


@router.get("/tasks/", response=answers(list[AssignmentOut]), summary="Assignments")
def task_list(request, filters: Query[ListFilters]):
    """Assignments the caller may see, with their task: `unit` (the assignee's unit code),
    `status`, `overdue=true|false` (as of today), `limit` (at most 1000) and `offset`."""
    today = timezone.localdate()
    rows = selectors.assignments_filtered(
        user=request.user,
        unit=filters.unit,
        status=filters.status,
        overdue=filters.overdue,
        today=today,
    )
    page = selectors.ordered(rows)[filters.offset : filters.offset + filters.limit]
    return [_assignment_out(a, today) for a in page]


#: What a program does next with the task it created (OpenAPI links: the fuzz follows them).
_CREATED_LINKS = {
    201: {
        "links": {
            name: {
                "operationId": f"giaoban_followup_api_{view}",
                "parameters": {"task_id": "$response.body#/id"},
            }
            for name, view in [("ReadTask", "task_read"), ("AssignTask", "task_assign")]
        }
    }
}


@router.post(
    "/tasks/",
    response=answers(TaskOut, 403, status=201),
    summary="Create a task",
    openapi_extra={"responses": _CREATED_LINKS},
)
def task_create(request, payload: TaskIn):
    """A task for the `assignees` (lead organizations, each tracked on its own) and any
    `coordinating` ones, from a conference's conclusion or a document's number and date."""
    conferences = conferences_visible(user=request.user)
    task = services.task_create(
        actor=request.user,
        title=payload.title,
        description=payload.description,
        assigner=_assigner(request, payload.assigner),
        deadline=payload.deadline,
        priority=payload.priority,
        leads=_organizations(request, payload.assignees, "assignees"),
        coordinating=_organizations(request, payload.coordinating, "coordinating"),
        source_conference=_one(conferences, payload.source_conference, "source_conference"),
        source_conclusion=_one(
            Conclusion.objects.filter(conference__in=conferences.values("pk")),
            payload.source_conclusion,
            "source_conclusion",
        ),
        source_document_number=payload.source_document_number,
        source_document_date=payload.source_document_date,
    )
    return Status(201, _task_out(request, task))


@router.get("/tasks/{task_id}/", response=answers(TaskOut, 404), summary="A task")
def task_read(request, task_id: PathId):
    return _task_out(request, selectors.task_get(user=request.user, pk=task_id))


@router.post(
    "/tasks/{task_id}/assign",
    response=answers(TaskOut, 403, 404),
    summary="Give a task to more units",
)
def task_assign(request, task_id: PathId, payload: AssignIn):
    task = selectors.task_get(user=request.user, pk=task_id)
    services.task_assign(
        actor=request.user,
        task=task,
        organizations=_organizations(request, payload.organizations, "organizations"),
        role=payload.role,
    )
    return _task_out(request, task)


def _assignment(request, pk: int) -> Assignment:
    return selectors.assignment_get(user=request.user, pk=pk)


@router.post(
    "/assignments/{assignment_id}/progress",
    response=answers(AssignmentOut, 403, 404, 409),
    summary="Report progress",
)
def assignment_progress(request, assignment_id: PathId, payload: ProgressIn):
    """The assignee's report: `in_progress`, `done` (then accepted by the assigner) or
    `cannot_do` with a `reason`; `revision` refuses a report on a stale view."""
    assignment = services.assignment_report(
        actor=request.user,
        assignment=_assignment(request, assignment_id),
        status=payload.status,
        text=payload.text,
        reason=payload.reason,
        revision=payload.revision,
    )
    return _assignment_out(_assignment(request, assignment.pk), timezone.localdate())


@router.post(
    "/assignments/{assignment_id}/accept",
    response=answers(AssignmentOut, 403, 404, 409),
    summary="Accept as done",
)
def assignment_accept(request, assignment_id: PathId, payload: DecisionIn = _NO_DECISION):
    """No body, or {"revision": N} to refuse an acceptance made on a stale view."""
    assignment = services.assignment_accept(
        actor=request.user,
        assignment=_assignment(request, assignment_id),
        revision=payload.revision,
    )
    return _assignment_out(_assignment(request, assignment.pk), timezone.localdate())


@router.post(
    "/assignments/{assignment_id}/send-back",
    response=answers(AssignmentOut, 403, 404, 409),
    summary="Send back",
)
def assignment_send_back(request, assignment_id: PathId, payload: SendBackIn):
    assignment = services.assignment_send_back(
        actor=request.user,
        assignment=_assignment(request, assignment_id),
        reason=payload.reason,
        revision=payload.revision,
    )
    return _assignment_out(_assignment(request, assignment.pk), timezone.localdate())
