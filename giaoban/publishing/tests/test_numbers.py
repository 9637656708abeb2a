"""Numbers written in words: the parser's grammar (mười/mươi, mốt, lăm/nhăm, linh/lẻ, tư,
nghìn/ngàn, triệu, tỷ/tỉ, rưỡi, mixed with digits), what it refuses, and the reader using it for
figures and the count of bridge points, in both tone placements and NFD."""

import unicodedata
from decimal import Decimal

import pytest

from giaoban.publishing.reader import number_spans, read, read_figures
from giaoban.publishing.vietnamese import words_to_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("một", 1),
        ("chín", 9),
        ("mười", 10),
        ("mười một", 11),
        ("mười bốn", 14),
        ("mười tư", 14),
        ("mười lăm", 15),
        ("hai mươi", 20),
        ("hai mươi mốt", 21),
        ("hai mươi tư", 24),
        ("hai mươi bốn", 24),
        ("hai mươi lăm", 25),
        ("ba mươi nhăm", 35),
        ("chín mươi chín", 99),
        ("ba chục", 30),
        ("một trăm", 100),
        ("một trăm linh năm", 105),
        ("một trăm lẻ năm", 105),
        ("một trăm mười", 110),
        ("hai trăm rưỡi", 250),
        ("chín trăm chín mươi chín", 999),
        ("một nghìn", 1000),
        ("năm ngàn", 5000),
        ("một nghìn rưỡi", 1500),
        ("một nghìn không trăm linh một", 1001),
        ("một nghìn hai mươi", 1020),
        ("ba nghìn lẻ năm", 3005),
        ("mười ba nghìn", 13000),
        ("hai mươi mốt nghìn", 21000),
        ("một trăm nghìn", 100_000),
        ("hai trăm năm mươi nghìn", 250_000),
        ("chín mươi chín nghìn chín trăm chín mươi chín", 99_999),
        ("hai nghìn không trăm hai mươi lăm", 2025),
        ("một triệu hai trăm nghìn", 1_200_000),
        ("một triệu không trăm năm mươi nghìn", 1_050_000),
        ("hai triệu rưỡi", 2_500_000),
        ("ba tỷ", 3_000_000_000),
        ("hai tỉ", 2_000_000_000),
        ("hai tỷ rưỡi", 2_500_000_000),
        ("một tỷ hai trăm triệu", 1_200_000_000),
        ("hai nghìn tỷ", 2_000_000_000_000),
        ("1 nghìn", 1000),
        ("1,2 triệu", 1_200_000),
        ("1 tỷ 200 triệu", 1_200_000_000),
        ("2.255", 2255),
        ("Hai Mươi Lăm", 25),
    ],
)
def test_numbers_in_words_are_read(text, value):
    assert words_to_number(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "không",  # "no", never a count on its own
        "mốt",
        "lăm",
        "mươi",
        "trăm",
        "nghìn",
        "rưỡi",
        "linh năm",
        "hai ba",  # two or three
        "năm năm",  # five years
        "hai mươi năm",  # twenty years
        "mười năm",  # ten years
        "một trăm năm",  # a hundred years
        "một nghìn năm",  # a thousand years
        "mười mười",
        "ba người",
        "",
    ],
)
def test_what_is_not_one_number_is_refused(text):
    assert words_to_number(text) is None


def test_nfd_and_both_tone_placements_read_the_same():
    nfd = unicodedata.normalize("NFD", "hai mươi lăm nghìn")
    assert words_to_number(nfd) == 25_000
    figures = read_figures(unicodedata.normalize("NFD", "Uỷ ban vận động hai mươi tư hộ"))
    assert figures == read_figures("Ủy ban vận động hai mươi tư hộ")
    assert [(f["value"], f["unit"]) for f in figures] == [(24, "hộ")]


def test_a_fraction_is_a_decimal():
    assert words_to_number("2,5") == Decimal("2.5")


@pytest.mark.parametrize(
    ("text", "value", "unit", "subject"),
    [
        ("xây dựng hai mươi lăm mô hình dân vận khéo", 25, "mô hình", "dân vận khéo"),
        ("thu hút mười ba nghìn người tham gia", 13000, "người", "tham gia"),
        ("có một trăm hộ thoát nghèo", 100, "hộ", "thoát nghèo"),
        ("huy động ba tỷ đồng", 3, "tỷ đồng", ""),
        ("hơn hai trăm cuộc tuyên truyền", 200, "cuộc", "tuyên truyền"),
        ("gần 1 nghìn người", 1000, "người", ""),
        ("Chín hộ thoát nghèo", 9, "hộ", "thoát nghèo"),
        ("quỹ nhận 1 tỷ 200 triệu đồng", 1200, "triệu đồng", ""),
        ("quỹ nhận một tỷ hai trăm triệu đồng", 1200, "triệu đồng", ""),
        ("hỗ trợ hai triệu rưỡi đồng/hộ", 2.5, "triệu đồng/hộ", ""),
        ("đón 2,5 triệu lượt người", 2_500_000, "lượt người", ""),
        ("một nghìn rưỡi lượt người", 1500, "lượt người", ""),
        ("một trăm linh năm buổi tuyên truyền", 105, "buổi", "tuyên truyền"),
        ("mười lăm tỉ đồng", 15, "tỉ đồng", ""),
    ],
)
def test_figures_in_words_and_mixed(text, value, unit, subject):
    (figure,) = read_figures(text)
    assert (figure["value"], figure["unit"], figure["subject"]) == (value, unit, subject)


@pytest.mark.parametrize(
    "text",
    [
        "trong năm người dân đã hiến đất",  # the year
        "cuối năm hộ nghèo giảm",
        "tháng năm hội nghị",
        "một cán bộ phát biểu",  # an article
        "hai ba người",  # two or three
        "hàng trăm người",  # hundreds
        "hai mươi năm qua",
        "xã Bản Năm hộ",  # a name
        "không người nào",
    ],
)
def test_words_that_are_not_counts_give_no_figure(text):
    assert read_figures(text) == []


def test_a_figures_subject_stops_where_the_next_number_starts():
    figures = read_figures("hỗ trợ ba tỷ đồng xây nhà cho hai mươi mốt hộ nghèo")
    assert [(f["value"], f["subject"]) for f in figures] == [
        (3, "xây nhà"),
        (21, "nghèo"),
    ]


@pytest.mark.parametrize(
    ("lead", "count"),
    [
        ("với chín điểm cầu các huyện", 9),
        ("với 09 điểm cầu các huyện", 9),
        ("với hai mươi ba điểm cầu", 23),
        ("với hơn 1 nghìn điểm cầu", 1000),
        ("với 1.250 điểm cầu", 1250),
        ("với mười lăm điểm cầu", 15),
    ],
)
def test_the_count_of_bridge_points_in_words_or_digits(lead, count):
    text = f"Sáng 14/7/2022, Ban Dân vận Huyện ủy Bát Xát tổ chức hội nghị giao ban {lead}."
    record = read(text)
    assert record["bridge_points"] == count
    assert record["title"] == "Hội nghị giao ban"


def test_numbers_are_found_in_order_with_where_they_stand():
    text = "năm 2021 có hai mươi lăm mô hình và 1 nghìn người"
    spans = [(text[s.start : s.end], s.value) for s in number_spans(text)]
    assert spans == [("2021", 2021), ("hai mươi lăm", 25), ("1 nghìn", 1000)]
