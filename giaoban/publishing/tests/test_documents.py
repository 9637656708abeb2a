"""The minutes, the conclusion notice and the article as Word documents: they open again with
python-docx and carry the record. The minutes and the notice take the organizer's format: the demo's
provincial Ban Dân vận is a Party body (36-HD/VPTW), never Decree 30/2020's state heading."""

import io
from datetime import datetime

import docx
import pytest
from django.utils import timezone
from docx.table import Table

from giaoban.core.models import AuditEntry
from giaoban.documents import conference_docs
from giaoban.meetings import services as meeting_services
from giaoban.meetings.selectors import VIETNAM as VN
from giaoban.meetings.selectors import points_state
from giaoban.publishing import documents, services, writer

pytestmark = pytest.mark.django_db


def _lines(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    lines += [p.text for p in cell.paragraphs]
        else:
            lines.append(block.text)
    return lines


PARTY = ["TỈNH ỦY LÀO CAI", "BAN DÂN VẬN", "*", "ĐẢNG CỘNG SẢN VIỆT NAM"]
STATE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def test_the_minutes_carry_the_party_bodys_parts_and_the_record(demo):
    lines = _lines(conference_docs.minutes_docx(demo))
    assert lines[:4] == PARTY and STATE not in lines
    assert "BIÊN BẢN" in lines
    assert "Số      -BB/BDVTU" in lines  # numbered when drafted in the register and issued
    assert "Thời gian bắt đầu: 14 giờ 00, ngày 08/10/2021." in lines
    assert (
        "Địa điểm: Hội trường Tỉnh ủy Lào Cai (điểm cầu chính); trực tuyến với 09 điểm cầu."
        in lines
    )
    assert "- Phan Đăng Toàn - Tỉnh ủy viên, Bí thư Thị ủy, Chủ tịch HĐND thị xã." in lines
    assert (
        "1. Công tác dân vận phải hướng về cơ sở, nắm chắc tình hình trong Nhân dân, tập trung "
        "giải quyết tốt những vướng mắc, phát sinh, bức xúc trong Nhân dân." in lines
    )
    assert {"THƯ KÝ", "CHỦ TRÌ", "Vũ Xuân Cường"} <= set(lines)


def test_the_minutes_give_the_roll_call_once_it_is_taken(demo):
    sapa = demo.points.get(unit__code="088")
    delegate = sapa.delegates.get(full_name="Lê Mạnh Hảo")
    delegate.attendance, delegate.absence_reason = "absent", "Đi công tác"
    delegate.save()
    lines = _lines(conference_docs.minutes_docx(demo))
    assert "Tại điểm cầu thị xã Sa Pa (có mặt 0/6):" in lines
    assert any(line.startswith("- Lê Mạnh Hảo") and "Vắng" in line for line in lines)


def test_the_minutes_open_even_with_control_characters_stored_before_they_were_refused(demo):
    # Issue 13: a reason with \x01\x08 made minutes.docx a 500 for every user.
    sapa = demo.points.get(unit__code="088")
    delegate = sapa.delegates.get(full_name="Lê Mạnh Hảo")
    delegate.attendance, delegate.absence_reason = "absent", "Đi\x01\x08 công tác\x0b"
    delegate.save()
    lines = _lines(conference_docs.minutes_docx(demo))
    assert any(line.startswith("- Lê Mạnh Hảo") and "Đi công tác" in line for line in lines)


def test_the_conclusion_notice_carries_the_party_bodys_parts_and_the_conclusions(demo):
    lines = _lines(conference_docs.conclusion_notice_docx(demo))
    assert lines[:4] == PARTY and STATE not in lines
    for part in ["THÔNG BÁO", "Nơi nhận:", "- Lưu Văn phòng.", "Số      -TB/BDVTU"]:
        assert part in lines
    assert (
        "Kết luận của đồng chí Vũ Xuân Cường, Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh "
        "tại hội nghị giao ban công tác dân vận 9 tháng, triển khai nhiệm vụ 3 tháng cuối năm 2021"
        in lines
    )
    lead = next(line for line in lines if line.startswith("Chiều ngày 08/10/2021"))
    assert "với 09 điểm cầu" in lead and "kết luận như sau:" in lead
    assert "4. Đẩy mạnh xây dựng các mô hình dân vận khéo." in lines


def test_the_article_opens_with_its_title_and_paragraphs(demo, leader):
    draft = services.article_draft(actor=leader, conference=demo)
    lines = [line for line in _lines(documents.article_docx(draft)) if line]
    assert lines[0] == draft.title
    assert lines[1:] == draft.paragraphs
    document = docx.Document(io.BytesIO(documents.article_docx(draft)))
    assert document.core_properties.title == draft.title


# The minutes agree with the record (issue 14) ------------------------------------------------


def _sapa_roll_call(demo):
    """Four present, one represented, one absent: the console shows 4/6."""
    sapa = demo.points.get(unit__code="088")
    marks = ["present"] * 4 + ["represented", "absent"]
    for delegate, mark in zip(sapa.delegates.order_by("order", "id"), marks, strict=True):
        delegate.attendance = mark
        delegate.represented_by = "Nguyễn Văn Minh" if mark == "represented" else ""
        delegate.save()
    return sapa


def test_the_article_names_only_who_came_once_the_roll_call_is_taken(demo, leader):
    _sapa_roll_call(demo)  # the fifth delegate represented, the sixth absent
    body = writer.draft_article(user=leader, conference=demo).body
    assert "đồng chí Phan Đăng Toàn" in body
    assert "lãnh đạo MTTQ và các tổ chức chính trị - xã hội thị xã" not in body
    assert "lãnh đạo các chi, đảng bộ trực thuộc Thị uỷ" not in body


def test_the_minutes_count_present_as_the_console_does(demo):
    sapa = _sapa_roll_call(demo)
    console = next(p for p in points_state(demo.pk) if p["id"] == sapa.pk)
    assert (console["present"], console["invited"]) == (4, 6)
    lines = _lines(conference_docs.minutes_docx(demo))
    assert "Tại điểm cầu thị xã Sa Pa (có mặt 4/6; 01 đại biểu có người dự thay):" in lines


def _ran(demo, leader, start: datetime, end: datetime) -> None:
    """Start and end the conference, recorded as at `start` and `end` (it was postponed)."""
    for action, moment in (("start", start), ("end", end)):
        meeting_services.conference_transition(actor=leader, conference=demo, action=action)
        AuditEntry.objects.filter(action=f"conference.{action}", object_id=str(demo.pk)).update(
            at=moment
        )
    demo.refresh_from_db()


def test_the_minutes_give_vietnams_time_on_a_server_running_in_utc(demo):
    with timezone.override("UTC"):
        lines = _lines(conference_docs.minutes_docx(demo))
    assert "Thời gian bắt đầu: 14 giờ 00, ngày 08/10/2021." in lines


def test_the_minutes_date_is_the_day_the_conference_ran_not_the_scheduled_one(demo, leader):
    # Scheduled on 08/10/2021 at 14:00; held on 12/10 from 06:30 (23:30 on the 11th in UTC).
    _ran(
        demo,
        leader,
        datetime(2021, 10, 12, 6, 30, tzinfo=VN),
        datetime(2021, 10, 12, 10, 15, tzinfo=VN),
    )
    with timezone.override("UTC"):
        lines = _lines(conference_docs.minutes_docx(demo))
    assert "Lào Cai, ngày 12 tháng 10 năm 2021" in lines
    assert "Thời gian bắt đầu: 06 giờ 30, ngày 12/10/2021." in lines
    assert "Hội nghị kết thúc vào 10 giờ 15, ngày 12/10/2021." in lines
    notice = _lines(conference_docs.conclusion_notice_docx(demo))
    lead = next(line for line in notice if "tổ chức" in line)
    assert lead.startswith("Sáng ngày 12/10/2021,")


def test_the_conclusion_notice_goes_to_organizations_not_bridge_points(demo):
    lines = _lines(conference_docs.conclusion_notice_docx(demo))
    start = lines.index("Nơi nhận:")
    assert lines[start + 1 : start + 3] == ["- Thị ủy Sa Pa,", "- Ban Dân vận Thành ủy Lào Cai,"]
    assert "- Ban Dân vận Huyện ủy Văn Bàn," in lines
    assert not any("điểm cầu" in line.lower() for line in lines[start:])


def test_the_article_gives_the_day_and_its_part_on_vietnams_clock():
    # 00:30 on 9 October in Vietnam is still 8 October (17:30) in UTC.
    moment = datetime(2021, 10, 9, 0, 30, tzinfo=VN)
    with timezone.override("UTC"):
        assert (writer.day_text(moment), writer.part_of_day(moment)) == ("09/10/2021", "Sáng")
