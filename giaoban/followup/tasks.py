"""The follow-up's background tasks: the task reminders, which the scheduler enqueues every
REMINDER_INTERVAL seconds (added in apps.py) and any worker runs."""

import logging
from dataclasses import asdict

from giaoban.core.tasks import retried_task
from giaoban.followup import services

log = logging.getLogger("giaoban.followup.tasks")


@retried_task
def reminders_send() -> dict:
    """Remind the assignees of near and passed deadlines, in the app and by e-mail. Safe
    alongside any other run (see services.reminders_send)."""
    run = services.reminders_send()
    if run.created or run.emailed or run.skipped:
        log.info(
            "reminders: %s made, %s e-mailed, %s skipped", run.created, run.emailed, run.skipped
        )
    return asdict(run)


def reminders_describe(run: dict) -> str:
    """What `giaoban worker --once` prints of a run."""
    return (
        f"Nhắc việc: {run['created']} thông báo mới, {run['emailed']} thư đã gửi, "
        f"{run['skipped']} bỏ qua."
    )
