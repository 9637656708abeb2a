"""Conferences and everything recorded about them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from giaoban.orgs.models import Organization, Person, Unit

_USER = settings.AUTH_USER_MODEL


class ConferenceKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly briefing")
    QUARTERLY = "quarterly", _("Quarterly briefing")
    HALF_YEAR = "half", _("6-month briefing")
    NINE_MONTHS = "nine", _("9-month briefing")
    YEARLY = "yearly", _("Yearly briefing")
    THEMATIC = "thematic", _("Thematic conference")


class ConferenceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    LIVE = "live", _("Live")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


#: A conference can still be changed while planned or live; ended or cancelled, it is the record.
OPEN = (ConferenceStatus.PLANNED, ConferenceStatus.LIVE)


class Conference(models.Model):
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=300)
    # The title folded (core.text.fold) for search; set by the services that write the title.
    search_key = models.CharField(max_length=300, editable=False, default="")
    organizer = models.ForeignKey(
        Organization,
        verbose_name=_("organizer"),
        related_name="conferences",
        on_delete=models.PROTECT,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ConferenceKind.choices)
    series = models.CharField(
        _("series"),
        max_length=100,
        blank=True,
        help_text=_("Conferences of one series follow up each other's tasks."),
    )
    scheduled_start = models.DateTimeField(_("scheduled start"))
    scheduled_end = models.DateTimeField(_("scheduled end"))
    report_form = models.ForeignKey(
        "reporting.ReportForm",
        verbose_name=_("report form reviewed"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    period = models.ForeignKey(
        "reporting.Period",
        verbose_name=_("period reviewed"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    chair = models.ForeignKey(
        Person,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    # Who writes the minutes and signs them beside the chair: a name as typed, or the name of a
    # person of the registry (kept when the person is later removed).
    secretary_name = models.CharField(
        pgettext_lazy("minutes writer", "secretary"), max_length=120, blank=True
    )
    secretary = models.ForeignKey(
        Person,
        verbose_name=pgettext_lazy("minutes writer", "secretary (from the registry)"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ConferenceStatus.choices,
        default=ConferenceStatus.PLANNED,
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        _USER, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    current_item = models.ForeignKey(
        "AgendaItem", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    # The point the host shows to every point, large, beside the host's own picture.
    spotlight = models.ForeignKey(
        "BridgePoint",
        verbose_name=_("spotlight"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    # Every change to the live state bumps it: clients see a gap and ask for the whole state.
    seq = models.PositiveBigIntegerField(default=0)
    # Optimistic locking of the particulars: an edit based on an older revision is refused.
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("conference")
        verbose_name_plural = _("conferences")
        ordering = ["-scheduled_start"]

    def __str__(self):
        return self.title

    @property
    def day(self):
        """The conference's day in the installation's time zone (designations are as of it)."""
        return timezone.localtime(self.scheduled_start).date()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class PointState(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline")


class BridgePoint(models.Model):
    conference = models.ForeignKey(Conference, related_name="points", on_delete=models.CASCADE)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=200)
    is_host = models.BooleanField(_("host point"), default=False)
    location = models.CharField(_("room / location"), max_length=300, blank=True)
    operator = models.ForeignKey(
        _USER,
        verbose_name=_("operator"),
        null=True,
        blank=True,
        related_name="operated_points",
        on_delete=models.SET_NULL,
    )
    state = models.CharField(
        _("state"), max_length=10, choices=PointState.choices, default=PointState.INVITED
    )
    # Confirmation is kept apart from the online/offline state, which presence keeps changing.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Readiness checklist, ticked by the point's operator before the start.
    room_ready = models.BooleanField(_("room ready"), default=False)
    screen_ready = models.BooleanField(_("screen ready"), default=False)
    camera_ready = models.BooleanField(_("camera ready"), default=False)
    microphone_ready = models.BooleanField(_("microphone ready"), default=False)
    connection_tested = models.BooleanField(_("connection tested"), default=False)
    readiness_checked_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking of the name, room and operator (services.point_update).
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("bridge point")
        verbose_name_plural = _("bridge points")
        ordering = ["conference_id", "-is_host", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference"],
                condition=models.Q(is_host=True),
                name="meetings_one_host_point",
            )
        ]

    def __str__(self):
        return self.name

    READINESS = [
        "room_ready",
        "screen_ready",
        "camera_ready",
        "microphone_ready",
        "connection_tested",
    ]

    @property
    def is_ready(self) -> bool:
        return all(getattr(self, name) for name in self.READINESS)


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Not yet checked")
    PRESENT = "present", pgettext_lazy("attendance", "Present")
    ABSENT = "absent", _("Absent")
    REPRESENTED = "represented", _("Represented")


class Delegate(models.Model):
    """A person invited at a bridge point, with their designation as it was on the day."""

    point = models.ForeignKey(BridgePoint, related_name="delegates", on_delete=models.CASCADE)
    person = models.ForeignKey(
        Person, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    full_name = models.CharField(_("full name"), max_length=120)
    designation = models.CharField(_("designation"), max_length=500)
    is_guest = models.BooleanField(_("guest"), default=False)
    order = models.PositiveSmallIntegerField(default=0)
    attendance = models.CharField(
        _("attendance"), max_length=12, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    absence_reason = models.CharField(_("reason for absence"), max_length=300, blank=True)
    represented_by = models.CharField(_("represented by"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        ordering = ["point_id", "order", "id"]

    def __str__(self):
        return self.designation


class AttendanceEventKind(models.TextChoices):
    ONLINE = "online", _("Point online")
    OFFLINE = "offline", _("Point offline")
    CHECKED_IN = "present", _("Delegate present")
    ABSENT = "absent", _("Delegate absent")
    REPRESENTED = "represented", _("Delegate represented")


class AttendanceEvent(models.Model):
    """The proof of attendance: when each point was online and each delegate checked in."""

    conference = models.ForeignKey(
        Conference, related_name="attendance_log", on_delete=models.CASCADE
    )
    point = models.ForeignKey(BridgePoint, on_delete=models.CASCADE)
    delegate = models.ForeignKey(Delegate, null=True, blank=True, on_delete=models.CASCADE)
    kind = models.CharField(max_length=12, choices=AttendanceEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        _USER, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("attendance event")
        verbose_name_plural = _("attendance log")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%H:%M:%S} {self.point} {self.kind}"


class ItemKind(models.TextChoices):
    OPENING = "opening", _("Opening")
    REPORT = "report", _("Report presentation")
    CONTRIBUTIONS = "contributions", _("Contributions")
    DIRECTION = "direction", _("Direction speech")
    CONCLUSION = "conclusion", _("Conclusion")
    OTHER = "other", _("Other")


class AgendaItem(models.Model):
    conference = models.ForeignKey(Conference, related_name="agenda", on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=14, choices=ItemKind.choices)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=300)
    presenter = models.CharField(_("presenter"), max_length=300, blank=True)
    planned_minutes = models.PositiveSmallIntegerField(_("planned minutes"), default=10)
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Shown with the item, e.g. the tasks under review.")
    )
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(pgettext_lazy("meeting record", "minutes"), blank=True)
    minutes_revision = models.PositiveIntegerField(default=0)
    # Optimistic locking of the item's particulars (services.agenda_update).
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering = ["conference_id", "order"]

    def __str__(self):
        return f"{self.order}. {self.title}"


def _document_path(instance, filename):
    # Stored under a random name: the original name is only shown, never used as a path.
    import uuid

    return f"conference-documents/{instance.item.conference_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    item = models.ForeignKey(AgendaItem, related_name="documents", on_delete=models.CASCADE)
    file = models.FileField(upload_to=_document_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(_USER, null=True, related_name="+", on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("conference document")
        verbose_name_plural = _("conference documents")
        ordering = ["item_id", "uploaded_at"]

    def __str__(self):
        return self.original_name


class IncidentKind(models.TextChoices):
    NO_PICTURE = "no_picture", _("No picture")
    NO_SOUND = "no_sound", _("No sound")
    CONNECTION_LOST = "connection_lost", _("Connection lost")
    OTHER = "other", _("Other")


class Incident(models.Model):
    point = models.ForeignKey(BridgePoint, related_name="incidents", on_delete=models.CASCADE)
    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    action_taken = models.CharField(_("what was done"), max_length=500, blank=True)
    automatic = models.BooleanField(default=False)
    reported_by = models.ForeignKey(
        _USER, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("technical incident")
        verbose_name_plural = _("technical incidents")
        ordering = ["started_at", "id"]

    def __str__(self):
        return f"{self.point}: {self.get_kind_display()}"


class FloorStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    SPEAKING = "speaking", _("Speaking")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FloorRequest(models.Model):
    """A bridge point's request for the floor, and then its turn (the contribution)."""

    conference = models.ForeignKey(
        Conference, related_name="floor_requests", on_delete=models.CASCADE
    )
    point = models.ForeignKey(BridgePoint, related_name="floor_requests", on_delete=models.CASCADE)
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, related_name="contributions", on_delete=models.SET_NULL
    )
    topic = models.CharField(_("topic"), max_length=300)
    speaker = models.CharField(_("speaker"), max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=FloorStatus.choices, default=FloorStatus.WAITING
    )
    position = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(_USER, null=True, related_name="+", on_delete=models.SET_NULL)
    granted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Bounded like the live room's other texts: it travels in commands and the minutes.
    summary = models.CharField(_("summary of the contribution"), max_length=4000, blank=True)

    class Meta:
        verbose_name = _("request for the floor")
        verbose_name_plural = _("requests for the floor")
        ordering = ["conference_id", "position", "id"]

    def __str__(self):
        return f"{self.point}: {self.topic}"


class Conclusion(models.Model):
    """One point of the chair's conclusions; the follow-up app turns them into tasks."""

    conference = models.ForeignKey(Conference, related_name="conclusions", on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField()
    text = models.TextField(_("text"))
    created_by = models.ForeignKey(_USER, null=True, related_name="+", on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("conclusion")
        verbose_name_plural = _("conclusions")
        ordering = ["conference_id", "order"]

    def __str__(self):
        return self.text[:80]


class Connection(models.Model):
    """One open console of a bridge point (a browser tab on a WebSocket)."""

    point = models.ForeignKey(BridgePoint, related_name="connections", on_delete=models.CASCADE)
    channel = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("open console")
        verbose_name_plural = _("open consoles")

    def __str__(self):
        return f"{self.point} · {self.channel}"
