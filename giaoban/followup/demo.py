"""The tasks of the scenario's direction speech and the briefing that reviews them.

At the briefing of 8 October 2021 Vũ Xuân Cường, standing deputy secretary of the provincial
party committee, gave four directions; the article gives their words, recorded here as the
conference's conclusions and made tasks of the provincial mobilization board for the nine
district-level boards, due 31/12/2021. How far each board got is not in any source: those states
and texts are illustrative, marked so, and the same at every run. The next briefing of the series
("Giao ban công tác dân vận năm 2021", January 2022) is loaded as planned, and opens with the
review of these tasks that the follow-up app adds to every next briefing.
"""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from giaoban.followup import services
from giaoban.followup.models import Assignment, Priority, Task
from giaoban.meetings import demo as meetings_demo
from giaoban.meetings import services as meeting_services
from giaoban.meetings.models import Conference
from giaoban.orgs.models import Organization, OrgKind, Unit
from giaoban.reporting.models import Period, ReportForm

VN = meetings_demo.VN
DEADLINE = date(2021, 12, 31)
GIVEN_AT = datetime(2021, 10, 8, 17, 0, tzinfo=VN)
NEXT_TITLE = "Giao ban công tác dân vận năm 2021"
NEXT_START = datetime(2022, 1, 14, 8, 0, tzinfo=VN)
NEXT_END = datetime(2022, 1, 14, 11, 30, tzinfo=VN)

#: The direction speech, as the article words it.
DIRECTIONS = [
    "Công tác dân vận phải hướng về cơ sở, nắm chắc tình hình trong Nhân dân, tập trung giải "
    "quyết tốt những vướng mắc, phát sinh, bức xúc trong Nhân dân.",
    "Tiếp tục tuyên truyền, vận động Nhân dân chủ động tiêm phòng vắc xin, nâng cao trách nhiệm "
    "trong phòng, chống dịch bệnh Covid-19.",
    "Phát huy hiệu quả vai trò mô hình tuyên vận, công tác dân vận chính quyền, vai trò của MTTQ "
    "và các tổ chức chính trị - xã hội tham gia công tác Dân vận.",
    "Đẩy mạnh xây dựng các mô hình dân vận khéo.",
]
DESCRIPTION = (
    "Theo phát biểu chỉ đạo của đồng chí Vũ Xuân Cường - Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch "
    "HĐND tỉnh tại hội nghị giao ban trực tuyến ngày 08/10/2021."
)
PRIORITIES = [Priority.NORMAL, Priority.HIGH, Priority.NORMAL, Priority.NORMAL]

# Illustrative: how far each district-level board got with each direction, by unit code.
# D accepted as done, R reported done, P in progress, S sent back, N not started, X cannot do.
CODES = ["080", "082", "083", "084", "085", "086", "087", "088", "089"]
STATES = [
    "DDRPPDSPN",
    "DPDRNPDPP",
    "RPNDPNPDN",
    "PNPXNRNPN",
]
IN_PROGRESS_TEXT = [
    "Minh họa: đã tổ chức đối thoại trực tiếp với Nhân dân tại các xã; đang giải quyết các kiến "
    "nghị còn lại.",
    "Minh họa: đã tuyên truyền trên hệ thống loa truyền thanh cơ sở; đang vận động các hộ chưa "
    "tiêm.",
    "Minh họa: đã phối hợp với MTTQ và các tổ chức chính trị - xã hội xây dựng kế hoạch; đang "
    "triển khai.",
    "Minh họa: đã đăng ký mô hình dân vận khéo của các xã; đang đánh giá kết quả.",
]
DONE_TEXT = "Minh họa: đã hoàn thành; báo cáo kết quả gửi Ban Dân vận Tỉnh ủy."
SENT_BACK_REASON = "Minh họa: báo cáo chưa có số liệu cụ thể về kết quả giải quyết kiến nghị."
CANNOT_DO_REASON = (
    "Minh họa: chưa bố trí được kinh phí xây dựng mô hình trong năm 2021, đề nghị chuyển sang "
    "năm 2022."
)
#: Demo officers report for their own boards; the others' reports are the system's.
REPORTERS = {"088": "canbo_sapa", "082": "canbo_batxat"}
ACCEPTOR = "lanhdao_tinh"


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _conclusions(conference: Conference) -> list:
    if not conference.conclusions.exists():
        for text in DIRECTIONS:
            meeting_services.conclusion_add(actor=None, conference=conference, text=text)
    return list(conference.conclusions.order_by("order"))


def _play(assignment: Assignment, code: str, i: int, j: int) -> None:
    """Bring one assignment to its illustrative state through the services, dated in 2021."""
    plan = STATES[i][j]
    if plan == "N":
        return
    who = _user(REPORTERS[code]) if code in REPORTERS else None
    chief = _user(ACCEPTOR)
    started = datetime(2021, 11, 2 + 2 * j, 9, 0, tzinfo=VN)
    finished = datetime(2021, 12, 10 + j, 15, 0, tzinfo=VN)
    report = {"actor": who, "is_illustrative": True}
    if plan == "X":
        services.assignment_report(
            assignment=assignment,
            status="cannot_do",
            reason=CANNOT_DO_REASON,
            at=started,
            **report,
        )
        return
    assignment = services.assignment_report(
        assignment=assignment, status="in_progress", text=IN_PROGRESS_TEXT[i], at=started, **report
    )
    if plan == "P":
        return
    assignment = services.assignment_report(
        assignment=assignment, status="done", text=DONE_TEXT, at=finished, **report
    )
    if plan == "D":
        services.assignment_accept(
            actor=chief,
            assignment=assignment,
            at=finished.replace(day=finished.day + 5),
            is_illustrative=True,
        )
    elif plan == "S":
        services.assignment_send_back(
            actor=chief,
            assignment=assignment,
            reason=SENT_BACK_REASON,
            at=finished.replace(day=finished.day + 3),
            is_illustrative=True,
        )


def _tasks(conference: Conference, conclusions: list, boards: dict[str, Organization]) -> None:
    for i, conclusion in enumerate(conclusions):
        task = services.task_create(
            actor=None,
            title=conclusion.text,
            description=DESCRIPTION,
            assigner=conference.organizer,
            deadline=DEADLINE,
            priority=PRIORITIES[i % len(PRIORITIES)],
            leads=[boards[code] for code in CODES],
            source_conclusion=conclusion,
            created_at=GIVEN_AT,
        )
        assignments = task.assignments.select_related("organization__unit")
        rows = {a.organization.unit.code: a for a in assignments}
        for j, code in enumerate(CODES):
            if i < len(STATES):
                _play(rows[code], code, i, j)


def _next_conference(conference: Conference, province: Unit) -> Conference:
    """The next briefing of the series, planned: the host and the nine points; created through
    the service, so that it opens with the review of the tasks above."""
    existing = Conference.objects.filter(title=NEXT_TITLE).first()
    if existing:
        return existing
    following = meeting_services.conference_create(
        actor=None,
        title=NEXT_TITLE,
        organizer=conference.organizer,
        kind="yearly",
        series=conference.series,
        start=NEXT_START,
        end=NEXT_END,
        report_form=ReportForm.objects.filter(code="dan-van").first(),
        period=Period.objects.filter(kind="year", year=2021).first(),
    )
    meetings_demo._points(following, province, meetings_demo._boards(province))
    return following


@transaction.atomic
def load() -> Conference | None:
    """Idempotent: a second run finds the tasks and the next briefing and changes nothing."""
    conference = Conference.objects.filter(title=meetings_demo.TITLE).first()
    if conference is None:
        return None
    province = conference.organizer.unit
    if not Task.objects.filter(source_conference=conference).exists():
        boards = {
            b.unit.code: b
            for b in Organization.objects.filter(
                kind=OrgKind.MOBILIZATION_BOARD, unit__parent=province
            ).select_related("unit")
        }
        _tasks(conference, _conclusions(conference), boards)
    return _next_conference(conference, province)
