"""The classes of text that real articles showed the reader missing (issue 16), each on sentences
written for these tests: names sharing one designation, titles before a name, counts that are not
money with their qualifier, bridge points after the host's own, and absences reported as zero."""

import pytest

from giaoban.publishing.reader import read, read_figures, read_persons


def _people(text: str) -> dict[str, list[str]]:
    return {p["name"]: p["positions"] for p in read_persons(text)}


# Several people sharing one designation ---------------------------------------------------


def test_names_listed_before_one_designation_each_hold_it():
    text = (
        "Dự hội nghị có các đồng chí: Nguyễn Văn An, Trần Văn Bình, Lê Thị Cúc - Phó Trưởng "
        "Ban Dân vận Trung ương."
    )
    deputy = ["Phó Trưởng Ban Dân vận Trung ương"]
    assert _people(text) == {"Nguyễn Văn An": deputy, "Trần Văn Bình": deputy, "Lê Thị Cúc": deputy}


def test_names_joined_by_va_share_the_designation_after_them():
    text = (
        "Cùng dự có các đồng chí Hoàng Văn Dũng, Phạm Thị Hoa và Sùng A Chá – Phó Chủ tịch "
        "UBND tỉnh; đồng chí Đào Minh Khôi - Giám đốc Sở Nội vụ."
    )
    assert _people(text) == {
        "Hoàng Văn Dũng": ["Phó Chủ tịch UBND tỉnh"],
        "Phạm Thị Hoa": ["Phó Chủ tịch UBND tỉnh"],
        "Sùng A Chá": ["Phó Chủ tịch UBND tỉnh"],
        "Đào Minh Khôi": ["Giám đốc Sở Nội vụ"],
    }


def test_a_title_before_a_list_of_names_is_each_ones():
    text = (
        "Chủ trì hội nghị có ông Lò Văn Thắm, Chủ tịch Ủy ban MTTQ Việt Nam tỉnh; các Phó Chủ "
        "tịch Ủy ban MTTQ Việt Nam tỉnh: Lò Văn Pấu, Vàng Thị Mỷ và Đinh Công Sứ cùng hơn 300 "
        "đại biểu."
    )
    deputy = ["Phó Chủ tịch Ủy ban MTTQ Việt Nam tỉnh"]
    assert _people(text) == {
        "Lò Văn Thắm": ["Chủ tịch Ủy ban MTTQ Việt Nam tỉnh"],
        "Lò Văn Pấu": deputy,
        "Vàng Thị Mỷ": deputy,
        "Đinh Công Sứ": deputy,
    }


def test_a_shared_designation_reaches_across_a_line_break():
    names_first = "Dự có các đồng chí Nguyễn Văn An,\nTrần Văn Bình - Phó Chủ tịch HĐND huyện."
    title_first = "Tham dự có các Phó Trưởng Ban Dân vận Tỉnh ủy:\nGiàng Seo Phử,\nLý Thị Vinh."
    assert _people(names_first) == {
        "Nguyễn Văn An": ["Phó Chủ tịch HĐND huyện"],
        "Trần Văn Bình": ["Phó Chủ tịch HĐND huyện"],
    }
    assert _people(title_first) == {
        "Giàng Seo Phử": ["Phó Trưởng Ban Dân vận Tỉnh ủy"],
        "Lý Thị Vinh": ["Phó Trưởng Ban Dân vận Tỉnh ủy"],
    }


def test_names_each_with_their_own_designation_keep_their_own():
    text = (
        "Dự có các đồng chí: Nguyễn Văn An - Bí thư Huyện ủy; Trần Văn Bình - Chủ tịch UBND "
        "huyện; cùng các đồng chí Lê Văn Cường, Phạm Văn Dũng dự."
    )
    assert _people(text) == {
        "Nguyễn Văn An": ["Bí thư Huyện ủy"],
        "Trần Văn Bình": ["Chủ tịch UBND huyện"],
        "Lê Văn Cường": [],
        "Phạm Văn Dũng": [],
    }


def test_a_name_inside_a_list_of_positions_starts_the_next_person():
    text = (
        "Dự có các đồng chí Nguyễn Văn An, Phó Chủ tịch UBND tỉnh, Trần Văn Bình, Giám đốc Sở "
        "Nội vụ."
    )
    assert _people(text) == {
        "Nguyễn Văn An": ["Phó Chủ tịch UBND tỉnh"],
        "Trần Văn Bình": ["Giám đốc Sở Nội vụ"],
    }


def test_a_list_item_with_an_unlisted_family_name_is_still_a_person():
    text = (
        "Lãnh đạo tỉnh có các đồng chí: Thái Văn Hòa - Bí thư Tỉnh ủy; Ngọc Thị Lan - Phó Bí "
        "thư Tỉnh ủy."
    )
    assert _people(text) == {
        "Thái Văn Hòa": ["Bí thư Tỉnh ủy"],
        "Ngọc Thị Lan": ["Phó Bí thư Tỉnh ủy"],
    }


# A title that goes before the main one ----------------------------------------------------


def test_titles_written_before_the_name_are_all_kept():
    text = (
        "Tại điểm cầu huyện, Huyện ủy viên, Phó Chủ tịch Thường trực UBND huyện Sầm Văn Bằng "
        "phát biểu. Thay mặt lãnh đạo tỉnh, Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Dân vận "
        "Tỉnh ủy Hà Thị Nga trao quà."
    )
    assert _people(text) == {
        "Sầm Văn Bằng": ["Huyện ủy viên", "Phó Chủ tịch Thường trực UBND huyện"],
        "Hà Thị Nga": ["Ủy viên Ban Thường vụ Tỉnh ủy", "Trưởng Ban Dân vận Tỉnh ủy"],
    }


def test_titles_after_va_belong_to_the_next_name_only():
    text = (
        "Hội nghị do Bí thư Huyện ủy Nông Văn Tú và Huyện ủy viên, Chủ tịch Hội Nông dân huyện "
        "Hứa Thị Liên chủ trì."
    )
    assert _people(text) == {
        "Nông Văn Tú": ["Bí thư Huyện ủy"],
        "Hứa Thị Liên": ["Huyện ủy viên", "Chủ tịch Hội Nông dân huyện"],
    }


def test_the_first_title_of_a_designation_after_the_name_is_kept():
    text = (
        "Dự có đồng chí Lương Văn Hải - Tỉnh ủy viên, Phó Chủ tịch Thường trực Ủy ban MTTQ Việt "
        "Nam tỉnh; ông Triệu Văn Kiên, Phó Chủ tịch - Tổng Thư ký Hội Cựu chiến binh tỉnh."
    )
    assert _people(text) == {
        "Lương Văn Hải": ["Tỉnh ủy viên", "Phó Chủ tịch Thường trực Ủy ban MTTQ Việt Nam tỉnh"],
        "Triệu Văn Kiên": ["Phó Chủ tịch", "Tổng Thư ký Hội Cựu chiến binh tỉnh"],
    }


def test_a_title_between_the_honorific_and_the_name_is_the_persons():
    text = (
        "Phát biểu chỉ đạo, đồng chí Phó Chủ tịch UBND tỉnh Hoàng Quốc Khánh đề nghị các xã "
        "nắm chắc tình hình."
    )
    assert _people(text) == {"Hoàng Quốc Khánh": ["Phó Chủ tịch UBND tỉnh"]}


def test_positions_in_brackets_after_the_name_are_read():
    text = "Ông Hạng A Lử (Chủ tịch UBND xã) và bà Sùng Thị Mai (SN 1980) cùng dự."
    assert _people(text) == {"Hạng A Lử": ["Chủ tịch UBND xã"], "Sùng Thị Mai": []}


def test_a_place_named_like_a_person_after_a_title_is_not_a_person():
    assert read_persons("Phó Chủ tịch UBND tỉnh Lâm Đồng phát biểu tại hội nghị.") == []


# Counts that are not money ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "qualifier", "value", "unit"),
    [
        ("Hội nghị có hơn 2.000 đại biểu tham dự.", "hơn", 2000, "đại biểu"),
        ("Kết nối với Ủy ban MTTQ 63 tỉnh, thành phố.", "", 63, "tỉnh"),
        ("Tỉnh đã đưa vào sử dụng 5 phần mềm dùng chung.", "", 5, "phần mềm"),
        ("Toàn thị xã có 18 phường được công nhận.", "", 18, "phường"),
        ("Thu hút gần 300 hội viên tham gia.", "gần", 300, "hội viên"),
        ("Tỷ lệ hộ gia đình văn hóa đạt trên 90%.", "trên", 90, "%"),
        ("Hiệp thương bổ sung 02 vị ủy viên.", "", 2, "vị"),
    ],
)
def test_counts_take_their_noun_and_keep_the_qualifier_apart(text, qualifier, value, unit):
    (figure,) = read_figures(text)
    assert (figure["qualifier"], figure["value"], figure["unit"]) == (qualifier, value, unit)


def test_the_written_figure_keeps_its_qualifier():
    (figure,) = read_figures("Hội nghị có hơn 2.000 đại biểu tham dự.")
    assert figure["text"] == "hơn 2.000 đại biểu tham dự"


@pytest.mark.parametrize(
    "text",
    [
        "Trong tháng 9 xã tổ chức hội nghị.",
        "Năm 2021 tỉnh đạt nhiều kết quả.",
        "Tổ dân phố số 5 phường Kim Tân.",
        "Hội nghị lần thứ 11 Ủy ban MTTQ tỉnh.",
    ],
)
def test_a_number_that_names_something_counts_nothing(text):
    assert read_figures(text) == []


# Bridge points ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("Hội nghị có 1 điểm cầu trung tâm và 63 điểm cầu các tỉnh, thành phố.", 63),
        ("Hội nghị được tổ chức tại điểm cầu chính và 12 điểm cầu các xã.", 12),
        ("Hội nghị kết nối một điểm cầu chính với mười bốn điểm cầu cơ sở.", 14),
        ("Hội nghị trực tuyến với 09 điểm cầu các huyện.", 9),
    ],
)
def test_the_host_point_is_not_counted_among_the_bridge_points(text, points):
    assert read(text)["bridge_points"] == points


def test_the_host_point_is_a_place_not_the_other_points():
    compound = read("Hội nghị có điểm cầu chính và 12 điểm cầu các xã.")
    named = read("Hội nghị có điểm cầu chính tỉnh Lào Cai và 9 điểm cầu huyện.")
    assert compound["host_point"] is None
    assert named["host_point"] == "tỉnh Lào Cai"


# Zero written as a phrase -----------------------------------------------------------------


def test_a_reported_absence_is_a_figure_of_zero_with_its_subject():
    text = (
        "Trong quý, không có tình trạng khiếu kiện đông người; không có hiện tượng truyền đạo "
        "trái pháp luật."
    )
    assert [(f["value"], f["unit"], f["subject"]) for f in read_figures(text)] == [
        (0, "", "tình trạng khiếu kiện đông người"),
        (0, "", "hiện tượng truyền đạo trái pháp luật"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Phấn đấu không có tình trạng tảo hôn trên địa bàn.",
        "Đề nghị các xã bảo đảm không có tình trạng khiếu kiện vượt cấp.",
        "Người dân không có gì phải lo lắng.",
        "Các hộ không có điều kiện đi học.",
    ],
)
def test_a_goal_an_instruction_or_another_negation_is_no_figure(text):
    assert read_figures(text) == []
