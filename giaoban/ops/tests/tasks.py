"""Background tasks for the worker's tests (a task is found by its import path, so it lives in a
module), and a way to make them the scheduler's only periodic tasks."""

import threading
from datetime import timedelta

from giaoban.core.tasks import PERIODIC, Periodic, retried_task, task

#: Set by `loop_stop`: a worker loop running it ends after that run.
STOP = threading.Event()
RAN: list[str] = []


@task
def noted() -> str:
    RAN.append("noted")
    return "noted"


@task
def loop_stop() -> None:
    STOP.set()


@retried_task(attempts=2, retry_after=timedelta(0))
def always_fails() -> None:
    raise RuntimeError("the cause of the failure")


@retried_task
def fails_then_waits() -> None:
    raise RuntimeError("tried again a minute later")


def periodic_only(monkeypatch, made, *, every: float = 3600) -> None:
    """The scheduler knows `made` alone for the length of the test."""
    for path in list(PERIODIC):
        monkeypatch.delitem(PERIODIC, path)
    monkeypatch.setitem(PERIODIC, made.module_path, Periodic(made, lambda: every))
