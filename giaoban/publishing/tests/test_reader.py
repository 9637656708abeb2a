"""The reader on the scenario article, on both spellings of the tones and NFD input, on names of
two to four syllables and positions joined by commas and "kiêm", and on the labelled set."""

import json
import unicodedata
from pathlib import Path

import pytest

from giaoban.publishing.evaluation import DEVELOPMENT, HELD_OUT, evaluate
from giaoban.publishing.reader import read, read_figures, read_persons
from giaoban.publishing.vietnamese import canonical_tones

SCENARIO = (DEVELOPMENT / "01-laocai-scenario.txt").read_text(encoding="utf-8")
SCENARIO_PEOPLE = {
    "Vũ Xuân Cường": ["Phó Bí thư Thường trực Tỉnh ủy", "Chủ tịch HĐND tỉnh"],
    "Phan Đăng Toàn": ["Tỉnh ủy viên", "Bí thư Thị ủy", "Chủ tịch HĐND thị xã"],
    "Lê Mạnh Hảo": ["Ủy viên BTV", "Phó Chủ tịch Thường trực HĐND thị xã"],
    "Phùng Mạnh Khang": [
        "Ủy viên BTV",
        "Trưởng Ban Tuyên giáo Thị ủy",
        "Giám đốc Trung tâm Chính trị thị xã",
    ],
    "Vàng Bích Liên": ["Ủy viên BTV", "Trưởng Ban Dân vận Thị ủy"],
}


def test_the_scenario_gives_its_five_people_with_their_positions():
    record = read(SCENARIO)
    assert {p["name"]: p["positions"] for p in record["persons"]} == SCENARIO_PEOPLE


def test_the_scenario_gives_the_date_the_points_and_the_organizer():
    record = read(SCENARIO)
    assert record["date"] == "2021-10-08"
    assert record["bridge_points"] == 9
    assert record["host_point"] == "tỉnh Lào Cai"
    assert record["organizer"] == "Ban Dân vận Tỉnh ủy"
    assert record["title"].startswith("Hội nghị trực tuyến giao ban công tác dân vận 9 tháng")
    assert record["author"] == "Lê Hưng"


def test_the_scenario_gives_its_figures():
    figures = read(SCENARIO)["figures"]
    assert [(f["qualifier"], f["value"], f["unit"], f["subject"]) for f in figures] == [
        ("trên", 2255, "triệu đồng", ""),
        ("", 0, "", "tình hình di dịch cư tự do"),
        ("", 0, "", "tình trạng phụ nữ bỏ đi khỏi địa phương"),
        ("", 49, "trường hợp", "tảo hôn"),
    ]


def test_the_people_are_placed_at_their_bridge_points():
    points = {p["name"]: p["point"] for p in read(SCENARIO)["persons"]}
    assert points["Vũ Xuân Cường"] == "tỉnh Lào Cai"
    assert points["Vàng Bích Liên"] == "thị xã Sa Pa"


def test_nfd_input_gives_the_same_record():
    assert read(unicodedata.normalize("NFD", SCENARIO)) == read(SCENARIO)


def test_both_tone_placements_give_the_same_record():
    new_style = SCENARIO.replace("Uỷ", "Ủy").replace("uỷ", "ủy")
    old_style = SCENARIO.replace("Ủy", "Uỷ").replace("ủy", "uỷ")
    assert new_style != old_style
    assert read(new_style) == read(old_style) == read(SCENARIO)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Uỷ viên", "Ủy viên"),
        ("hoà giải", "hòa giải"),
        ("Thuỵ", "Thụy"),
        ("quý", "quý"),
        ("hoàn", "hoàn"),
    ],
)
def test_old_tone_placement_is_moved_only_in_open_syllables(old, new):
    assert canonical_tones(old) == new


def test_names_of_two_three_and_four_syllables():
    text = (
        "Dự hội nghị có đồng chí Má A Sử - Trưởng khối dân vận xã; đồng chí Giàng Sử - Chủ tịch "
        "UBND xã; đồng chí Hoàng Thị Thanh Huyền - Phó Chủ tịch Ủy ban MTTQ tỉnh."
    )
    assert [p["name"] for p in read_persons(text)] == [
        "Má A Sử",
        "Giàng Sử",
        "Hoàng Thị Thanh Huyền",
    ]


def test_positions_joined_by_kiem_are_two_positions():
    text = "Bà Lò Thị Mai, Bí thư Đảng ủy phường kiêm Chủ tịch HĐND phường, phát biểu."
    assert read_persons(text)[0]["positions"] == ["Bí thư Đảng ủy phường", "Chủ tịch HĐND phường"]


def test_a_position_written_before_the_name_is_read():
    text = (
        "Phát biểu kết luận, Bí thư Huyện ủy Bát Xát Hoàng Quốc Khánh đề nghị các xã nắm chắc "
        "tình hình."
    )
    assert read_persons(text) == [
        {"name": "Hoàng Quốc Khánh", "positions": ["Bí thư Huyện ủy Bát Xát"], "point": None}
    ]


def test_a_second_mention_adds_no_copy_of_a_position():
    text = (
        "Dự có đồng chí Vũ Xuân Cường - Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh. "
        "Phát biểu chỉ đạo, đồng chí Vũ Xuân Cường - Phó Bí thư Thường trực Tỉnh ủy Lào Cai "
        "nhấn mạnh."
    )
    assert read_persons(text)[0]["positions"] == [
        "Phó Bí thư Thường trực Tỉnh ủy",
        "Chủ tịch HĐND tỉnh",
    ]


def test_groups_and_bylines_are_not_people():
    text = "Dự có lãnh đạo MTTQ và các tổ chức chính trị - xã hội thị xã.\nMinh Đức"
    assert read_persons(text) == []


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("chi 2.255 triệu đồng", 2255, "triệu đồng"),
        ("huy động 1,2 tỷ đồng", 1.2, "tỷ đồng"),
        ("đạt 90,6%", 90.6, "%"),
        ("hiến 12.400 m2 đất", 12400, "m2"),
        ("không có hộ di dịch cư tự do", 0, "hộ"),
    ],
)
def test_figures_are_read_the_vietnamese_way(text, value, unit):
    (figure,) = read_figures(text)
    assert (figure["value"], figure["unit"]) == (value, unit)


def test_dates_and_periods_and_points_are_not_figures():
    text = "Ngày 08/10/2021, giao ban 9 tháng năm 2021 với 09 điểm cầu, phòng Covid-19 lúc 14 giờ."
    assert read_figures(text) == []


def test_the_event_date_wins_over_the_documents_date_and_deadlines():
    text = (
        "Lào Cai, ngày 14 tháng 7 năm 2023\nTHÔNG BÁO\nVề hội nghị\n"
        "Ngày 12/7/2023, hội nghị... trước ngày 30/7/2023."
    )
    assert read(text)["date"] == "2023-07-12"


def _check(folder: Path) -> dict:
    result = evaluate(folder)
    return {name: score.f1 for name, score in result["scores"].items()}


def test_the_labelled_set_has_at_least_twelve_texts_some_held_out():
    assert len(list(DEVELOPMENT.glob("*.txt"))) + len(list(HELD_OUT.glob("*.txt"))) >= 12
    assert len(list(HELD_OUT.glob("*.txt"))) >= 3


def test_the_development_set_holds_real_articles_with_their_source():
    sources = [
        json.loads(path.read_text(encoding="utf-8")).get("source", "")
        for path in DEVELOPMENT.glob("*.json")
    ]
    real = [source for source in sources if source.startswith(("http://", "https://"))]
    assert len(real) >= 12


@pytest.mark.parametrize("folder", [DEVELOPMENT, HELD_OUT], ids=["development", "held-out"])
def test_the_reader_meets_its_goals_on_the_labelled_set(folder):
    f1 = _check(folder)
    assert f1["persons"] >= 0.95
    assert f1["positions"] >= 0.95
    assert f1["persons with positions"] >= 0.95
    assert f1["figures"] >= 0.9
