"""The media app's background tasks: converting the ended conferences' recordings, which the
scheduler enqueues every `recordings.POLL_EVERY` seconds (added in apps.py) and any worker runs."""

from giaoban.core.tasks import retried_task
from giaoban.media import recordings


@retried_task
def recordings_convert() -> int:
    """Convert the conferences whose recordings are due; how many were converted. Several runs
    at once convert each conference once (see recordings.recordings_run)."""
    return recordings.recordings_run()
