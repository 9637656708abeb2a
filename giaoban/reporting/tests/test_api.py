"""The reporting API: forms, periods, consolidated figures and the workflow, scoped by role."""

import pytest

from giaoban.core.services import token_create
from giaoban.reporting import services

from .conftest import approved

pytestmark = pytest.mark.django_db

VALUES = {
    "policy_spending": "2.255",
    "child_marriages": 49,
    "dialogues_held": "12",
    "dialogues_resolved": "10",
    "spontaneous_migration": "không",
    "satisfaction": "87,5",
}


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=user.username)[1]}"}


def test_it_lists_forms_and_periods_as_officials_write_them(client, form, period, bob):
    headers = _auth(bob)
    assert client.get("/api/v1/forms/", **headers).json() == [
        {"code": "dv-9t", "name": "Báo cáo công tác dân vận 9 tháng", "version": 1}
    ]
    [row] = client.get("/api/v1/periods/?form=dv-9t", **headers).json()
    assert row == {
        "id": period.pk,
        "label": "9 tháng năm 2021",
        "kind": "nine",
        "start": "2020-12-15",
        "end": "2021-09-14",
        "deadline": "2021-09-19",
    }


def test_it_reads_the_consolidated_figures_with_last_year(
    client, tree, form, period, period_2020, alice, bob, erin
):
    approved(
        bob, erin, tree["sapa_board"], form, period_2020, **{**VALUES, "child_marriages": "40"}
    )
    approved(bob, erin, tree["sapa_board"], form, period, **VALUES)
    url = f"/api/v1/reports/consolidated/?form=dv-9t&period={period.pk}&unit=10"
    body = client.get(url, **_auth(alice)).json()
    assert body["unit"] == "10" and body["period"] == "9 tháng năm 2021"
    done = {"expected": 2, "submitted": 1, "approved": 1, "on_time": 0, "complete": False}
    assert body["completeness"] == done
    assert body["comparison"] == "all" and body["common_units"] == []
    marriages = next(v for v in body["values"] if v["indicator"] == "child_marriages")
    # Each figure says how complete the reports behind it are.
    assert marriages["completeness"] == done
    assert marriages["previous_completeness"]["approved"] == 1
    assert (
        float(marriages["value"]),
        float(marriages["previous"]),
        float(marriages["change_pct"]),
    ) == (49, 40, 22.5)


def test_a_figure_compared_like_for_like_says_so(
    client, tree, form, period, period_2020, alice, bob, charlie, erin
):
    """Bát Xát reported in 2020 only: the change is Sa Pa's against Sa Pa's."""
    approved(
        bob, erin, tree["sapa_board"], form, period_2020, **{**VALUES, "child_marriages": "40"}
    )
    approved(charlie, erin, tree["batxat_board"], form, period_2020, **VALUES)
    approved(bob, erin, tree["sapa_board"], form, period, **VALUES)
    url = f"/api/v1/reports/consolidated/?form=dv-9t&period={period.pk}&unit=10"
    body = client.get(url, **_auth(alice)).json()
    assert body["comparison"] == "common" and body["common_units"] == ["088"]
    marriages = next(v for v in body["values"] if v["indicator"] == "child_marriages")
    assert float(marriages["previous"]) == 89  # both districts' 2020 reports
    assert float(marriages["compared_previous"]) == 40  # Sa Pa's alone
    assert float(marriages["change_pct"]) == 22.5
    assert marriages["previous_completeness"]["approved"] == 2
    body = client.get(url + "&comparison=all", **_auth(alice)).json()
    assert body["comparison"] == "all"


def test_a_district_cannot_read_the_province_figures(client, tree, form, period, charlie):
    url = f"/api/v1/reports/consolidated/?form=dv-9t&period={period.pk}&unit=10"
    response = client.get(url, **_auth(charlie))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_workflow_through_the_api(client, tree, form, period, bob, erin):
    report = services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period
    )
    bob_headers, erin_headers = _auth(bob), _auth(erin)
    saved = client.post(
        f"/api/v1/reports/{report.pk}/",
        {"revision": report.revision, "values": VALUES},
        content_type="application/json",
        **bob_headers,
    )
    assert saved.status_code == 200 and saved.json()["violations"] == []
    assert float(saved.json()["values"]["policy_spending"]) == 2255
    assert (
        client.post(f"/api/v1/reports/{report.pk}/submit", **bob_headers).json()["status"]
        == "submitted"
    )
    refused = client.post(f"/api/v1/reports/{report.pk}/approve", **bob_headers)
    assert refused.status_code == 403
    returned = client.post(
        f"/api/v1/reports/{report.pk}/return",
        {"reason": "Kiểm tra lại"},
        content_type="application/json",
        **erin_headers,
    )
    assert (
        returned.json()["status"] == "returned"
        and returned.json()["return_reason"] == "Kiểm tra lại"
    )


def test_bad_values_through_the_api_name_each_field(client, tree, form, period, bob):
    report = services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period
    )
    response = client.post(
        f"/api/v1/reports/{report.pk}/",
        {"revision": report.revision, "values": {"child_marriages": "-1", "nope": "1"}},
        content_type="application/json",
        **_auth(bob),
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"nope"}
    response = client.post(
        f"/api/v1/reports/{report.pk}/",
        {"revision": report.revision, "values": {"child_marriages": "-1"}},
        content_type="application/json",
        **_auth(bob),
    )
    assert set(response.json()["error"]["fields"]) == {"child_marriages"}
    assert services.report_values(report) == {}


def test_a_stale_revision_is_a_409(client, tree, form, period, bob):
    report = services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period
    )
    headers = _auth(bob)
    payload = {"revision": report.revision, "values": {"child_marriages": "1"}}
    client.post(
        f"/api/v1/reports/{report.pk}/", payload, content_type="application/json", **headers
    )
    response = client.post(
        f"/api/v1/reports/{report.pk}/", payload, content_type="application/json", **headers
    )
    assert response.status_code == 409


def test_another_district_cannot_read_or_write_the_report(client, tree, form, period, bob, charlie):
    report = services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period
    )
    headers = _auth(charlie)
    assert client.get(f"/api/v1/reports/{report.pk}/", **headers).status_code == 404
    response = client.post(
        f"/api/v1/reports/{report.pk}/",
        {"revision": 1, "values": {}},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404


def test_an_xlsx_upload_through_the_api_saves_the_figures(client, tree, form, period, bob):
    import io

    from openpyxl import load_workbook

    from giaoban.reporting import excel

    report = services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period
    )
    book = load_workbook(io.BytesIO(excel.template_workbook(report)))
    sheet = book[excel.SHEET]
    for row in sheet.iter_rows():
        if row[1].value == "child_marriages":
            row[4].value = "49"
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post(
        f"/api/v1/reports/{report.pk}/xlsx",
        {"file": io.BytesIO(buffer.getvalue())},
        **_auth(bob),
    )
    assert response.status_code == 200, response.content
    assert services.report_values(report)["child_marriages"] == 49


def test_a_file_that_is_not_a_spreadsheet_is_refused_through_the_api(
    client, tree, form, period, bob
):
    import io

    report = services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period
    )
    response = client.post(
        f"/api/v1/reports/{report.pk}/xlsx", {"file": io.BytesIO(b"%PDF-1.4")}, **_auth(bob)
    )
    assert response.status_code == 400
    assert "xlsx" in response.json()["error"]["message"]
