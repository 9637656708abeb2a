"""Reminders: a few days before the deadline and once it has passed, to the assignee
organization's editors, in the app and by e-mail, each exactly once however many times and in
however many workers the job runs."""

import threading
import time
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from giaoban.followup import services
from giaoban.followup.models import Notification

from .conftest import DEADLINE

pytestmark = pytest.mark.django_db

OVERDUE_DAY = date(2022, 1, 3)


def _sent() -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox)


def _notified() -> list[tuple[str, str, str]]:
    return sorted(
        Notification.objects.values_list(
            "user__username", "assignment__organization__unit__code", "kind"
        )
    )


def test_nothing_is_due_more_than_the_configured_days_before(task, with_emails):
    run = services.reminders_send(today=date(2021, 12, 27), days_before=3)
    assert (run.created, run.emailed) == (0, 0) and mail.outbox == []


def test_the_assignees_editors_are_reminded_before_the_deadline(task, with_emails):
    run = services.reminders_send(today=date(2021, 12, 28), days_before=3)
    # dave is a viewer at Sa Pa: he reads, he does not report, he is not reminded.
    assert _notified() == [("bob", "088", "due_soon"), ("charlie", "082", "due_soon")]
    assert (run.created, run.emailed) == (2, 2)
    assert _sent() == [
        ("bob@example.gov.vn", "[giaoban] Đến hạn ngày 31/12/2021"),
        ("charlie@example.gov.vn", "[giaoban] Đến hạn ngày 31/12/2021"),
    ]
    assert f"/tasks/{task.pk}/" in mail.outbox[0].body


def test_the_days_before_come_from_the_settings(task, with_emails, settings):
    settings.REMINDER_DAYS_BEFORE = 10
    assert services.reminders_send(today=date(2021, 12, 21)).created == 2


def test_running_the_job_twice_reminds_once(task, with_emails):
    for _ in range(2):
        services.reminders_send(today=date(2021, 12, 29), days_before=3)
    assert len(_notified()) == 2 and len(mail.outbox) == 2


def test_overdue_is_a_second_reminder_sent_once(task, with_emails):
    services.reminders_send(today=date(2021, 12, 29), days_before=3)
    for _ in range(3):
        services.reminders_send(today=OVERDUE_DAY, days_before=3)
    assert _notified() == [
        ("bob", "088", "due_soon"),
        ("bob", "088", "overdue"),
        ("charlie", "082", "due_soon"),
        ("charlie", "082", "overdue"),
    ]
    assert [s for s in _sent() if "Quá hạn" in s[1]] == [
        ("bob@example.gov.vn", "[giaoban] Quá hạn từ ngày 31/12/2021"),
        ("charlie@example.gov.vn", "[giaoban] Quá hạn từ ngày 31/12/2021"),
    ]
    assert len(mail.outbox) == 4


def test_finished_or_reported_assignments_are_not_reminded(
    task, with_emails, alice, bob, charlie, sapa, batxat
):
    services.assignment_report(actor=bob, assignment=sapa, status="done")
    services.assignment_report(actor=charlie, assignment=batxat, status="cannot_do", reason="x")
    assert services.reminders_send(today=OVERDUE_DAY).created == 0


def test_a_user_without_an_e_mail_address_is_reminded_in_the_app(task, bob, charlie):
    run = services.reminders_send(today=OVERDUE_DAY)
    assert (run.created, run.emailed) == (2, 0) and mail.outbox == []


def test_a_mail_server_down_is_tried_again_at_the_next_run_and_mails_once(
    task, with_emails, monkeypatch
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mail", down)
    assert services.reminders_send(today=OVERDUE_DAY).emailed == 0
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()
    monkeypatch.undo()
    for _ in range(2):
        services.reminders_send(today=OVERDUE_DAY)
    assert len(_notified()) == 2 and len(mail.outbox) == 2


def test_a_new_deadline_gets_its_own_reminders(task, with_emails, alice):
    services.reminders_send(today=date(2021, 12, 29))
    services.task_update(
        actor=alice, task=task, revision=task.revision, title=task.title, deadline=date(2022, 1, 31)
    )
    assert services.reminders_send(today=date(2022, 1, 29)).created == 2
    assert len(mail.outbox) == 4


def test_reading_the_notifications_marks_them_read(task, bob, charlie):
    services.reminders_send(today=OVERDUE_DAY)
    assert services.notifications_read(user=bob) == 1
    assert Notification.objects.filter(read_at__isnull=True).get().user == charlie


def test_the_worker_command_runs_the_job_once(task, with_emails, capsys):
    call_command("worker", "--once")
    assert "2 thông báo mới, 2 thư đã gửi" in capsys.readouterr().out  # today is long past 2021
    call_command("worker", "--once")
    assert "0 thông báo mới, 0 thư đã gửi" in capsys.readouterr().out
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_workers_running_at_once_remind_exactly_once(tree, conclusion, with_emails):
    """Four workers start together; SQLite may keep some waiting ("database is locked"), which
    the job retries, and PostgreSQL lets them race on the unique constraint."""
    from .conftest import task_make

    task_make(tree, conclusion, deadline=DEADLINE)
    start = threading.Barrier(4)
    errors = []

    def worker():
        try:
            start.wait()
            services.reminders_send(today=OVERDUE_DAY)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _notified() == [("bob", "088", "overdue"), ("charlie", "082", "overdue")]
    assert _sent() == [
        ("bob@example.gov.vn", "[giaoban] Quá hạn từ ngày 31/12/2021"),
        ("charlie@example.gov.vn", "[giaoban] Quá hạn từ ngày 31/12/2021"),
    ]


@pytest.mark.django_db(transaction=True)
def test_serve_runs_the_job_in_a_thread_until_stopped(tree, conclusion, with_emails):
    from giaoban.ops import worker

    from .conftest import task_make

    task_make(tree, conclusion, deadline=DEADLINE)
    thread, stop = worker.start_in_process()
    try:
        for _ in range(200):
            if Notification.objects.count() == 2:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert _notified() == [("bob", "088", "overdue"), ("charlie", "082", "overdue")]
