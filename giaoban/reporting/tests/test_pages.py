"""The reporting pages as an official uses them: fill in, check as you type, submit, approve in
the inbox, read the consolidated view; and what another district cannot do."""

import pytest
from django.urls import reverse

from giaoban.reporting import services
from giaoban.reporting.models import Status

pytestmark = pytest.mark.django_db

GOOD = {
    "v_policy_spending": "2.255",
    "v_child_marriages": "49",
    "v_dialogues_held": "12",
    "v_dialogues_resolved": "10",
    "v_spontaneous_migration": "không",
    "v_satisfaction": "87,5",
    "v_note": "",
    "n_achievements": "Chăm lo gia đình chính sách",
    "n_limitations": "",
}


@pytest.fixture
def report(tree, form, period, bob):
    return services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period
    )


def test_an_officer_opens_a_report_for_a_period(client, tree, form, period, bob):
    client.force_login(bob)
    response = client.post(
        reverse("reporting:report_open"), {"form": form.code, "period": period.pk}
    )
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200


def test_an_officer_saves_vietnamese_numbers(client, report, bob):
    client.force_login(bob)
    url = reverse("reporting:report_detail", args=[report.pk])
    response = client.post(url, {**GOOD, "revision": report.revision, "save": "1"})
    assert response.status_code == 302
    assert str(services.report_values(report)["policy_spending"]) == "2255.0000"
    page = client.get(url).content.decode()
    assert 'value="2.255"' in page and 'value="87,5"' in page


def test_a_bad_number_is_named_and_nothing_is_saved(client, report, bob):
    client.force_login(bob)
    url = reverse("reporting:report_detail", args=[report.pk])
    response = client.post(
        url, {**GOOD, "v_child_marriages": "bốn chín", "revision": report.revision}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "không phải là số" in body
    assert 'value="bốn chín"' in body  # the input stays on screen
    assert services.report_values(report) == {}


def test_the_second_of_two_concurrent_saves_is_refused_and_keeps_its_input(client, report, bob):
    client.force_login(bob)
    url = reverse("reporting:report_detail", args=[report.pk])
    opened = report.revision
    assert client.post(url, {**GOOD, "revision": opened}).status_code == 302
    response = client.post(url, {**GOOD, "v_child_marriages": "50", "revision": opened})
    body = response.content.decode()
    assert "Người khác đã sửa" in body  # core.locking.stale, the one refusal of a stale save
    assert 'value="50"' in body
    assert services.report_values(report)["child_marriages"] == 49


def test_the_check_endpoint_reports_broken_rules_as_you_type(client, report, bob):
    client.force_login(bob)
    url = reverse("reporting:report_check", args=[report.pk])
    result = client.post(
        url, {"v_dialogues_held": "3", "v_dialogues_resolved": "5", "v_child_marriages": "x"}
    ).json()
    assert result["violations"] == ["Số cuộc đã giải quyết không được nhiều hơn số cuộc đối thoại."]
    assert "child_marriages" in result["errors"]


def test_submit_inbox_and_approve(client, report, bob, erin, alice, form, period):
    client.force_login(bob)
    url = reverse("reporting:report_detail", args=[report.pk])
    client.post(url, {**GOOD, "revision": report.revision, "submit": "1"})
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    client.force_login(erin)
    assert "Ban Dân vận Thị ủy Sa Pa" in client.get(reverse("reporting:inbox")).content.decode()
    client.post(reverse("reporting:report_approve", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == Status.APPROVED
    client.force_login(alice)
    page = client.get(
        reverse("reporting:consolidated"),
        {"form": form.code, "period": period.pk, "unit": report.unit.parent_id},
    )
    assert "2.255" in page.content.decode()


def test_a_leader_returns_a_report_with_a_reason(client, report, bob, erin):
    client.force_login(bob)
    client.post(
        reverse("reporting:report_detail", args=[report.pk]),
        {**GOOD, "revision": report.revision, "submit": "1"},
    )
    client.force_login(erin)
    client.post(
        reverse("reporting:report_return", args=[report.pk]), {"reason": "Thiếu số liệu đối thoại"}
    )
    report.refresh_from_db()
    assert report.status == Status.RETURNED and report.return_reason == "Thiếu số liệu đối thoại"
    client.force_login(bob)
    assert (
        "Thiếu số liệu đối thoại"
        in client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    )


def test_an_officer_cannot_approve_and_sees_why(client, report, bob):
    client.force_login(bob)
    client.post(
        reverse("reporting:report_detail", args=[report.pk]),
        {**GOOD, "revision": report.revision, "submit": "1"},
    )
    response = client.post(reverse("reporting:report_approve", args=[report.pk]), follow=True)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert "lãnh đạo" in response.content.decode().lower()


def test_another_district_gets_nothing(client, report, charlie, form, period, tree):
    client.force_login(charlie)
    for name in ("report_detail", "report_template"):
        assert client.get(reverse(f"reporting:{name}", args=[report.pk])).status_code == 404
    assert client.post(reverse("reporting:report_check", args=[report.pk]), {}).status_code == 404
    response = client.get(
        reverse("reporting:consolidated"),
        {"form": form.code, "period": period.pk, "unit": tree["laocai"].pk},
    )
    assert response.status_code == 404


def test_a_viewer_cannot_change_a_report(client, report, dave):
    client.force_login(dave)
    url = reverse("reporting:report_detail", args=[report.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {**GOOD, "revision": report.revision}).status_code == 403
    assert services.report_values(report) == {}


def test_the_consolidated_view_draws_charts(client, report, bob, erin, alice, form, period, tree):
    from .conftest import approved

    approved(
        bob,
        erin,
        tree["sapa_board"],
        form,
        period,
        **{k[2:]: v for k, v in GOOD.items() if k.startswith("v_")},
    )
    client.force_login(alice)
    page = client.get(
        reverse("reporting:consolidated"),
        {
            "form": form.code,
            "period": period.pk,
            "unit": tree["laocai"].pk,
            "indicator": "child_marriages",
        },
    )
    body = page.content.decode()
    assert body.count("<svg") == 2
    assert 'class="bar"' in body and ">49<" in body


def test_the_consolidated_view_compares_the_units_that_reported_in_both_periods(
    client, bob, charlie, erin, alice, form, period, period_2020, tree
):
    """Bát Xát reported in 2020 only: the page marks 2021's totals incomplete and computes the
    change over Sa Pa, and offers the plain comparison."""
    from .conftest import approved

    values = {k[2:]: v for k, v in GOOD.items() if k.startswith("v_")}
    approved(bob, erin, tree["sapa_board"], form, period_2020, **values)
    approved(charlie, erin, tree["batxat_board"], form, period_2020, **values)
    approved(bob, erin, tree["sapa_board"], form, period, **values)
    client.force_login(alice)
    where = {"form": form.code, "period": period.pk, "unit": tree["laocai"].pk}
    body = client.get(reverse("reporting:consolidated"), where).content.decode()
    assert "Chưa đầy đủ: số liệu tổng hợp từ 1 trên 2 báo cáo phải nộp." in body
    assert "chỉ tính trên 1 đơn vị có báo cáo được duyệt ở cả hai kỳ" in body
    assert "Cùng đơn vị" in body and "comparison=all" in body
    plain = client.get(reverse("reporting:consolidated"), where | {"comparison": "all"})
    assert "Cùng đơn vị" not in plain.content.decode()
