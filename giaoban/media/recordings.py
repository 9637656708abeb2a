"""The conference's recordings: Janus records the room (server-side, clients cannot switch it),
and when the conference ends the host's streams and those of the points that held the floor are
converted with janus-pp-rec and attached to the conference's record.

Converting a long briefing takes minutes, so the request that ends the conference only queues it
(`recording_job_queue`, one `RecordingJob` per conference) and the job worker converts it
(`recordings_run`, the periodic task `media.tasks.recordings_convert`). Several workers may
run at once: a job is claimed by a conditional UPDATE, which one worker wins. A job whose worker
died is taken again once its claim is `STALE`; a failed conversion is tried again `RETRY_AFTER`
later, at most `MAX_ATTEMPTS` times, and a raw file is deleted only once it is converted.

A point's sound is only in its recording while it was heard: Janus drops moderated (muted) audio
before the recorder. The other points' files are deleted unconverted.
"""

import logging
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from giaoban.core.db import retry_locked
from giaoban.media.models import JobState, Recording, RecordingJob
from giaoban.meetings.models import Conference, FloorRequest

log = logging.getLogger("giaoban.media")

_FILE = re.compile(
    r"^videoroom-(?P<room>\d+)-user-(?P<feed>\d+)-(?P<at>\d+)-(?P<kind>audio|video)-\d+\.mjr$"
)
_FORMATS = {"audio": (".opus", "audio/ogg"), "video": (".webm", "video/webm")}
#: What a file holds, in the file's name as participants see it (in the installation's language).
_KINDS = {"audio": _("sound"), "video": _("picture")}
_EMPTY = 64  # a recorder that never got a packet writes only its header

#: One file's janus-pp-rec is stopped after this long (a remux, not a transcode: minutes at most).
CONVERT_TIMEOUT = 600
#: A running job whose claim has not been renewed for this long lost its worker. The claim is
#: renewed after each file, so this must stay well above CONVERT_TIMEOUT: a live worker never
#: loses its job to another.
STALE = timedelta(minutes=30)
#: A failed conversion is tried again this long after, up to MAX_ATTEMPTS in all.
RETRY_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 3
#: The scheduler enqueues the look for queued conversions this often (seconds), whatever the
#: reminders' interval.
POLL_EVERY = 30


def recordings_dir(conference_id: int) -> Path:
    path = Path(settings.DATA_DIR) / "janus-recordings" / str(conference_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _kept_points(conference: Conference) -> set[int]:
    host = set(conference.points.filter(is_host=True).values_list("pk", flat=True))
    spoke = FloorRequest.objects.filter(conference=conference, granted_at__isnull=False)
    return host | set(spoke.values_list("point_id", flat=True))


# The queue ---------------------------------------------------------------------------------


def recording_job_queue(*, conference: Conference) -> RecordingJob | None:
    """The room has closed: its raw recordings wait for the worker. Nothing to convert, no job.
    A conference recorded again after its job finished is queued afresh."""
    if not any(recordings_dir(conference.pk).glob("*.mjr")):
        return None
    job, created = RecordingJob.objects.get_or_create(conference=conference)
    if not created:
        RecordingJob.objects.filter(pk=job.pk, state__in=[JobState.DONE, JobState.FAILED]).update(
            state=JobState.PENDING,
            attempts=0,
            error="",
            claim="",
            claimed_at=None,
            finished_at=None,
        )
        job.refresh_from_db()
    return job


def _due(now) -> Q:
    never_tried = Q(state=JobState.PENDING, claimed_at__isnull=True)
    retry = Q(state=JobState.PENDING, claimed_at__lt=now - RETRY_AFTER)
    dead = Q(state=JobState.RUNNING, claimed_at__lt=now - STALE)
    return (never_tried | retry | dead) & Q(attempts__lt=MAX_ATTEMPTS)


def recording_job_claim(*, job_id: int, now=None) -> str | None:
    """Take the job if it is due; the returned token proves it is this worker's. Of workers
    claiming together exactly one gets a token: the UPDATE re-checks the state under the row's
    lock (PostgreSQL) or the database's write lock (SQLite)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    won = RecordingJob.objects.filter(_due(now), pk=job_id).update(
        state=JobState.RUNNING, claim=token, claimed_at=now, attempts=F("attempts") + 1
    )
    return token if won else None


def _renew(job_id: int, token: str) -> bool:
    """Still ours? Renewed after each file, so that nobody takes a job that is progressing."""
    return bool(
        RecordingJob.objects.filter(pk=job_id, claim=token, state=JobState.RUNNING).update(
            claimed_at=timezone.now()
        )
    )


def _give_up_on_the_dead(now) -> None:
    """Jobs whose worker died on every attempt are not taken again."""
    RecordingJob.objects.filter(
        state=JobState.RUNNING, claimed_at__lt=now - STALE, attempts__gte=MAX_ATTEMPTS
    ).update(
        state=JobState.FAILED,
        claim="",
        finished_at=now,
        error="The worker stopped during the conversion on every attempt.",
    )


def _finish(job: RecordingJob, token: str, failures: list[str]) -> None:
    now = timezone.now()
    mine = RecordingJob.objects.filter(pk=job.pk, claim=token)
    if not failures:
        mine.update(state=JobState.DONE, claim="", error="", finished_at=now)
        return
    error = "\n".join(failures)[-4000:]
    if job.attempts >= MAX_ATTEMPTS:
        mine.update(state=JobState.FAILED, claim="", error=error, finished_at=now)
        log.error("recordings of conference %s not converted: %s", job.conference_id, error)
    else:  # claimed_at stays: the retry comes RETRY_AFTER later
        mine.update(state=JobState.PENDING, claim="", error=error, claimed_at=now)
        log.warning(
            "recordings of conference %s failed (attempt %s), retried later: %s",
            job.conference_id,
            job.attempts,
            error,
        )


def recordings_run(*, now=None) -> int:
    """The worker's step: convert the conferences whose job is due; how many were converted.
    Safe alongside any other worker."""
    given, now = now, now or timezone.now()
    retry_locked(_give_up_on_the_dead)(now)
    due = RecordingJob.objects.filter(_due(now)).order_by("created_at", "pk")
    converted = 0
    for job_id in retry_locked(lambda: list(due.values_list("pk", flat=True)))():
        # Claimed at the time of claiming, not of the run's start: after a long first job, a
        # claim dated then would look stale to another worker while this one converts.
        token = retry_locked(recording_job_claim)(job_id=job_id, now=given)
        if token is None:
            continue  # another worker has it
        job = retry_locked(RecordingJob.objects.select_related("conference").get)(pk=job_id)
        try:
            # Safe to run again when SQLite said "locked" midway: nothing is attached twice.
            failures = retry_locked(recordings_convert)(
                conference=job.conference,
                still_mine=lambda job_id=job_id, token=token: retry_locked(_renew)(job_id, token),
            )
        except Exception as exc:  # recorded on the job and tried again: never the loop's end
            log.exception("recordings of conference %s failed", job_id)
            failures = [f"{type(exc).__name__}: {exc}"]
        retry_locked(_finish)(job, token, failures)
        converted += not failures
    return converted


# The conversion ----------------------------------------------------------------------------


def recordings_convert(
    *, conference: Conference, still_mine: Callable[[], bool] = lambda: True
) -> list[str]:
    """Convert and attach what is kept, deleting each raw file once converted and those not
    kept; a file that fails stays for the next attempt. Returns the failures (none: done).
    Safe to run again after an interruption: what is attached is not converted twice."""
    directory = recordings_dir(conference.pk)
    converter = shutil.which("janus-pp-rec")
    kept = _kept_points(conference)
    points = {p.pk: p for p in conference.points.all()}
    attached = set(Recording.objects.filter(conference=conference).values_list("source", flat=True))
    failures = []
    for raw in sorted(directory.glob("*.mjr")):
        match = _FILE.match(raw.name)
        feed = int(match["feed"]) if match else None
        wanted = match and feed in kept and raw.stat().st_size > _EMPTY
        if wanted and raw.name not in attached:
            if converter is None:
                failures.append(f"{raw.name}: janus-pp-rec is not installed (janus-tools)")
                continue
            error = _convert(conference, points.get(feed), raw, match, converter)
            if error:
                failures.append(f"{raw.name}: {error}")
                continue
            if not still_mine():
                failures.append("another worker took the job over")
                break
        raw.unlink(missing_ok=True)
    return failures


def _convert(conference, point, raw: Path, match, converter: str) -> str | None:
    """Attach the converted file; the error if janus-pp-rec failed."""
    suffix, content_type = _FORMATS[match["kind"]]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"out{suffix}"
        try:
            result = subprocess.run(
                [converter, str(raw), str(out)],
                capture_output=True,
                text=True,
                timeout=CONVERT_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            return f"janus-pp-rec did not finish in {CONVERT_TIMEOUT} s"
        if result.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            tail = (result.stderr or result.stdout)[-500:].strip()
            log.warning("janus-pp-rec failed on %s: %s", raw.name, tail)
            return f"janus-pp-rec exited with {result.returncode}: {tail}"
        at = datetime.fromtimestamp(int(match["at"]) / 1e6, tz=UTC)
        who = point.name if point else match["feed"]
        with translation.override(settings.LANGUAGE_CODE):
            kind = str(_KINDS[match["kind"]])
        name = f"{who} - {kind} - {timezone.localtime(at):%d-%m-%Y %H.%M.%S}{suffix}"
        with out.open("rb") as handle, transaction.atomic():
            recording = Recording(
                conference=conference,
                point=point,
                name=name,
                content_type=content_type,
                size=out.stat().st_size,
                source=raw.name,
            )
            recording.file.save(name, File(handle), save=True)
    return None
