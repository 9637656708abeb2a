"""Assignments as .xlsx: the list the user was looking at, one row per assignee organization.

The workbook is a record officials pass on, so its labels are Vietnamese whatever the reader's
language; every text a user typed goes through `safe_cell` and is never read as a formula.
"""

import io
from datetime import date

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from giaoban.followup.models import AssigneeRole, Priority
from giaoban.followup.selectors import STATUS_LABELS_VI
from giaoban.reporting.excel import put_cell

SHEET = "Nhiệm vụ"
HEADERS = (
    "STT",
    "Nhiệm vụ",
    "Nguồn",
    "Đơn vị giao",
    "Hạn",
    "Mức độ",
    "Đơn vị thực hiện",
    "Mã đơn vị",
    "Vai trò",
    "Trạng thái",
    "Quá hạn",
    "Tiến độ",
    "Lý do không thực hiện được",
    "Cập nhật",
)
WIDTHS = (6, 50, 40, 30, 12, 10, 32, 10, 12, 20, 9, 50, 40, 17)
PRIORITY_VI = {Priority.NORMAL: "Bình thường", Priority.HIGH: "Cao", Priority.URGENT: "Khẩn"}
ROLE_VI = {AssigneeRole.LEAD: "Chủ trì", AssigneeRole.COORDINATING: "Phối hợp"}

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _row(number: int, a, today: date) -> list:
    task = a.task
    return [
        number,
        task.title,
        task.source_label,
        task.assigner.name,
        task.deadline,
        PRIORITY_VI[task.priority],
        a.organization.name,
        a.organization.unit.code,
        ROLE_VI[a.role],
        STATUS_LABELS_VI[a.status],
        "Có" if a.overdue_on(today) else "",
        a.progress,
        a.reason,
        timezone.localtime(a.updated_at).replace(tzinfo=None) if a.updated_at else None,
    ]


def assignments_workbook(rows, *, title: str, today: date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    put_cell(ws.cell(1, 1), title, font=Font(bold=True, size=13))
    put_cell(ws.cell(2, 1), f"Ngày xuất: {today:%d/%m/%Y}")
    for column, header in enumerate(HEADERS, start=1):
        put_cell(ws.cell(4, column), header, font=_BOLD, fill=_HEADER_FILL, alignment=_WRAP)
        ws.column_dimensions[ws.cell(4, column).column_letter].width = WIDTHS[column - 1]
    for number, assignment in enumerate(rows, start=1):
        for column, value in enumerate(_row(number, assignment, today), start=1):
            cell = ws.cell(4 + number, column)
            put_cell(cell, value, alignment=_WRAP)
            if isinstance(value, date):
                cell.number_format = "dd/mm/yyyy" if column == 5 else "dd/mm/yyyy hh:mm"
    ws.freeze_panes = "C5"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
