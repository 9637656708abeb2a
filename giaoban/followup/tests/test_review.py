"""The next briefing of a series opens with the previous one's tasks: creating it adds an agenda
item listing each task with every assignee unit's status, and "quá hạn" where it is overdue on
the day of the new briefing."""

from datetime import datetime

import pytest

from giaoban.followup import services
from giaoban.followup.receivers import REVIEW_TITLE
from giaoban.meetings import services as meeting_services

from .conftest import VN, conference_make, task_make

pytestmark = pytest.mark.django_db

JANUARY = datetime(2022, 1, 14, 8, 0, tzinfo=VN)


def _next(tree, **extra):
    return conference_make(tree["board"], title="Giao ban công tác dân vận năm 2021", **extra)


def _review(conference):
    return conference.agenda.filter(title=REVIEW_TITLE).first()


def test_the_next_conference_reviews_the_previous_ones_tasks_per_unit(
    tree, conference, conclusion, alice, bob
):
    task = task_make(tree, conclusion)
    sapa = task.assignments.get(organization=tree["sapa_board"])
    services.assignment_report(actor=bob, assignment=sapa, status="done")
    services.assignment_accept(actor=alice, assignment=sapa)
    following = _next(tree, start=JANUARY)
    item = _review(following)
    assert item.kind == "other" and item.order == 1
    assert item.notes == (
        "1. Tiếp tục tuyên truyền, vận động Nhân dân chủ động tiêm phòng vắc xin. "
        "(hạn 31/12/2021) — Huyện Bát Xát: Chưa thực hiện, quá hạn; "
        "Thị xã Sa Pa: Hoàn thành."
    )


def test_each_task_has_its_own_entry(tree, conference, conclusion):
    task_make(tree, conclusion)
    second = meeting_services.conclusion_add(
        actor=None, conference=conference, text="Đẩy mạnh xây dựng các mô hình dân vận khéo."
    )
    task_make(tree, second, leads=[tree["sapa_board"]])
    notes = _review(_next(tree, start=JANUARY)).notes
    assert notes.index("1. Tiếp tục tuyên truyền") < notes.index("2. Đẩy mạnh xây dựng")
    assert (
        "2. Đẩy mạnh xây dựng các mô hình dân vận khéo. (hạn 31/12/2021) — Thị xã Sa Pa:" in notes
    )


def test_before_the_deadline_nothing_is_marked_overdue(tree, conference, conclusion):
    task_make(tree, conclusion)
    notes = _review(_next(tree, start=datetime(2021, 12, 20, 8, 0, tzinfo=VN))).notes
    assert "quá hạn" not in notes and "Huyện Bát Xát: Chưa thực hiện" in notes


def test_no_review_without_tasks_or_without_a_series(tree, conference, conclusion):
    assert _review(_next(tree, start=JANUARY)) is None
    task_make(tree, conclusion)
    alone = _next(tree, start=datetime(2022, 2, 1, 8, 0, tzinfo=VN), series="")
    assert _review(alone) is None


def test_only_the_same_series_counts(tree, conference, conclusion):
    task_make(tree, conclusion)
    assert _review(_next(tree, start=JANUARY, series="giao-ban-khac")) is None


def test_the_previous_one_is_the_latest_before_this_one(tree, conference, conclusion):
    task_make(tree, conclusion)
    november = conference_make(
        tree["board"], title="Giao ban tháng 11", start=datetime(2021, 11, 10, 8, 0, tzinfo=VN)
    )
    assert _review(november) is not None  # it follows October's
    assert _review(_next(tree, start=JANUARY)) is None  # November's gave no task


def test_a_cancelled_conference_is_not_the_previous_one(tree, conference, conclusion):
    task_make(tree, conclusion)
    november = conference_make(
        tree["board"], title="Giao ban tháng 11", start=datetime(2021, 11, 10, 8, 0, tzinfo=VN)
    )
    meeting_services.conference_transition(actor=None, conference=november, action="cancel")
    assert _review(_next(tree, start=JANUARY)) is not None  # October's is the previous


def test_whoever_creates_it_the_review_is_added(tree, conference, conclusion, alice):
    task_make(tree, conclusion)
    following = meeting_services.conference_create(
        actor=alice,
        title="Giao ban công tác dân vận năm 2021",
        organizer=tree["board"],
        kind="yearly",
        start=JANUARY,
        end=JANUARY.replace(hour=11),
        series=conference.series,
    )
    assert _review(following) is not None
