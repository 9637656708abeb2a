"""The conclusion notice and the minutes of the demo's briefing of 8 October 2021: the notice goes
to organizations and ends with the issuing system's "Lưu" line; the minutes agree with the record
(the roll call's counts, Vietnam's time, the day the conference ran)."""

import io
from dataclasses import replace
from datetime import date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from giaoban.core.models import AuditEntry
from giaoban.documents.drafts import conclusion_notice, minutes
from giaoban.documents.paper import Issuer, System
from giaoban.followup.demo import DIRECTIONS
from giaoban.meetings import services as meeting_services
from giaoban.meetings.demo import TITLE
from giaoban.meetings.models import Conference
from giaoban.meetings.selectors import VIETNAM, points_state
from giaoban.orgs.models import Organization

BOARD = Issuer(
    system=System.PARTY,
    name="BAN DÂN VẬN",
    superior="TỈNH ỦY LÀO CAI",
    symbol="BDVTU",
    place="Lào Cai",
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def briefing(demo, db):
    return Conference.objects.get(title=TITLE)


def _texts(paper) -> list[str]:
    return [block.text for block in paper.body]


# The conclusion notice ------------------------------------------------------------------------


def test_the_notice_names_the_chair_and_the_briefing_and_numbers_the_conclusions(briefing):
    paper = conclusion_notice(briefing, BOARD)
    assert (paper.kind, paper.title) == ("TB", "THÔNG BÁO")
    assert paper.summary == (
        "Kết luận của đồng chí Vũ Xuân Cường, Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh "
        "tại hội nghị giao ban công tác dân vận 9 tháng, triển khai nhiệm vụ 3 tháng cuối năm 2021"
    )
    lead, *rest = _texts(paper)
    assert lead.startswith(
        "Chiều ngày 08/10/2021, tại Hội trường Tỉnh ủy Lào Cai, Ban Dân vận Tỉnh ủy Lào Cai tổ "
        "chức hội nghị trực tuyến giao ban công tác dân vận 9 tháng, triển khai nhiệm vụ 3 tháng "
        "cuối năm 2021 với 09 điểm cầu các huyện, thị xã, thành phố. Đồng chí Vũ Xuân Cường - "
        "Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh chủ trì hội nghị."
    )
    assert "Dự hội nghị tại điểm cầu thị xã Sa Pa có đồng chí Phan Đăng Toàn" in lead
    assert lead.endswith("đồng chí Vũ Xuân Cường kết luận như sau:")
    assert rest[: len(DIRECTIONS)] == [f"{n}. {t}" for n, t in enumerate(DIRECTIONS, start=1)]


def test_the_notice_goes_to_organizations_and_ends_with_lưu(briefing):
    paper = conclusion_notice(briefing, BOARD)
    *organizations, last = paper.recipients
    assert last == "Lưu Văn phòng"
    # The district-level party committees and mobilization boards the registry holds at the
    # points' units: Sa Pa's committee, then the nine boards; none of them a bridge point.
    points = set(briefing.points.values_list("name", flat=True))
    assert not points & set(organizations)
    boards = Organization.objects.filter(
        kind="mobilization_board", unit__parent=briefing.organizer.unit
    ).order_by("unit__code")
    assert organizations == ["Thị ủy Sa Pa", *boards.values_list("name", flat=True)]
    assert len(organizations) == 10


def test_a_state_body_keeps_its_copy_as_decree_30_writes_it(briefing):
    council = replace(BOARD, system=System.STATE, name="ỦY BAN NHÂN DÂN", symbol="UBND")
    assert conclusion_notice(briefing, council).recipients[-1] == "Lưu: VT"


# The minutes ------------------------------------------------------------------------------------


def _sapa_roll_call(briefing):
    """Four present, one represented (Lê Mạnh Hảo), one absent."""
    sapa = briefing.points.get(unit__code="088")
    marks = ["present", "represented", "present", "present", "present", "absent"]
    for delegate, mark in zip(sapa.delegates.order_by("order", "id"), marks, strict=True):
        delegate.attendance = mark
        delegate.represented_by = "Nguyễn Văn Minh" if mark == "represented" else ""
        delegate.save()
    return sapa


def test_the_minutes_counts_are_the_roll_calls(briefing):
    sapa = _sapa_roll_call(briefing)
    console = next(p for p in points_state(briefing.pk) if p["id"] == sapa.pk)
    texts = _texts(minutes(briefing, BOARD))
    expected = f"có mặt {console['present']}/{console['invited']}"
    assert expected == "có mặt 4/6"
    assert f"Tại điểm cầu thị xã Sa Pa ({expected}; 01 đại biểu có người dự thay):" in texts
    assert any(
        t.startswith("- Lê Mạnh Hảo") and t.endswith("– Có người dự thay (Nguyễn Văn Minh).")
        for t in texts
    )
    # The notice gives the same roll call over the nine points.
    lead = _texts(conclusion_notice(briefing, BOARD))[0]
    assert "Theo điểm danh, tại các điểm cầu có 4/6 đại biểu được mời có mặt, 01 đại biểu" in lead
    # It names who came: not the one someone stood in for, nor the absent group.
    assert "đồng chí Phan Đăng Toàn" in lead
    assert "Lê Mạnh Hảo" not in lead and "lãnh đạo các chi, đảng bộ" not in lead


def _ran(briefing, start: datetime, end: datetime) -> None:
    """Start and end the briefing, recorded at `start` and `end`: it was postponed."""
    leader = get_user_model().objects.get(username="lanhdao_tinh")
    for action, moment in (("start", start), ("end", end)):
        meeting_services.conference_transition(actor=leader, conference=briefing, action=action)
        AuditEntry.objects.filter(action=f"conference.{action}", object_id=str(briefing.pk)).update(
            at=moment
        )
    briefing.refresh_from_db()


def test_the_minutes_are_dated_the_day_it_ran_in_vietnams_time(briefing):
    # Scheduled on 08/10/2021 at 14:00; held on 12/10 from 06:30, which is 23:30 on the 11th in
    # UTC, the zone the server runs in here.
    _ran(
        briefing,
        datetime(2021, 10, 12, 6, 30, tzinfo=VIETNAM),
        datetime(2021, 10, 12, 10, 15, tzinfo=VIETNAM),
    )
    with timezone.override("UTC"):
        paper = minutes(briefing, BOARD)
        notice = conclusion_notice(briefing, BOARD)
    assert paper.issued_on == date(2021, 10, 12)
    texts = _texts(paper)
    assert "Thời gian bắt đầu: 06 giờ 30, ngày 12/10/2021." in texts
    assert "Hội nghị kết thúc vào 10 giờ 15, ngày 12/10/2021." in texts
    assert _texts(notice)[0].startswith("Sáng ngày 12/10/2021, ")


def test_the_minutes_of_a_briefing_not_yet_held_leave_its_date_and_end_blank(briefing):
    paper = minutes(briefing, BOARD)
    assert paper.issued_on is None
    assert "Hội nghị kết thúc vào ………… giờ …………, ngày …………." in _texts(paper)


def test_the_minutes_are_signed_by_the_secretary_and_the_chair(briefing):
    paper = minutes(briefing, BOARD)
    assert (paper.kind, paper.title) == ("BB", "BIÊN BẢN")
    assert (paper.signature.title, paper.signature.name) == ("CHỦ TRÌ", "Vũ Xuân Cường")
    # The demo's secretary (illustrative) is an officer of the provincial board's office.
    secretary = ("THƯ KÝ", "Nguyễn Thị Thu Hằng")
    assert (paper.second_signature.title, paper.second_signature.name) == secretary
    texts = _texts(paper)
    chair = "Vũ Xuân Cường - Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh"
    assert f"Chủ trì: đồng chí {chair}." in texts
    who = "Nguyễn Thị Thu Hằng - Phó Chánh Văn phòng Ban Dân vận Tỉnh ủy"
    assert texts[texts.index(f"Chủ trì: đồng chí {chair}.") + 1] == f"Thư ký: đồng chí {who}."
    assert [b.text for b in paper.body if b.kind == "heading"] == [
        "THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN",
        "NỘI DUNG",
        "KẾT LUẬN CỦA CHỦ TRÌ",
    ]
    conclusions = texts[texts.index("KẾT LUẬN CỦA CHỦ TRÌ") + 1 :]
    assert conclusions[: len(DIRECTIONS)] == [
        f"{n}. {t}" for n, t in enumerate(DIRECTIONS, start=1)
    ]


def test_the_minutes_name_the_points_without_delegates_together_in_one_line(briefing):
    texts = _texts(minutes(briefing, BOARD))
    # Sa Pa's delegates are listed under it; the eight other points recorded none.
    assert "Tại điểm cầu thị xã Sa Pa:" in texts
    unrecorded = [t for t in texts if t.startswith("Các điểm cầu chưa ghi nhận đại biểu: ")]
    assert len(unrecorded) == 1
    assert "thành phố Lào Cai, huyện Bát Xát," in unrecorded[0]
    assert "thị xã Sa Pa" not in unrecorded[0] and "Điểm cầu" not in unrecorded[0]
    assert not any(t.startswith("Tại điểm cầu huyện Bát Xát") for t in texts)


def test_a_secretary_recorded_by_name_signs_and_is_named_as_recorded(briefing):
    meeting_services.conference_secretary_set(
        actor=None, conference=briefing, revision=briefing.revision, name="Lê  Thị Hoa"
    )
    paper = minutes(Conference.objects.get(pk=briefing.pk), BOARD)
    assert paper.second_signature.name == "Lê Thị Hoa"
    assert "Thư ký: đồng chí Lê Thị Hoa." in _texts(paper)


def test_without_a_secretary_the_minutes_leave_the_blank_to_fill(briefing):
    meeting_services.conference_secretary_set(
        actor=None, conference=briefing, revision=briefing.revision
    )
    paper = minutes(Conference.objects.get(pk=briefing.pk), BOARD)
    assert paper.second_signature.name == ""
    assert "Thư ký: …………" in _texts(paper)
