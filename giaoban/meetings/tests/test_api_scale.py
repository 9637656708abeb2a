"""The API's live state of a large conference (issue 15): above LIVE_ALL_POINTS_UP_TO points
`GET …/state` and `POST …/actions` answer what each console gets, never every point's tile:
the host side the counts, the attention list and one page (offset, limit, search, bounded as in
the live room), a point's operator the host's tile and its own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from giaoban.core.services import token_create
from giaoban.meetings import invitations, services
from giaoban.meetings.models import BridgePoint, Incident

from .test_invitations import communes

pytestmark = pytest.mark.django_db

N = 300


def large_briefing(tree, eve, n: int = N, *, live: bool = True):
    """A briefing of eve's board with the host point and `n` communes, each with its operator;
    started unless `live` is False. Returns it with its points in their order."""
    start = timezone.now() + timedelta(minutes=5)
    conference = services.conference_create(
        actor=None,
        title="Hội nghị trực tuyến toàn tỉnh",
        organizer=eve.membership.organization,
        kind="thematic",
        start=start,
        end=start + timedelta(hours=3),
    )
    services.point_add(
        actor=None,
        conference=conference,
        unit=tree["laocai_new"],
        name="Điểm cầu tỉnh Lào Cai",
        is_host=True,
    )
    communes(tree["laocai_new"], n)
    invitations.points_invite_level(
        actor=None, conference=conference, parent=tree["laocai_new"], level=3
    )
    if live:
        conference = services.conference_transition(
            actor=None, conference=conference, action="start"
        )
    ordered = list(
        BridgePoint.objects.filter(conference=conference)
        .select_related("operator")
        .order_by(*BridgePoint._meta.ordering)
    )
    return conference, ordered


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=user.username)[1]}"}


@pytest.fixture
def large(tree, eve, settings):
    settings.LIVE_ALL_POINTS_UP_TO = 200
    conference, ordered = large_briefing(tree, eve)
    Incident.objects.create(point=ordered[250], kind="no_sound")
    return conference, ordered


def test_the_hosts_state_holds_the_counts_the_attention_list_and_the_page_asked_for(
    client, large, eve
):
    conference, ordered = large
    url = f"/api/v1/conferences/{conference.pk}/state?offset=100&limit=20"
    state = client.get(url, **_auth(eve)).json()
    assert (state["points_scope"], state["points_total"]) == ("page", len(ordered))
    assert state["page"]["ids"] == [p.pk for p in ordered[100:120]]
    assert state["page"]["total"] == len(ordered)
    # Live: every point not yet connected needs attention; the incident comes first of them.
    assert state["attention"]["total"] == len(ordered) - 1
    assert state["attention"]["ids"][0] == ordered[250].pk
    held = {ordered[0].pk, *state["attention"]["ids"], *state["page"]["ids"]}
    assert {p["id"] for p in state["points"]} == held
    assert len(state["points"]) < 150 < N  # never every point's tile


def test_the_host_searches_the_points_by_name_without_diacritics(client, large, eve):
    conference, _ordered = large
    url = f"/api/v1/conferences/{conference.pk}/state?search=thu nghiem x123"
    state = client.get(url, **_auth(eve)).json()
    assert state["page"]["search"] == "thu nghiem x123"
    found = [p for p in state["points"] if p["id"] in state["page"]["ids"]]
    assert [p["name"] for p in found] == ["Điểm cầu xã Thử Nghiệm X123"]


def test_a_points_operator_gets_the_hosts_tile_and_its_own(client, large):
    conference, ordered = large
    point = ordered[42]
    state = client.get(f"/api/v1/conferences/{conference.pk}/state", **_auth(point.operator))
    body = state.json()
    assert body["points_scope"] == "own"
    assert {p["id"] for p in body["points"]} == {ordered[0].pk, point.pk}
    assert body["page"] is None and body["attention"] is None


def test_an_action_answers_with_the_callers_view(client, large, eve):
    conference, ordered = large
    point = ordered[7]
    asked = client.post(
        f"/api/v1/conferences/{conference.pk}/actions",
        {"action": "request_floor", "topic": "Ý kiến về an sinh xã hội"},
        content_type="application/json",
        **_auth(point.operator),
    )
    assert asked.status_code == 200, asked.json()
    assert {p["id"] for p in asked.json()["points"]} == {ordered[0].pk, point.pk}
    request = asked.json()["queue"][0]["id"]
    granted = client.post(
        f"/api/v1/conferences/{conference.pk}/actions?offset=50&limit=5",
        {"action": "grant", "request": request},
        content_type="application/json",
        **_auth(eve),
    )
    body = granted.json()
    assert granted.status_code == 200, body
    assert body["speaking"]["point_id"] == point.pk
    assert body["page"]["ids"] == [p.pk for p in ordered[50:55]]
    assert body["attention"]["ids"][0] == point.pk  # the floor first


def test_a_small_conference_still_answers_every_point(client, large, eve, settings):
    settings.LIVE_ALL_POINTS_UP_TO = 1000
    conference, ordered = large
    state = client.get(f"/api/v1/conferences/{conference.pk}/state", **_auth(eve)).json()
    assert state["points_scope"] == "all"
    assert len(state["points"]) == len(ordered)
    assert state["page"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("offset=-1", "offset"),
        ("offset=10000001", "offset"),
        ("search=" + "x" * 101, "search"),
    ],
)
def test_a_page_out_of_bounds_is_a_400_naming_the_field(client, large, eve, query, field):
    conference, _ordered = large
    for url in (
        f"/api/v1/conferences/{conference.pk}/state?{query}",
        f"/api/v1/conferences/{conference.pk}/actions?{query}",
    ):
        if url.endswith("state?" + query):
            response = client.get(url, **_auth(eve))
        else:
            response = client.post(
                url, {"action": "advance"}, content_type="application/json", **_auth(eve)
            )
        assert response.status_code == 400, url
        error = response.json()["error"]
        assert error["field"] == field
        assert field in error["message"] and "không hợp lệ" in error["message"]


def test_the_document_describes_the_paged_state():
    from giaoban.api import api

    document = api.get_openapi_schema(path_prefix="/api/v1")
    state = document["components"]["schemas"]["LiveStateOut"]["properties"]
    assert {"points_scope", "attention", "page"} <= set(state)
    operation = document["paths"]["/api/v1/conferences/{conference_id}/state"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters["limit"]["maximum"] == 100 and parameters["limit"]["minimum"] == 1
    assert parameters["search"]["maxLength"] == 100
