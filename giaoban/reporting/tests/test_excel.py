"""Excel: the template to fill offline, its upload (checked whole, saved all or nothing, refused
when it is the wrong file), and the consolidated export; user text never becomes a formula."""

import io
import unicodedata
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from giaoban.core.errors import InvalidInput
from giaoban.orgs.models import Level, Organization, OrgKind, Unit
from giaoban.reporting import excel, selectors, services
from giaoban.reporting.models import Indicator

from .conftest import INDICATORS, approved, fill

pytestmark = pytest.mark.django_db

GOOD = {
    "policy_spending": "2.255",
    "child_marriages": "49",
    "dialogues_held": "12",
    "dialogues_resolved": "10",
    "spontaneous_migration": "không",
    "satisfaction": "87,5",
}
HOSTILE = ['=HYPERLINK("http://x","bấm")', "+1+1", "@SUM(A1)", "-2+3"]


@pytest.fixture
def report(tree, form, period, bob):
    return services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period
    )


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _rows(ws) -> dict[str, int]:
    """Row number of each indicator code and narrative key (column B) on the template."""
    return {
        ws.cell(row, 2).value: row
        for row in range(1, ws.max_row + 1)
        if isinstance(ws.cell(row, 2).value, str)
    }


def _bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _filled(report, **cells) -> bytes:
    """The report's template with the value column of the given codes/keys overwritten."""
    wb = _book(excel.template_workbook(report))
    ws = wb[excel.SHEET]
    rows = _rows(ws)
    for code, value in cells.items():
        ws.cell(rows[code], 5).value = value
    return _bytes(wb)


def _refusal(report, data) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        excel.upload(None, report, data)
    return caught.value.errors


def _all_cells(data: bytes):
    wb = _book(data)
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


# The template ----------------------------------------------------------------------------


def test_it_writes_one_sheet_with_every_indicator_its_label_and_current_value(
    report, bob, form, period, tree
):
    fill(report, bob, child_marriages="49", policy_spending="1.234,5", spontaneous_migration="có")
    wb = _book(excel.template_workbook(report))
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] == ["Báo cáo"]
    ws = wb["Báo cáo"]
    texts = {cell.value for row in ws.iter_rows() for cell in row}
    assert {form.name, tree["sapa_board"].name, str(period)} <= texts
    rows = _rows(ws)
    header = rows["Mã chỉ tiêu"]
    assert [ws.cell(header, c).value for c in range(1, 6)] == [
        "STT",
        "Mã chỉ tiêu",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Giá trị",
    ]
    for code, name, unit, *_ in INDICATORS:
        assert (ws.cell(rows[code], 3).value, ws.cell(rows[code], 4).value or "") == (name, unit)
    assert ws.cell(rows["child_marriages"], 5).value == 49
    assert ws.cell(rows["policy_spending"], 5).value == 1234.5
    assert ws.cell(rows["spontaneous_migration"], 5).value == "có"
    assert ws.cell(rows["dialogues_held"], 5).value is None
    assert ws.cell(rows["achievements"], 3).value == "Kết quả đạt được"


def test_only_the_value_cells_of_the_protected_sheet_are_open_and_each_is_validated(report):
    wb = _book(excel.template_workbook(report))
    ws = wb["Báo cáo"]
    rows = _rows(ws)
    assert ws.protection.sheet
    assert ws.cell(rows["child_marriages"], 3).protection.locked  # the label
    assert not ws.cell(rows["child_marriages"], 5).protection.locked
    assert not ws.cell(rows["achievements"], 5).protection.locked
    rules = {
        code: next(
            dv for dv in ws.data_validations.dataValidation if f"E{rows[code]}" in str(dv.sqref)
        )
        for code in ("child_marriages", "policy_spending", "spontaneous_migration")
    }
    count, money, yes_no = rules.values()
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert "số nguyên không nhỏ hơn 0" in count.error
    assert money.type == "decimal"
    assert (yes_no.type, yes_no.formula1) == ("list", '"có,không"')
    assert wb["_meta"].sheet_state == "veryHidden"


# Uploading -------------------------------------------------------------------------------


def test_it_saves_every_value_and_the_narrative_of_a_filled_template(report, bob):
    data = _filled(
        report,
        policy_spending="2.255",  # typed as text, the Vietnamese way
        child_marriages=49,
        dialogues_held=12,
        dialogues_resolved=10,
        spontaneous_migration="Không",
        satisfaction=87.5,
        note="Số liệu đến ngày 14/9",
        achievements=unicodedata.normalize("NFD", "Tổ chức 12 cuộc đối thoại"),
        limitations="Còn tảo hôn ở vùng cao",
    )
    result = excel.upload(bob, report, SimpleUploadedFile("bao-cao.xlsx", data))
    assert result.violations == []
    assert services.report_values(report) == {
        "policy_spending": Decimal("2255"),
        "child_marriages": Decimal("49"),
        "dialogues_held": Decimal("12"),
        "dialogues_resolved": Decimal("10"),
        "spontaneous_migration": False,
        "satisfaction": Decimal("87.5"),
        "note": "Số liệu đến ngày 14/9",
    }
    report.refresh_from_db()
    assert report.narrative == {
        "achievements": "Tổ chức 12 cuộc đối thoại",  # NFC again
        "limitations": "Còn tảo hôn ở vùng cao",
    }


def test_one_file_with_a_word_a_negative_count_and_a_broken_rule_saves_nothing(report, bob):
    fill(report, bob, **GOOD)
    before = services.report_values(report)
    data = _filled(report, satisfaction="mười", child_marriages=-1, dialogues_resolved=13)
    errors = _refusal(report, data)
    rows = _rows(_book(data)["Báo cáo"])
    word, count = f"E{rows['satisfaction']}", f"E{rows['child_marriages']}"
    assert set(errors) == {f"Báo cáo!{word}", f"Báo cáo!{count}", "rules"}
    assert errors[f"Báo cáo!{word}"].startswith(
        f"Trang Báo cáo, ô {word} (Mức hài lòng của Nhân dân): "
    )
    assert "mười" in errors[f"Báo cáo!{word}"]
    assert errors[f"Báo cáo!{count}"].startswith(f"Trang Báo cáo, ô {count} (Số trường hợp")
    assert "không được nhiều hơn số cuộc đối thoại" in errors["rules"]
    assert services.report_values(report) == before


@pytest.mark.parametrize("value", [1e30, -1e16, 9999999999999999])
def test_a_cell_beyond_the_column_is_refused_naming_the_indicator(report, value):
    (message,) = _refusal(report, _filled(report, policy_spending=value)).values()
    assert "1.000.000.000.000.000" in message


def test_a_formula_in_a_value_cell_is_refused(report):
    data = _filled(report, dialogues_held="=10+2")
    (message,) = _refusal(report, data).values()
    assert "công thức" in message


def test_a_row_of_an_indicator_that_is_not_on_the_form_is_refused(report):
    wb = _book(excel.template_workbook(report))
    ws = wb["Báo cáo"]
    row = _rows(ws)["child_marriages"]
    ws.cell(row, 2).value = "households_poor"
    errors = _refusal(report, _bytes(wb))
    assert "không thuộc biểu" in errors[f"Báo cáo!B{row}"]
    assert "households_poor" in errors[f"Báo cáo!B{row}"]


# The wrong file --------------------------------------------------------------------------


def test_a_template_of_an_earlier_version_is_refused_with_a_pointer_to_the_current_one(
    report, tree, form, period_2020, bob
):
    old = excel.template_workbook(report)
    services.form_publish(
        code=form.code,
        name=form.name,
        period_kind="nine",
        reporting_kind=OrgKind.MOBILIZATION_BOARD,
        reporting_levels=[Level.DISTRICT, Level.COMMUNE],
        sections=[services.SectionSpec("figures", "Kết quả", ["child_marriages"])],
    )
    newer = services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period_2020
    )
    assert newer.version.number == 2
    message = _refusal(newer, old)["file"]
    assert "phiên bản 1" in message and "tải mẫu hiện hành" in message


def test_a_template_with_a_tampered_version_is_refused(report):
    wb = _book(excel.template_workbook(report))
    wb["_meta"]["B3"] = 7
    assert "phiên bản 7" in _refusal(report, _bytes(wb))["file"]


def test_the_template_of_another_report_is_refused(report, tree, form, period, charlie):
    other = services.report_open(
        actor=charlie, organization=tree["batxat_board"], form=form, period=period
    )
    assert "báo cáo khác" in _refusal(other, excel.template_workbook(report))["file"]


def test_a_50_mb_upload_is_refused_by_its_size_before_it_is_read(report):
    size = 50 * 1024 * 1024
    assert _refusal(report, b"PK" + bytes(size - 2)) == {
        "file": "Tệp quá lớn (50,0 MB); giới hạn 10 MB."
    }

    class Unread:
        """An upload that knows its size and must not be read."""

        def read(self, *args):
            raise AssertionError("read before the size was checked")

    huge = Unread()
    huge.size = size
    assert "Tệp quá lớn (50,0 MB)" in _refusal(report, huge)["file"]


@pytest.mark.parametrize("kind", ["csv", "zip", "xlsx-without-template"])
def test_a_file_that_is_not_the_xlsx_template_is_refused_in_vietnamese(report, kind):
    if kind == "csv":
        data = "STT;Mã chỉ tiêu;Giá trị\n1;child_marriages;49\n".encode()
    elif kind == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("bao-cao.txt", "49")
        data = buffer.getvalue()
    else:
        wb = _book(excel.template_workbook(report))
        del wb["_meta"]
        data = _bytes(wb)
    message = _refusal(report, data)["file"]
    expected = "không phải là mẫu báo cáo" if kind.startswith("xlsx") else "không phải là tệp Excel"
    assert expected in message


# Never a formula -------------------------------------------------------------------------


def _no_formulas(cells) -> None:
    for cell in cells:
        assert cell.data_type != "f", cell.coordinate
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
            pytest.fail(f"{cell.coordinate} starts like a formula: {cell.value}")


def test_safe_cell_keeps_text_that_looks_like_a_formula_as_text():
    assert [excel.safe_cell(text) for text in HOSTILE] == [f"'{text}" for text in HOSTILE]
    assert excel.safe_cell("Phường Sa Pa") == "Phường Sa Pa"
    assert excel.safe_cell(49) == 49


def test_user_text_in_the_template_is_never_a_formula_and_comes_back_unchanged(
    report, bob, indicators
):
    organization_name, indicator_name, note, narrative = HOSTILE
    Organization.objects.filter(pk=report.organization_id).update(name=organization_name)
    Indicator.objects.filter(code="child_marriages").update(name=indicator_name)
    report.organization.refresh_from_db()
    fill(report, bob, note=note)
    services.report_save(
        actor=bob,
        report=report,
        revision=report.revision,
        values={},
        narrative={"achievements": narrative},
    )
    data = excel.template_workbook(report)
    cells = _all_cells(data)
    _no_formulas(cells)
    assert {f"'{organization_name}", f"'{indicator_name}", f"'{note}", f"'{narrative}"} <= {
        cell.value for cell in cells
    }
    excel.upload(bob, report, data)
    report.refresh_from_db()
    assert services.report_values(report)["note"] == note
    assert report.narrative["achievements"] == narrative


# The consolidated export -----------------------------------------------------------------


def test_the_consolidated_export_has_numbers_the_breakdown_and_no_formulas(
    tree, form, indicators, period, alice, bob, charlie, erin
):
    base = {**GOOD, "satisfaction": "80"}
    approved(bob, erin, tree["sapa_board"], form, period, **{**base, "child_marriages": "49"})
    approved(charlie, erin, tree["batxat_board"], form, period, **{**base, "child_marriages": "11"})
    unit_name, indicator_name = HOSTILE[0], HOSTILE[2]
    Unit.objects.filter(pk=tree["sapa"].pk).update(name=unit_name)
    Indicator.objects.filter(code="child_marriages").update(name=indicator_name)
    args = {"user": alice, "unit": tree["laocai"], "form": form, "period": period}
    data = excel.consolidation_workbook(selectors.consolidate(**args), selectors.breakdown(**args))
    cells = _all_cells(data)
    _no_formulas(cells)
    ws = _book(data)["Tổng hợp"]
    by_label = {ws.cell(r, 2).value: r for r in range(1, ws.max_row + 1)}
    figures = by_label[f"'{indicator_name}"]
    assert [ws.cell(figures, c).value for c in (4, 5, 6)] == [60, None, None]
    assert ws.cell(figures, 4).data_type == "n"
    assert ws.cell(by_label["Kinh phí chăm lo gia đình chính sách"], 4).value == 4510
    assert ws.cell(by_label["Số đơn vị phải báo cáo"], 3).value == 2
    assert ws.cell(by_label["Số báo cáo đã duyệt"], 3).value == 2
    sapa = by_label[f"'{unit_name}"]  # the breakdown line of Sa Pa
    header = by_label["Đơn vị"]
    column = next(c for c in range(3, 12) if ws.cell(header, c).value == f"'{indicator_name}")
    assert ws.cell(sapa, column).value == 49


def test_the_export_says_when_a_merged_unit_is_compared_with_its_predecessors(
    tree, form, period, indicators
):
    consolidation = selectors.Consolidation(
        unit=tree["sapa_new"],
        form=form,
        period=period,
        previous_period=None,
        compared_with=[tree["sapa_ward"], tree["batxat_commune"]],
        completeness=selectors.Completeness(expected=3, submitted=2, approved=1, on_time=0),
        figures=[
            selectors.Figure(
                indicators["child_marriages"], Decimal(6), Decimal(8), Decimal("-25.0")
            ),
            selectors.Figure(indicators["satisfaction"], Decimal("87.5"), None, None),
        ],
    )
    ws = _book(excel.consolidation_workbook(consolidation))["Tổng hợp"]
    texts = [cell.value for row in ws.iter_rows() for cell in row if cell.value is not None]
    assert "So sánh với số liệu của các đơn vị trước sáp nhập: Phường Sa Pa, Xã Bản Qua." in texts
    rows = {ws.cell(r, 2).value: r for r in range(1, ws.max_row + 1)}
    row = rows["Số trường hợp tảo hôn"]
    assert [ws.cell(row, c).value for c in (3, 4, 5, 6)] == ["trường hợp", 6, 8, -25]
    assert ws.cell(row + 1, 4).value == 87.5


def test_the_export_marks_incomplete_totals_and_compares_like_for_like(
    tree, form, indicators, period, period_2020, alice, bob, charlie, erin
):
    """Bát Xát reported in 2020, not in 2021: each total says how complete it is and the change
    is computed over Sa Pa alone, in columns of their own."""
    approved(bob, erin, tree["sapa_board"], form, period_2020, **{**GOOD, "child_marriages": "40"})
    approved(charlie, erin, tree["batxat_board"], form, period_2020, **GOOD)
    approved(bob, erin, tree["sapa_board"], form, period, **{**GOOD, "child_marriages": "44"})
    result = selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period)
    ws = _book(excel.consolidation_workbook(result))["Tổng hợp"]
    texts = [cell.value for row in ws.iter_rows() for cell in row if cell.value is not None]
    assert any(str(t).startswith("Số liệu 9 tháng năm 2021 chưa đầy đủ") for t in texts)
    assert any("chỉ tính trên 1 đơn vị" in str(t) and "Thị xã Sa Pa" in str(t) for t in texts)
    rows = {ws.cell(r, 2).value: r for r in range(1, ws.max_row + 1)}
    header = [ws.cell(rows["Chỉ tiêu"], c).value for c in range(4, 9)]
    assert header[0] == "Kỳ này (1/2 báo cáo đã duyệt, chưa đủ)"
    assert header[2:] == ["Kỳ này, cùng đơn vị", "Cùng kỳ, cùng đơn vị", "Tăng/giảm (%)"]
    row = rows["Số trường hợp tảo hôn"]
    assert [ws.cell(row, c).value for c in range(4, 9)] == [44, 89, 44, 40, 10]


def test_a_template_downloaded_before_someone_elses_save_is_refused(report, bob):
    """Two people cannot silently overwrite each other, through Excel either."""
    from giaoban.core.errors import ConcurrentEdit

    stale = excel.template_workbook(report)
    services.report_save(
        actor=bob, report=report, revision=report.revision, values={"child_marriages": "7"}
    )
    report.refresh_from_db()
    with pytest.raises(ConcurrentEdit):
        excel.upload(bob, report, stale)
    assert services.report_values(report)["child_marriages"] == 7
