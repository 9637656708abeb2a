"""The background tasks: the scheduler enqueues each app's periodic tasks when due, a worker runs
what is queued, a failing task is retried a bounded number of times and then shown failed, and
only an administrator sees the runs."""

import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks import TaskResultStatus

from giaoban.core.tasks import PERIODIC
from giaoban.followup import tasks as followup_tasks
from giaoban.media import tasks as media_tasks
from giaoban.ops import tasks as ops_tasks
from giaoban.ops import worker
from giaoban.ops.models import Heartbeat, TaskRun
from giaoban.ops.tests import tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_ran():
    tasks.RAN.clear()


def _states(made) -> list[str]:
    runs = TaskRun.objects.filter(task_path=made.module_path).order_by("enqueued_at")
    return [run.status for run in runs]


def test_each_app_registers_its_own_periodic_tasks(settings):
    settings.REMINDER_INTERVAL = 600
    assert PERIODIC[followup_tasks.reminders_send.module_path].every() == 600
    assert PERIODIC[media_tasks.recordings_convert.module_path].every() == 30


def test_a_task_the_scheduler_enqueues_is_run_by_a_worker(monkeypatch):
    tasks.periodic_only(monkeypatch, tasks.noted)
    assert list(worker.schedule()) == [tasks.noted.module_path]
    assert worker.schedule() == {}  # already waiting: not enqueued twice
    assert tasks.RAN == []  # enqueued, not run: that is a worker's job
    assert worker.run_ready() == 1
    assert tasks.RAN == ["noted"]
    assert _states(tasks.noted) == [TaskResultStatus.SUCCESSFUL]
    assert worker.schedule() == {}  # ran within its interval: not due yet
    [beat] = Heartbeat.objects.all()
    assert beat.key.startswith("reminders@") and beat.ok


def test_a_periodic_task_is_due_again_after_its_interval(monkeypatch):
    tasks.periodic_only(monkeypatch, tasks.noted, every=60)
    worker.schedule()
    worker.run_ready()
    TaskRun.objects.update(enqueued_at=timezone.now() - timedelta(seconds=61))
    assert list(worker.schedule()) == [tasks.noted.module_path]


def test_a_failing_task_is_retried_then_shown_failed():
    tasks.always_fails.enqueue()
    assert worker.run_ready() == 2  # the first attempt and its retry, then no more
    runs = TaskRun.objects.filter(task_path=tasks.always_fails.module_path)
    assert [run.status for run in runs.order_by("enqueued_at")] == ["FAILED", "FAILED"]
    assert sorted(run.args_kwargs["kwargs"].get("attempt", 1) for run in runs) == [1, 2]
    assert all("the cause of the failure" in run.traceback for run in runs)
    assert not Heartbeat.objects.get().ok  # /health/ready reports the worker failing


def test_a_retry_waits_before_it_runs():
    tasks.fails_then_waits.enqueue()
    assert worker.run_ready() == 1
    assert _states(tasks.fails_then_waits) == ["FAILED", "READY"]
    retry = TaskRun.objects.get(status="READY")
    assert retry.run_after > timezone.now() + timedelta(seconds=50)


def test_worker_once_fails_when_a_task_failed(monkeypatch):
    tasks.periodic_only(monkeypatch, tasks.always_fails)
    with pytest.raises(CommandError, match="always_fails"):
        call_command("worker", "--once")


def test_an_administrator_sees_the_failed_task(admin_client):
    tasks.always_fails.enqueue()
    worker.run_ready()
    response = admin_client.get("/admin/ops/taskrun/", {"state": "FAILED"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "always_fails" in page
    assert "Tác vụ nền" in page or "tác vụ nền" in page  # its Vietnamese name
    assert "thất bại" in page
    run = TaskRun.objects.filter(task_path=tasks.always_fails.module_path).first()
    detail = admin_client.get(f"/admin/ops/taskrun/{run.pk}/change/").content.decode()
    assert "the cause of the failure" in detail


def test_anyone_else_does_not(client, bob):
    tasks.always_fails.enqueue()
    worker.run_ready()
    client.force_login(bob)
    response = client.get("/admin/ops/taskrun/")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 403
    assert "always_fails" not in response.content.decode()


def test_old_runs_are_pruned_the_failed_ones_kept_longer():
    tasks.noted.enqueue()
    tasks.always_fails.enqueue()
    worker.run_ready()
    TaskRun.objects.update(finished_at=timezone.now() - timedelta(days=3))
    assert ops_tasks.task_runs_prune.call() == 1
    assert set(TaskRun.objects.values_list("status", flat=True)) == {"FAILED"}


def _serve(monkeypatch, *options) -> list:
    """`giaoban serve` with uvicorn replaced by a wait for the task `noted` to have run; the
    worker threads it started, stopped."""
    import uvicorn

    started = []
    start = worker.start_in_process

    def recorded_start():
        started.append(start())
        return started[-1]

    def until_noted(*args, **kwargs):
        deadline = time.monotonic() + 30
        while started and not tasks.RAN and time.monotonic() < deadline:
            time.sleep(0.05)

    monkeypatch.setattr(worker, "start_in_process", recorded_start)
    monkeypatch.setattr(uvicorn, "run", until_noted)
    try:
        call_command("serve", "--port", "8765", *options, stdout=io.StringIO())
    finally:
        for thread, stop in started:
            stop.set()
            thread.join(timeout=10)
    return started


@pytest.mark.django_db(transaction=True)
def test_serve_runs_the_tasks_without_a_separate_worker(monkeypatch):
    tasks.periodic_only(monkeypatch, tasks.noted)
    [(thread, _stop)] = _serve(monkeypatch)
    assert tasks.RAN == ["noted"]
    assert not thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_serve_no_worker_leaves_them_to_giaoban_worker(monkeypatch):
    tasks.periodic_only(monkeypatch, tasks.noted)
    assert _serve(monkeypatch, "--no-worker") == []
    assert tasks.RAN == []


def test_a_run_whose_worker_died_is_shown_failed():
    tasks.noted.enqueue()
    TaskRun.objects.update(status="RUNNING", started_at=timezone.now() - timedelta(hours=7))
    ops_tasks.task_runs_prune.call()
    run = TaskRun.objects.get()
    assert run.status == "FAILED" and "The worker stopped" in run.traceback


@pytest.mark.django_db(transaction=True)
def test_serve_keeps_idle_connections_open_longer_than_nginx_and_clients(monkeypatch):
    """uvicorn's default closed an idle connection after 5 s, racing a client (or nginx, whose
    upstream keepalive_timeout is 60 s) that was reusing it: the request failed."""
    import uvicorn

    given = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: given.update(kwargs))
    call_command("serve", "--port", "8765", "--no-worker", stdout=io.StringIO())
    assert given["timeout_keep_alive"] > 60
