"""A conference whose record holds little: the article and the documents say only what it holds,
and mark for the editor what an article needs and the record lacks."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from giaoban.documents import conference_docs
from giaoban.meetings import floor
from giaoban.meetings import services as meeting_services
from giaoban.publishing.reader import read
from giaoban.publishing.tests.test_documents import _lines
from giaoban.publishing.writer import draft_article

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def bare(tree):
    return meeting_services.conference_create(
        actor=None,
        title="Hội nghị chuyên đề về công tác dân vận chính quyền",
        organizer=tree["board"],
        kind="thematic",
        start=datetime(2021, 11, 5, 8, 0, tzinfo=VN),
        end=datetime(2021, 11, 5, 11, 0, tzinfo=VN),
    )


def test_the_article_of_a_bare_record_invents_nothing(bare, alice):
    article = draft_article(user=alice, conference=bare)
    lines = article.body.splitlines()
    assert lines[0] == (
        "Sáng 05/11/2021, Ban Dân vận Tỉnh ủy Lào Cai tổ chức hội nghị chuyên đề về công tác "
        "dân vận chính quyền."
    )
    assert "điểm cầu" not in article.body and "đồng chí" not in article.body
    assert article.figures == []
    assert lines[1].startswith("[Bổ sung các ý kiến tham luận")
    assert read(article.body)["persons"] == [] and read(article.body)["figures"] == []


def test_a_contribution_and_minutes_are_written_when_recorded(bare, tree, alice):
    point = meeting_services.point_add(
        actor=None, conference=bare, unit=tree["sapa"], name="Điểm cầu thị xã Sa Pa"
    )
    meeting_services.point_add(
        actor=None, conference=bare, unit=tree["laocai"], name="Điểm cầu tỉnh", is_host=True
    )
    item = meeting_services.agenda_add(
        actor=None, conference=bare, kind="contributions", title="Tham luận"
    )
    meeting_services.conference_transition(actor=None, conference=bare, action="start")
    meeting_services.agenda_advance(actor=None, conference=bare)
    request = floor.floor_request(
        actor=None, point=point, topic="Dân vận khéo ở cơ sở", speaker="Phan Đăng Toàn"
    )
    floor.floor_grant(actor=None, request=request)
    floor.floor_finish(actor=None, request=request, summary="Nhân rộng mô hình.")
    body = draft_article(user=alice, conference=bare).body
    assert (
        "Tại hội nghị, các đại biểu đã tham gia ý kiến: Điểm cầu thị xã Sa Pa (Phan Đăng Toàn): "
        "Dân vận khéo ở cơ sở – Nhân rộng mô hình." in body
    )
    lines = _lines(conference_docs.minutes_docx(bare))
    assert "1. Tham luận" in lines
    assert any("phát biểu về dân vận khéo ở cơ sở: Nhân rộng mô hình." in line for line in lines)
    item.refresh_from_db()
    assert item.started_at is not None


def test_the_minutes_of_a_bare_record_leave_blanks(bare):
    lines = _lines(conference_docs.minutes_docx(bare))
    assert "Chủ trì: …………" in lines and "Thư ký: …………" in lines
    assert "Địa điểm: …………." in lines
    assert "(Chưa ghi nhận kết luận.)" in lines
    assert any(line.startswith("Hội nghị kết thúc vào ………… giờ") for line in lines)
