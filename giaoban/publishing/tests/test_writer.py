"""The article drafted from the demo conference, its helpers, and the round trip: the article read
back gives the same people, positions and figures."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from giaoban.meetings.models import Delegate
from giaoban.publishing.evaluation import key
from giaoban.publishing.reader import read
from giaoban.publishing.writer import (
    count_text,
    draft_article,
    figure_phrase,
    headline,
    held_phrase,
    part_of_day,
    point_kinds,
    sentence,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("name", "unit", "value", "written"),
    [
        ("Số trường hợp tảo hôn", "trường hợp", Decimal(49), "49 trường hợp tảo hôn"),
        ("Số hộ di dịch cư tự do", "hộ", Decimal(0), "không có hộ di dịch cư tự do"),
        (
            "Kinh phí chăm lo gia đình chính sách",
            "triệu đồng",
            Decimal(2255),
            "kinh phí chăm lo gia đình chính sách 2.255 triệu đồng",
        ),
        ("Tỷ lệ hộ đạt chuẩn", "%", Decimal("87.5"), "tỷ lệ hộ đạt chuẩn 87,5 %"),
    ],
)
def test_a_figure_is_written_as_an_article_writes_it(name, unit, value, written):
    assert figure_phrase(name, unit, value).text == written


def test_small_helpers():
    assert count_text(9) == "09"
    assert part_of_day(datetime(2021, 10, 8, 14, 0, tzinfo=VN)) == "Chiều"
    assert part_of_day(datetime(2021, 10, 8, 8, 0, tzinfo=VN)) == "Sáng"
    assert point_kinds(["town", "district", "city"]) == "các huyện, thị xã, thành phố"
    assert sentence(["Một việc.", "Hai việc"]) == "một việc; hai việc."
    assert held_phrase("Hội nghị chuyên đề", online=True) == (
        "hội nghị chuyên đề theo hình thức trực tuyến"
    )
    assert held_phrase("Giao ban quý I", online=True) == "hội nghị trực tuyến giao ban quý I"
    assert held_phrase("Giao ban quý I", online=False) == "hội nghị giao ban quý I"
    assert headline("Ban Dân vận Tỉnh ủy", "Giao ban công tác dân vận 9 tháng").startswith(
        "Ban Dân vận Tỉnh ủy giao ban trực tuyến công tác dân vận 9 tháng"
    )


def test_the_demo_article_names_every_delegate_with_the_exact_designation(demo, leader):
    article = draft_article(user=leader, conference=demo)
    delegates = Delegate.objects.filter(point__conference=demo)
    assert delegates.count() == 7
    for delegate in delegates:
        if delegate.person_id:
            assert f"đồng chí {delegate.designation}" in article.body
        else:
            assert delegate.designation[1:] in article.body  # a group, written mid-sentence


def test_the_demo_article_gives_the_date_the_points_and_the_chair(demo, leader):
    body = draft_article(user=leader, conference=demo).body
    assert body.startswith("Chiều 08/10/2021, Ban Dân vận Tỉnh ủy Lào Cai tổ chức")
    assert "với 09 điểm cầu các huyện, thị xã, thành phố" in body
    assert (
        "Dự và chỉ đạo tại điểm cầu tỉnh Lào Cai có đồng chí Vũ Xuân Cường - Phó Bí thư "
        "Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh." in body
    )


def test_the_demo_article_gives_sa_pas_figures(demo, leader):
    body = draft_article(user=leader, conference=demo).body
    sapa = next(
        line for line in body.splitlines() if line.startswith("Theo báo cáo của thị xã Sa Pa")
    )
    assert "2.255 triệu đồng" in sapa
    assert "49 trường hợp tảo hôn" in sapa
    assert "không có hộ di dịch cư tự do" in sapa
    assert "không có trường hợp phụ nữ bỏ đi khỏi địa phương" in sapa


def test_the_demo_article_carries_the_direction_speech_and_marks_what_is_missing(demo, leader):
    body = draft_article(user=leader, conference=demo).body
    assert "nhấn mạnh: công tác dân vận phải hướng về cơ sở" in body
    assert "[Bổ sung các ý kiến tham luận" in body  # no contribution was recorded


def test_the_round_trip_gives_the_same_people_positions_and_figures(demo, leader):
    article = draft_article(user=leader, conference=demo)
    record = read(f"{article.title}\n{article.body}")
    named = Delegate.objects.filter(point__conference=demo, person__isnull=False)
    expected = {}
    for delegate in named:
        positions = delegate.designation.split(" - ", 1)[1].split(", ")
        expected[key(delegate.full_name)] = [key(p) for p in positions]
    assert {key(p["name"]): [key(x) for x in p["positions"]] for p in record["persons"]} == expected
    written = sorted((w.value, w.unit) for w in article.figures)
    found = sorted((Decimal(str(f["value"])), f["unit"]) for f in record["figures"])
    assert found == written
    assert record["date"] == "2021-10-08"
    assert record["bridge_points"] == 9
    assert record["host_point"] == "tỉnh Lào Cai"
    assert record["organizer"] == demo.organizer.name


def test_a_total_of_incomplete_reports_says_so_in_the_article(demo, leader):
    """The demo's 9-month reports are not all approved: the article does not present their
    total as the units' whole result, and Sa Pa's own (complete) figures carry no such mark."""
    from giaoban.reporting.selectors import completeness

    done = completeness(demo.organizer.unit, demo.report_form, demo.period)
    assert 0 < done.approved < done.expected
    lines = draft_article(user=leader, conference=demo).body.splitlines()
    overall = next(line for line in lines if "kết quả tổng hợp từ báo cáo" in line)
    assert f"chưa đầy đủ: mới có {done.approved}/{done.expected} báo cáo được duyệt" in overall
    sapa = next(line for line in lines if line.startswith("Theo báo cáo của thị xã Sa Pa"))
    assert "chưa đầy đủ" not in sapa
