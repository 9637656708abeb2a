"""The demo's tasks: the four directions of the speech of 8 October 2021, each given to the nine
district-level boards with the deadline 31/12/2021, in illustrative states, and the next briefing
of the series opening with their review."""

from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command

from giaoban.followup import demo
from giaoban.followup.models import Assignment, Notification, ProgressReport, Task
from giaoban.followup.receivers import REVIEW_TITLE
from giaoban.meetings.demo import TITLE
from giaoban.meetings.models import AgendaItem, Conclusion, Conference

pytestmark = pytest.mark.django_db


def _counts():
    models = [Task, Assignment, ProgressReport, Conclusion, Conference, AgendaItem, Notification]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def loaded():
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Conference.objects.get(title=TITLE)


def test_the_four_directions_are_the_conferences_conclusions(loaded):
    assert list(loaded.conclusions.values_list("text", flat=True)) == demo.DIRECTIONS


def test_each_direction_is_a_task_for_the_nine_district_level_boards(loaded):
    tasks = Task.objects.filter(source_conference=loaded).order_by("source_conclusion__order")
    assert [t.title for t in tasks] == demo.DIRECTIONS
    for task in tasks:
        assert task.deadline == date(2021, 12, 31)
        assert task.assigner.name == "Ban Dân vận Tỉnh ủy Lào Cai"
        codes = sorted(task.assignments.values_list("organization__unit__code", flat=True))
        assert codes == demo.CODES


def test_the_states_are_varied_and_marked_illustrative(loaded):
    states = Counter(Assignment.objects.values_list("status", flat=True))
    assert set(states) == {"not_started", "in_progress", "reported_done", "done", "cannot_do"}
    assert states["cannot_do"] == 1
    cannot = Assignment.objects.get(status="cannot_do")
    assert cannot.reason == demo.CANNOT_DO_REASON
    worked = Assignment.objects.exclude(status="not_started")
    assert all(a.is_illustrative for a in worked)
    assert all(r.text.startswith("Minh họa") for r in ProgressReport.objects.exclude(text=""))


def test_sapa_reports_through_its_own_officer_and_the_leader_accepts(loaded):
    sapa = ProgressReport.objects.filter(assignment__organization__unit__code="088")
    assert set(sapa.filter(kind="report").values_list("by__username", flat=True)) == {"canbo_sapa"}
    accepted = ProgressReport.objects.filter(kind="accepted")
    assert set(accepted.values_list("by__username", flat=True)) == {"lanhdao_tinh"}


def test_the_next_briefing_opens_with_the_review_of_these_tasks(loaded):
    following = Conference.objects.get(title=demo.NEXT_TITLE)
    assert following.series == loaded.series and following.points.count() == 10
    assert following.status == "planned"
    item = following.agenda.get(title=REVIEW_TITLE)
    for direction in demo.DIRECTIONS:
        assert direction in item.notes
    assert "Thị xã Sa Pa: Đang thực hiện, quá hạn" in item.notes
    assert "Huyện Si Ma Cai: Không thực hiện được" in item.notes


def test_loading_twice_duplicates_nothing(loaded):
    before = _counts()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == before
    # The 2021 briefing and its follow-up, and the new Lào Cai's January 2026 briefing.
    assert before["Assignment"] == 36 and before["Conference"] == 3
