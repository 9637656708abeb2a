"""Tasks, their assignments to organizations, the progress reported on each, and reminders."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from giaoban.orgs.models import Organization

_USER = settings.AUTH_USER_MODEL


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class AssigneeRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    COORDINATING = "coordinating", _("Coordinating")


class Status(models.TextChoices):
    # A context of their own: "Done" is already a speaker's turn in the catalog ("Đã phát biểu").
    NOT_STARTED = "not_started", pgettext_lazy("task status", "Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("task status", "In progress")
    REPORTED_DONE = "reported_done", pgettext_lazy("task status", "Reported done")
    DONE = "done", pgettext_lazy("task status", "Done")
    CANNOT_DO = "cannot_do", pgettext_lazy("task status", "Cannot be done")


#: An assignment in one of these is finished: it is never overdue and never reminded.
CLOSED = (Status.DONE, Status.CANNOT_DO)
#: Assignments the assignee still has to work on: reminders go to these only.
OPEN_FOR_ASSIGNEE = (Status.NOT_STARTED, Status.IN_PROGRESS)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Tasks assigned by, or to, an organization in the user's subtree."""
        from giaoban.followup.access import assignment_filter, task_filter

        ids = Assignment.objects.filter(assignment_filter(user)).values("task_id")
        return self.filter(task_filter(user) | Q(pk__in=ids))


class Task(models.Model):
    """Something to be done by a deadline, from a conference's conclusion or a directive."""

    # "title" and "deadline" alone are a person's title and a report's deadline in the catalog.
    title = models.CharField(pgettext_lazy("task", "title"), max_length=300)
    # The title folded (core.text.fold) for search; set by the services that write the title.
    search_key = models.CharField(max_length=300, editable=False, default="")
    description = models.TextField(_("description"), blank=True)
    source_conference = models.ForeignKey(
        "meetings.Conference",
        verbose_name=_("source conference"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    source_conclusion = models.ForeignKey(
        "meetings.Conclusion",
        verbose_name=_("source conclusion"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    source_document_number = models.CharField(
        _("document number"),
        max_length=100,
        blank=True,
        help_text=_("As written on the document, e.g. “15-CT/TU”."),
    )
    source_document_date = models.DateField(_("document date"), null=True, blank=True)
    assigner = models.ForeignKey(
        Organization,
        verbose_name=_("assigned by"),
        related_name="assigned_tasks",
        on_delete=models.PROTECT,
    )
    deadline = models.DateField(pgettext_lazy("task", "deadline"), db_index=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Optimistic locking: an edit based on an older revision is refused.
    revision = models.PositiveIntegerField(default=1, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["deadline", "id"]

    def __str__(self):
        return self.title

    @property
    def source_label(self) -> str:
        parts = []
        if self.source_conference_id:
            parts.append(self.source_conference.title)
        if self.source_conclusion_id:
            parts.append(f"{_('conclusion')} {self.source_conclusion.order}")
        if self.source_document_number:
            day = self.source_document_date
            parts.append(
                f"{self.source_document_number} ({day:%d/%m/%Y})"
                if day
                else self.source_document_number
            )
        return " · ".join(parts)


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from giaoban.followup.access import assignment_filter

        return self.filter(assignment_filter(user))

    def open(self):
        return self.exclude(status__in=CLOSED)

    def overdue(self, today: date | None = None):
        """Not finished and past the deadline: computed from the date, never stored."""
        return self.open().filter(task__deadline__lt=_today(today))


class Assignment(models.Model):
    """One organization's share of a task, tracked on its own: a task given to nine districts
    has nine assignments, each with its own status."""

    task = models.ForeignKey(Task, related_name="assignments", on_delete=models.CASCADE)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        related_name="task_assignments",
        on_delete=models.PROTECT,
    )
    role = models.CharField(
        _("role"), max_length=14, choices=AssigneeRole.choices, default=AssigneeRole.LEAD
    )
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.NOT_STARTED
    )
    reason = models.TextField(_("reason it cannot be done"), blank=True)
    progress = models.TextField(_("progress"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        _USER, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        _USER, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    sent_back_reason = models.TextField(_("reason for sending back"), blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative"), default=False, help_text=_("Demo data that no source gives.")
    )
    revision = models.PositiveIntegerField(default=1, editable=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["task", "organization__unit__code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "organization"], name="followup_assignment_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self):
        return f"{self.task} → {self.organization}"

    def overdue_on(self, today: date | None = None) -> bool:
        return self.status not in CLOSED and self.task.deadline < _today(today)

    @property
    def is_overdue(self) -> bool:
        return self.overdue_on()


class EntryKind(models.TextChoices):
    REPORT = "report", _("Progress report")
    ACCEPTED = "accepted", _("Accepted")
    SENT_BACK = "sent_back", _("Sent back")


def _attachment_path(instance, filename):
    # A random name: the sender's file name is only shown, never used as a path.
    import uuid

    return f"task-attachments/{instance.assignment.task_id}/{uuid.uuid4().hex}"


class ProgressReport(models.Model):
    """One entry of an assignment's history: the assignee's report, or the assigner's decision."""

    assignment = models.ForeignKey(Assignment, related_name="reports", on_delete=models.CASCADE)
    kind = models.CharField(max_length=10, choices=EntryKind.choices, default=EntryKind.REPORT)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices)
    text = models.TextField(_("text"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to=_attachment_path, blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    is_illustrative = models.BooleanField(_("illustrative"), default=False)
    by = models.ForeignKey(
        _USER, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["assignment", "at", "id"]

    def __str__(self):
        return f"{self.assignment}: {self.get_status_display()}"


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Deadline approaching")
    OVERDUE = "overdue", _("Overdue")
    ACCEPTED = "accepted", _("Report accepted")
    SENT_BACK = "sent_back", _("Report sent back")


#: The reminders the job makes, once each; the assigner's decisions are told each time.
REMINDER_KINDS = [NotificationKind.DUE_SOON, NotificationKind.OVERDUE]


class Notification(models.Model):
    """A notice to one user about one assignment: a reminder of its deadline, or the assigner's
    decision on the assignee's report. A reminder is unique per kind, so that however often and
    however many workers run the job, each reminder is made, and e-mailed, once."""

    user = models.ForeignKey(_USER, related_name="task_notifications", on_delete=models.CASCADE)
    assignment = models.ForeignKey(
        Assignment, related_name="notifications", on_delete=models.CASCADE
    )
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    #: What the notice says beyond its kind: the reason a report was sent back.
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Set by the worker sending the e-mail; a worker killed before `emailed_at` leaves it, and
    # another run sends the e-mail once the claim is old (services.EMAIL_CLAIM).
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "user", "kind"],
                condition=models.Q(kind__in=REMINDER_KINDS),
                name="followup_notification_once",
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()} · {self.assignment}"
