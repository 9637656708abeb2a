"""Background tasks on Django's task framework (django-tasks, the backport of Django 6's
`django.tasks`): the `task` decorator every app's `tasks.py` uses, retries, and the periodic
tasks each app registers for the scheduler (`giaoban.ops.worker`).

A task takes ids and calls a service. Its runs are rows of django-tasks-db's result table, which
the administrator sees in the admin (Operations › Background tasks). Each app adds its periodic
work in its AppConfig.ready() with `periodic_add`, so that the scheduler knows none by name.

Where a document is to be rendered (for instance to PDF) in the background, the owning app adds
a `@retried_task` function taking the document's id to its `tasks.py` and enqueues it with
`transaction.on_commit(lambda: render.enqueue(document_id=...))`; any worker runs it.
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import DatabaseError
from django.utils import timezone
from django_tasks import task  # Django 6: from django.tasks import task

log = logging.getLogger("giaoban.tasks")

__all__ = ["PERIODIC", "Periodic", "periodic_add", "retried_task", "task"]

#: A failed run is enqueued again this long after, until a task has run ATTEMPTS times.
RETRY_AFTER = timedelta(minutes=1)
ATTEMPTS = 3


def retried_task(
    function: Callable | None = None,
    *,
    attempts: int = ATTEMPTS,
    retry_after: timedelta = RETRY_AFTER,
    on_give_up: Callable | None = None,
    **options,
):
    """`@task`, and a run that raises is enqueued again `retry_after` later with `attempt` one
    higher, up to `attempts` runs in all. Each run is its own result: the administrator sees every
    failed attempt with its traceback, and the task failed once the last attempt did; then
    `on_give_up(*args, error=exception, **kwargs)` is called, e.g. to say so on the record."""

    def decorate(function: Callable):
        @functools.wraps(function)
        def run(*args, attempt: int = 1, **kwargs):
            try:
                return function(*args, **kwargs)
            except Exception as exc:
                if attempt < attempts:
                    _enqueue_again(made, retry_after, args, {**kwargs, "attempt": attempt + 1})
                elif on_give_up is not None:
                    on_give_up(*args, error=exc, **kwargs)
                raise

        made = task(**options)(run)
        return made

    return decorate(function) if function else decorate


def _enqueue_again(made, retry_after: timedelta, args, kwargs) -> None:
    try:
        made.using(run_after=timezone.now() + retry_after).enqueue(*args, **kwargs)
    except DatabaseError:  # the failed run stays visible; the schedule brings the next one
        log.exception("the retry of %s could not be queued", made.name)


@dataclass(frozen=True)
class Periodic:
    """A task enqueued without arguments every `every()` seconds, and how to tell its result
    (`giaoban worker --once` prints it)."""

    task: object
    every: Callable[[], float]
    describe: Callable[[object], str] | None = None


#: task path → its schedule, added by the apps as they load.
PERIODIC: dict[str, Periodic] = {}


def periodic_add(
    made, *, every: float | Callable[[], float], describe: Callable[[object], str] | None = None
) -> None:
    """Have the scheduler enqueue `made` (a task without arguments) every `every` seconds (a
    number, or a function read at each look, for a setting that may change)."""
    seconds = every if callable(every) else (lambda: every)
    PERIODIC[made.module_path] = Periodic(made, seconds, describe)
