"""The follow-up's scheduled job, run by `giaoban worker` or, in the embedded default, by a
thread of `giaoban serve`. Each run is safe alongside any other (see services.reminders_send)."""

import logging
import threading

from django.db import close_old_connections, connection

from giaoban.followup import services
from giaoban.ops.services import heartbeat_beat

log = logging.getLogger("giaoban.followup.jobs")


def run_once() -> services.ReminderRun:
    run = services.reminders_send()
    if run.created or run.emailed or run.skipped:
        log.info(
            "reminders: %s made, %s e-mailed, %s skipped", run.created, run.emailed, run.skipped
        )
    return run


def run_every(interval: int, stop: threading.Event) -> None:
    """Run until `stop` is set; a failed run is logged and the next one comes on time."""
    while not stop.is_set():
        close_old_connections()
        ok = False
        try:
            run_once()
            ok = True
        except Exception:
            log.exception("the reminders job failed")
        finally:
            heartbeat_beat(loop="reminders", ok=ok)  # read by /health/ready
            # A long-lived loop must not keep a connection the database may drop meanwhile.
            connection.close()
        stop.wait(interval)


def start_in_process(interval: int) -> tuple[threading.Thread, threading.Event]:
    """Start the job in a daemon thread of this process; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_every, args=(interval, stop), name="giaoban-reminders", daemon=True
    )
    thread.start()
    return thread, stop
