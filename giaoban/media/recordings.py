"""The conference's recordings: Janus records the room (server-side, clients cannot switch it),
and when the conference ends the host's streams and those of the points that held the floor are
converted with janus-pp-rec and attached to the conference's record.

A point's sound is only in its recording while it was heard: Janus drops moderated (muted) audio
before the recorder. The other points' files are deleted unconverted.
"""

import logging
import re
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.utils import timezone

from giaoban.media.models import Recording
from giaoban.meetings.models import Conference, FloorRequest

log = logging.getLogger("giaoban.media")

_FILE = re.compile(
    r"^videoroom-(?P<room>\d+)-user-(?P<feed>\d+)-(?P<at>\d+)-(?P<kind>audio|video)-\d+\.mjr$"
)
_FORMATS = {"audio": (".opus", "audio/ogg"), "video": (".webm", "video/webm")}
_EMPTY = 64  # a recorder that never got a packet writes only its header


def recordings_dir(conference_id: int) -> Path:
    path = Path(settings.DATA_DIR) / "janus-recordings" / str(conference_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _kept_points(conference: Conference) -> set[int]:
    host = set(conference.points.filter(is_host=True).values_list("pk", flat=True))
    spoke = FloorRequest.objects.filter(conference=conference, granted_at__isnull=False)
    return host | set(spoke.values_list("point_id", flat=True))


def recordings_convert(*, conference: Conference) -> list[Recording]:
    """Convert and attach what is kept; delete every raw file. Safe to run twice."""
    directory = recordings_dir(conference.pk)
    converter = shutil.which("janus-pp-rec")
    kept = _kept_points(conference)
    points = {p.pk: p for p in conference.points.all()}
    made = []
    for raw in sorted(directory.glob("*.mjr")):
        match = _FILE.match(raw.name)
        feed = int(match["feed"]) if match else None
        if match and feed in kept and raw.stat().st_size > _EMPTY and converter:
            recording = _convert(conference, points.get(feed), raw, match, converter)
            if recording:
                made.append(recording)
        raw.unlink(missing_ok=True)
    return made


def _convert(conference, point, raw: Path, match, converter: str) -> Recording | None:
    suffix, content_type = _FORMATS[match["kind"]]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"out{suffix}"
        result = subprocess.run(
            [converter, str(raw), str(out)], capture_output=True, text=True, timeout=600
        )
        if result.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            log.warning("janus-pp-rec failed on %s: %s", raw.name, result.stderr[-500:])
            return None
        at = datetime.fromtimestamp(int(match["at"]) / 1e6, tz=UTC)
        who = point.name if point else match["feed"]
        name = f"{who} - {match['kind']} - {timezone.localtime(at):%d-%m-%Y %H.%M.%S}{suffix}"
        with out.open("rb") as handle:
            recording = Recording(
                conference=conference,
                point=point,
                name=name,
                content_type=content_type,
                size=out.stat().st_size,
            )
            recording.file.save(name, File(handle), save=True)
    return recording
