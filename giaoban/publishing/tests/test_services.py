"""The stored article (drafted, edited with optimistic locking, audited, host only), uploads
checked with clear messages, and a read text saved as a conference."""

import io
import unicodedata
from datetime import date, time

import docx
import pytest
from django.urls import reverse
from django.utils.translation import gettext

from giaoban.core.errors import ApplicationError, ConcurrentEdit, InvalidInput, PermissionDenied
from giaoban.core.models import AuditEntry
from giaoban.meetings.models import Delegate
from giaoban.orgs.models import Organization, Person
from giaoban.publishing import services
from giaoban.publishing.models import RecordFigure
from giaoban.publishing.tests.test_reader import SCENARIO
from giaoban.testing.refusals import refused

pytestmark = pytest.mark.django_db


def test_it_drafts_the_article_once_and_audits_it(demo, leader):
    draft = services.article_draft(actor=leader, conference=demo)
    assert draft.revision == 1 and draft.body.startswith("Chiều 08/10/2021")
    assert AuditEntry.objects.filter(action="article.draft", object_id=str(draft.pk)).exists()


def test_an_edit_is_saved_and_audited_with_before_and_after(demo, leader):
    draft = services.article_draft(actor=leader, conference=demo)
    saved = services.article_save(
        actor=leader, draft=draft, title="Tiêu đề mới", body="Đoạn một.\nĐoạn hai.", revision=1
    )
    assert saved.revision == 2 and saved.paragraphs == ["Đoạn một.", "Đoạn hai."]
    entry = AuditEntry.objects.get(action="article.edit")
    assert entry.before["title"] == draft.title and entry.after["title"] == "Tiêu đề mới"


def test_a_save_from_an_older_page_is_refused_and_nothing_is_lost(demo, leader):
    draft = services.article_draft(actor=leader, conference=demo)
    services.article_save(actor=leader, draft=draft, title="A", body="Một.", revision=1)
    with pytest.raises(ConcurrentEdit):
        services.article_save(actor=leader, draft=draft, title="B", body="Hai.", revision=1)
    draft.refresh_from_db()
    assert (draft.title, draft.body) == ("A", "Một.")


def test_drafting_again_needs_the_current_revision(demo, leader):
    draft = services.article_draft(actor=leader, conference=demo)
    services.article_save(actor=leader, draft=draft, title="A", body="Một.", revision=1)
    with pytest.raises(ConcurrentEdit):
        services.article_draft(actor=leader, conference=demo, revision=1)
    again = services.article_draft(actor=leader, conference=demo, revision=2)
    assert again.revision == 3 and again.body.startswith("Chiều 08/10/2021")


def test_an_empty_article_is_refused(demo, leader):
    draft = services.article_draft(actor=leader, conference=demo)
    with pytest.raises(InvalidInput) as refused:
        services.article_save(actor=leader, draft=draft, title=" ", body="", revision=1)
    assert set(refused.value.errors) == {"title", "body"}


def test_only_the_host_writes_the_article(demo, sapa_officer):
    with refused(PermissionDenied, gettext("Only the host of the conference may do this.")):
        services.article_draft(actor=sapa_officer, conference=demo)


def _docx_bytes(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_upload_reads_like_the_text():
    text = services.text_from_upload(name="bai.docx", data=_docx_bytes(SCENARIO))
    assert services.read_text(text)["persons"] == services.read_text(SCENARIO)["persons"]


def test_a_utf16_text_file_is_read():
    data = SCENARIO.encode("utf-16")
    assert services.text_from_upload(name="bai.txt", data=data).strip() == SCENARIO.strip()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bai.docx", b"not a zip at all", "This file is not a Word document (.docx)."),
        ("bai.docx", b"PK\x03\x04broken", "This file is not a Word document (.docx)."),
        ("bai.pdf", b"%PDF-1.4", "Upload a .docx or .txt file."),
        ("bai.txt", "Lào Cai".encode("cp1258"), "The file is not text in Unicode (UTF-8)"),
        ("bai.txt", b"x" * (services.MAX_UPLOAD_BYTES + 1), "The file is too large"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(name, data, message):
    with pytest.raises(ApplicationError) as refused:
        services.text_from_upload(name=name, data=data)
    assert refused.value.message.startswith(message)


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_empty_text_is_refused(text):
    expected = gettext("The text is empty: paste an article or upload a file.")
    with refused(ApplicationError, expected, field="text"):
        services.read_text(text)


def test_huge_text_is_refused_naming_its_limit():
    expected = gettext("The text is too long: at most %(n)s characters.") % {
        "n": f"{services.MAX_TEXT_CHARS:,}".replace(",", ".")
    }
    with refused(ApplicationError, expected, field="text"):
        services.read_text("x" * (services.MAX_TEXT_CHARS + 1))


def _review(organizer, matches):
    return services.Review(
        title="Giao ban công tác dân vận 9 tháng năm 2021 (nhập từ bài viết)",
        organizer=organizer,
        kind="nine",
        day=date(2021, 10, 8),
        start=time(14, 0),
        end=time(17, 0),
        matches=matches,
    )


def test_a_reviewed_text_becomes_a_conference_with_delegates_and_figures(demo, leader):
    item = services.text_import(actor=leader, text=SCENARIO, source_name="bai.txt")
    board = Organization.objects.get(name="Ban Dân vận Tỉnh ủy Lào Cai")
    cuong = Person.objects.get(full_name="Vũ Xuân Cường")
    conference = services.text_import_save(
        actor=leader, item=item, review=_review(board, {0: cuong})
    )
    points = {p.name: p for p in conference.points.all()}
    assert {"Điểm cầu tỉnh Lào Cai", "Điểm cầu thị xã Sa Pa"} <= set(points)
    assert points["Điểm cầu tỉnh Lào Cai"].is_host
    delegates = Delegate.objects.filter(point__conference=conference).order_by("point", "order")
    invited = delegates.get(person=cuong)
    assert (
        invited.designation == "Vũ Xuân Cường - Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh"
    )
    guest = delegates.get(full_name="Lê Mạnh Hảo")
    assert guest.is_guest and guest.designation == (
        "Lê Mạnh Hảo - Ủy viên BTV, Phó Chủ tịch Thường trực HĐND thị xã"
    )
    figures = RecordFigure.objects.filter(conference=conference)
    assert [(f.value, f.unit, f.subject) for f in figures] == [
        (2255, "triệu đồng", ""),
        (0, "", "tình hình di dịch cư tự do"),
        (0, "", "tình trạng phụ nữ bỏ đi khỏi địa phương"),
        (49, "trường hợp", "tảo hôn"),
    ]
    item.refresh_from_db()
    assert item.conference == conference
    again = gettext("This text has already been saved as a conference.")
    with refused(ApplicationError, again):
        services.text_import_save(actor=leader, item=item, review=_review(board, {}))


def test_someone_else_cannot_save_my_text(demo, leader, sapa_officer):
    item = services.text_import(actor=leader, text=SCENARIO)
    board = Organization.objects.get(name="Ban Dân vận Thị ủy Sa Pa")
    with refused(PermissionDenied, gettext("Only who read this text may save it.")):
        services.text_import_save(actor=sapa_officer, item=item, review=_review(board, {}))


@pytest.mark.parametrize("written", ["Vũ Xuân Cường", "vu xuan cuong", "VŨ XUÂN CƯỜNG"])
def test_people_are_suggested_by_name_ignoring_diacritics_and_case(demo, leader, written):
    from giaoban.publishing.selectors import person_candidates

    found = person_candidates(user=leader, name=written, positions=["Chủ tịch HĐND tỉnh"])
    assert [p.full_name for p in found] == ["Vũ Xuân Cường"]


def test_suggestions_ignore_the_tone_placement_and_spell_out_abbreviations(demo, leader):
    from giaoban.publishing.selectors import person_candidates, spelt_out

    assert spelt_out("Uỷ viên BTV") == spelt_out("Ủy viên Ban Thường vụ")
    nfd = unicodedata.normalize("NFD", "Lê Mạnh Hảo")
    (found,) = person_candidates(user=leader, name=nfd, positions=["Ủy viên BTV"])
    assert found.full_name == "Lê Mạnh Hảo"


def test_the_seed_article_is_saved_as_the_briefing_it_reports(demo, leader, client):
    """Held on 08/10/2021 (ended, not planned), chaired by the comrade who directed it, with
    the host and the 9 points it counts, its figures under 9 tháng năm 2021, and a warning that
    the demo's conference 1 is the same briefing."""
    from giaoban.meetings.models import ConferenceStatus
    from giaoban.publishing.selectors import likely_duplicates

    item = services.text_import(actor=leader, text=SCENARIO)
    board = Organization.objects.get(name="Ban Dân vận Tỉnh ủy Lào Cai")
    assert likely_duplicates(user=leader, organizer=board, day=date(2021, 10, 8)) == [demo]
    client.force_login(leader)
    page = client.get(reverse("publishing:review", args=[item.pk])).content.decode()
    assert "Likely a duplicate" in page or "trùng" in page
    assert demo.title in page
    conference = services.text_import_save(actor=leader, item=item, review=_review(board, {}))
    assert conference.status == ConferenceStatus.ENDED
    assert conference.chair.full_name == "Vũ Xuân Cường"
    chair = Delegate.objects.get(point__conference=conference, full_name="Vũ Xuân Cường")
    assert chair.person == conference.chair and not chair.is_guest
    assert conference.points.filter(is_host=False).count() == 9
    assert conference.points.filter(is_host=True).count() == 1
    assert (conference.period.kind, conference.period.year) == ("nine", 2021)
    assert conference.period == demo.period and conference.report_form == demo.report_form
    # The article's figures: 2.255 triệu đồng, 49 cases, and its two reported absences (= 0).
    figures = RecordFigure.objects.filter(conference=conference)
    assert sorted(int(f.value) for f in figures) == [0, 0, 49, 2255]


def test_a_matched_chair_is_the_registry_person(demo, leader):
    item = services.text_import(actor=leader, text=SCENARIO)
    board = Organization.objects.get(name="Ban Dân vận Tỉnh ủy Lào Cai")
    cuong = Person.objects.get(full_name="Vũ Xuân Cường")
    people = Person.objects.count()
    conference = services.text_import_save(
        actor=leader, item=item, review=_review(board, {0: cuong})
    )
    assert conference.chair == cuong and Person.objects.count() == people
