"""The operations side's background task: old runs of the background tasks pruned, so that the
results table (a row every 30 s for the recordings' look alone) does not grow without end, and
runs whose worker died (killed, machine lost) shown failed instead of running for ever."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from giaoban.core.tasks import retried_task

#: How long the runs stay visible in the admin: the failed ones long enough to be looked into.
SUCCEEDED_KEPT = timedelta(days=2)
FAILED_KEPT = timedelta(days=30)
#: A run still "running" this long after it started lost its worker: no task takes this long.
RUNNING_LOST = timedelta(hours=6)
#: The scheduler enqueues the pruning this often (seconds).
PRUNE_EVERY = 6 * 3600


class WorkerLost(RuntimeError):
    """The worker running a task stopped before the task ended."""


@retried_task
def task_runs_prune() -> int:
    """Mark the runs whose worker died failed, and delete those finished longer ago than they
    are kept; how many were deleted."""
    now = timezone.now()
    DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - RUNNING_LOST
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="giaoban.ops.tasks.WorkerLost",
        traceback=f"The worker stopped during the run: no end {RUNNING_LOST} after its start.",
    )
    succeeded = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - SUCCEEDED_KEPT
    )
    failed = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__lt=now - FAILED_KEPT
    )
    return succeeded.delete()[0] + failed.delete()[0]
