"""The task API as a program uses it: the list by unit, status and overdue; a new task for
several units; more assignees; progress, acceptance and sending back; errors as JSON."""

import json

import pytest
from django.utils import timezone

from giaoban.core.services import token_create
from giaoban.followup.models import Task

pytestmark = pytest.mark.django_db


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=user.username)[1]}"}


def _post(client, user, path, data=None):
    return client.post(
        f"/api/v1{path}",
        data=json.dumps(data or {}),
        content_type="application/json",
        **_auth(user),
    )


def _get(client, user, query=""):
    return client.get(f"/api/v1/tasks/{query}", **_auth(user))


def test_it_lists_assignments_with_their_task(client, task, sapa, alice):
    rows = _get(client, alice, "?unit=088").json()
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == sapa.pk and row["task"] == task.pk and row["unit"] == "088"
    assert row["title"] == task.title and row["deadline"] == "2021-12-31"
    assert row["assigner"] == "Ban Dân vận Tỉnh ủy Lào Cai" and row["role"] == "lead"
    assert row["status"] == "not_started" and row["overdue"] is True  # today is past 2021
    assert row["source_conclusion"] == task.source_conclusion_id


def test_it_filters_by_status_and_overdue(client, task, sapa, alice, bob):
    _post(client, bob, f"/assignments/{sapa.pk}/progress", {"status": "done"})
    _post(client, alice, f"/assignments/{sapa.pk}/accept")
    assert [r["unit"] for r in _get(client, alice, "?status=done").json()] == ["088"]
    assert [r["unit"] for r in _get(client, alice, "?overdue=true").json()] == ["082"]
    assert [r["unit"] for r in _get(client, alice, "?overdue=false").json()] == ["088"]


def test_a_wrong_status_filter_is_a_400_naming_it(client, task, alice):
    response = _get(client, alice, "?status=finished")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "status"


def test_it_creates_a_task_for_several_units(client, tree, conclusion, alice):
    response = _post(
        client,
        alice,
        "/tasks/",
        {
            "title": "Vận động Nhân dân tiêm vắc xin",
            "deadline": "2099-12-31",
            "priority": "high",
            "assignees": [tree["sapa_board"].pk, tree["batxat_board"].pk],
            "source_conclusion": conclusion.pk,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    task = Task.objects.get(pk=body["id"])
    assert task.assigner == tree["board"] and task.created_by == alice
    assert task.source_conference_id == conclusion.conference_id
    assert sorted(a["unit"] for a in body["assignments"]) == ["082", "088"]


def test_creating_with_bad_input_is_a_400_with_every_field(client, tree, alice):
    yesterday = (timezone.localdate().replace(day=1)).isoformat()
    response = _post(
        client,
        alice,
        "/tasks/",
        {"title": "", "deadline": yesterday, "assignees": []},
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"title", "leads", "source_conference"} <= set(fields)


def test_an_organization_the_caller_cannot_see_is_refused(client, tree, bob):
    response = _post(
        client,
        bob,
        "/tasks/",
        {
            "title": "Nhiệm vụ",
            "deadline": "2099-01-01",
            "assignees": [tree["batxat_board"].pk],
            "source_document_number": "01-KH/BDV",
            "source_document_date": "2021-10-10",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "assignees"
    assert "Bát Xát" not in response.json()["error"]["message"]  # its name is not leaked


def test_it_gives_a_task_to_more_units(client, task, tree, alice):
    response = _post(
        client,
        alice,
        f"/tasks/{task.pk}/assign",
        {"organizations": [tree["party"].pk], "role": "coordinating"},
    )
    assert response.status_code == 200
    roles = {a["organization_name"]: a["role"] for a in response.json()["assignments"]}
    assert roles["Tỉnh ủy Lào Cai"] == "coordinating" and len(roles) == 3


def test_progress_accept_and_send_back(client, sapa, alice, bob):
    r = _post(
        client,
        bob,
        f"/assignments/{sapa.pk}/progress",
        {"status": "in_progress", "text": "Đang làm"},
    )
    assert r.status_code == 200 and r.json()["progress"] == "Đang làm"
    r = _post(client, bob, f"/assignments/{sapa.pk}/progress", {"status": "done"})
    assert r.json()["status"] == "reported_done"
    r = _post(client, alice, f"/assignments/{sapa.pk}/send-back", {"reason": "Thiếu số liệu"})
    assert r.json()["status"] == "in_progress" and r.json()["sent_back_reason"] == "Thiếu số liệu"
    _post(client, bob, f"/assignments/{sapa.pk}/progress", {"status": "done"})
    r = _post(
        client, alice, f"/assignments/{sapa.pk}/accept", {"revision": r.json()["revision"] + 1}
    )
    assert r.status_code == 200 and r.json()["status"] == "done"


def test_refused_moves_are_400_with_the_reason(client, sapa, alice, bob):
    r = _post(client, alice, f"/assignments/{sapa.pk}/accept")
    assert r.status_code == 400
    assert (
        "Chỉ xác nhận hoàn thành được đối với việc đã báo cáo hoàn thành"
        in r.json()["error"]["message"]
    )
    r = _post(client, bob, f"/assignments/{sapa.pk}/progress", {"status": "cannot_do"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "reason"
    r = _post(client, alice, f"/assignments/{sapa.pk}/send-back", {})
    assert r.status_code == 400


def test_a_stale_revision_is_a_409(client, sapa, bob):
    r = _post(
        client, bob, f"/assignments/{sapa.pk}/progress", {"status": "in_progress", "revision": 7}
    )
    assert r.status_code == 409


def test_errors_speak_vietnamese_unless_asked_otherwise(client, sapa, alice):
    from .conftest import vi

    message = "Only an assignment reported done can be accepted; this one is %(status)s."
    r = _post(client, alice, f"/assignments/{sapa.pk}/accept")
    assert r.json()["error"]["message"].startswith(vi(message).split("%")[0])
    english = client.post(
        f"/api/v1/assignments/{sapa.pk}/accept",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **_auth(alice),
    )
    assert english.json()["error"]["message"].startswith("Only an assignment reported done")


@pytest.mark.parametrize("deadline", ["31/12/2021", "2021-12-31"])
def test_a_deadline_not_iso_or_in_the_past_is_a_400_naming_it(
    client, tree, conclusion, alice, deadline
):
    r = _post(
        client,
        alice,
        "/tasks/",
        {
            "title": "x",
            "deadline": deadline,
            "assignees": [tree["sapa_board"].pk],
            "source_conclusion": conclusion.pk,
        },
    )
    # The schema's refusal and the service's name the field alike.
    assert r.status_code == 400 and r.json()["error"]["field"] == "deadline"


def test_an_offset_beyond_64_bits_is_a_400_naming_it(client, task, sapa, alice):
    largest = _get(client, alice, f"?offset={2**63 - 1}")
    assert largest.status_code == 200 and largest.json() == []
    response = _get(client, alice, f"?offset={2**63}")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "offset"


@pytest.mark.parametrize("pk", [2**63, 2**64 + 1, 10**30])
def test_an_id_beyond_64_bits_is_refused_in_json_not_a_500(client, task, sapa, alice, pk):
    response = client.get(f"/api/v1/tasks/{pk}/", **_auth(alice))
    assert response.status_code in {400, 404}
    assert response.json()["error"]["code"] in {"invalid", "not_found"}


@pytest.mark.parametrize("body", ['"x"', "1", "[]", "null", "true"])
def test_a_body_that_is_no_object_is_refused_and_nothing_is_accepted(
    client, sapa, alice, bob, body
):
    """A JSON string as the body of accept was read as no body at all, and accepted the work."""
    _post(client, bob, f"/assignments/{sapa.pk}/progress", {"status": "done"})
    response = client.post(
        f"/api/v1/assignments/{sapa.pk}/accept",
        body,
        content_type="application/json",
        **_auth(alice),
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "body"
    sapa.refresh_from_db()
    assert sapa.status == "reported_done"
    # A form is no JSON body (reading it lost the raw body: a 500 before).
    form = client.post(f"/api/v1/assignments/{sapa.pk}/accept", {"revision": 1}, **_auth(alice))
    assert form.status_code == 400 and form.json()["error"]["field"] == "body"
    # No body at all is still an acceptance without a revision.
    response = client.post(
        f"/api/v1/assignments/{sapa.pk}/accept", "", content_type="application/json", **_auth(alice)
    )
    assert response.status_code == 200 and response.json()["status"] == "done"


def test_a_field_the_body_does_not_have_is_refused_by_name(client, sapa, alice, bob):
    _post(client, bob, f"/assignments/{sapa.pk}/progress", {"status": "done"})
    response = _post(client, alice, f"/assignments/{sapa.pk}/accept", {"revison": 1})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "revison"
    sapa.refresh_from_db()
    assert sapa.status == "reported_done"


@pytest.mark.parametrize("query", ["?limit=0", "?limit=1001", "?offset=-1"])
def test_limit_and_offset_out_of_range_are_400s_naming_them(client, task, alice, query):
    response = _get(client, alice, query)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == query[1:].split("=")[0]
