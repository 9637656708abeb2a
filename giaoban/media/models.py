"""What the app knows of the media side: the pool of Janus servers, each live conference's rooms
(an origin and its edges), each point's published stream and where it is placed, the streams
relayed between servers, the points' test sessions, the recordings and the job that converts
them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from giaoban.meetings.models import BridgePoint, Conference


class MediaServer(models.Model):
    """A Janus server of the pool, listed by the administrator. Without any row the servers of
    JANUS_URL are the pool (see `pool.servers`)."""

    name = models.CharField(_("name"), max_length=100)
    url = models.CharField(
        _("WebSocket URL for the app"),
        max_length=300,
        unique=True,
        help_text=_("How the app reaches Janus's WebSocket API, e.g. ws://10.0.0.5:8188"),
    )
    public_url = models.CharField(
        _("public URL"),
        max_length=300,
        blank=True,
        help_text=_("The address its points' browsers reach (wss://...); empty: the app's URL"),
    )
    region = models.CharField(
        _("region"),
        max_length=200,
        blank=True,
        help_text=_("Official codes of the provinces it serves first, comma-separated"),
    )
    capacity = models.PositiveIntegerField(_("capacity (points)"), default=500)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("media server")
        verbose_name_plural = _("media servers")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class RoomState(models.TextChoices):
    UP = "up", _("Running")
    DOWN = "down", _("Media server unreachable")
    CLOSED = "closed", _("Closed")


class RoomRole(models.TextChoices):
    ORIGIN = "origin", _("Origin (the host's server)")
    EDGE = "edge", _("Edge")


class MediaRoom(models.Model):
    """The VideoRoom of one live conference on one Janus server: the origin (the host's) or an
    edge holding some of its points."""

    conference = models.ForeignKey(Conference, related_name="media_rooms", on_delete=models.CASCADE)
    server = models.CharField(max_length=300)
    role = models.CharField(max_length=8, choices=RoomRole.choices, default=RoomRole.ORIGIN)
    room = models.PositiveBigIntegerField()
    # The room's own secret: every moderation request carries it; browsers never see it.
    secret = models.CharField(max_length=64)
    state = models.CharField(max_length=8, choices=RoomState.choices, default=RoomState.DOWN)
    # On the origin: the points of the host console's page, relayed to it from their edges.
    tiles = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("media room")
        verbose_name_plural = _("media rooms")
        constraints = [
            models.UniqueConstraint(fields=["conference", "server"], name="media_room_per_server"),
            models.UniqueConstraint(
                fields=["conference"],
                condition=models.Q(role="origin"),
                name="media_one_origin",
            ),
        ]

    def __str__(self):
        return f"{self.conference} · {self.server} #{self.room}"


class MediaPeer(models.Model):
    """A bridge point's published camera and microphone, as Janus's events describe it."""

    point = models.OneToOneField(BridgePoint, related_name="media", on_delete=models.CASCADE)
    # Where the point is placed: the app URL of its server (see pool.place), kept in the record.
    server = models.CharField(_("media server"), max_length=300, blank=True, db_index=True)
    placed_at = models.DateTimeField(null=True, blank=True)
    # Its streams as Janus published them (type, mindex, mid, codec): what a relay re-creates.
    streams = models.JSONField(default=list, blank=True)
    session = models.PositiveBigIntegerField(null=True, blank=True)
    handle = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    audio_mid = models.CharField(max_length=8, blank=True)
    video_mid = models.CharField(max_length=8, blank=True)
    up = models.BooleanField(default=False)
    # What the server enforces: a point speaks only when the chair lets it.
    audio_muted = models.BooleanField(default=True)
    receiving_audio = models.BooleanField(default=False)
    receiving_video = models.BooleanField(default=False)
    quality = models.PositiveSmallIntegerField(null=True, blank=True)  # Janus link quality 0–100
    slow_links = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bridge point's stream")
        verbose_name_plural = _("bridge points' streams")

    def __str__(self):
        return f"{self.point} · {'up' if self.up else 'down'}"


class MediaRelay(models.Model):
    """One point's stream forwarded from its own server to another server of the conference
    (VideoRoom `publish_remotely` there, `add_remote_publisher` here), where it is an ordinary
    feed with the point's id."""

    conference = models.ForeignKey(Conference, related_name="+", on_delete=models.CASCADE)
    point = models.ForeignKey(BridgePoint, related_name="+", on_delete=models.CASCADE)
    source = models.CharField(max_length=300)
    target = models.CharField(max_length=300)
    remote_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("relayed stream")
        verbose_name_plural = _("relayed streams")
        constraints = [
            models.UniqueConstraint(fields=["point", "target"], name="media_relay_once"),
        ]

    def __str__(self):
        return f"{self.point}: {self.source} → {self.target}"


class MediaTest(models.Model):
    """A point's test session: its camera and microphone sent to the server and received back."""

    point = models.ForeignKey(BridgePoint, related_name="media_tests", on_delete=models.CASCADE)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )
    at = models.DateTimeField(default=timezone.now)
    passed = models.BooleanField(_("passed"))
    camera = models.BooleanField(_("camera captured"))
    microphone = models.BooleanField(_("microphone captured"))
    frames_received = models.PositiveIntegerField(_("frames received back"))
    round_trip_ms = models.FloatField(_("round-trip time (ms)"), null=True)
    packet_loss = models.FloatField(_("packet loss (%)"), null=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("media test")
        verbose_name_plural = _("media tests")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.point} · {self.at:%d/%m/%Y %H:%M}"


def _recording_path(instance, filename):
    import uuid

    return f"conference-recordings/{instance.conference_id}/{uuid.uuid4().hex}"


class Recording(models.Model):
    """A converted recording (host or floor) attached to the conference's record."""

    conference = models.ForeignKey(Conference, related_name="recordings", on_delete=models.CASCADE)
    point = models.ForeignKey(BridgePoint, null=True, on_delete=models.SET_NULL)
    file = models.FileField(upload_to=_recording_path)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    # The raw .mjr file it was converted from: a conversion retaken after its worker died
    # skips what the dead one already attached.
    source = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("conference recording")
        verbose_name_plural = _("conference recordings")
        ordering = ["conference", "created_at", "id"]

    def __str__(self):
        return self.name


class JobState(models.TextChoices):
    PENDING = "pending", _("Waiting for conversion")
    RUNNING = "running", _("Converting")
    DONE = "done", _("Converted")
    FAILED = "failed", _("Conversion failed")


class RecordingJob(models.Model):
    """The conversion of one ended conference's raw recordings, done by the job worker (see
    recordings.recordings_run): a request that ends a conference never waits for janus-pp-rec.

    A worker owns the job while `claim` is its token; `claimed_at` is renewed after each file,
    so a job whose worker died is taken again once it has been silent for `recordings.STALE`."""

    conference = models.OneToOneField(
        Conference, related_name="recording_job", on_delete=models.CASCADE
    )
    state = models.CharField(
        max_length=8, choices=JobState.choices, default=JobState.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recording conversion")
        verbose_name_plural = _("recording conversions")

    def __str__(self):
        return f"{self.conference} · {self.state}"
