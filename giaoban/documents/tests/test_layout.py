"""Each built-in style laid out and read back with python-docx: every part the guidance requires,
in its place and format (the heading, the issuing body, the star, the number, the date line, the
title, the body, the signature block, "Nơi nhận:", the margins, the font, the page numbers)."""

import io
import unicodedata
from dataclasses import replace
from datetime import date

import docx
import pytest
from django.utils import translation
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table

from giaoban.core.errors import ApplicationError
from giaoban.documents.layout import render
from giaoban.documents.paper import Block, Issuer, Paper, Signature, System

CENTER = WD_ALIGN_PARAGRAPH.CENTER
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY

BODY = (
    Block("heading", "Kết quả đạt được"),
    Block("paragraph", "Chín tháng qua, công tác dân vận của tỉnh đạt nhiều kết quả."),
    Block("table", rows=(("STT", "Chỉ tiêu", "Kết quả"), ("1", "Mô hình dân vận khéo", "12"))),
    Block("heading", "Nhiệm vụ 3 tháng cuối năm"),
    Block("paragraph", "Tiếp tục thực hiện tốt quy chế dân chủ ở cơ sở."),
)
APPENDIX = (Block("table", rows=(("Chỉ tiêu", "Kỳ này"), ("Đối thoại", "41"))),)
DEPUTY = Signature(title="PHÓ TRƯỞNG BAN", name="Nguyễn Văn A", authority="K/T TRƯỞNG BAN")
BAN_DAN_VAN = Issuer(
    system=System.PARTY,
    name="Ban Dân vận",
    superior="Tỉnh ủy Lào Cai",
    symbol="BDVTU",
    place="Lào Cai",
)


def party_notice(**changes) -> Paper:
    paper = Paper(
        issuer=BAN_DAN_VAN,
        kind="TB",
        title="THÔNG BÁO",
        summary="kết luận của đồng chí Phó Trưởng Ban tại hội nghị giao ban 9 tháng",
        body=BODY,
        number=1,
        issued_on=date(2021, 10, 8),
        signature=DEPUTY,
        recipients=("Các huyện ủy, thị ủy", "Lưu Văn phòng Ban"),
        appendix=APPENDIX,
        appendix_title="Số liệu kết quả công tác dân vận",
    )
    return replace(paper, **changes)


def opened(paper: Paper):
    return docx.Document(io.BytesIO(render(paper)))


def texts(cell) -> list[str]:
    return [p.text for p in cell.paragraphs]


def paragraph(container, text: str):
    """The one paragraph of `container` (a document or a cell) that reads `text`."""
    found = [p for p in container.paragraphs if p.text == text]
    assert len(found) == 1, f"{text!r} in {[p.text for p in container.paragraphs]}"
    return found[0]


def font_of(par):
    """(size in points, bold, italic, underlined) of the paragraph's single run."""
    (run,) = par.runs
    return run.font.size.pt, bool(run.bold), bool(run.italic), bool(run.underline)


def every_text(document) -> list[str]:
    out = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            out += [p.text for row in block.rows for cell in row.cells for p in cell.paragraphs]
        else:
            out.append(block.text)
    return out


def assert_page(document, *, right_mm: int):
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin]
    assert [round(m.mm) for m in margins] == [20, 20, 30]
    assert round(section.right_margin.mm) == right_mm


def assert_times_new_roman(document):
    assert document.styles["Normal"].font.name == "Times New Roman"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{s}")) for s in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"
    }
    assert fonts.get(qn("w:asciiTheme")) is None  # the theme font would win otherwise
    named = {r.font.name for p in document.paragraphs for r in p.runs}
    assert named <= {None, "Times New Roman"}


def assert_page_numbers_from_page_two(document, size: float):
    section = document.sections[0]
    assert section.different_first_page_header_footer
    header = section.header._element.xml
    assert "<w:instrText" in header and " PAGE " in header
    (run,) = section.header.paragraphs[0].runs
    assert run.font.size.pt == size
    assert section.header.paragraphs[0].alignment == CENTER
    assert "PAGE" not in section.first_page_header._element.xml


def assert_title(document, kind: str, summary: str, *, kind_size: float, mark: str | None):
    title = paragraph(document, kind)
    assert title.alignment == CENTER and font_of(title)[:2] == (kind_size, True)
    under = paragraph(document, summary)
    assert under.alignment == CENTER and font_of(under)[:3] == (14, True, False)
    following = under._p.getnext()
    if mark:  # the Party's "-----"
        assert following.xpath("string(.)") == mark
    else:  # a drawn line: an empty paragraph with a bottom border
        assert following.find(qn("w:pPr")).find(qn("w:pBdr")).find(qn("w:bottom")) is not None


def assert_body(document, first_section: str):
    heading = paragraph(document, first_section)
    assert font_of(heading)[:2] == (14, True)
    prose = paragraph(document, "Chín tháng qua, công tác dân vận của tỉnh đạt nhiều kết quả.")
    assert prose.alignment == JUSTIFY
    assert round(prose.paragraph_format.first_line_indent.mm) == 10
    assert font_of(prose) == (14, False, False, False)
    grids = [t for t in document.tables if t.style.name == "Table Grid"]
    assert [c.text for c in grids[0].rows[0].cells] == ["STT", "Chỉ tiêu", "Kết quả"]
    assert all(font_of(p)[1] for c in grids[0].rows[0].cells for p in c.paragraphs)


def assert_signature(cell, lines: list[str], bold: list[bool], size: float = 14):
    shown = [p for p in cell.paragraphs if p.text]
    assert [p.text for p in shown] == lines
    assert [font_of(p)[1] for p in shown] == bold
    assert all(font_of(p)[0] == size and p.alignment == CENTER for p in shown)
    blank = texts(cell).index(lines[-1]) - texts(cell).index(lines[-2]) - 1
    assert blank >= 3  # room for the signature and the seal


def assert_appendix_on_its_own_page(document, title: str):
    heading = paragraph(document, "PHỤ LỤC")
    before = heading._p.getprevious()
    assert before.find(".//" + qn("w:br")).get(qn("w:type")) == "page"
    assert font_of(paragraph(document, title))[:2] == (14, True)
    note = heading._p.getnext().getnext()
    assert note.xpath("string(.)").startswith("(Kèm theo ")


# The Party -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued_on", "day_line", "guidance"),
    [
        (date(2021, 10, 8), "Lào Cai, ngày 08 tháng 10 năm 2021", "36-HD/VPTW"),
        (date(2026, 12, 4), "Lào Cai, ngày 04 tháng 12 năm 2026", "05-HD/VPTW"),
    ],
)
def test_it_lays_out_a_party_notice_as_the_party_guidance_in_force(issued_on, day_line, guidance):
    document = opened(party_notice(issued_on=issued_on))
    assert document.core_properties.category == f"Đảng – Hướng dẫn {guidance}"
    assert_page(document, right_mm=15)
    assert_times_new_roman(document)
    header = document.tables[0]
    body, heading = header.rows[0].cells
    assert texts(body) == ["TỈNH ỦY LÀO CAI", "BAN DÂN VẬN", "*"]
    superior, name, star = body.paragraphs
    assert font_of(superior) == (14, False, False, False)
    assert font_of(name) == (14, True, False, False)
    assert font_of(star) == (14, False, False, False)
    assert all(p.alignment == CENTER for p in body.paragraphs)
    assert texts(heading) == ["ĐẢNG CỘNG SẢN VIỆT NAM"]
    assert font_of(heading.paragraphs[0]) == (15, True, False, True)  # its rule: as long as it
    number, day = header.rows[1].cells
    assert texts(number) == ["Số 1-TB/BDVTU"]
    assert font_of(number.paragraphs[0]) == (14, False, False, False)
    assert texts(day) == [day_line]
    assert font_of(day.paragraphs[0]) == (14, False, True, False)
    assert_title(document, "THÔNG BÁO", party_notice().summary, kind_size=16, mark="-----")
    assert_body(document, "I- KẾT QUẢ ĐẠT ĐƯỢC")
    assert paragraph(document, "II- NHIỆM VỤ 3 THÁNG CUỐI NĂM")
    recipients, signature = document.tables[-2].rows[0].cells
    assert texts(recipients) == ["Nơi nhận:", "- Các huyện ủy, thị ủy,", "- Lưu Văn phòng Ban."]
    assert font_of(recipients.paragraphs[0]) == (14, False, False, True)
    assert font_of(recipients.paragraphs[1]) == (12, False, False, False)
    lines = ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Nguyễn Văn A"]
    assert_signature(signature, lines, bold=[True, False, True])
    assert_page_numbers_from_page_two(document, size=14)
    assert_appendix_on_its_own_page(document, "Số liệu kết quả công tác dân vận")
    note = f"(Kèm theo Thông báo số 1-TB/BDVTU ngày {issued_on:%d/%m/%Y} của Ban Dân vận)"
    assert font_of(paragraph(document, note))[2]


def test_a_head_signing_directly_has_the_position_alone_in_bold():
    head = Signature(title="TRƯỞNG BAN", name="Trần Thị B")
    document = opened(party_notice(signature=head))
    signature = document.tables[-2].rows[0].cells[1]
    assert_signature(signature, ["TRƯỞNG BAN", "Trần Thị B"], bold=[True, True])


def test_minutes_carry_the_secretarys_signature_on_the_left_and_the_chairs_on_the_right():
    secretary = Signature(title="THƯ KÝ HỘI NGHỊ", name="Đỗ Thị F")
    chair = Signature(title="CHỦ TRÌ HỘI NGHỊ", name="Nguyễn Văn A")
    minutes = party_notice(
        kind="BB", title="BIÊN BẢN", signature=chair, second_signature=secretary, recipients=()
    )
    document = opened(minutes)
    left, right = document.tables[-2].rows[0].cells
    assert_signature(left, ["THƯ KÝ HỘI NGHỊ", "Đỗ Thị F"], bold=[True, True])
    assert_signature(right, ["CHỦ TRÌ HỘI NGHỊ", "Nguyễn Văn A"], bold=[True, True])
    assert "Nơi nhận:" not in every_text(document)
    assert paragraph(document, "BIÊN BẢN")


def test_the_signature_block_moves_whole_to_the_next_page_with_the_last_lines():
    # The minutes of 08/10/2021 came out with "THƯ KÝ / CHỦ TRÌ" at the foot of page 2 and the
    # chair's name alone on page 3: the row of the end may not split, and the body's last
    # paragraph keeps with it, so a page never opens on a signature alone.
    document = opened(party_notice(appendix=()))
    end = document.tables[-1].rows[0]
    assert end._tr.trPr.find(qn("w:cantSplit")).get(qn("w:val")) == "true"
    last = paragraph(document, "Tiếp tục thực hiện tốt quy chế dân chủ ở cơ sở.")
    assert last.paragraph_format.keep_with_next


def test_a_long_issuing_body_breaks_into_two_balanced_lines_not_a_word_alone():
    # "BAN TUYÊN GIÁO VÀ DÂN" then "VẬN" alone was how the column wrapped the merged board's name.
    merged = replace(BAN_DAN_VAN, name="Ban Tuyên giáo và Dân vận", symbol="BTGDVTU")
    document = opened(party_notice(issuer=merged))
    body = document.tables[0].rows[0].cells[0]
    assert [p.text for p in body.paragraphs][:2] == [
        "TỈNH ỦY LÀO CAI",
        "BAN TUYÊN GIÁO\nVÀ DÂN VẬN",
    ]
    short = opened(party_notice()).tables[0].rows[0].cells[0]
    assert [p.text for p in short.paragraphs][:2] == ["TỈNH ỦY LÀO CAI", "BAN DÂN VẬN"]


def test_a_tables_columns_fit_their_content_not_equal_shares():
    # Six equal columns broke "Chỉ tiêu" after every word while "STT" had room to spare.
    rows = (
        ("STT", "Chỉ tiêu", "Đơn vị tính", "Kỳ này", "Cùng kỳ năm trước", "Tăng/giảm (%)"),
        ("1", "Kinh phí chăm lo gia đình chính sách", "triệu đồng", "11.591", "9.140", "26,8"),
    )
    document = opened(party_notice(body=(Block("table", rows=rows),), appendix=()))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "STT")
    widths = [cell.width.mm for cell in table.rows[0].cells]
    assert max(widths) == widths[1] and min(widths) == widths[0]
    assert widths[0] >= 10  # "STT" in bold fits on its line
    assert sum(widths) == pytest.approx(165, abs=0.5)  # A4 less the Party's 30 + 15 mm margins
    aligned = [cell.paragraphs[0].alignment for cell in table.rows[1].cells]
    right, left = WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT
    assert aligned == [CENTER, left, left, right, right, right]  # figures line up on the right


def test_the_appendix_names_its_document_by_the_issuers_registry_name():
    # "(Kèm theo Báo cáo số …-BC/BDVTU của BAN DÂN VẬN)": the heading's capitals in running text.
    issuer = replace(BAN_DAN_VAN, name="BAN DÂN VẬN", full_name="Ban Dân vận Tỉnh ủy Lào Cai")
    texts = every_text(opened(party_notice(issuer=issuer)))
    note = "(Kèm theo Thông báo số 1-TB/BDVTU ngày 08/10/2021 của Ban Dân vận Tỉnh ủy Lào Cai)"
    assert note in texts


def test_a_party_letter_has_its_summary_under_its_number_and_no_kind_name():
    letter = party_notice(
        kind="CV",
        title="",
        summary="triển khai nhiệm vụ quý IV",
        number=12,
        body=(Block("paragraph", "Kính gửi: Ban Dân vận các huyện ủy, thị ủy"), *BODY),
    )
    document = opened(letter)
    number = document.tables[0].rows[1].cells[0]
    assert texts(number) == ["Số 12-CV/BDVTU", "triển khai nhiệm vụ quý IV"]
    assert font_of(number.paragraphs[1]) == (12, False, True, False)
    assert "THÔNG BÁO" not in every_text(document)
    assert paragraph(document, "Kính gửi: Ban Dân vận các huyện ủy, thị ủy").alignment == CENTER
    several = "Kính gửi:\n- Ban Dân vận Huyện ủy Sa Pa;\n- Ban Dân vận Thị ủy Lào Cai."
    document = opened(replace(letter, body=(Block("paragraph", several), *BODY)))
    assert paragraph(document, "Kính gửi:").alignment == CENTER
    line = paragraph(document, "- Ban Dân vận Huyện ủy Sa Pa;")
    assert line.paragraph_format.first_line_indent is None and line.paragraph_format.left_indent


# The State, the Front, the Youth Union ---------------------------------------------------------


def test_it_lays_out_a_state_report_as_decree_30_2020():
    committee = Issuer(
        system=System.STATE,
        name="Ủy ban nhân dân\nhuyện Sa Pa",
        symbol="UBND",
        place="Sa Pa",
    )
    chair = Signature(title="PHÓ CHỦ TỊCH", name="Lê Văn C", authority="KT. CHỦ TỊCH")
    paper = party_notice(issuer=committee, signature=chair, recipients=("Như trên", "Lưu: VT"))
    document = opened(replace(paper, issued_on=date(2021, 2, 3)))
    assert document.core_properties.category == "Nhà nước – Nghị định 30/2020/NĐ-CP"
    assert_page(document, right_mm=15)
    assert_times_new_roman(document)
    body, heading = document.tables[0].rows[0].cells
    assert texts(body)[0] == "ỦY BAN NHÂN DÂN\nHUYỆN SA PA"
    assert font_of(body.paragraphs[0]) == (13, True, False, False)
    rule = body.paragraphs[1]._p.find(qn("w:pPr")).find(qn("w:pBdr"))
    assert rule is not None and body.paragraphs[1].text == ""
    assert texts(heading) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert font_of(heading.paragraphs[0]) == (12, True, False, False)
    assert font_of(heading.paragraphs[1]) == (13, True, False, True)
    number, day = document.tables[0].rows[1].cells
    # Phụ lục I, Phần I, Mục II.3: numbers under 10 take a leading zero; days under 10 and
    # months 1 and 2 too.
    assert texts(number) == ["Số: 01/TB-UBND"]
    assert font_of(number.paragraphs[0]) == (13, False, False, False)
    assert texts(day) == ["Sa Pa, ngày 03 tháng 02 năm 2021"]
    assert font_of(day.paragraphs[0])[2]
    assert "*" not in every_text(document)
    assert_title(document, "THÔNG BÁO", paper.summary, kind_size=14, mark=None)
    assert_body(document, "I. KẾT QUẢ ĐẠT ĐƯỢC")
    recipients, signature = document.tables[-2].rows[0].cells
    assert texts(recipients) == ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]  # "Lưu: VT" kept
    assert font_of(recipients.paragraphs[0]) == (12, True, True, False)
    assert font_of(recipients.paragraphs[1]) == (11, False, False, False)
    assert_signature(signature, ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Văn C"], [True] * 3)
    assert_page_numbers_from_page_two(document, size=14)


def test_it_lays_out_a_front_report_with_the_national_title_and_the_fronts_symbol():
    front = Issuer(
        system=System.FRONT,
        name="Huyện Sa Pa",
        superior="Ủy ban MTTQ Việt Nam",
        symbol="MTTQ-BTT",
        place="Sa Pa",
    )
    board = Signature(title="CHỦ TỊCH", name="Hoàng Văn D", authority="TM. BAN THƯỜNG TRỰC")
    paper = party_notice(issuer=front, kind="BC", title="BÁO CÁO", signature=board)
    recipients = ("- Như trên;", "  ", "Lưu VT")  # as typed: a dash, a blank line, no colon
    document = opened(replace(paper, number=12, recipients=recipients))
    assert document.core_properties.category == "Mặt trận – Hướng dẫn 91/HD-MTTW-BTT"
    assert_page(document, right_mm=15)
    assert_times_new_roman(document)
    body, heading = document.tables[0].rows[0].cells
    assert texts(body)[:2] == ["ỦY BAN MTTQ VIỆT NAM", "HUYỆN SA PA"]
    assert [font_of(p)[1] for p in body.paragraphs[:2]] == [True, True]
    assert texts(heading) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    number, day = document.tables[0].rows[1].cells
    assert texts(number) == ["Số: 12/BC-MTTQ-BTT"]
    assert texts(day) == ["Sa Pa, ngày 08 tháng 10 năm 2021"] and font_of(day.paragraphs[0])[2]
    assert_title(document, "BÁO CÁO", paper.summary, kind_size=14, mark=None)
    recipients, signature = document.tables[-2].rows[0].cells
    assert texts(recipients) == ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]
    lines = ["TM. BAN THƯỜNG TRỰC", "CHỦ TỊCH", "Hoàng Văn D"]
    assert_signature(signature, lines, [True] * 3)
    assert_page_numbers_from_page_two(document, size=14)


def test_it_lays_out_a_youth_union_report_with_its_heading_and_three_stars():
    union = Issuer(system=System.YOUTH, name="BCH Tỉnh Lào Cai", symbol="TĐTN", place="Lào Cai")
    secretary = Signature(title="PHÓ BÍ THƯ", name="Vũ Thị E", authority="TM. BAN THƯỜNG VỤ")
    paper = party_notice(issuer=union, kind="BC", title="BÁO CÁO", signature=secretary)
    document = opened(replace(paper, recipients=("Như trên", "Lưu VP")))
    assert document.core_properties.category == "Đoàn – Hướng dẫn 29-HD/TWĐTN-VP"
    assert_page(document, right_mm=20)
    assert_times_new_roman(document)
    body, heading = document.tables[0].rows[0].cells
    assert texts(body) == ["BCH TỈNH LÀO CAI", "***"]
    assert font_of(body.paragraphs[0]) == (14, True, False, False)
    assert texts(heading) == ["ĐOÀN TNCS HỒ CHÍ MINH"]
    assert font_of(heading.paragraphs[0]) == (15, True, False, True)
    number, day = document.tables[0].rows[1].cells
    assert texts(number) == ["Số: 1-BC/TĐTN"]
    assert texts(day) == ["Lào Cai, ngày 08 tháng 10 năm 2021"] and font_of(day.paragraphs[0])[2]
    assert_title(document, "BÁO CÁO", paper.summary, kind_size=16, mark="-----")
    recipients, signature = document.tables[-2].rows[0].cells
    assert texts(recipients) == ["Nơi nhận:", "- Như trên;", "- Lưu VP."]
    lines = ["TM. BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Vũ Thị E"]
    assert_signature(signature, lines, bold=[True, False, True])
    assert_page_numbers_from_page_two(document, size=14)


# Blanks, text ---------------------------------------------------------------------------------


def test_a_draft_leaves_the_number_and_the_date_blank_to_fill_by_hand():
    document = opened(party_notice(number=None, issued_on=date(2021, 10, 8)))
    number = document.tables[0].rows[1].cells[0]
    assert texts(number) == ["Số      -TB/BDVTU"]
    undated = opened(party_notice(number=None, issued_on=None))
    day = undated.tables[0].rows[1].cells[1]
    assert texts(day) == ["Lào Cai, ngày    tháng    năm 20  "]
    state = replace(BAN_DAN_VAN, system=System.STATE, symbol="UBND")
    document = opened(party_notice(issuer=state, number=None, issued_on=None))
    assert texts(document.tables[0].rows[1].cells[0]) == ["Số:      /TB-UBND"]
    unsymbolled = replace(BAN_DAN_VAN, symbol="")
    document = opened(party_notice(issuer=unsymbolled, number=3))
    assert texts(document.tables[0].rows[1].cells[0]) == ["Số 3-TB/     "]


def test_decomposed_input_comes_out_nfc_without_control_characters():
    decomposed = unicodedata.normalize("NFD", "Ban Dân vận")
    assert decomposed != "Ban Dân vận"
    issuer = replace(BAN_DAN_VAN, name=decomposed)
    summary = unicodedata.normalize("NFD", "kết luận\x07 của hội nghị")
    document = opened(party_notice(issuer=issuer, summary=summary))
    written = every_text(document)
    assert "BAN DÂN VẬN" in written
    assert "kết luận của hội nghị" in written
    assert all(unicodedata.is_normalized("NFC", text) for text in written)
    assert not any("\x07" in text for text in written)


def test_a_number_below_one_is_refused_in_vietnamese():
    with translation.override("vi"), pytest.raises(ApplicationError) as refused:
        render(party_notice(number=0))
    assert refused.value.message == "Số văn bản phải là số nguyên từ 1 trở lên."
