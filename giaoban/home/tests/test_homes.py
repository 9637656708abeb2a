"""Each demo user lands on the home built for their role, showing their own things only."""

import re

import pytest
from django.utils import translation
from django.utils.translation import pgettext

from giaoban.followup.models import Assignment
from giaoban.home import selectors
from giaoban.meetings.demo import TITLE
from giaoban.meetings.models import BridgePoint

from .conftest import vi

NEXT_TITLE = "Giao ban công tác dân vận năm 2021"


def _home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response


def test_an_anonymous_visitor_is_sent_to_the_login_page(demo, db, client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_provincial_leader_sees_the_briefings_to_come(login, client):
    login("lanhdao_tinh")
    response = _home(client)
    assert "home/leader.html" in [t.name for t in response.templates]
    titles = [c.title for c in response.context["coming"]]
    assert titles == [TITLE, NEXT_TITLE]
    assert response.context["coming_count"] == 2
    assert TITLE in response.content.decode()


def test_a_planned_briefing_whose_time_has_passed_says_so(login, client):
    from datetime import datetime, timedelta

    from django.utils import timezone

    user = login("lanhdao_tinh")
    coming = {c.title: c for c in selectors.conferences_coming(user=user)}
    assert coming[TITLE].past_due  # 08/10/2021, never started in the demo
    later = coming[NEXT_TITLE]
    later.scheduled_start = timezone.make_aware(datetime.now() + timedelta(days=3))
    later.scheduled_end = later.scheduled_start + timedelta(hours=3)
    later.save(update_fields=["scheduled_start", "scheduled_end"])
    coming = {c.title: c for c in selectors.conferences_coming(user=user)}
    assert (coming[TITLE].past_due, coming[NEXT_TITLE].past_due) == (True, False)
    page = _home(client).content.decode()
    assert page.count(vi("past its planned time")) == 1


def test_the_leader_sees_the_completeness_of_the_current_reports_by_unit(login, client):
    login("lanhdao_tinh")
    response = _home(client)
    (progress,) = response.context["progress"]
    assert str(progress.period) == "9 tháng năm 2021"
    total = progress.total
    assert (total.expected, total.submitted, total.approved) == (9, 8, 7)
    rows = {row.unit.name: row for row in progress.units}
    assert len(rows) == 9
    assert rows["Huyện Văn Bàn"].late and rows["Huyện Văn Bàn"].report.status == "draft"
    assert rows["Huyện Bắc Hà"].report.status == "submitted"
    assert not rows["Thị xã Sa Pa"].late
    assert response.context["inbox_count"] == 1


def test_the_leader_sees_overdue_tasks_by_unit_adding_up_to_the_overdue_list(login, client):
    leader = login("lanhdao_tinh")
    response = _home(client)
    rows = response.context["overdue"]
    expected = Assignment.objects.visible_to(leader).overdue().count()
    assert expected > 0
    assert response.context["overdue_total"] == sum(r.count for r in rows) == expected
    assert {r.unit.name for r in rows} <= {
        row.unit.name for row in response.context["progress"][0].units
    }
    counts = [r.count for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_the_leader_sees_the_key_indicators_against_last_year_with_charts(login, client):
    login("lanhdao_tinh")
    response = _home(client)
    key = response.context["key"]
    codes = [k.figure.indicator.code for k in key.indicators]
    assert codes == [
        "policy_family_spending",
        "child_marriages",
        "migrating_households",
        "women_leaving",
    ]
    assert str(key.consolidation.previous_period) == "9 tháng năm 2020"
    for k in key.indicators:
        assert k.figure.previous is not None
        assert [row["label"] for row in k.chart["rows"]] == ["9 tháng năm 2020", "9 tháng năm 2021"]
    html = response.content.decode()
    assert html.count('<svg class="bars"') == 5  # four indicators and the overdue tasks


@pytest.mark.parametrize("username", ["canbo_sapa", "canbo_batxat"])
def test_a_district_officer_sees_their_report_tasks_and_next_briefing(login, client, username):
    user = login(username)
    response = _home(client)
    assert "home/officer.html" in [t.name for t in response.templates]
    organization = user.membership.organization
    (due,) = response.context["due"]
    assert due.report.organization == organization
    assert str(due.period) == "9 tháng năm 2021"
    tasks = response.context["tasks"]
    assert tasks and all(a.organization == organization for a in tasks)
    assert all(a.status not in ("done", "cannot_do") for a in tasks)
    assert response.context["next"].title == TITLE
    assert response.context["next_point"].unit == organization.unit
    assert "progress" not in response.context  # nothing reports below a district in the demo


def test_the_sa_pa_officer_sees_nothing_of_bat_xat(login, client):
    login("canbo_sapa")
    html = _home(client).content.decode()
    assert "Bát Xát" not in html
    assert "Văn Bàn" not in html


def test_the_provincial_officer_has_no_report_to_make_but_sees_the_units_below(login, client):
    user = login("canbo_tinh")
    response = _home(client)
    assert "home/officer.html" in [t.name for t in response.templates]
    assert response.context["due"] == []
    assert len(response.context["progress"][0].units) == 9
    assert response.context["overdue_total"] > 0
    assert vi("Your organization has no periodic report to make.") in response.content.decode()
    board = user.membership.organization
    assert (
        response.context["assigned_count"]
        == Assignment.objects.filter(task__assigner=board).count()
        > 0
    )


def test_a_bridge_point_operator_sees_the_next_conference_and_their_checklist(login, client):
    user = login("diemcau_sapa")
    response = _home(client)
    assert "home/operator.html" in [t.name for t in response.templates]
    checklist = response.context["checklist"]
    assert checklist.point.operator == user
    assert checklist.point.name == "Điểm cầu thị xã Sa Pa"
    assert response.context["next"].title == TITLE
    assert [name for name, _label, _done in checklist.items] == BridgePoint.READINESS
    assert checklist.invited == 6  # the article's four delegates and two groups


def _sapa_point():
    return BridgePoint.objects.get(operator__username="diemcau_sapa", conference__title=TITLE)


def test_the_operator_ticks_the_checklist_from_the_home_page(login, client):
    login("diemcau_sapa")
    point = _sapa_point()
    url = f"/home/points/{point.pk}/readiness/"
    response = client.post(url, {"done": ["room_ready", "camera_ready"]})
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.room_ready, point.camera_ready, point.screen_ready) == (True, True, False)
    assert _home(client).context["checklist"].done == 2
    client.post(url, {"done": ["camera_ready"]})
    point.refresh_from_db()
    assert (point.room_ready, point.camera_ready) == (False, True)


def test_an_operator_may_not_tick_another_points_checklist(login, client):
    login("diemcau_batxat")
    point = _sapa_point()
    response = client.post(f"/home/points/{point.pk}/readiness/", {"done": ["room_ready"]})
    assert response.status_code == 403
    point.refresh_from_db()
    assert not point.room_ready


def test_an_officer_of_another_province_may_not_reach_a_checklist(demo, db, client, eve):
    client.force_login(eve)
    point = _sapa_point()
    assert client.post(f"/home/points/{point.pk}/readiness/", {}).status_code == 404


def _menu(html: str) -> list[str]:
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def test_the_menu_follows_the_role(login, client):
    login("lanhdao_tinh")
    leader = _menu(_home(client).content.decode())
    login("diemcau_sapa")
    operator = _menu(_home(client).content.decode())
    assert leader[:2] == [vi("Home"), vi("Consolidation")]
    assert vi("Reports") in leader and vi("Reports") not in operator
    assert operator == [vi("Home"), vi("Conferences"), vi("Units"), vi("People")]
    # The register of outgoing documents is for those who write them.
    with translation.override("vi"):
        documents = pgettext("menu: outgoing documents", "Documents")
    assert documents in leader and documents not in operator


def test_the_current_section_is_marked_in_the_menu(login, client):
    login("canbo_sapa")
    html = client.get("/tasks/mine/").content.decode()
    assert f'aria-current="page">{vi("Tasks")}</a>' in html


def test_a_leaders_tasks_are_those_the_province_assigned(login, client):
    # The province receives few tasks; its work is following those it gave the districts.
    login("lanhdao_tinh")
    nav = re.search(r'<nav class="mainnav".*?</nav>', _home(client).content.decode(), re.S)
    assert f'<a href="/tasks/assigned/">{vi("Tasks")}</a>' in nav.group(0)
    html = client.get("/tasks/assigned/").content.decode()
    assert f'aria-current="page">{vi("Tasks")}</a>' in html
    login("canbo_sapa")
    nav = re.search(r'<nav class="mainnav".*?</nav>', _home(client).content.decode(), re.S)
    assert f'<a href="/tasks/mine/">{vi("Tasks")}</a>' in nav.group(0)


def test_home_kinds(login):
    assert selectors.home_kind(login("quantri")) == selectors.LEADER
    assert selectors.home_kind(login("canbo_tinh")) == selectors.OFFICER
    assert selectors.home_kind(login("diemcau_tinh")) == selectors.OPERATOR


@pytest.mark.parametrize(
    "username", ["lanhdao_tinh", "canbo_tinh", "canbo_sapa", "diemcau_sapa", "quantri"]
)
def test_home_pages_carry_no_inline_script_style_or_handler(login, client, username):
    login(username)
    html = _home(client).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert 'href="#content"' in html and 'id="content"' in html
    assert "<main" in html and "<header" in html and "<footer" in html


def test_the_english_switch_turns_the_home_into_english(login, client):
    login("lanhdao_tinh")
    client.cookies["django_language"] = "en"
    html = _home(client).content.decode()
    assert "Coming and live briefings" in html
    assert '<html lang="en">' in html


def test_a_user_in_no_organization_is_told_to_ask_the_administrator(demo, db, client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="nobody", password="x-long-password-1")
    client.force_login(user)
    response = _home(client)
    assert "home/nobody.html" in [t.name for t in response.templates]
    assert _menu(response.content.decode()) == [vi("Home"), vi("Units")]
