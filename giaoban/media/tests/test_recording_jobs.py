"""The recordings of an ended conference are converted by the job worker, not by the request that
ends it: queued when the room closes, claimed by exactly one worker, taken again when its worker
died, tried again a bounded number of times when janus-pp-rec fails, raw files kept until then.

The raw files are real .mjr recordings (Janus's container: a JSON header, then RTP packets) of a
few Opus packets, converted by Debian's janus-pp-rec; no Janus needs to run."""

import json
import shutil
import struct
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from giaoban.core.db import retry_locked
from giaoban.media import recordings
from giaoban.media.models import JobState, MediaRoom, Recording, RecordingJob
from giaoban.media.recordings import recordings_dir
from giaoban.media.tests.conftest import need
from giaoban.meetings import floor
from giaoban.meetings import services as meetings

DOWN = "ws://127.0.0.1:9"  # nothing listens there: the room is "down", the conference goes on
STARTED = 1633676400_000000  # 08/10/2021 14:00 in Hà Nội, in microseconds as Janus names files


def _mjr(path, packets: int = 50) -> None:
    """A Janus recording of `packets` Opus frames of 20 ms."""
    info = json.dumps({"t": "a", "c": "opus", "s": STARTED, "u": STARTED}).encode()
    data = b"MJR00002" + struct.pack(">H", len(info)) + info
    for i in range(packets):
        rtp = struct.pack(">BBHII", 0x80, 111, 1000 + i, 960 * i, 0x1234) + b"\xf8\xff\xfe"
        data += b"MEET" + struct.pack(">IH", 20 * i, len(rtp)) + rtp
    path.write_bytes(data)


def _raw(conference, point):
    path = recordings_dir(conference.pk) / (
        f"videoroom-{conference.pk}-user-{point.pk}-{STARTED}-audio-0.mjr"
    )
    _mjr(path)
    return path


def _points(conference):
    by_unit = {p.unit.code: p for p in conference.points.select_related("unit", "conference")}
    return by_unit["10"], by_unit["088"], by_unit["082"]


@pytest.fixture
def converter():
    need(shutil.which("janus-pp-rec") is not None, "janus-pp-rec is not installed (janus-tools)")


@pytest.fixture
def ended(settings, tmp_path, conference, operators, converter, django_capture_on_commit_callbacks):
    """The briefing after its end: the host and Sa Pa (which had the floor) recorded, Bát Xát's
    file recorded too but never heard."""
    settings.DATA_DIR = tmp_path
    settings.JANUS_URLS = [DOWN]
    with django_capture_on_commit_callbacks(execute=True):
        conference = meetings.conference_transition(
            actor=None, conference=conference, action="start"
        )
    host, sapa, batxat = _points(conference)
    request = floor.floor_request(actor=operators["sapa"], point=sapa, topic="Tham luận")
    with django_capture_on_commit_callbacks(execute=True):
        floor.floor_grant(actor=None, request=request)
    raws = {point: _raw(conference, point) for point in (host, sapa, batxat)}
    with django_capture_on_commit_callbacks(execute=True):
        conference = meetings.conference_transition(actor=None, conference=conference, action="end")
    return conference, raws


def _converted(conference):
    return sorted(
        (r.point_id, r.content_type) for r in Recording.objects.filter(conference=conference)
    )


def test_ending_the_conference_queues_the_conversion_without_converting(
    settings, tmp_path, conference, operators, monkeypatch, django_capture_on_commit_callbacks
):
    settings.DATA_DIR = tmp_path
    settings.JANUS_URLS = [DOWN]
    with django_capture_on_commit_callbacks(execute=True):
        conference = meetings.conference_transition(
            actor=None, conference=conference, action="start"
        )
    host, _sapa, _batxat = _points(conference)
    raw = _raw(conference, host)

    def no_converting(*args, **kwargs):
        raise AssertionError("janus-pp-rec ran in the request")

    monkeypatch.setattr(recordings.subprocess, "run", no_converting)
    with django_capture_on_commit_callbacks(execute=True):
        meetings.conference_transition(actor=None, conference=conference, action="end")

    assert MediaRoom.objects.get(conference=conference).state == "closed"
    job = RecordingJob.objects.get(conference=conference)
    assert (job.state, job.attempts, job.claimed_at) == (JobState.PENDING, 0, None)
    assert raw.exists() and not Recording.objects.exists()


def test_a_conference_with_nothing_recorded_queues_nothing(
    settings, tmp_path, conference, django_capture_on_commit_callbacks
):
    settings.DATA_DIR = tmp_path
    settings.JANUS_URLS = [DOWN]
    for action in ("start", "end"):
        with django_capture_on_commit_callbacks(execute=True):
            conference = meetings.conference_transition(
                actor=None, conference=conference, action=action
            )
    assert not RecordingJob.objects.exists()


def test_the_pane_says_the_recordings_are_being_converted_then_lists_them(ended, client, operators):
    conference, _raws = ended
    client.force_login(operators["sapa"])
    url = f"/api/v1/media/conferences/{conference.pk}"
    state = client.get(url).json()
    assert state["status"] == "closed"
    assert state["recordings"] == []
    assert state["recordings_state"] == "pending"
    assert "Các bản ghi đang được chuyển đổi" in state["message"]

    call_command("worker", "--once")

    state = client.get(url).json()
    assert state["recordings_state"] == "done"
    assert "chuyển đổi" not in state["message"]
    assert [r["name"].split(" - ")[:2] for r in state["recordings"]] == [
        ["Điểm cầu tỉnh Lào Cai", "âm thanh"],
        ["Điểm cầu thị xã Sa Pa", "âm thanh"],
    ]


def test_the_worker_run_converts_attaches_and_deletes_the_raw_files(ended, client, operators):
    conference, raws = ended
    host, sapa, _batxat = _points(conference)

    assert recordings.recordings_run() == 1

    assert _converted(conference) == sorted([(host.pk, "audio/ogg"), (sapa.pk, "audio/ogg")])
    job = RecordingJob.objects.get(conference=conference)
    assert (job.state, job.attempts, job.error, job.claim) == (JobState.DONE, 1, "", "")
    assert job.finished_at is not None
    assert not any(path.exists() for path in raws.values()), "Bát Xát's, never heard, too"
    recording = Recording.objects.get(point=sapa)
    assert recording.source == raws[sapa].name
    client.force_login(operators["host"])
    response = client.get(f"/media/recordings/{recording.pk}/")
    assert b"".join(response.streaming_content)[:4] == b"OggS"

    assert recordings.recordings_run() == 0  # done is done
    assert len(_converted(conference)) == 2


def test_a_claimed_job_is_not_claimed_again(ended):
    conference, _raws = ended
    job = RecordingJob.objects.get(conference=conference)
    first = recordings.recording_job_claim(job_id=job.pk)
    assert first is not None
    assert recordings.recording_job_claim(job_id=job.pk) is None
    assert recordings.recordings_run() == 0
    assert not Recording.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_convert_the_conference_once(ended):
    """SQLite makes one of them wait ("locked", retried); PostgreSQL lets them race on the row."""
    conference, _raws = ended
    start = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            start.wait()
            results.append(recordings.recordings_run())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [0, 1]
    assert len(_converted(conference)) == 2
    job = RecordingJob.objects.get(conference=conference)
    assert (job.state, job.attempts) == (JobState.DONE, 1)


def test_a_job_whose_worker_died_is_taken_again_after_the_timeout(ended):
    conference, raws = ended
    host, sapa, _batxat = _points(conference)
    job = RecordingJob.objects.get(conference=conference)
    died = timezone.now()
    assert recordings.recording_job_claim(job_id=job.pk, now=died)
    # It attached the host's file and died before deleting its raw file and doing Sa Pa's.
    recordings.recordings_convert(conference=conference, still_mine=lambda: False)
    assert _converted(conference) == [(host.pk, "audio/ogg")]
    assert raws[host].exists() and raws[sapa].exists()

    assert recordings.recordings_run(now=died + timedelta(minutes=5)) == 0  # still its own
    assert recordings.recordings_run(now=died + recordings.STALE + timedelta(seconds=1)) == 1

    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert _converted(conference) == sorted([(host.pk, "audio/ogg"), (sapa.pk, "audio/ogg")])
    assert not list(recordings_dir(conference.pk).glob("*.mjr"))


def test_a_worker_that_dies_every_time_is_given_up_on(ended):
    conference, raws = ended
    job = RecordingJob.objects.get(conference=conference)
    at = timezone.now()
    for _ in range(recordings.MAX_ATTEMPTS):
        assert recordings.recording_job_claim(job_id=job.pk, now=at)
        at += recordings.STALE + timedelta(seconds=1)
    assert recordings.recordings_run(now=at) == 0
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "stopped" in job.error
    assert all(path.exists() for path in raws.values())


def test_a_failed_conversion_is_recorded_retried_and_its_raw_file_kept(
    ended, client, operators, admin_client
):
    conference, raws = ended
    host, sapa, _batxat = _points(conference)
    raws[host].write_bytes(b"not a recording at all; " * 10)  # the disk was full, say
    at = timezone.now()

    assert recordings.recordings_run(now=at) == 0
    job = RecordingJob.objects.get(conference=conference)
    assert (job.state, job.attempts) == (JobState.PENDING, 1)
    assert raws[host].name in job.error and "janus-pp-rec" in job.error
    assert raws[host].exists(), "kept for the next attempt"
    assert not raws[sapa].exists(), "Sa Pa's converted and deleted"
    assert _converted(conference) == [(sapa.pk, "audio/ogg")]

    assert recordings.recordings_run(now=at) == 0  # not again at once
    assert RecordingJob.objects.get(pk=job.pk).attempts == 1
    for attempt in range(2, recordings.MAX_ATTEMPTS + 1):
        at += recordings.RETRY_AFTER + timedelta(seconds=1)
        assert recordings.recordings_run(now=at) == 0
        assert RecordingJob.objects.get(pk=job.pk).attempts == attempt
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.finished_at is not None
    assert raws[host].exists()
    at += recordings.RETRY_AFTER + timedelta(seconds=1)
    assert recordings.recordings_run(now=at) == 0  # bounded: not tried again
    assert RecordingJob.objects.get(pk=job.pk).attempts == recordings.MAX_ATTEMPTS
    assert _converted(conference) == [(sapa.pk, "audio/ogg")], "Sa Pa's not converted twice"

    client.force_login(operators["host"])
    state = client.get(f"/api/v1/media/conferences/{conference.pk}").json()
    assert state["recordings_state"] == "failed"
    assert "Không chuyển đổi được các bản ghi" in state["message"]

    # The cause fixed, the administrator queues it again.
    _raw(conference, host)
    response = admin_client.post(
        "/admin/media/recordingjob/",
        {"action": "convert_again", "_selected_action": [job.pk], "index": 0},
    )
    assert response.status_code == 302
    assert recordings.recordings_run() == 1
    assert _converted(conference) == sorted([(host.pk, "audio/ogg"), (sapa.pk, "audio/ogg")])
    assert not raws[host].exists()


def test_without_janus_pp_rec_nothing_is_deleted(ended, monkeypatch):
    conference, raws = ended
    monkeypatch.setattr(recordings.shutil, "which", lambda name: None)
    assert recordings.recordings_run() == 0
    job = RecordingJob.objects.get(conference=conference)
    assert "janus-pp-rec is not installed" in job.error
    assert all(path.exists() for path in list(raws.values())[:2])


@pytest.mark.django_db(transaction=True)
def test_the_worker_loop_converts_between_reminders(ended, monkeypatch):
    """The loop wakes for the recordings well before the next hour of reminders."""
    from giaoban.core.tasks import PERIODIC, Periodic
    from giaoban.media import tasks
    from giaoban.ops import worker

    conference, _raws = ended
    assert PERIODIC[tasks.recordings_convert.module_path].every() < 3600
    stop = threading.Event()
    runs = []
    original = recordings.recordings_run

    def step():
        runs.append(retry_locked(original)())
        if len(runs) == 2:
            stop.set()
        return runs[-1]

    monkeypatch.setattr(recordings, "recordings_run", step)
    monkeypatch.setitem(
        PERIODIC,
        tasks.recordings_convert.module_path,
        Periodic(tasks.recordings_convert, lambda: 1),
    )
    deadline = threading.Timer(60, stop.set)  # a step that fails must not keep the loop going
    deadline.start()
    try:
        worker.run_every(stop, tick=0.2)
    finally:
        deadline.cancel()
    assert runs == [1, 0]
    assert len(_converted(conference)) == 2
