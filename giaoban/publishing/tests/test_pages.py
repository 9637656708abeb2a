"""The publishing pages, the API endpoint and the `read_text` command."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from giaoban.core.services import token_create
from giaoban.meetings.models import Conference
from giaoban.publishing import services
from giaoban.publishing.models import ArticleDraft, TextImport
from giaoban.publishing.tests.test_reader import SCENARIO
from giaoban.publishing.tests.test_services import _docx_bytes

pytestmark = pytest.mark.django_db


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def _login(client, user):
    client.force_login(user)
    return client


def test_the_host_drafts_edits_and_exports_the_article(client, demo, leader):
    _login(client, leader)
    page = client.get(reverse("publishing:article", args=[demo.pk]))
    assert page.status_code == 200
    client.post(reverse("publishing:article_draft", args=[demo.pk]))
    draft = ArticleDraft.objects.get(conference=demo)
    edited = client.post(
        reverse("publishing:article", args=[demo.pk]),
        {"title": draft.title, "body": draft.body + "\nĐoạn thêm.", "revision": 1},
    )
    assert edited.status_code == 302
    draft.refresh_from_db()
    assert draft.paragraphs[-1] == "Đoạn thêm." and draft.revision == 2
    html = client.get(reverse("publishing:article_html", args=[demo.pk]))
    assert html["Content-Type"].startswith("text/html")
    assert "Chiều 08/10/2021" in html.content.decode()
    for name in (
        "publishing:article_docx",
        "documents:minutes_docx",
        "documents:conclusion_notice_docx",
    ):
        response = client.get(reverse(name, args=[demo.pk]))
        assert response.status_code == 200 and response.content.startswith(b"PK")


def test_a_stale_edit_keeps_the_users_text_on_the_page(client, demo, leader):
    draft = services.article_draft(actor=leader, conference=demo)
    services.article_save(actor=leader, draft=draft, title="A", body="Một.", revision=1)
    _login(client, leader)
    page = client.post(
        reverse("publishing:article", args=[demo.pk]),
        {"title": "B", "body": "Văn bản của tôi.", "revision": 1},
    )
    assert page.status_code == 200
    content = page.content.decode()
    assert "Văn bản của tôi." in content
    stale = vi(
        "Someone else changed “%(name)s” after you opened it. Your input is kept below: "
        "reload the page to see their change, then apply yours again."
    ) % {"name": "A"}
    assert escape(stale) in content


def test_a_participant_reads_but_does_not_write(client, demo, leader, sapa_officer):
    services.article_draft(actor=leader, conference=demo)
    _login(client, sapa_officer)
    assert client.get(reverse("publishing:article", args=[demo.pk])).status_code == 200
    assert client.post(reverse("publishing:article_draft", args=[demo.pk])).status_code == 403


def test_an_outsider_sees_nothing(client, demo, django_user_model):
    stranger = django_user_model.objects.create_user("stranger", password="x")
    _login(client, stranger)
    assert client.get(reverse("publishing:article", args=[demo.pk])).status_code == 404
    assert client.get(reverse("documents:minutes_docx", args=[demo.pk])).status_code == 404


def test_reading_a_pasted_text_leads_to_the_review_and_a_conference(client, demo, leader):
    _login(client, leader)
    response = client.post(reverse("publishing:read"), {"text": SCENARIO})
    item = TextImport.objects.get()
    assert response.url == reverse("publishing:review", args=[item.pk])
    review = client.get(response.url)
    content = review.content.decode()
    assert "Phùng Mạnh Khang" in content and "2.255 triệu đồng" in content
    form = review.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    saved = client.post(response.url, data)
    conference = Conference.objects.get(pk=TextImport.objects.get().conference_id)
    assert saved.url == reverse("meetings:conference_detail", args=[conference.pk])
    assert conference.kind == "nine" and conference.organizer.name == "Ban Dân vận Tỉnh ủy Lào Cai"
    assert timezone.localtime(conference.scheduled_start).hour == 14  # "Chiều 08/10/2021"


def test_an_uploaded_docx_is_read(client, demo, leader):
    _login(client, leader)
    upload = SimpleUploadedFile("bai.docx", _docx_bytes(SCENARIO))
    response = client.post(reverse("publishing:read"), {"file": upload})
    assert response.status_code == 302
    assert TextImport.objects.get().source_name == "bai.docx"


def test_a_fake_docx_is_refused_in_vietnamese(client, demo, leader):
    _login(client, leader)
    client.cookies["django_language"] = "vi"
    upload = SimpleUploadedFile("bai.docx", b"not a word file")
    page = client.post(reverse("publishing:read"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    assert vi("This file is not a Word document (.docx).") in page.content.decode()
    assert not TextImport.objects.exists()


def test_an_empty_paste_is_refused(client, demo, leader):
    _login(client, leader)
    page = client.post(reverse("publishing:read"), {"text": "  "})
    assert page.status_code == 200 and not TextImport.objects.exists()


def test_the_api_reads_a_text(client, demo, leader):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=leader.username)[1]}"}
    response = client.post(
        "/api/v1/publishing/read",
        json.dumps({"text": SCENARIO}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    record = response.json()
    assert record["date"] == "2021-10-08" and record["bridge_points"] == 9
    assert len(record["persons"]) == 5
    assert record["figures"][0] == {
        "text": "trên 2.255 triệu đồng",
        "qualifier": "trên",
        "value": 2255,
        "unit": "triệu đồng",
        "subject": "",
    }


def test_the_api_refuses_an_empty_text_with_a_vietnamese_message(client, demo, leader):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=leader.username)[1]}"}
    response = client.post(
        "/api/v1/publishing/read",
        json.dumps({"text": ""}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="vi",
        **headers,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == vi("The text is empty: paste an article or upload a file.")


def test_the_api_needs_a_login(client, db):
    response = client.post(
        "/api/v1/publishing/read", json.dumps({"text": SCENARIO}), content_type="application/json"
    )
    assert response.status_code == 401


def test_the_command_prints_the_record_as_json(tmp_path, db):
    path = tmp_path / "bai.txt"
    path.write_text(SCENARIO, encoding="utf-8")
    out = io.StringIO()
    call_command("read_text", str(path), stdout=out)
    record = json.loads(out.getvalue())
    assert [p["name"] for p in record["persons"]][:2] == ["Vũ Xuân Cường", "Phan Đăng Toàn"]


def test_the_command_refuses_a_file_that_is_not_a_docx(tmp_path, db):
    path = tmp_path / "bai.docx"
    path.write_bytes(b"plain text pretending")
    with pytest.raises(CommandError, match="Word"):
        call_command("read_text", str(path))
