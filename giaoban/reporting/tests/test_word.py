"""The consolidated report as a Word document in the layout of Decree 30/2020/NĐ-CP: opened again
with python-docx and read back, header, title, figures and end."""

import io
from datetime import date

import docx
import pytest
from django.utils import translation
from docx.oxml.ns import qn
from docx.table import Table

from giaoban.orgs import services as org_services
from giaoban.reporting import selectors, services
from giaoban.reporting.word import consolidated_report_docx

from .conftest import approved

pytestmark = pytest.mark.django_db

BASE = {
    "policy_spending": "0",
    "child_marriages": "0",
    "dialogues_held": "0",
    "dialogues_resolved": "0",
    "spontaneous_migration": "không",
    "satisfaction": "0",
}
HEADINGS = ["STT", "Chỉ tiêu", "Đơn vị tính", "Kỳ này", "Cùng kỳ năm trước", "Tăng/giảm (%)"]


def _open(data: bytes):
    return docx.Document(io.BytesIO(data))


def _paragraphs(document):
    """Every paragraph in reading order, those in table cells included."""
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    yield from cell.paragraphs
        else:
            yield block


def _lines(document) -> list[str]:
    return [p.text for p in _paragraphs(document)]


def _runs(document, text: str):
    """The runs whose text is exactly `text`."""
    return [r for p in _paragraphs(document) for r in p.runs if r.text == text]


def _figure_rows(document) -> list[list[str]]:
    grid = next(t for t in document.tables if t.rows[0].cells[0].text == "STT")
    return [[cell.text for cell in row.cells] for row in grid.rows]


@pytest.fixture
def issuer(tree):
    """The provincial board under the provincial party committee, as a header names them."""
    board = tree["board"]
    return org_services.organization_update(
        actor=None, organization=board, version=board.version, parent=tree["party"]
    )


@pytest.fixture
def sapa_reported(tree, form, period, period_2020, bob, erin):
    approved(bob, erin, tree["sapa_board"], form, period_2020, **{**BASE, "child_marriages": "40"})
    approved(
        bob,
        erin,
        tree["sapa_board"],
        form,
        period,
        **{**BASE, "policy_spending": "2.255", "child_marriages": "49"},
    )


@pytest.fixture
def consolidation(tree, form, period, alice, sapa_reported):
    return selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period)


@pytest.fixture
def document(consolidation, issuer):
    return _open(
        consolidated_report_docx(
            consolidation,
            issuer=issuer,
            number="125-BC/BDVTU",
            place="Lào Cai",
            day=date(2021, 10, 8),
            narrative={
                "achievements": "Công tác dân vận chính quyền có chuyển biến.\n\nDân chủ cơ sở.",
                "limitations": "Một số xã còn chậm báo cáo.",
                "next_tasks": "Tiếp tục thực hiện Quy chế dân chủ ở cơ sở.",
            },
            signer="Nguyễn Thị Hoa",
            signer_title="Trưởng ban",
            recipients=["Ban Dân vận Trung ương", "Thường trực Tỉnh ủy;"],
        )
    )


def test_it_heads_the_report_with_the_bodies_the_national_title_and_the_motto(document):
    lines = _lines(document)
    assert lines[:3] == ["TỈNH ỦY LÀO CAI", "BAN DÂN VẬN", ""]  # the third is the short line
    assert "Số: 125-BC/BDVTU" in lines
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines
    assert "Độc lập - Tự do - Hạnh phúc" in lines
    assert "Lào Cai, ngày 08 tháng 10 năm 2021" in lines
    assert not _runs(document, "TỈNH ỦY LÀO CAI")[0].bold
    assert _runs(document, "BAN DÂN VẬN")[0].bold
    assert _runs(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")[0].bold
    assert _runs(document, "Lào Cai, ngày 08 tháng 10 năm 2021")[0].italic


def test_the_header_is_a_borderless_table_of_two_columns(document):
    header = document.tables[0]
    assert len(header.columns) == 2
    assert header.style.name == "Normal Table"


def test_it_titles_the_report_with_its_period(document, period):
    with translation.override("vi"):
        label = str(period)
    lines = _lines(document)
    title = lines.index("BÁO CÁO")
    assert lines[title + 1] == f"Kết quả công tác dân vận {label}"
    assert _runs(document, "BÁO CÁO")[0].bold
    assert lines.index("Độc lập - Tự do - Hạnh phúc") < title  # below the header


def test_it_tabulates_the_figures_the_vietnamese_way(document):
    rows = _figure_rows(document)
    # Each period's heading says how complete its reports are (Bát Xát has not reported).
    assert rows[0] == [
        *HEADINGS[:3],
        "Kỳ này (1/2 báo cáo đã duyệt, chưa đủ)",
        "Cùng kỳ năm trước (1/2 báo cáo đã duyệt, chưa đủ)",
        HEADINGS[5],
    ]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Kinh phí chăm lo gia đình chính sách"] == [
        "1",
        "Kinh phí chăm lo gia đình chính sách",
        "triệu đồng",
        "2.255",
        "0",
        "–",  # no change can be computed from zero
    ]
    assert by_name["Số trường hợp tảo hôn"][2:] == ["trường hợp", "49", "40", "22,5"]
    assert "Ghi chú" not in by_name  # text is not consolidated, so it is not tabulated


def test_it_writes_the_narrative_in_numbered_sections(document):
    lines = _lines(document)
    first, second, third = (
        lines.index("I. KẾT QUẢ ĐẠT ĐƯỢC"),
        lines.index("II. HẠN CHẾ"),
        lines.index("III. NHIỆM VỤ TRỌNG TÂM KỲ TỚI"),
    )
    assert first < lines.index("Công tác dân vận chính quyền có chuyển biến.") < second
    assert lines.index("Dân chủ cơ sở.") < second  # a blank line does not become a paragraph
    assert lines[second + 1] == "Một số xã còn chậm báo cáo."
    assert lines[third + 1] == "Tiếp tục thực hiện Quy chế dân chủ ở cơ sở."


def test_it_says_how_complete_the_consolidation_is(document):
    # two district boards are expected; Sa Pa's was approved, long after the 2021 deadline
    assert "Có 1/2 đơn vị đã gửi báo cáo, 1 đã được duyệt, 0 đúng hạn." in _lines(document)


def test_it_ends_with_the_recipients_and_the_signature(document):
    end = document.tables[-1]
    recipients = [p.text for p in end.rows[0].cells[0].paragraphs]
    assert recipients == [
        "Nơi nhận:",
        "- Ban Dân vận Trung ương;",
        "- Thường trực Tỉnh ủy;",
        "- Lưu VT.",
    ]
    received = _runs(document, "Nơi nhận:")[0]
    assert received.bold and received.italic and received.font.size.pt == 12
    signature = [p.text for p in end.rows[0].cells[1].paragraphs if p.text]
    assert signature == ["TRƯỞNG BAN", "Nguyễn Thị Hoa"]
    assert _runs(document, "TRƯỞNG BAN")[0].bold
    assert _runs(document, "Nguyễn Thị Hoa")[0].bold


def test_the_page_is_a4_with_the_decrees_margins_and_font(document):
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    # Word stores margins in twentieths of a point: 20 mm reads back as 20.0025 mm.
    margins = {
        side: round(getattr(section, f"{side}_margin").mm, 1)
        for side in ("top", "bottom", "left", "right")
    }
    assert 30 <= margins["left"] <= 35
    assert 15 <= margins["right"] <= 20
    assert 20 <= margins["top"] <= 25
    assert 20 <= margins["bottom"] <= 25
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(".//" + qn("w:rFonts"))
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == "Times New Roman"
    assert defaults.find(".//" + qn("w:sz")).get(qn("w:val")) == "28"  # half-points: 14 pt


def test_a_missing_value_is_a_dash_and_no_figure_is_invented(tree, form, period, alice, issuer):
    """Nothing approved, and no period of the previous year: every figure is a dash."""
    consolidation = selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period)
    document = _open(consolidated_report_docx(consolidation, issuer=issuer))
    rows = _figure_rows(document)[1:]
    assert rows  # the indicators are still listed
    assert {cell for row in rows for cell in row[3:]} == {"–"}
    lines = _lines(document)
    assert "Chưa có số liệu cùng kỳ năm trước để so sánh." in lines
    assert "Có 0/2 đơn vị đã gửi báo cáo, 0 đã được duyệt, 0 đúng hạn." in lines


def test_a_figure_without_last_years_value_shows_a_dash_beside_this_years(
    tree, form, period, alice, bob, erin, issuer
):
    approved(bob, erin, tree["sapa_board"], form, period, **{**BASE, "child_marriages": "49"})
    consolidation = selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period)
    rows = _figure_rows(_open(consolidated_report_docx(consolidation, issuer=issuer)))
    marriages = next(row for row in rows if row[1] == "Số trường hợp tảo hôn")
    assert marriages[3:] == ["49", "–", "–"]


def test_blanks_are_left_for_what_was_not_given(consolidation, tree):
    """No number, place, date, signer or recipients: blanks to fill, nothing made up. An issuer
    without a superior body keeps its whole name."""
    document = _open(consolidated_report_docx(consolidation, issuer=tree["board"]))
    lines = _lines(document)
    assert lines[0] == "BAN DÂN VẬN TỈNH ỦY LÀO CAI"
    assert "Số:      -BC/" in lines
    assert "ngày      tháng      năm      " in lines
    assert "II. HẠN CHẾ" not in lines
    recipients = [p.text for p in document.tables[-1].rows[0].cells[0].paragraphs]
    assert recipients == ["Nơi nhận:", "- Lưu VT."]
    assert not [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs if p.text]


def test_sections_are_numbered_in_turn_when_one_is_left_out(consolidation, issuer):
    document = _open(
        consolidated_report_docx(
            consolidation, issuer=issuer, narrative={"next_tasks": "Rà soát quy chế."}
        )
    )
    lines = _lines(document)
    assert "II. NHIỆM VỤ TRỌNG TÂM KỲ TỚI" in lines
    assert not [line for line in lines if "HẠN CHẾ" in line]


def test_it_names_the_predecessors_when_last_year_was_before_a_merger(tree, form, admin_user):
    services.period_get_or_create(kind="nine", year=2024, cutoff_day=14)
    now = services.period_get_or_create(kind="nine", year=2025, cutoff_day=14)
    consolidation = selectors.consolidate(
        user=admin_user, unit=tree["sapa_new"], form=form, period=now
    )
    lines = _lines(_open(consolidated_report_docx(consolidation, issuer=None)))
    assert "Số liệu cùng kỳ là tổng của các đơn vị trước sáp nhập: Phường Sa Pa." in lines
