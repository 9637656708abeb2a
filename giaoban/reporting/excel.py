"""Excel in and out: a report's template to fill offline, the upload of that template (checked
whole, saved all or nothing), and the export of a consolidated view.

Every text that a user or an administrator typed goes through `safe_cell` on the way out, so a
name like "=HYPERLINK(…)" is shown as text and never evaluated by Excel or LibreOffice.
"""

import io
import zipfile
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from giaoban.core.errors import ApplicationError, InvalidInput
from giaoban.core.text import nfc_text
from giaoban.orgs.models import Unit
from giaoban.reporting import services
from giaoban.reporting.models import (
    Aggregation,
    Indicator,
    Report,
    ReportForm,
    SectionKind,
    ValueType,
)
from giaoban.reporting.numbers import LIMIT, format_number
from giaoban.reporting.selectors import COMMON, Consolidation
from giaoban.reporting.wording import completeness_notes, short_completeness

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A small zip can unpack to gigabytes; refuse before openpyxl inflates it.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

SHEET = "Báo cáo"
META = "_meta"
TEMPLATE_KIND = "giaoban-report-template"
VALUE_HEADERS = ("STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Giá trị")
NARRATIVE_HEADERS = ("STT", "Mã phần", "Phần", "", "Nội dung")
CODE_COLUMN, VALUE_COLUMN = "B", "E"

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)
_MB = 1024 * 1024


# Writing ---------------------------------------------------------------------------------


def safe_cell(value: object) -> object:
    """Text that Excel would read as a formula gets a leading apostrophe; other values pass.

    Characters that the xlsx format cannot hold (control characters) are dropped, so a stray one
    in a stored text cannot break the export.
    """
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def put_cell(cell, value: object, **style) -> None:
    """Write through safe_cell; a string stays a string even if openpyxl would guess a formula."""
    cell.value = safe_cell(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)


def _number(value: Decimal | int | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def _number_format(value) -> str:
    # "#,##0.##" would show a lone decimal mark after whole numbers ("60,").
    return "#,##0" if value is None or value == int(value) else "#,##0.##"


def _header(ws, row: int, titles: tuple[str, ...]) -> None:
    for column, title in enumerate(titles, start=1):
        put_cell(ws.cell(row, column), title, font=_BOLD, fill=_HEADER_FILL, alignment=_WRAP)


def _widths(ws, widths: dict[str, float]) -> None:
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def template_workbook(report: Report) -> bytes:
    """The report's form version as an .xlsx to fill offline, with the current values."""
    version = report.version
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    put_cell(ws["A1"], report.form.name, font=Font(bold=True, size=14))
    ws.merge_cells("A1:E1")
    heading = [
        ("Đơn vị báo cáo", report.organization.name),
        ("Kỳ báo cáo", str(report.period)),
        ("Biểu mẫu", f"{report.form.code}, phiên bản {version.number}"),
        (
            "Hướng dẫn",
            "Chỉ nhập vào cột “Giá trị”. Số viết 2.255 hoặc 1.234,5 (dấu chấm ngăn hàng nghìn, "
            "dấu phẩy thập phân); câu hỏi có/không ghi “có” hoặc “không”.",
        ),
    ]
    for row, (label, text) in enumerate(heading, start=2):
        put_cell(ws.cell(row, 1), label, font=_BOLD)
        put_cell(ws.cell(row, 3), text, alignment=_WRAP)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=5)

    row = len(heading) + 3
    _header(ws, row, VALUE_HEADERS)
    ws.freeze_panes = ws.cell(row + 1, 1)
    current = services.report_values(report)
    for number, indicator in enumerate(services.version_indicators(version), start=1):
        row += 1
        ws.cell(row, 1, number)
        put_cell(ws.cell(row, 2), indicator.code)
        put_cell(ws.cell(row, 3), indicator.name, alignment=_WRAP)
        put_cell(ws.cell(row, 4), indicator.unit_of_measure)
        _value_cell(ws, ws.cell(row, 5), indicator, current.get(indicator.code))

    row += 2
    _header(ws, row, NARRATIVE_HEADERS)
    sections = version.sections.filter(kind=SectionKind.NARRATIVE).order_by("order")
    for number, section in enumerate(sections, start=1):
        row += 1
        ws.cell(row, 1, number)
        put_cell(ws.cell(row, 2), section.key)
        put_cell(ws.cell(row, 3), section.title, alignment=_WRAP)
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
        cell = ws.cell(row, 5)
        put_cell(cell, report.narrative.get(section.key) or None, alignment=_WRAP)
        cell.protection, cell.number_format = _UNLOCKED, "@"
        ws.row_dimensions[row].height = 90

    _widths(ws, {"A": 6, "B": 24, "C": 55, "D": 14, "E": 45})
    # Labels are locked (the default); only the value cells are open. Column widths and row
    # heights may still be changed so that long names can be read.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    _meta_sheet(wb, report)
    # Nobody should unhide, rename or add sheets: the upload finds its data by these names.
    wb.security = WorkbookProtection(lockStructure=True)
    return _save(wb)


def _value_cell(ws, cell, indicator: Indicator, value) -> None:
    cell.protection = _UNLOCKED
    if indicator.is_numeric:
        cell.value = _number(value)
        is_integer = indicator.value_type == ValueType.INTEGER
        cell.number_format = "#,##0" if is_integer else "#,##0.##"
    elif indicator.value_type == ValueType.BOOLEAN:
        put_cell(cell, None if value is None else ("có" if value else "không"))
        cell.number_format = "@"
    else:
        # Text format: what the user types later stays text too, even "=…".
        put_cell(cell, value, alignment=_WRAP)
        cell.number_format = "@"
    validation = _validation(indicator)
    if validation is not None:
        ws.add_data_validation(validation)
        validation.add(cell)


def _validation(indicator: Indicator) -> DataValidation | None:
    if indicator.value_type == ValueType.BOOLEAN:
        return _dv("list", None, '"có,không"', None, f"{indicator.name}: chọn “có” hoặc “không”.")
    if not indicator.is_numeric:
        return None
    whole = indicator.value_type == ValueType.INTEGER
    low, high = indicator.minimum, indicator.maximum
    kind = "số nguyên" if whole else "số"
    if low is not None and high is not None:
        rule = ("between", low, high, f"từ {format_number(low)} đến {format_number(high)}")
    elif low is not None:
        rule = ("greaterThanOrEqual", low, None, f"không nhỏ hơn {format_number(low)}")
    elif high is not None:
        rule = ("lessThanOrEqual", high, None, f"không lớn hơn {format_number(high)}")
    else:  # Excel needs bounds for a number rule; these only keep out text.
        rule = ("between", -LIMIT, LIMIT, "")
    operator, first, second, bounds = rule
    message = f"{indicator.name}: nhập {kind} {bounds}".strip() + "."
    return _dv(
        "whole" if whole else "decimal", operator, _formula(first), _formula(second), message
    )


def _dv(kind, operator, first, second, message: str) -> DataValidation:
    return DataValidation(
        type=kind,
        operator=operator,
        formula1=first,
        formula2=second,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Giá trị không hợp lệ",
        error=message[:255],  # Excel's limit for the message box
    )


def _formula(number: Decimal | None) -> str | None:
    return None if number is None else format(number.normalize(), "f")


def _meta_sheet(wb: Workbook, report: Report) -> None:
    """What identifies the template, out of the user's sight: the upload checks it first."""
    meta = wb.create_sheet(META)
    rows = [
        ("kind", TEMPLATE_KIND),
        ("form", report.form.code),
        ("version", report.version.number),
        ("report", report.pk),
        ("revision", report.revision),
    ]
    for row, (key, value) in enumerate(rows, start=1):
        put_cell(meta.cell(row, 1), key)
        put_cell(meta.cell(row, 2), value)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True


# Reading ---------------------------------------------------------------------------------


def read_upload(report: Report, data) -> tuple[dict[str, object], dict[str, str], int]:
    """Values by indicator code, narrative by section key, and the report's revision when the
    template was downloaded, from a filled template.

    The whole file is checked before anything is returned: every unreadable cell and every
    broken rule is listed in one InvalidInput, keyed by its place ("Báo cáo!E7").
    """
    wb = _open(_read_limited(data))
    try:
        meta = _check_meta(report, wb)
        values, narrative, errors, failed = _read_sheet(report, wb)
    finally:
        wb.close()
    # A cell that could not be read is unknown, not its stored value: its rules wait.
    figures = {**services.report_values(report), **values, **dict.fromkeys(failed)}
    broken = services.rule_violations(report.version, figures)
    if broken:
        errors["rules"] = "Số liệu trong tệp không đạt quy tắc kiểm tra: " + " ".join(broken)
    if errors:
        raise InvalidInput(
            errors,
            message=f"Tệp có {len(errors)} lỗi; chưa có số liệu nào được lưu. "
            "Hãy sửa các ô được nêu rồi tải lên lại.",
        )
    return values, narrative, _revision(meta)


def upload(actor, report: Report, data) -> services.SaveResult:
    """Read a filled template and save it: all of it, or (on any error) none of it.

    The template carries the revision it was filled from: if someone saved the report since it
    was downloaded, the upload is refused rather than overwriting their figures.
    """
    values, narrative, revision = read_upload(report, data)
    return services.report_save(
        actor=actor, report=report, revision=revision, values=values, narrative=narrative
    )


def _revision(meta: dict) -> int:
    try:
        return int(meta.get("revision"))
    except (TypeError, ValueError):
        raise _file_error("Mẫu không ghi lần sửa của báo cáo; hãy tải mẫu mới.") from None


def _file_error(message: str) -> InvalidInput:
    return InvalidInput({"file": message})


def _too_large(size: int | None) -> InvalidInput:
    limit = MAX_UPLOAD_BYTES // _MB
    if size is None:
        return _file_error(f"Tệp quá lớn; giới hạn {limit} MB.")
    shown = format_number(Decimal(size) / _MB, 1)
    return _file_error(f"Tệp quá lớn ({shown} MB); giới hạn {limit} MB.")


def _read_limited(data) -> bytes:
    """The upload's bytes, refusing an oversized one before reading (let alone parsing) it."""
    if isinstance(data, bytes | bytearray | memoryview):
        if len(data) > MAX_UPLOAD_BYTES:
            raise _too_large(len(data))
        return bytes(data)
    size = getattr(data, "size", None)  # Django's UploadedFile knows its size
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _too_large(size)
    if hasattr(data, "seek"):
        data.seek(0)
    content = data.read(MAX_UPLOAD_BYTES + 1)  # never more than one byte past the limit
    if len(content) > MAX_UPLOAD_BYTES:
        raise _too_large(size)
    return content


_NOT_XLSX = (
    "Tệp tải lên không phải là tệp Excel .xlsx đọc được. Hãy tải mẫu Excel của báo cáo, "
    "nhập số liệu và lưu lại dưới dạng .xlsx (không dùng .xls, .csv hay .ods)."
)


def _open(content: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _file_error(_NOT_XLSX) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _file_error("Tệp Excel chứa quá nhiều dữ liệu; hãy dùng mẫu tải từ hệ thống.")
    try:
        # read_only: cells are streamed, so a large sheet does not become millions of objects.
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # a damaged or foreign file can fail anywhere inside openpyxl
        raise _file_error(_NOT_XLSX) from None


def _check_meta(report: Report, wb) -> dict:
    """Refuse another form's, another version's or another report's template outright."""
    meta = {}
    if META in wb.sheetnames:
        for key, value, *_rest in wb[META].iter_rows(max_col=2, values_only=True):
            if key:
                meta[str(key)] = value
    if meta.get("kind") != TEMPLATE_KIND:
        raise _file_error(
            "Tệp này không phải là mẫu báo cáo tải từ hệ thống (thiếu thông tin nhận dạng mẫu). "
            "Hãy tải mẫu Excel của báo cáo, nhập số liệu vào đó rồi tải lên."
        )
    if meta.get("form") != report.form.code:
        other = ReportForm.objects.filter(code=meta.get("form")).first()
        raise _file_error(
            f"Tệp này là mẫu của biểu “{other.name if other else meta.get('form')}”, không phải "
            f"của biểu “{report.form.name}”. Hãy tải mẫu của báo cáo này."
        )
    if str(meta.get("version")) != str(report.version.number):
        raise _file_error(
            f"Mẫu này thuộc phiên bản {meta.get('version')} của biểu “{report.form.name}”, còn "
            f"báo cáo dùng phiên bản {report.version.number}. Hãy tải mẫu hiện hành của báo cáo "
            "và nhập lại số liệu vào đó."
        )
    if str(meta.get("report")) != str(report.pk):
        raise _file_error(
            "Mẫu này được tải cho một báo cáo khác (của đơn vị hoặc kỳ khác). "
            "Hãy tải mẫu của chính báo cáo này."
        )
    return meta


def _read_sheet(report: Report, wb):
    if SHEET not in wb.sheetnames:
        raise _file_error(f"Không tìm thấy trang “{SHEET}” trong tệp; hãy dùng mẫu của hệ thống.")
    ws = wb[SHEET]
    ws.reset_dimensions()  # some writers record a wrong sheet size; read to the real end
    indicators = {i.code: i for i in services.version_indicators(report.version)}
    sections = {s.key: s for s in report.version.sections.filter(kind=SectionKind.NARRATIVE)}
    values, narrative, errors, failed = {}, {}, {}, set()
    part = None
    for number, row in enumerate(ws.iter_rows(min_row=1, max_col=5), start=1):
        label = _unquote(row[1].value)
        if label == VALUE_HEADERS[1]:
            part = "values"
            continue
        if label == NARRATIVE_HEADERS[1]:
            part = "narrative"
            continue
        if part is None or not label:
            continue
        code_at, value_at = f"{CODE_COLUMN}{number}", f"{VALUE_COLUMN}{number}"
        known, read = (indicators, values) if part == "values" else (sections, narrative)
        if label not in known or label in read or (part, label) in failed:
            errors[f"{SHEET}!{code_at}"] = _foreign_row(report, label, code_at, label in known)
            continue
        try:
            if part == "values":
                values[label] = _typed(indicators[label], row[4])
            else:
                narrative[label] = _narrative(row[4])
        except ApplicationError as exc:
            failed.add((part, label))
            name = known[label].name if part == "values" else known[label].title
            errors[f"{SHEET}!{value_at}"] = f"Trang {SHEET}, ô {value_at} ({name}): {exc.message}"
    if part is None:
        raise _file_error(
            f"Không tìm thấy bảng chỉ tiêu (cột “{VALUE_HEADERS[1]}”) trên trang {SHEET}; "
            "hãy dùng mẫu của hệ thống."
        )
    return values, narrative, errors, {label for kind, label in failed if kind == "values"}


def _foreign_row(report: Report, label: str, where: str, repeated: bool) -> str:
    if repeated:
        return f"Trang {SHEET}, ô {where}: “{label}” xuất hiện hai lần trong tệp."
    return (
        f"Trang {SHEET}, ô {where}: “{label}” không thuộc biểu “{report.form.name}” "
        f"(phiên bản {report.version.number})."
    )


def _unquote(value) -> str | None:
    """A cell's text, NFC, without the apostrophe that safe_cell put before a formula sign."""
    if value is None:
        return None
    text = nfc_text(str(value))  # a narrative cell keeps its line breaks
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text


def _no_formula(cell) -> None:
    if cell.data_type == "f":
        raise ApplicationError(
            f"ô có công thức “{cell.value}”; hãy nhập trực tiếp giá trị, không dùng công thức."
        )


def _typed(indicator: Indicator, cell):
    _no_formula(cell)
    raw = cell.value
    if isinstance(raw, str):
        # Text goes to the Vietnamese number parser: "2.255" is 2255, "1.234,5" is 1234.5.
        raw = _unquote(raw)
    elif isinstance(raw, float):
        # Excel stores numbers as floats; repr is the shortest exact spelling (87.5, not
        # 87.5000000001), and parse_value would read str(87.5) the Vietnamese way and refuse it.
        raw = int(raw) if raw.is_integer() else Decimal(repr(raw))
    return services.parse_value(indicator, raw)


def _narrative(cell) -> str:
    _no_formula(cell)
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _unquote(value) or ""


# Consolidated export ---------------------------------------------------------------------


def consolidation_workbook(
    consolidation: Consolidation, rows: list[tuple[Unit, dict]] | None = None
) -> bytes:
    """A consolidated view as .xlsx: heading, completeness, the figures against the same period
    of the previous year, and (given selectors.breakdown rows) one line per child unit."""
    c = consolidation
    wb = Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    put_cell(ws["A1"], f"Tổng hợp: {c.form.name}", font=Font(bold=True, size=14))
    ws.merge_cells("A1:F1")
    done = c.completeness
    heading = [
        ("Đơn vị", c.unit.name),
        ("Kỳ báo cáo", str(c.period)),
        ("Cùng kỳ năm trước", str(c.previous_period) if c.previous_period else "không có"),
        ("Số đơn vị phải báo cáo", done.expected),
        ("Số báo cáo đã gửi", done.submitted),
        ("Số báo cáo đã duyệt", done.approved),
        ("Số báo cáo gửi đúng hạn", done.on_time),
    ]
    for row, (label, value) in enumerate(heading, start=2):
        put_cell(ws.cell(row, 2), label, font=_BOLD)
        put_cell(ws.cell(row, 3), value)
    row = len(heading) + 2
    notes = completeness_notes(c)
    if c.compared_with_predecessors:
        names = ", ".join(unit.name for unit in c.compared_with)
        notes.insert(0, f"So sánh với số liệu của các đơn vị trước sáp nhập: {names}.")
    for note in notes:
        row += 1
        put_cell(ws.cell(row, 2), note, alignment=_WRAP)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=6)

    row += 2
    row = _figures(ws, row, c)

    if rows:
        row += 2
        put_cell(ws.cell(row, 1), "Chi tiết theo đơn vị", font=_BOLD)
        row += 1
        indicators = [figure.indicator for figure in c.figures]
        _header(ws, row, ("STT", "Đơn vị", *(i.name for i in indicators)))
        for number, (unit, values) in enumerate(rows, start=1):
            row += 1
            ws.cell(row, 1, number)
            put_cell(ws.cell(row, 2), unit.name)
            for column, indicator in enumerate(indicators, start=3):
                value = values.get(indicator.code)
                ws.cell(row, column, _number(value)).number_format = _number_format(value)

    columns = max(6, 2 + (len(c.figures) if rows else 0))
    _widths(ws, {"A": 6, "B": 50, "C": 22})
    _widths(ws, {get_column_letter(column): 18 for column in range(4, columns + 1)})
    return _save(wb)


def _figures(ws, row: int, c: Consolidation) -> int:
    """The figures against the same period of the previous year, each side's completeness in
    its heading; compared like for like, the two same-units columns the change comes from."""
    now = f"Kỳ này ({short_completeness(c.completeness)})"
    before = f"Cùng kỳ năm trước ({short_completeness(c.previous_completeness)})"
    common = ("Kỳ này, cùng đơn vị", "Cùng kỳ, cùng đơn vị") if c.comparison == COMMON else ()
    _header(ws, row, ("STT", "Chỉ tiêu", "Đơn vị tính", now, before, *common, "Tăng/giảm (%)"))
    for number, figure in enumerate(c.figures, start=1):
        row += 1
        ws.cell(row, 1, number)
        put_cell(ws.cell(row, 2), figure.indicator.name, alignment=_WRAP)
        put_cell(ws.cell(row, 3), _unit_of(figure.indicator))
        values = [figure.value, figure.previous]
        if common:
            values += [figure.compared_value, figure.compared_previous]
        for column, value in enumerate(values, start=4):
            ws.cell(row, column, _number(value)).number_format = _number_format(value)
        change = ws.cell(row, 4 + len(values), _number(figure.change_pct))
        change.number_format = "#,##0.0"
    return row


def _unit_of(indicator: Indicator) -> str:
    # A yes/no question is consolidated as the number of units that answered "có".
    if indicator.aggregation == Aggregation.COUNT_YES:
        return "đơn vị trả lời “có”"
    return indicator.unit_of_measure
