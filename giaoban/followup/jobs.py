"""The scheduled jobs, run by `giaoban worker` or, in the embedded default, by a thread of
`giaoban serve`: the follow-up's reminders, and the steps other apps add (`step_add`; the media
app converts the ended conferences' recordings). Each run is safe alongside any other (see
services.reminders_send and media.recordings.recordings_run)."""

import logging
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections, connection

from giaoban.followup import services
from giaoban.ops.services import heartbeat_beat

log = logging.getLogger("giaoban.followup.jobs")

#: name → (function called without arguments, seconds between its runs). Added by other apps
#: when they load, so that this loop knows none of them.
STEPS: dict[str, tuple[Callable[[], object], int]] = {}


def step_add(name: str, function: Callable[[], object], *, every: int) -> None:
    """Run `function` in every worker loop, at least every `every` seconds."""
    STEPS[name] = (function, every)


def run_steps() -> None:
    """Every added step, each on its own: one failing does not keep the others from running."""
    failed = []
    for name, (function, _every) in list(STEPS.items()):
        try:
            function()
        except Exception:
            log.exception("the %s job failed", name)
            failed.append(name)
    if failed:
        raise RuntimeError(f"failed jobs: {', '.join(failed)}")


def run_once() -> services.ReminderRun:
    try:
        run = services.reminders_send()
    finally:
        run_steps()
    if run.created or run.emailed or run.skipped:
        log.info(
            "reminders: %s made, %s e-mailed, %s skipped", run.created, run.emailed, run.skipped
        )
    return run


def run_every(interval: int, stop: threading.Event) -> None:
    """Run until `stop` is set; a failed run is logged and the next one comes on time. The
    reminders run every `interval` seconds; the added steps more often if they ask to (a
    conference's recordings should not wait an hour)."""
    tick = min([interval, *(every for _function, every in STEPS.values())])
    reminders_due = 0.0
    while not stop.is_set():
        close_old_connections()
        ok = False
        try:
            if time.monotonic() >= reminders_due:
                reminders_due = time.monotonic() + interval
                run_once()
            else:
                run_steps()
            ok = True
        except Exception:
            log.exception("the scheduled jobs failed")
        finally:
            heartbeat_beat(loop="reminders", ok=ok)  # read by /health/ready
            # A long-lived loop must not keep a connection the database may drop meanwhile.
            connection.close()
        stop.wait(tick)


def start_in_process(interval: int) -> tuple[threading.Thread, threading.Event]:
    """Start the job in a daemon thread of this process; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_every, args=(interval, stop), name="giaoban-reminders", daemon=True
    )
    thread.start()
    return thread, stop
