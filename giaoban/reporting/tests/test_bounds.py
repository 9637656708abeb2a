"""A report's texts and figures have the bounds the entry form, the API's schema and the save
service agree on; a refusal names the field and nothing is stored. The entry form states each
indicator's bounds beside its input."""

import json

import pytest
from django.urls import reverse

from giaoban.core.errors import InvalidInput
from giaoban.core.services import token_create
from giaoban.reporting import services
from giaoban.reporting.api import ReturnIn, SaveIn
from giaoban.reporting.forms import ReportEntryForm, ReturnForm
from giaoban.reporting.models import NARRATIVE_MAX_LENGTH, Report, Status

from .conftest import fill

pytestmark = pytest.mark.django_db

FIGURES = {
    "policy_spending": "2.255",
    "child_marriages": "49",
    "dialogues_held": "12",
    "dialogues_resolved": "10",
    "spontaneous_migration": "không",
    "satisfaction": "87,5",
}

REASON_LIMIT = Report._meta.get_field("return_reason").max_length


@pytest.fixture
def report(tree, form, period, bob):
    return services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period
    )


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=user.username)[1]}"}


def _post(client, user, url, body):
    return client.post(url, json.dumps(body), content_type="application/json", **_auth(user))


def test_the_form_the_schema_and_the_column_agree_on_the_return_reason():
    assert REASON_LIMIT == 1000
    assert ReturnForm.base_fields["reason"].max_length == REASON_LIMIT
    assert ReturnIn.model_json_schema()["properties"]["reason"]["maxLength"] == REASON_LIMIT


def test_a_return_reason_too_long_is_refused_by_name_and_the_report_stays(
    client, report, bob, erin
):
    fill(report, bob, **FIGURES)
    services.report_submit(actor=bob, report=report)
    url = f"/api/v1/reports/{report.pk}/return"
    response = _post(client, erin, url, {"reason": "x" * (REASON_LIMIT + 1)})
    assert response.status_code == 400 and response.json()["error"]["field"] == "reason"
    with pytest.raises(InvalidInput) as refused:
        services.report_return(actor=erin, report=report, reason="y" * (REASON_LIMIT + 1))
    assert set(refused.value.errors) == {"reason"} and "1000" in refused.value.message
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.return_reason == ""
    done = _post(client, erin, url, {"reason": "z" * REASON_LIMIT})
    assert done.status_code == 200 and done.json()["status"] == "returned"


def test_a_narrative_section_too_long_is_refused_by_name_and_nothing_is_saved(client, report, bob):
    assert SaveIn.model_json_schema()["properties"]["narrative"]["anyOf"][0][
        "additionalProperties"
    ] == {"maxLength": NARRATIVE_MAX_LENGTH, "type": "string"}
    long = "Chăm lo " * (NARRATIVE_MAX_LENGTH // 8 + 1)
    with pytest.raises(InvalidInput) as refused:
        services.report_save(
            actor=bob,
            report=report,
            revision=report.revision,
            values={"child_marriages": "49"},
            narrative={"achievements": long},
        )
    assert set(refused.value.errors) == {"narrative.achievements"}
    report.refresh_from_db()
    assert report.narrative == {} and services.report_values(report) == {}
    response = _post(
        client,
        bob,
        f"/api/v1/reports/{report.pk}/",
        {"revision": report.revision, "narrative": {"achievements": long}},
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "narrative.achievements"


def test_the_entry_form_refuses_a_narrative_too_long(report):
    data = {"revision": report.revision, "n_achievements": "x" * (NARRATIVE_MAX_LENGTH + 1)}
    form = ReportEntryForm(
        data, report=report, indicators=services.version_indicators(report.version), values={}
    )
    assert not form.is_valid() and "n_achievements" in form.errors


def test_the_entry_form_states_each_indicators_bounds(client, report, bob, indicators):
    indicators["satisfaction"].minimum, indicators["satisfaction"].maximum = 0, 100
    indicators["satisfaction"].save()
    client.force_login(bob)
    page = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    # Its own bounds: "from 0 to 100", in Vietnamese.
    assert 'data-min="0" data-max="100"' in page and "từ 0 đến 100" in page
    # A count with a lower bound only: up to what the column holds.
    assert "từ 0 đến 999.999.999.999.999" in page
    # Texts and yes/no have no bounds to state.
    assert page.count("data-min=") == sum(i.is_numeric for i in indicators.values())


@pytest.mark.parametrize("body", ['"x"', "[1]", '{"submit": true}'])
def test_an_action_that_takes_no_body_refuses_one_and_does_nothing(client, report, bob, body):
    fill(report, bob, **FIGURES)
    url = f"/api/v1/reports/{report.pk}/submit"
    headers = _auth(bob)
    response = client.post(url, body, content_type="application/json", **headers)
    assert response.status_code == 400 and response.json()["error"]["field"] == "body"
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    done = client.post(url, "{}", content_type="application/json", **headers)
    assert done.status_code == 200 and done.json()["status"] == "submitted"
