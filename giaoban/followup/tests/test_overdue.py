"""Overdue is computed from the date, never stored: before the deadline, on it, after it; and a
finished assignment is never overdue. The clock is moved by passing `today`, or frozen."""

from datetime import UTC, date, datetime
from unittest import mock

import pytest

from giaoban.followup import selectors, services
from giaoban.followup.models import Assignment

from .conftest import VN

pytestmark = pytest.mark.django_db

BEFORE, ON, AFTER = date(2021, 12, 30), date(2021, 12, 31), date(2022, 1, 1)


def _overdue_codes(user, today):
    rows = selectors.overdue(user=user, today=today)
    return sorted(rows.values_list("organization__unit__code", flat=True))


def test_nothing_is_overdue_before_or_on_the_deadline(task, alice):
    for today in (BEFORE, ON):
        assert _overdue_codes(alice, today) == []
        assert not any(a.overdue_on(today) for a in task.assignments.all())


def test_unfinished_assignments_are_overdue_the_day_after(task, alice, bob, sapa):
    services.assignment_report(actor=bob, assignment=sapa, status="in_progress")
    assert _overdue_codes(alice, AFTER) == ["082", "088"]
    assert all(a.overdue_on(AFTER) for a in task.assignments.all())


def test_a_report_of_done_waiting_for_acceptance_is_still_overdue(task, alice, bob, sapa):
    services.assignment_report(actor=bob, assignment=sapa, status="done")
    assert _overdue_codes(alice, AFTER) == ["082", "088"]


def test_done_and_cannot_do_are_never_overdue(task, alice, bob, charlie, sapa, batxat):
    services.assignment_report(actor=bob, assignment=sapa, status="done")
    services.assignment_accept(actor=alice, assignment=sapa)
    services.assignment_report(actor=charlie, assignment=batxat, status="cannot_do", reason="x")
    assert _overdue_codes(alice, date(2030, 1, 1)) == []
    assert Assignment.objects.overdue(date(2030, 1, 1)).count() == 0


def test_overdue_is_not_a_stored_field(task):
    names = {f.name for f in Assignment._meta.get_fields()} | {
        f.name for f in type(task)._meta.get_fields()
    }
    assert not any("overdue" in name for name in names)


def test_the_default_clock_is_todays_date_in_vietnam(task, sapa):
    # 31/12/2021 18:00 UTC is already 01/01/2022 in Hà Nội: the task is overdue there.
    late_evening_utc = datetime(2021, 12, 31, 18, 0, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=late_evening_utc):
        assert sapa.is_overdue
        assert Assignment.objects.overdue().filter(pk=sapa.pk).exists()
    on_the_day = datetime(2021, 12, 31, 9, 0, tzinfo=VN)
    with mock.patch("django.utils.timezone.now", return_value=on_the_day):
        assert not sapa.is_overdue
        assert not Assignment.objects.overdue().exists()


def test_the_api_filter_agrees_with_the_selector(task, alice, bob, sapa):
    services.assignment_report(actor=bob, assignment=sapa, status="done")
    services.assignment_accept(actor=alice, assignment=sapa)
    late = selectors.assignments_filtered(user=alice, overdue=True, today=AFTER)
    in_time = selectors.assignments_filtered(user=alice, overdue=False, today=AFTER)
    assert [a.organization.unit.code for a in late] == ["082"]
    assert [a.organization.unit.code for a in in_time] == ["088"]
