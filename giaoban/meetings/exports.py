"""The proof of attendance as .xlsx: who was invited at each bridge point, who came and when, and
the attendance log as it was recorded.

The workbook is an official record, so its labels are Vietnamese whatever the reader's language;
every text typed by a user goes through `safe_cell` and is never read as a formula.
"""

import io
from datetime import datetime

from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from giaoban.core.files import download_response
from giaoban.meetings import selectors
from giaoban.meetings.documents import XLSX
from giaoban.meetings.models import Attendance, AttendanceEventKind, Conference, Delegate
from giaoban.reporting.excel import put_cell

TZ = selectors.VIETNAM
MOMENT_FORMAT = "dd/mm/yyyy hh:mm:ss"

ROLL_SHEET = "Điểm danh"
LOG_SHEET = "Nhật ký"
SUMMARY_HEADERS = (
    "STT",
    "Điểm cầu",
    "Được mời",
    "Có mặt",
    "Vắng",
    "Có người dự thay",
    "Chưa điểm danh",
)
DELEGATE_HEADERS = ("STT", "Họ và tên", "Chức danh", "Điểm danh", "Giờ điểm danh")
LOG_HEADERS = ("Thời gian", "Điểm cầu", "Sự kiện", "Đại biểu", "Người ghi nhận", "Ghi chú")

EVENT_LABELS = {
    AttendanceEventKind.ONLINE: "Điểm cầu kết nối",
    AttendanceEventKind.OFFLINE: "Điểm cầu mất kết nối",
    AttendanceEventKind.CHECKED_IN: "Đại biểu có mặt",
    AttendanceEventKind.ABSENT: "Đại biểu vắng",
    AttendanceEventKind.REPRESENTED: "Có người dự thay",
}

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _moment(cell, moment: datetime | None) -> None:
    """A date and time as Vietnam's clock showed it (Excel has no time zones)."""
    if moment is None:
        return
    cell.value = timezone.localtime(moment, TZ).replace(tzinfo=None, microsecond=0)
    cell.number_format = MOMENT_FORMAT


def _header(ws, row: int, titles: tuple[str, ...]) -> None:
    for column, title in enumerate(titles, start=1):
        put_cell(ws.cell(row, column), title, font=_BOLD, fill=_HEADER_FILL, alignment=_WRAP)


def attendance_label(delegate: Delegate) -> str:
    if delegate.attendance == Attendance.PRESENT:
        return "Có mặt"
    if delegate.attendance == Attendance.ABSENT:
        return f"Vắng ({delegate.absence_reason})" if delegate.absence_reason else "Vắng"
    if delegate.attendance == Attendance.REPRESENTED:
        return f"Có người dự thay ({delegate.represented_by})"
    return "Chưa điểm danh"


def _when(conference: Conference) -> str:
    start = timezone.localtime(conference.scheduled_start, TZ)
    end = timezone.localtime(conference.scheduled_end, TZ)
    if start.date() == end.date():
        return f"{start:%H:%M}–{end:%H:%M} ngày {start:%d/%m/%Y}"
    return f"{start:%H:%M} ngày {start:%d/%m/%Y} – {end:%H:%M} ngày {end:%d/%m/%Y}"


def _counts(delegates) -> list[int]:
    """Invited, present, absent, represented, not yet checked: the roll call's own counts."""
    call = selectors.roll_call(delegates)
    return [call.invited, call.present, call.absent, call.represented, call.unknown]


def _heading(ws, conference: Conference) -> int:
    put_cell(ws["A1"], "DANH SÁCH ĐIỂM DANH ĐẠI BIỂU", font=Font(bold=True, size=14))
    ws.merge_cells("A1:G1")
    rows = [
        ("Hội nghị", conference.title),
        ("Thời gian", _when(conference)),
        ("Đơn vị tổ chức", conference.organizer.name),
        ("Chủ trì", conference.chair.full_name if conference.chair else ""),
        ("Trạng thái", conference.get_status_display()),
    ]
    for row, (label, text) in enumerate(rows, start=2):
        put_cell(ws.cell(row, 1), label, font=_BOLD)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        put_cell(ws.cell(row, 3), text, alignment=_WRAP)
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=7)
    row = len(rows) + 2
    put_cell(ws.cell(row, 1), "Xuất lúc", font=_BOLD)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    _moment(ws.cell(row, 3), timezone.now())
    ws.cell(row, 3).alignment = Alignment(horizontal="left")
    return row


def _summary(ws, row: int, points) -> int:
    """One line per bridge point and the total: the figures the chair reads out."""
    row += 2
    _header(ws, row, SUMMARY_HEADERS)
    total = [0] * (len(SUMMARY_HEADERS) - 2)
    for number, point in enumerate(points, start=1):
        row += 1
        ws.cell(row, 1, number)
        put_cell(ws.cell(row, 2), point.name, alignment=_WRAP)
        figures = _counts(point.delegates.all())
        total = [a + b for a, b in zip(total, figures, strict=True)]
        for column, figure in enumerate(figures, start=3):
            ws.cell(row, column, figure)
    row += 1
    put_cell(ws.cell(row, 2), "Tổng cộng", font=_BOLD)
    for column, figure in enumerate(total, start=3):
        ws.cell(row, column, figure).font = _BOLD
    return row


def _point_block(ws, row: int, point) -> int:
    row += 2
    title = f"{point.name} (điểm cầu chủ trì)" if point.is_host else point.name
    put_cell(ws.cell(row, 1), title, font=Font(bold=True, size=12))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
    if point.location:
        row += 1
        put_cell(ws.cell(row, 1), "Địa điểm", font=_BOLD)
        put_cell(ws.cell(row, 2), point.location)
    row += 1
    _header(ws, row, DELEGATE_HEADERS)
    delegates = list(point.delegates.all())
    for number, delegate in enumerate(delegates, start=1):
        row += 1
        ws.cell(row, 1, number)
        name = f"{delegate.full_name} (khách mời)" if delegate.is_guest else delegate.full_name
        put_cell(ws.cell(row, 2), name, alignment=_WRAP)
        put_cell(ws.cell(row, 3), delegate.designation, alignment=_WRAP)
        put_cell(ws.cell(row, 4), attendance_label(delegate), alignment=_WRAP)
        _moment(ws.cell(row, 5), delegate.checked_in_at)
    if not delegates:
        row += 1
        put_cell(ws.cell(row, 2), "Chưa có đại biểu")
    invited, present, absent, represented, unknown = _counts(delegates)
    row += 1
    put_cell(
        ws.cell(row, 2),
        f"Cộng: {invited} đại biểu được mời; có mặt {present}; vắng {absent}; "
        f"có người dự thay {represented}; chưa điểm danh {unknown}.",
        font=_BOLD,
    )
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
    return row


def _log_sheet(wb: Workbook, conference: Conference) -> None:
    ws = wb.create_sheet(LOG_SHEET)
    _header(ws, 1, LOG_HEADERS)
    ws.freeze_panes = "A2"
    for row, event in enumerate(selectors.attendance_log(conference), start=2):
        _moment(ws.cell(row, 1), event.at)
        put_cell(ws.cell(row, 2), event.point.name)
        put_cell(ws.cell(row, 3), EVENT_LABELS.get(event.kind, event.kind))
        put_cell(ws.cell(row, 4), event.delegate.full_name if event.delegate else "")
        by = (event.by.get_full_name() or event.by.username) if event.by else "Hệ thống"
        put_cell(ws.cell(row, 5), by)
        put_cell(ws.cell(row, 6), event.note, alignment=_WRAP)
    for letter, width in {"A": 21, "B": 32, "C": 22, "D": 28, "E": 24, "F": 40}.items():
        ws.column_dimensions[letter].width = width


def attendance_workbook(conference: Conference) -> bytes:
    """Heading, the figures per point and in total, each point's delegates, then the log."""
    conference = Conference.objects.select_related("organizer", "chair").get(pk=conference.pk)
    points = list(conference.points.prefetch_related("delegates"))
    wb = Workbook()
    ws = wb.active
    ws.title = ROLL_SHEET
    row = _heading(ws, conference)
    row = _summary(ws, row, points)
    for point in points:
        row = _point_block(ws, row, point)
    for letter, width in {"A": 6, "B": 34, "C": 50, "D": 30, "E": 21, "F": 16, "G": 16}.items():
        ws.column_dimensions[letter].width = width
    _log_sheet(wb, conference)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@require_GET
def attendance_download(request, pk: int):
    """The workbook, for the conference's participants only; others get a 404."""
    conference, _role = selectors.conference_for(user=request.user, pk=pk)  # NotFound → 404
    day = timezone.localtime(conference.scheduled_start, TZ)
    name = f"diem-danh-hoi-nghi-{conference.pk}-{day:%Y%m%d}.xlsx"
    return download_response(attendance_workbook(conference), name=name, content_type=XLSX)
