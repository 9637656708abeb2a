"""The operations side's background task: old runs of the background tasks pruned, so that the
results table (a row every 30 s for the recordings' look alone) does not grow without end."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from giaoban.core.tasks import retried_task

#: How long the runs stay visible in the admin: the failed ones long enough to be looked into.
SUCCEEDED_KEPT = timedelta(days=2)
FAILED_KEPT = timedelta(days=30)
#: The scheduler enqueues the pruning this often (seconds).
PRUNE_EVERY = 6 * 3600


@retried_task
def task_runs_prune() -> int:
    """Delete the runs finished longer ago than they are kept; how many were deleted."""
    now = timezone.now()
    succeeded = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - SUCCEEDED_KEPT
    )
    failed = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__lt=now - FAILED_KEPT
    )
    return succeeded.delete()[0] + failed.delete()[0]
