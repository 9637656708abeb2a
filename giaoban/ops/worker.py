"""The task worker: a scheduler that enqueues the apps' periodic tasks when they are due
(`core.tasks.PERIODIC`), and a loop that runs the queued tasks (django-tasks-db), one after the
other. `giaoban worker` runs both; so does a thread of `giaoban serve`, the embedded default.
Django-tasks-db's own `giaoban db_worker` may run more workers beside them.

Several schedulers and workers may run at once: a periodic task is enqueued only when none of
its runs is waiting and none was enqueued within its interval (a rare double is harmless: every
periodic service is safe alongside another run of itself), and a queued task is claimed by one
worker inside an exclusive transaction.
"""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.db import OperationalError, close_old_connections, connection
from django.db.models import Q
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from giaoban.core.tasks import PERIODIC, Periodic
from giaoban.ops.services import heartbeat_beat

log = logging.getLogger("giaoban.ops.worker")

#: Seconds an idle worker waits before it looks at the queue and the schedule again.
TICK = 5


def worker_id() -> str:
    """This worker's name in the task results: the machine, the process, the thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:64]


# The scheduler --------------------------------------------------------------------------------


def _due(periodic: Periodic, now) -> bool:
    recent = now - timedelta(seconds=periodic.every())
    runs = DBTaskResult.objects.filter(task_path=periodic.task.module_path)
    return not runs.filter(Q(status=TaskResultStatus.READY) | Q(enqueued_at__gt=recent)).exists()


def schedule(*, every_one: bool = False) -> dict:
    """Enqueue the periodic tasks that are due (`every_one`: all of them, now); returns the
    results enqueued, by task path."""
    now = timezone.now()
    return {
        path: periodic.task.enqueue()
        for path, periodic in list(PERIODIC.items())
        if every_one or _due(periodic, now)
    }


# The worker -----------------------------------------------------------------------------------


def _claim(name: str) -> DBTaskResult | None:
    """The next due task, marked as this worker's; None when there is none or SQLite is busy."""
    ready = DBTaskResult.objects.ready().filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS)
    if not ready.exists():  # a read first: an idle worker takes no write lock
        return None
    try:
        with exclusive_transaction(ready.db):
            result = ready.get_locked()
            if result is not None:
                result.claim(name)
            return result
    except OperationalError as exc:
        if is_locked_database_exception(exc):
            return None  # the next look will take it
        raise


def run_ready(*, name: str | None = None, stop: threading.Event | None = None) -> int:
    """Run the queued tasks that are due until none is left (or `stop` is set); how many ran.
    A failed task is recorded as failed on its result (and retried if it is a retried_task)."""
    name = name or worker_id()
    runner = Worker(
        queue_names=["*"],
        interval=TICK,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=name,
        excluded_queue_names=[],
    )
    ran = 0
    while not (stop and stop.is_set()) and (result := _claim(name)) is not None:
        runner.run_task(result)
        ran += 1
    return ran


def run_every(stop: threading.Event, *, tick: float = TICK) -> None:
    """Schedule and run until `stop` is set; a failure is logged and the next look comes on
    time."""
    name = worker_id()
    while not stop.is_set():
        close_old_connections()
        try:
            schedule()
            run_ready(name=name, stop=stop)
        except Exception:
            log.exception("the task worker failed")
            heartbeat_beat(loop="reminders", ok=False)  # read by /health/ready
        finally:
            # A long-lived loop must not keep a connection the database may drop meanwhile.
            connection.close()
        stop.wait(tick)


def start_in_process() -> tuple[threading.Thread, threading.Event]:
    """Start the scheduler and worker in a daemon thread of this process; set the returned
    event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=run_every, args=(stop,), name="giaoban-worker", daemon=True)
    thread.start()
    return thread, stop


def task_finished(sender, task_result, **kwargs) -> None:
    """Every task a worker runs is its sign of life (connected in apps.py): /health/ready sees
    the worker stale when none has run for two reminder intervals, failing when the last failed."""
    heartbeat_beat(loop="reminders", ok=task_result.status == TaskResultStatus.SUCCESSFUL)
