"""Writes of the follow-up app: tasks and their assignments, progress, acceptance, reminders.

Each change checks the actor's place (giaoban.followup.access) and the assignment's current
status, locks the row it changes, and writes its audit entry (who, when, before, after) in the
same transaction. `actor=None` is the system (loaders, tests) and may do anything.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.core.files import File
from django.core.mail import send_mail
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from giaoban.core.audit import audit_record, snapshot
from giaoban.core.db import retry_locked
from giaoban.core.errors import ApplicationError, InvalidInput, PermissionDenied
from giaoban.core.locking import check_revised, save_revised
from giaoban.core.text import fold, nfc_text
from giaoban.followup.access import acts_for, is_assignee, is_assigner
from giaoban.followup.models import (
    OPEN_FOR_ASSIGNEE,
    REMINDER_KINDS,
    AssigneeRole,
    Assignment,
    EntryKind,
    Notification,
    NotificationKind,
    Priority,
    ProgressReport,
    Status,
    Task,
)
from giaoban.meetings.documents import clean_name, detect_type
from giaoban.orgs.models import EDITOR_ROLES, Membership, Organization
from giaoban.reporting.numbers import format_number

log = logging.getLogger("giaoban.followup")

MAX_TITLE = 300
MAX_DESCRIPTION = 10_000
MAX_TEXT = 2_000
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
_MB = 1024 * 1024

_TASK_FIELDS = [
    "title",
    "description",
    "assigner_id",
    "deadline",
    "priority",
    "source_conference_id",
    "source_conclusion_id",
    "source_document_number",
    "source_document_date",
]
_ASSIGNMENT_FIELDS = [
    "status",
    "progress",
    "reason",
    "sent_back_reason",
    "accepted_at",
    "accepted_by_id",
]


# Tasks -----------------------------------------------------------------------------------


def _check_text(errors: dict, field: str, value: str, limit: int, *, required=False) -> str:
    value = nfc_text(value or "")
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("Write at most %(limit)s characters (now %(n)s).") % {
            "limit": limit,
            "n": len(value),
        }
    return value


def _require_assigner_side(actor, organization: Organization) -> None:
    if actor is not None and not acts_for(actor, organization.pk):
        raise PermissionDenied(
            _("Only the editors of %(org)s may assign its tasks.") % {"org": organization.name}
        )


def _check_source(errors: dict, actor, conference, conclusion, number: str, day: date | None):
    """A task comes from a conference (and one of its conclusions) or from a directive with its
    number and date, or both (a conclusion notice is itself a numbered document)."""
    if conclusion is not None:
        if conference is not None and conclusion.conference_id != conference.pk:
            errors["source_conclusion"] = _("This conclusion is not one of that conference's.")
        conference = conclusion.conference
    if conference is not None and actor is not None:
        from giaoban.meetings.selectors import conferences_visible

        if not conferences_visible(user=actor).filter(pk=conference.pk).exists():
            errors["source_conference"] = _("No such conference, or you may not see it.")
    if bool(number) != bool(day):
        field = "source_document_date" if number else "source_document_number"
        errors[field] = _("Give both the number and the date of the document.")
    elif not number and conference is None:
        errors["source_conference"] = _(
            "Say where the task comes from: a conference (and its conclusion), or a "
            "document's number and date."
        )
    if day and day > timezone.localdate():
        errors["source_document_date"] = _("The document's date is in the future.")
    return conference


def _organizations_allowed(actor, organizations: Iterable[Organization]) -> list[Organization]:
    organizations = list(dict.fromkeys(organizations))  # once each, in the given order
    if actor is None:
        return organizations
    visible = set(
        Organization.objects.visible_to(actor)
        .filter(pk__in=[o.pk for o in organizations])
        .values_list("pk", flat=True)
    )
    outside = [o.name for o in organizations if o.pk not in visible]
    if outside:
        raise InvalidInput(
            {
                "assignees": _("You may not assign tasks to %(names)s.")
                % {"names": ", ".join(outside)}
            }
        )
    return organizations


def _assignments_add(actor, task: Task, organizations, role: str) -> list[Assignment]:
    taken = dict(
        Assignment.objects.filter(task=task, organization__in=organizations).values_list(
            "organization_id", "organization__name"
        )
    )
    if taken:
        raise InvalidInput(
            {
                "assignees": _("Already assigned this task: %(names)s.")
                % {"names": ", ".join(taken.values())}
            }
        )
    created = [
        Assignment.objects.create(task=task, organization=org, role=role) for org in organizations
    ]
    audit_record(
        actor=actor,
        action="task.assign",
        instance=task,
        after={"role": role, "organizations": [o.pk for o in organizations]},
    )
    return created


@transaction.atomic
def task_create(
    *,
    actor,
    title: str,
    assigner: Organization,
    deadline: date | None,
    leads: Iterable[Organization],
    coordinating: Iterable[Organization] = (),
    description: str = "",
    priority: str = Priority.NORMAL,
    source_conference=None,
    source_conclusion=None,
    source_document_number: str = "",
    source_document_date: date | None = None,
    created_at: datetime | None = None,
) -> Task:
    """A task for one or more organizations; each gets an assignment tracked on its own.

    `created_at` lets a loader record a task of the past (the demo's of 8 October 2021).
    """
    _require_assigner_side(actor, assigner)
    created_at = created_at or timezone.now()
    errors: dict[str, str] = {}
    title = _check_text(errors, "title", title, MAX_TITLE, required=True)
    description = _check_text(errors, "description", description, MAX_DESCRIPTION)
    number = _check_text(errors, "source_document_number", source_document_number, 100)
    if priority not in Priority.values:
        errors["priority"] = _("Choose a priority: normal, high or urgent.")
    created_on = timezone.localtime(created_at).date()
    if deadline is None:
        errors["deadline"] = _("Give a deadline.")
    elif deadline < created_on:
        errors["deadline"] = _("The deadline %(deadline)s is before today, %(today)s.") % {
            "deadline": f"{deadline:%d/%m/%Y}",
            "today": f"{created_on:%d/%m/%Y}",
        }
    conference = _check_source(
        errors, actor, source_conference, source_conclusion, number, source_document_date
    )
    leads, coordinating = list(leads), list(coordinating)
    if not leads:
        errors["leads"] = _("Choose at least one organization to lead the task.")
    both = {o.pk for o in leads} & {o.pk for o in coordinating}
    if both:
        errors["coordinating"] = _("An organization cannot both lead and coordinate one task.")
    if errors:
        raise InvalidInput(errors)
    leads = _organizations_allowed(actor, leads)
    coordinating = _organizations_allowed(actor, coordinating)
    task = Task.objects.create(
        title=title,
        search_key=fold(title),
        description=description,
        assigner=assigner,
        deadline=deadline,
        priority=priority,
        source_conference=conference,
        source_conclusion=source_conclusion,
        source_document_number=number,
        source_document_date=source_document_date,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=created_at,
    )
    audit_record(
        actor=actor, action="task.create", instance=task, after=snapshot(task, _TASK_FIELDS)
    )
    _assignments_add(actor, task, leads, AssigneeRole.LEAD)
    if coordinating:
        _assignments_add(actor, task, coordinating, AssigneeRole.COORDINATING)
    return task


@transaction.atomic
def task_assign(
    *, actor, task: Task, organizations: Iterable[Organization], role: str = AssigneeRole.LEAD
) -> list[Assignment]:
    """Give an existing task to more organizations."""
    _require_assigner_side(actor, task.assigner)
    if role not in AssigneeRole.values:
        raise InvalidInput({"role": _("Choose a role: lead or coordinating.")})
    organizations = list(organizations)
    if not organizations:
        raise InvalidInput({"assignees": _("Choose at least one organization.")})
    task = Task.objects.select_for_update().get(pk=task.pk)
    return _assignments_add(actor, task, _organizations_allowed(actor, organizations), role)


@transaction.atomic
def task_update(
    *,
    actor,
    task: Task,
    revision: int,
    title: str,
    deadline: date,
    description: str = "",
    priority: str = Priority.NORMAL,
) -> Task:
    """Change a task's wording, deadline or priority; a newer revision than `revision` wins."""
    _require_assigner_side(actor, task.assigner)
    errors: dict[str, str] = {}
    title = _check_text(errors, "title", title, MAX_TITLE, required=True)
    description = _check_text(errors, "description", description, MAX_DESCRIPTION)
    if priority not in Priority.values:
        errors["priority"] = _("Choose a priority: normal, high or urgent.")
    created_on = timezone.localtime(task.created_at).date()
    if deadline is None or deadline < created_on:
        errors["deadline"] = _("The deadline cannot be before the task was given (%(day)s).") % {
            "day": f"{created_on:%d/%m/%Y}"
        }
    if errors:
        raise InvalidInput(errors)
    before = snapshot(task, _TASK_FIELDS)
    values = {
        "title": title,
        "search_key": fold(title),
        "description": description,
        "deadline": deadline,
        "priority": priority,
    }
    save_revised(Task.objects.all(), task.pk, revision, values, name=task.title)
    if deadline != task.deadline:
        # Reminders were for the old deadline: the new one gets its own.
        Notification.objects.filter(assignment__task=task).delete()
    task.refresh_from_db()
    audit_record(
        actor=actor,
        action="task.update",
        instance=task,
        before=before,
        after=snapshot(task, _TASK_FIELDS),
    )
    return task


# Progress, acceptance, sending back --------------------------------------------------------

_ASSIGNEE_MOVES = {
    Status.NOT_STARTED: {Status.IN_PROGRESS, Status.REPORTED_DONE, Status.CANNOT_DO},
    Status.IN_PROGRESS: {Status.IN_PROGRESS, Status.REPORTED_DONE, Status.CANNOT_DO},
    Status.REPORTED_DONE: set(),
    Status.DONE: set(),
    Status.CANNOT_DO: {Status.IN_PROGRESS},
}


def _locked(assignment: Assignment, revision: int | None) -> Assignment:
    locked = (
        Assignment.objects.select_for_update()
        .select_related("task__assigner", "organization")
        .get(pk=assignment.pk)
    )
    check_revised(locked, revision, name=locked.task.title)
    return locked


def _label(status: str) -> str:
    return str(Status(status).label).lower()


def _check_size(size: int) -> None:
    if size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            {
                "attachment": _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                % {
                    "size": format_number(Decimal(size) / _MB, 1),
                    "limit": MAX_ATTACHMENT_BYTES // _MB,
                }
            }
        )
    if size == 0:
        raise InvalidInput({"attachment": _("The file is empty.")})


def _attachment_checked(upload) -> tuple[str, str]:
    """The same checks as a conference document: size first, then the type by its content."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    _check_size(size)
    name = clean_name(getattr(upload, "name", None))
    try:
        return name, detect_type(upload, name)
    except InvalidInput as exc:
        raise InvalidInput({"attachment": exc.message}) from None


def _entry(assignment, *, kind, actor, text="", at=None, upload=None, illustrative=False):
    """One history row; `upload` is (file, name, type) as `_attachment_checked` found them."""
    entry = ProgressReport(
        assignment=assignment,
        kind=kind,
        status=assignment.status,
        text=text,
        by=actor if getattr(actor, "is_authenticated", False) else None,
        at=at or timezone.now(),
        is_illustrative=illustrative,
    )
    if upload is not None:
        upload, entry.attachment_name, entry.attachment_type = upload
        entry.attachment.save("upload", File(upload), save=False)
        try:
            entry.save()
        except Exception:
            entry.attachment.delete(save=False)
            raise
        return entry
    entry.save()
    return entry


def _save(assignment: Assignment, actor, at, before: dict, action: str) -> None:
    assignment.updated_at = at or timezone.now()
    assignment.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    assignment.revision += 1
    assignment.save()
    audit_record(
        actor=actor,
        action=action,
        instance=assignment,
        before=before,
        after=snapshot(assignment, _ASSIGNMENT_FIELDS),
    )


def _refuse_move(assignment: Assignment, target: str) -> ApplicationError:
    if assignment.status == Status.REPORTED_DONE:
        return ApplicationError(
            _(
                "This assignment was reported done and waits for %(assigner)s to accept it or "
                "send it back."
            )
            % {"assigner": assignment.task.assigner.name},
            field="status",
        )
    if assignment.status == Status.DONE:
        return ApplicationError(
            _("This assignment was accepted as done; it is closed."), field="status"
        )
    return ApplicationError(
        _("An assignment that is %(current)s cannot be reported %(target)s.")
        % {"current": _label(assignment.status), "target": _label(target)},
        field="status",
    )


@transaction.atomic
def assignment_report(
    *,
    actor,
    assignment: Assignment,
    status: str,
    text: str = "",
    reason: str = "",
    attachment=None,
    revision: int | None = None,
    at: datetime | None = None,
    is_illustrative: bool = False,
) -> Assignment:
    """The assignee reports: in progress, done (which the assigner then accepts) or cannot be
    done (with the reason), with a short text and optionally a file.

    Only the assignee organization's own editors report on its assignment.
    """
    if actor is not None and not is_assignee(actor, assignment):
        raise PermissionDenied(
            _("Only %(org)s may report on its own assignment.")
            % {"org": assignment.organization.name}
        )
    errors: dict[str, str] = {}
    text = _check_text(errors, "text", text, MAX_TEXT)
    reason = _check_text(errors, "reason", reason, MAX_TEXT)
    if status == Status.DONE:  # the assignee says "done"; the assigner's acceptance closes it
        status = Status.REPORTED_DONE
    if status not in Status.values:
        errors["status"] = _("“%(value)s” is not a status: use one of %(choices)s.") % {
            "value": status,
            "choices": ", ".join(s for s in Status.values if s != Status.DONE),
        }
    elif status == Status.NOT_STARTED:
        errors["status"] = _("A task cannot be reported as not started again.")
    elif status == Status.CANNOT_DO and not reason:
        errors["reason"] = _("Say why the task cannot be done.")
    upload = None
    if attachment is not None:
        try:
            upload = (attachment, *_attachment_checked(attachment))
        except InvalidInput as exc:
            errors |= exc.errors
    if errors:
        raise InvalidInput(errors)
    assignment = _locked(assignment, revision)
    if status not in _ASSIGNEE_MOVES[assignment.status]:
        raise _refuse_move(assignment, status)
    before = snapshot(assignment, _ASSIGNMENT_FIELDS)
    assignment.status = status
    assignment.reason = reason if status == Status.CANNOT_DO else ""
    if text:
        assignment.progress = text
    # The assignment shows what its latest action was: a real report ends the demo's mark.
    assignment.is_illustrative = is_illustrative
    _save(assignment, actor, at, before, "assignment.report")
    _entry(
        assignment,
        kind=EntryKind.REPORT,
        actor=actor,
        text=reason if status == Status.CANNOT_DO and not text else text,
        at=at,
        upload=upload,
        illustrative=is_illustrative,
    )
    return assignment


def _require_assigner(actor, assignment: Assignment) -> None:
    if actor is not None and not is_assigner(actor, assignment.task):
        raise PermissionDenied(
            _("Only %(org)s, which assigned the task, may do this.")
            % {"org": assignment.task.assigner.name}
        )


@transaction.atomic
def assignment_accept(
    *,
    actor,
    assignment: Assignment,
    revision: int | None = None,
    at: datetime | None = None,
    is_illustrative: bool = False,
) -> Assignment:
    """The assigner accepts an assignment reported done: it is done and closed, and the
    assignee organization's editors are told."""
    _require_assigner(actor, assignment)
    assignment = _locked(assignment, revision)
    if assignment.status != Status.REPORTED_DONE:
        raise ApplicationError(
            _("Only an assignment reported done can be accepted; this one is %(status)s.")
            % {"status": _label(assignment.status)},
            field="status",
        )
    before = snapshot(assignment, _ASSIGNMENT_FIELDS)
    assignment.status = Status.DONE
    assignment.accepted_at = at or timezone.now()
    assignment.accepted_by = actor if getattr(actor, "is_authenticated", False) else None
    assignment.sent_back_reason = ""
    assignment.is_illustrative = is_illustrative
    _save(assignment, actor, at, before, "assignment.accept")
    _entry(assignment, kind=EntryKind.ACCEPTED, actor=actor, at=at, illustrative=is_illustrative)
    if not is_illustrative:
        _notify_assignee(assignment, NotificationKind.ACCEPTED)
    return assignment


@transaction.atomic
def assignment_send_back(
    *,
    actor,
    assignment: Assignment,
    reason: str,
    revision: int | None = None,
    at: datetime | None = None,
    is_illustrative: bool = False,
) -> Assignment:
    """The assigner does not accept a report of done (or of cannot be done): the assignment is
    in progress again, with the reason, which the assignee organization's editors are told."""
    _require_assigner(actor, assignment)
    errors: dict[str, str] = {}
    reason = _check_text(errors, "reason", reason, MAX_TEXT)
    if not reason and not errors:
        errors["reason"] = _("Say why the assignment is sent back.")
    if errors:
        raise InvalidInput(errors)
    assignment = _locked(assignment, revision)
    if assignment.status not in (Status.REPORTED_DONE, Status.CANNOT_DO):
        raise ApplicationError(
            _(
                "Only an assignment reported done or reported impossible can be sent back; this "
                "one is %(status)s."
            )
            % {"status": _label(assignment.status)},
            field="status",
        )
    before = snapshot(assignment, _ASSIGNMENT_FIELDS)
    assignment.status = Status.IN_PROGRESS
    assignment.sent_back_reason = reason
    assignment.reason = ""
    assignment.is_illustrative = is_illustrative
    _save(assignment, actor, at, before, "assignment.send_back")
    _entry(
        assignment,
        kind=EntryKind.SENT_BACK,
        actor=actor,
        text=reason,
        at=at,
        illustrative=is_illustrative,
    )
    if not is_illustrative:
        _notify_assignee(assignment, NotificationKind.SENT_BACK, reason)
    return assignment


def _notify_assignee(assignment: Assignment, kind: str, text: str = "") -> None:
    """Tell the assignee organization's editors (those the reminders go to) of the assigner's
    decision on their report, in the app."""
    users = Membership.objects.filter(
        organization=assignment.organization_id, role__in=EDITOR_ROLES, user__is_active=True
    ).values_list("user_id", flat=True)
    Notification.objects.bulk_create(
        Notification(assignment=assignment, user_id=user, kind=kind, text=text) for user in users
    )


# Notifications -----------------------------------------------------------------------------


def notifications_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read: the given ones, or all."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


@dataclass
class ReminderRun:
    created: int = 0
    emailed: int = 0
    skipped: int = 0


T = TypeVar("T")


def _retrying(step: Callable[[], T]) -> T:
    """Run one short database step, again if SQLite says the database is locked."""
    return retry_locked(step)()


def _due(today: date, days_before: int) -> list[tuple[int, int, str]]:
    """(assignment, user, kind) of every reminder that should exist today and does not yet.

    One query per kind, with the missing reminders found by an anti-join on the unique index, so
    a run costs the same however many old reminders there are."""
    windows = {
        NotificationKind.OVERDUE: Q(task__deadline__lt=today),
        NotificationKind.DUE_SOON: Q(
            task__deadline__gte=today, task__deadline__lte=today + timedelta(days=days_before)
        ),
    }
    due = []
    for kind, window in windows.items():
        made = Notification.objects.filter(
            assignment=OuterRef("pk"), user=OuterRef("member"), kind=kind
        )
        rows = (
            Assignment.objects.filter(
                window,
                status__in=OPEN_FOR_ASSIGNEE,
                organization__members__role__in=EDITOR_ROLES,
                organization__members__user__is_active=True,
            )
            .annotate(member=F("organization__members__user"))
            .filter(~Exists(made))
            .order_by("pk", "member")
            .values_list("pk", "member")
        )
        due += [(pk, member, kind) for pk, member in rows]
    return due


def _notification_create(assignment_id: int, user_id: int, kind: str) -> bool:
    """True if this call made the notification; False if another run got there first."""
    try:
        with transaction.atomic():
            Notification.objects.create(assignment_id=assignment_id, user_id=user_id, kind=kind)
    except IntegrityError:
        return False
    return True


def _subject_and_body(notification: Notification) -> tuple[str, str]:
    assignment = notification.assignment
    task = assignment.task
    values = {
        "title": task.title,
        "deadline": f"{task.deadline:%d/%m/%Y}",
        "organization": assignment.organization.name,
        "assigner": task.assigner.name,
        "status": assignment.get_status_display(),
        "path": reverse("followup:task_detail", args=[task.pk]),
    }
    if notification.kind == NotificationKind.OVERDUE:
        subject = _("[giaoban] Overdue since %(deadline)s: %(title)s") % values
        opening = _("This task of %(organization)s is overdue; its deadline was %(deadline)s:")
    else:
        subject = _("[giaoban] Due on %(deadline)s: %(title)s") % values
        opening = _("This task of %(organization)s is due on %(deadline)s:")
    body = "\n\n".join(
        [
            opening % values,
            task.title,
            _("Assigned by %(assigner)s. Status: %(status)s.") % values,
            _("Report its progress in giaoban: %(path)s") % values,
        ]
    )
    return " ".join(subject.split()), body


#: How long a worker's claim on a reminder's e-mail holds: longer than any send takes.
EMAIL_CLAIM = timedelta(minutes=10)


def _email_one(notification: Notification) -> bool:
    """Claim the notification (a conditional update only one worker wins), send it, then mark
    it sent. A worker killed in between leaves a claim that runs out and the next run sends it:
    nothing is lost, and only a kill in the instant between the mail server's acceptance and the
    record sends a reminder twice (at least once, as any mail queue)."""
    pending = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True)
    free = Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=timezone.now() - EMAIL_CLAIM)
    claimed = _retrying(lambda: pending.filter(free).update(email_claimed_at=timezone.now()))
    if not claimed:
        return False
    try:
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _subject_and_body(notification)
        send_mail(subject, body, None, [notification.user.email])
    except Exception:  # a mail server down must not stop the job; the next run tries again
        log.exception("reminder %s could not be e-mailed", notification.pk)
        _retrying(lambda: pending.update(email_claimed_at=None))
        return False
    _retrying(lambda: pending.update(emailed_at=timezone.now()))
    return True


def _emails_send(today: date) -> int:
    """E-mail every reminder not yet e-mailed (made by this run, or left by a failed send),
    while it still matters: unread, recent, and the assignment still open."""
    pending = _retrying(
        lambda: list(
            Notification.objects.filter(
                kind__in=REMINDER_KINDS,
                emailed_at__isnull=True,
                read_at__isnull=True,
                user__is_active=True,
                user__email__gt="",
                assignment__status__in=OPEN_FOR_ASSIGNEE,
                created_at__date__gte=today - timedelta(days=7),
            ).select_related("user", "assignment__task__assigner", "assignment__organization")
        )
    )
    return sum(_email_one(n) for n in pending)


def reminders_send(*, today: date | None = None, days_before: int | None = None) -> ReminderRun:
    """The scheduled job: remind the assignees `REMINDER_DAYS_BEFORE` days before a deadline
    and once it has passed, in the app and by e-mail.

    Safe to run as often as wanted and in several workers at once: a reminder is a row unique
    per (assignment, user, kind), and its e-mail goes out only after winning a conditional update.
    """
    today = today or timezone.localdate()
    days = settings.REMINDER_DAYS_BEFORE if days_before is None else days_before
    run = ReminderRun()
    for assignment_id, user_id, kind in _retrying(lambda: _due(today, days)):
        try:
            made = _retrying(
                lambda a=assignment_id, u=user_id, k=kind: _notification_create(a, u, k)
            )
        except OperationalError:
            log.warning("reminder for assignment %s skipped: database busy", assignment_id)
            run.skipped += 1
            continue
        run.created += made
    run.emailed = _emails_send(today)
    return run
