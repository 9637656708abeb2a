"""The meetings API as a program uses it: the day's conferences, one conference with its points and
delegates, the live state, the live room's actions under the same rules as the WebSocket, and
document uploads; an outsider finds nothing."""

import json
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from giaoban.core.models import AuditEntry
from giaoban.core.services import token_create
from giaoban.meetings import services
from giaoban.meetings.models import Conference, Document, FloorRequest

from .conftest import VN
from .test_documents import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # A deliberately slow password hash would be most of the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=user.username)[1]}"}


def _act(client, user, conference, message: dict):
    return client.post(
        f"/api/v1/conferences/{conference.pk}/actions",
        data=json.dumps(message),
        content_type="application/json",
        **_auth(user),
    )


def _refusals(user) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="live.refused", actor=user))


# Reading -------------------------------------------------------------------------------


def test_it_lists_the_conferences_of_a_day(client, conference, alice):
    later = services.conference_create(
        actor=None,
        title="Giao ban công tác dân vận năm 2021",
        organizer=conference.organizer,
        kind="yearly",
        start=datetime(2021, 12, 20, 8, 0, tzinfo=VN),
        end=datetime(2021, 12, 20, 11, 30, tzinfo=VN),
    )
    headers = _auth(alice)
    for day in ("2021-10-08", "08/10/2021"):
        assert client.get(f"/api/v1/conferences/?on={day}", **headers).json() == [
            {
                "id": conference.pk,
                "title": "Giao ban công tác dân vận 9 tháng năm 2021",
                "start": "2021-10-08T14:00:00+07:00",
                "status": "planned",
            }
        ]
    assert client.get("/api/v1/conferences/?on=2021-10-09", **headers).json() == []
    everything = client.get("/api/v1/conferences/", **headers).json()
    assert [row["id"] for row in everything] == [later.pk, conference.pk]


def test_a_day_that_is_not_a_date_is_a_400(client, conference, alice):
    response = client.get("/api/v1/conferences/?on=2021-13-45", **_auth(alice))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["field"] == "on"


def test_it_reads_a_conference_with_its_points_delegates_and_counts(
    client, live_conference, points, tree, operators, bob
):
    sapa = points["088"]
    toan = services.delegate_invite(actor=None, point=sapa, person=tree["toan"])
    guest = services.delegate_add_guest(actor=None, point=sapa, full_name="Lê Văn Khách")
    services.rollcall_mark(actor=operators["sapa"], delegate=toan, attendance="present")
    services.rollcall_mark(
        actor=operators["sapa"],
        delegate=guest,
        attendance="represented",
        represented_by="Lò Thị Ba",
    )
    body = client.get(f"/api/v1/conferences/{live_conference.pk}/", **_auth(bob)).json()
    assert (body["title"], body["status"], body["organizer"]) == (
        "Giao ban công tác dân vận 9 tháng năm 2021",
        "live",
        "Ban Dân vận Tỉnh ủy Lào Cai",
    )
    assert [(p["unit"], p["is_host"]) for p in body["points"]] == [
        ("10", True),
        ("088", False),
        ("082", False),
    ]
    at_sapa = body["points"][1]
    assert at_sapa["location"] == "Hội trường Thị ủy" and at_sapa["state"] == "invited"
    assert at_sapa["readiness"]["camera_ready"] is False and at_sapa["ready"] is False
    first, second = at_sapa["delegates"]
    assert first["designation"] == "Phan Đăng Toàn - Tỉnh ủy viên, Bí thư Thị ủy"
    assert first["attendance"] == "present" and first["checked_in_at"].endswith("+07:00")
    assert (second["attendance"], second["represented_by"]) == ("represented", "Lò Thị Ba")
    assert at_sapa["attendance"] == {
        "unknown": 0,
        "present": 1,
        "absent": 0,
        "represented": 1,
        "total": 2,
    }
    assert body["attendance"]["total"] == 2 and body["points"][2]["attendance"]["total"] == 0
    assert body["attendance_xlsx"] == f"/conferences/{live_conference.pk}/attendance.xlsx"


def test_it_returns_the_live_state_numbered_as_on_the_websocket(client, live_conference, bob):
    state = client.get(f"/api/v1/conferences/{live_conference.pk}/state", **_auth(bob)).json()
    assert state["id"] == live_conference.pk and state["status"] == "live"
    assert state["seq"] == Conference.objects.get(pk=live_conference.pk).seq
    assert state["agenda"][0]["title"] == "Khai mạc"


# Acting --------------------------------------------------------------------------------


def test_the_host_and_a_point_act_through_the_api(client, live_conference, points, operators):
    response = _act(client, operators["host"], live_conference, {"action": "advance"})
    assert response.status_code == 200
    assert response.json()["current_item"]["title"] == "Khai mạc"
    response = _act(
        client,
        operators["sapa"],
        live_conference,
        {"action": "request_floor", "topic": "Mô hình dân vận khéo", "speaker": "Phan Đăng Toàn"},
    )
    assert response.status_code == 200
    [waiting] = response.json()["queue"]
    assert (waiting["point_id"], waiting["topic"]) == (points["088"].pk, "Mô hình dân vận khéo")
    response = _act(
        client, operators["host"], live_conference, {"action": "grant", "request": waiting["id"]}
    )
    assert response.json()["speaking"]["point"] == "Điểm cầu thị xã Sa Pa"
    assert response.json()["seq"] == Conference.objects.get(pk=live_conference.pk).seq


def test_a_points_host_action_is_refused_with_403_and_logged(client, live_conference, operators):
    response = _act(client, operators["sapa"], live_conference, {"action": "advance"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert Conference.objects.get(pk=live_conference.pk).current_item is None
    [entry] = _refusals(operators["sapa"])
    assert entry.object_id == str(live_conference.pk)
    assert entry.after["message"] == {"action": "advance"}


def test_a_point_cannot_act_for_another_point(client, live_conference, points, operators):
    response = _act(
        client,
        operators["sapa"],
        live_conference,
        {"action": "request_floor", "point": points["082"].pk, "topic": "Tảo hôn"},
    )
    assert response.status_code == 403
    assert not FloorRequest.objects.exists()
    delegate = services.delegate_add_guest(actor=None, point=points["082"], full_name="Giàng A Páo")
    response = _act(
        client,
        operators["sapa"],
        live_conference,
        {"action": "rollcall", "delegate": delegate.pk, "attendance": "present"},
    )
    assert response.status_code == 403
    delegate.refresh_from_db()
    assert delegate.attendance == "unknown"
    # Refusals for the same reason share one audit row, counted.
    assert sum(entry.after["count"] for entry in _refusals(operators["sapa"])) == 2


def test_a_message_for_another_conference_is_refused(client, live_conference, operators):
    message = {"action": "advance", "conference": live_conference.pk + 1}
    assert _act(client, operators["host"], live_conference, message).status_code == 403
    assert len(_refusals(operators["host"])) == 1


def test_a_viewer_may_watch_but_not_act(client, live_conference, bob):
    response = _act(client, bob, live_conference, {"action": "request_floor", "topic": "Hỏi"})
    assert response.status_code == 403
    assert len(_refusals(bob)) == 1


def test_a_refused_rule_that_is_not_a_permission_is_a_400_and_not_logged(
    client, conference, operators
):
    # The conference is not live yet: a rule, not an attack.
    response = _act(client, operators["host"], conference, {"action": "advance"})
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action="live.refused").exists()


def test_an_outsider_finds_nothing(client, live_conference, eve):
    headers = _auth(eve)
    base = f"/api/v1/conferences/{live_conference.pk}"
    assert client.get("/api/v1/conferences/", **headers).json() == []
    assert client.get("/api/v1/conferences/?on=2021-10-08", **headers).json() == []
    assert client.get(f"{base}/", **headers).status_code == 404
    assert client.get(f"{base}/state", **headers).status_code == 404
    assert _act(client, eve, live_conference, {"action": "advance"}).status_code == 404
    item = live_conference.agenda.first()
    upload = SimpleUploadedFile("x.pdf", pdf_bytes())
    response = client.post(f"{base}/documents?item={item.pk}", {"file": upload}, **headers)
    assert response.status_code == 404
    assert Conference.objects.get(pk=live_conference.pk).current_item is None


def test_without_a_token_the_api_answers_401(client, live_conference):
    assert client.get(f"/api/v1/conferences/{live_conference.pk}/").status_code == 401


# Documents -----------------------------------------------------------------------------


def test_the_host_attaches_a_document_to_an_agenda_item(client, live_conference, operators):
    item = live_conference.agenda.get(order=2)
    upload = SimpleUploadedFile("Báo cáo 9 tháng.pdf", pdf_bytes(), "application/octet-stream")
    response = client.post(
        f"/api/v1/conferences/{live_conference.pk}/documents?item={item.pk}",
        {"file": upload},
        **_auth(operators["host"]),
    )
    assert response.status_code == 201
    body = response.json()
    document = Document.objects.get()
    assert body["original_name"] == "Báo cáo 9 tháng.pdf" and body["item"] == item.pk
    assert body["content_type"] == "application/pdf"
    assert body["url"] == f"/conferences/documents/{document.pk}/"


def test_a_point_may_not_attach_documents(client, live_conference, operators):
    item = live_conference.agenda.first()
    response = client.post(
        f"/api/v1/conferences/{live_conference.pk}/documents?item={item.pk}",
        {"file": SimpleUploadedFile("x.pdf", pdf_bytes())},
        **_auth(operators["sapa"]),
    )
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_an_item_of_another_conference_is_not_found(client, live_conference, operators):
    other = services.conference_create(
        actor=None,
        title="Hội nghị khác",
        organizer=live_conference.organizer,
        kind="thematic",
        start=live_conference.scheduled_start,
        end=live_conference.scheduled_end,
    )
    foreign = services.agenda_add(actor=None, conference=other, kind="other", title="Khác")
    response = client.post(
        f"/api/v1/conferences/{live_conference.pk}/documents?item={foreign.pk}",
        {"file": SimpleUploadedFile("x.pdf", pdf_bytes())},
        **_auth(operators["host"]),
    )
    assert response.status_code == 404


def test_a_file_that_is_not_what_it_claims_is_a_400_naming_the_field(
    client, live_conference, operators
):
    item = live_conference.agenda.first()
    response = client.post(
        f"/api/v1/conferences/{live_conference.pk}/documents?item={item.pk}",
        {"file": SimpleUploadedFile("bao-cao.pdf", b"khong phai PDF", "application/pdf")},
        **_auth(operators["host"]),
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "file"
    assert "bao-cao.pdf" in response.json()["error"]["message"]


def test_a_topic_too_long_for_its_column_is_a_400_naming_the_field(
    client, live_conference, operators
):
    message = {"action": "request_floor", "topic": "A" * 1_000_000}
    response = _act(client, operators["sapa"], live_conference, message)
    assert response.status_code == 400
    assert "300" in json.dumps(response.json()) and "topic" in json.dumps(response.json()).lower()
    assert not FloorRequest.objects.exists()


@pytest.mark.parametrize("point", [float("inf"), 10**30, -1, [1], {"id": 1}])
def test_an_id_out_of_range_is_refused_not_a_server_error(
    client, live_conference, operators, point
):
    message = {"action": "confirm", "point": point}
    response = _act(client, operators["sapa"], live_conference, message)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "point"


def test_a_number_beyond_any_integer_is_a_json_400_not_a_500(client, operators, live_conference):
    response = client.post(
        f"/api/v1/conferences/{live_conference.pk}/actions",
        data='{"action": "request_floor", "topic": "Dân vận khéo", "point": 1e999}',
        content_type="application/json",
        **_auth(operators["host"]),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["field"] == "point"
