"""The media app's background tasks: converting the ended conferences' recordings, which the
scheduler enqueues every `recordings.POLL_EVERY` seconds (added in apps.py) and any worker runs;
and checking the live conferences' media servers when no console does (`WATCH_EVERY`)."""

from giaoban.core.tasks import retried_task
from giaoban.media import recordings, services

#: The consoles' polls check the servers every 3 s; this covers a conference nobody watches.
WATCH_EVERY = 10


@retried_task(attempts=1)
def servers_watch() -> int:
    """Check the rooms of every live conference (an edge lost moves its points)."""
    return services.servers_watch()


@retried_task
def recordings_convert() -> int:
    """Convert the conferences whose recordings are due; how many were converted. Several runs
    at once convert each conference once (see recordings.recordings_run)."""
    return recordings.recordings_run()
