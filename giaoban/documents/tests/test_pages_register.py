# ruff: noqa: F811 -- the fixtures are imported from register_support, not a shared conftest.py
"""The register's pages as an officer uses them, in Vietnamese: the register with its filters, a
draft edited (and the stale-edit message), issued from the form, corrected by a replacement."""

import pytest
from django.urls import reverse
from django.utils import timezone

from giaoban.documents import services
from giaoban.documents.forms import blocks_to_text, text_to_blocks
from giaoban.documents.models import Document
from giaoban.documents.tests.register_support import (  # noqa: F401 (fixtures)
    BRIEFING_DAY,
    _media,
    board,
    draft_for,
    head,
    holder,
    layout,
    vi,
)
from giaoban.orgs.models import Role
from giaoban.orgs.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client, tree):
    user = make_user("alice", tree["board"], Role.OFFICER)
    client.force_login(user)
    return user


def _content(doc, **changes) -> dict:
    data = {
        "kind": doc.kind,
        "title": doc.title,
        "summary": doc.summary,
        "body": blocks_to_text(doc.body),
        "appendix": "",
        "appendix_title": "",
        "recipient_lines": "",
        "revision": doc.revision,
    }
    return {**data, **changes}


def test_the_body_text_comes_back_as_the_same_parts():
    blocks = [
        {"kind": "heading", "text": "I. KẾT QUẢ", "rows": []},
        {"kind": "paragraph", "text": "Dòng một\nDòng hai", "rows": []},
        {"kind": "table", "text": "", "rows": [["Chỉ tiêu", "Số"], ["Tảo hôn", "49"]]},
    ]
    assert text_to_blocks(blocks_to_text(blocks)) == blocks


def test_the_register_lists_issued_documents_and_drafts(client, tree, board, head, alice):
    issued = services.issue(user=None, doc=draft_for(board), signer=head, on=BRIEFING_DAY)
    draft_for(board, kind="BC", summary="Báo cáo kết quả công tác dân vận 9 tháng năm 2021")
    page = client.get(reverse("documents:register", args=[board.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert vi("Register of outgoing documents") in text
    assert "1-TB/BDVTU" in text and "08/10/2021" in text and "Nguyễn Thị Hoa" in text
    assert "Báo cáo kết quả công tác dân vận 9 tháng năm 2021" in text
    assert '<option value="2021">2021</option>' in text  # a year, not "2.021"
    only_2021_tb = client.get(reverse("documents:register", args=[board.pk]), {"kind": "BC"})
    assert issued.summary not in only_2021_tb.content.decode()
    mine = client.get(reverse("documents:my_register"))
    assert mine.status_code == 302 and mine["Location"].endswith(f"/register/{board.pk}/")


def test_a_draft_is_edited_and_a_stale_edit_keeps_the_input(client, board, alice):
    doc = draft_for(board)
    url = reverse("documents:document_edit", args=[doc.pk])
    saved = client.post(url, _content(doc, summary="Kết luận của đồng chí Vũ Xuân Cường"))
    assert saved.status_code == 302
    stale = client.post(url, _content(doc, summary="Bản sửa trên trang cũ"))
    assert stale.status_code == 400
    text = stale.content.decode()
    assert "Bản sửa trên trang cũ" in text  # the input stays
    assert (
        vi(
            "Someone else changed “%(name)s” after you opened it. Your input is kept below: "
            "reload the page to see their change, then apply yours again."
        )
        % {"name": "Kết luận của đồng chí Vũ Xuân Cường"}
        in text
    )
    assert Document.objects.get(pk=doc.pk).summary == "Kết luận của đồng chí Vũ Xuân Cường"


def test_the_issue_form_offers_the_people_holding_a_position_today(client, tree, board, alice):
    holder(tree, "laocai", board, "Người Đương Nhiệm", "Trưởng ban")
    holder(tree, "laocai", board, "Người Đã Nghỉ", "Trưởng ban", end=BRIEFING_DAY)
    page = client.get(reverse("documents:document_detail", args=[draft_for(board).pk]))
    text = page.content.decode()
    assert "Người Đương Nhiệm" in text and "Người Đã Nghỉ" not in text


def test_a_draft_is_issued_from_the_form(client, tree, board, alice):
    today_head = holder(tree, "laocai", board, "Người Đương Nhiệm", "Trưởng ban")
    from giaoban.documents.models import Term

    Term.objects.create(
        style=board.document_style, label="2025-2030", starts_on=timezone.localdate()
    )
    doc = draft_for(board)
    response = client.post(
        reverse("documents:document_issue", args=[doc.pk]),
        {
            "issue-signer": today_head.pk,
            "issue-recipients": [tree["sapa_board"].pk],
            "issue-recipient_lines": "Thường trực Tỉnh ủy (b/c)\nLưu VT",
            "issue-revision": doc.revision,
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    doc.refresh_from_db()
    assert (doc.status, doc.number, doc.series, doc.issued_on) == (
        "issued",
        1,
        "2025-2030",
        timezone.localdate(),
    )
    page = client.get(reverse("documents:document_detail", args=[doc.pk]))
    assert vi("Download .docx") in page.content.decode()
    assert (
        vi("No signed PDF in this installation.") in page.content.decode()
        or vi("The signed PDF is being made.") in page.content.decode()
    )


def test_issuing_without_a_signer_shows_the_refusal_in_vietnamese(client, board, alice):
    doc = draft_for(board)
    response = client.post(
        reverse("documents:document_issue", args=[doc.pk]), {"issue-revision": doc.revision}
    )
    assert response.status_code == 400
    assert vi("Choose who signs the document.") in response.content.decode()
    assert Document.objects.get(pk=doc.pk).status == "draft"


def test_an_issued_document_has_no_edit_form_and_is_replaced(client, board, head, alice):
    doc = services.issue(user=None, doc=draft_for(board), signer=head, on=BRIEFING_DAY)
    page = client.get(reverse("documents:document_detail", args=[doc.pk]))
    assert vi("Edit the draft") not in page.content.decode()
    response = client.post(reverse("documents:document_replace", args=[doc.pk]))
    new = Document.objects.get(replaces=doc)
    assert response["Location"] == reverse("documents:document_detail", args=[new.pk])
    register = client.get(reverse("documents:register", args=[board.pk])).content.decode()
    assert vi("replaced by") in register and "1-TB/BDVTU" in register


def test_a_district_officer_does_not_see_the_provinces_register(client, tree, board):
    client.force_login(make_user("charlie", tree["batxat_board"], Role.OFFICER))
    assert client.get(reverse("documents:register", args=[board.pk])).status_code == 404
    doc = draft_for(board)
    assert client.get(reverse("documents:document_detail", args=[doc.pk])).status_code == 404
    new = client.get(reverse("documents:document_new", args=[board.pk]))
    assert new.status_code == 404


def test_a_new_draft_is_written_on_its_page(client, board, alice):
    response = client.post(
        reverse("documents:document_new", args=[board.pk]),
        {
            "kind": "CV",
            "summary": "V/v chuẩn bị hội nghị giao ban",
            "body": "Kính gửi: Ban Dân vận các huyện ủy, thị ủy.\n\n# Nội dung",
        },
    )
    doc = Document.objects.get()
    assert response["Location"] == reverse("documents:document_detail", args=[doc.pk])
    assert [b["kind"] for b in doc.body] == ["paragraph", "heading"]
