"""The conference of the scenario: "Giao ban công tác dân vận 9 tháng, triển khai nhiệm vụ 3 tháng
cuối năm 2021", 8 October 2021, chaired from the provincial point with the nine district-level
points. Sa Pa's delegates are exactly the article's; rooms and start time are illustrative.

It is loaded as planned, so that the demo users can run it live themselves. Its secretary, who
writes the minutes and signs them beside the chair, is illustrative: no source names them.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from giaoban.meetings import invitations, services
from giaoban.meetings.models import Conference
from giaoban.orgs import services as org_services
from giaoban.orgs.demo.scenario import DEMO_PASSWORD, illustrative_holder
from giaoban.orgs.models import Level, Organization, OrgKind, Person, Role, Unit
from giaoban.reporting.models import Period, ReportForm

TITLE = "Giao ban công tác dân vận 9 tháng, triển khai nhiệm vụ 3 tháng cuối năm 2021"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SAPA = "088"

# Operators' logins, one per point: the host first, then the nine district-level points by code.
OPERATOR_LOGINS = {
    "10": "diemcau_tinh",
    "080": "diemcau_tplaocai",
    "082": "diemcau_batxat",
    "083": "diemcau_muongkhuong",
    "084": "diemcau_simacai",
    "085": "diemcau_bacha",
    "086": "diemcau_baothang",
    "087": "diemcau_baoyen",
    "088": "diemcau_sapa",
    "089": "diemcau_vanban",
}

SECRETARY_NAME = "Nguyễn Thị Thu Hằng"
SECRETARY_TITLE = "Phó Chánh Văn phòng Ban Dân vận Tỉnh ủy"
SECRETARY_NOTE = "Minh họa: không nguồn nào nêu tên thư ký hội nghị giao ban ngày 08/10/2021."

SAPA_DELEGATES = ["Phan Đăng Toàn", "Lê Mạnh Hảo", "Phùng Mạnh Khang", "Vàng Bích Liên"]
SAPA_GROUPS = [
    "Lãnh đạo MTTQ và các tổ chức chính trị - xã hội thị xã",
    "Lãnh đạo các chi, đảng bộ trực thuộc Thị uỷ",
]

AGENDA = [
    ("opening", "Khai mạc hội nghị", "", 5),
    ("report", "Báo cáo kết quả công tác dân vận 9 tháng, nhiệm vụ 3 tháng cuối năm 2021", "", 20),
    ("contributions", "Tham luận, ý kiến của các điểm cầu", "", 60),
    (
        "direction",
        "Phát biểu chỉ đạo",
        "Đồng chí Vũ Xuân Cường - Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh",
        20,
    ),
    ("conclusion", "Kết luận hội nghị", "", 10),
]


def _point_name(unit: Unit) -> str:
    if unit.level == Level.PROVINCE:
        return f"Điểm cầu tỉnh {unit.short_name or 'Lào Cai'}"
    return f"Điểm cầu {unit.name[0].lower()}{unit.name[1:]}"


def _operator(unit: Unit, board: Organization):
    users = get_user_model().objects
    login = OPERATOR_LOGINS[unit.code]
    user = users.filter(username=login).first()
    if user is None:
        user = users.create_user(
            username=login,
            password=DEMO_PASSWORD,
            # "Kỹ thuật viên điểm cầu thị xã Sa Pa": place names keep their capitals.
            first_name="Kỹ thuật viên đ" + _point_name(unit)[1:],
        )
    org_services.membership_set(user=user, organization=board, role=Role.OPERATOR)
    return user


def _boards(province: Unit) -> dict[str, Organization]:
    boards = Organization.objects.filter(
        kind=OrgKind.MOBILIZATION_BOARD,
        unit__path__startswith=province.path,
        unit__level__lte=Level.DISTRICT,
    ).select_related("unit")
    return {b.unit.code: b for b in boards}


def _points(conference: Conference, province: Unit, boards) -> None:
    host_unit = province
    services.point_add(
        actor=None,
        conference=conference,
        unit=host_unit,
        name=_point_name(host_unit),
        is_host=True,
        location="Hội trường Tỉnh ủy Lào Cai",
        operator=_operator(host_unit, boards[host_unit.code]),
    )
    for unit in Unit.objects.filter(parent=province).order_by("code"):
        services.point_add(
            actor=None,
            conference=conference,
            unit=unit,
            name=_point_name(unit),
            location=f"Phòng họp trực tuyến {unit.name}",
            operator=_operator(unit, boards[unit.code]),
        )


def _secretary(board: Organization) -> Person:
    """An officer of the provincial board's office, as offices name a briefing's secretary."""
    return illustrative_holder(
        board,
        title=SECRETARY_TITLE,
        full_name=SECRETARY_NAME,
        note=SECRETARY_NOTE,
        protocol_rank=50,
    )


def _delegates(conference: Conference) -> None:
    host = conference.points.get(is_host=True)
    services.delegate_invite(
        actor=None, point=host, person=Person.objects.get(full_name="Vũ Xuân Cường")
    )
    sapa = conference.points.get(unit__code=SAPA)
    for name in SAPA_DELEGATES:
        services.delegate_invite(actor=None, point=sapa, person=Person.objects.get(full_name=name))
    for group in SAPA_GROUPS:
        services.delegate_add_guest(actor=None, point=sapa, full_name=group, designation=group)


@transaction.atomic
def load() -> Conference:
    load_2026()
    existing = Conference.objects.filter(title=TITLE).first()
    if existing:
        return existing
    province = Unit.objects.get(code="10", parent__isnull=True, valid_to__isnull=False)
    boards = _boards(province)
    conference = services.conference_create(
        actor=None,
        title=TITLE,
        organizer=boards["10"],
        kind="nine",
        series="giao-ban-dan-van-lao-cai",
        start=datetime(2021, 10, 8, 14, 0, tzinfo=VN),
        end=datetime(2021, 10, 8, 17, 0, tzinfo=VN),
        report_form=ReportForm.objects.filter(code="dan-van").first(),
        period=Period.objects.filter(kind="nine", year=2021).first(),
        chair=Person.objects.get(full_name="Vũ Xuân Cường"),
        secretary=_secretary(boards["10"]),
    )
    _points(conference, province, boards)
    _delegates(conference)
    for kind, title, presenter, minutes in AGENDA:
        services.agenda_add(
            actor=None,
            conference=conference,
            kind=kind,
            title=title,
            presenter=presenter,
            planned_minutes=minutes,
        )
    return conference


TITLE_2026 = "Giao ban công tác dân vận tháng 01 năm 2026 của tỉnh Lào Cai"
HOST_2026_LOGIN = "diemcau_tinh_2026"
REFORM = date(2025, 7, 1)


def _board_2026(province: Unit) -> Organization:
    """The new province's merged board (illustrative: the shipped registry names none)."""
    name = "Ban Tuyên giáo và Dân vận Tỉnh ủy Lào Cai"
    board = Organization.objects.filter(unit=province, name=name).first()
    return board or org_services.organization_create(
        actor=None,
        name=name,
        kind=OrgKind.MOBILIZATION_BOARD,
        unit=province,
        valid_from=REFORM,
        is_illustrative=True,
    )


def load_2026() -> Conference | None:
    """The 2026 briefing of the new Lào Cai (unit 15, after the merger with Yên Bái): the
    province hosts and every ward and commune is a bridge point, invited in one step."""
    existing = Conference.objects.filter(title=TITLE_2026).first()
    province = Unit.objects.filter(code="15", parent__isnull=True, valid_from=REFORM).first()
    if existing or province is None:
        return existing
    board = _board_2026(province)
    users = get_user_model().objects
    host = users.filter(username=HOST_2026_LOGIN).first() or users.create_user(
        username=HOST_2026_LOGIN,
        password=DEMO_PASSWORD,
        first_name="Kỹ thuật viên điểm cầu tỉnh Lào Cai (2026)",
    )
    org_services.membership_set(user=host, organization=board, role=Role.OPERATOR)
    conference = services.conference_create(
        actor=None,
        title=TITLE_2026,
        organizer=board,
        kind="monthly",
        series="giao-ban-dan-van-lao-cai-2026",
        start=datetime(2026, 1, 20, 8, 0, tzinfo=VN),
        end=datetime(2026, 1, 20, 11, 0, tzinfo=VN),
    )
    services.point_add(
        actor=None,
        conference=conference,
        unit=province,
        name="Điểm cầu tỉnh Lào Cai",
        is_host=True,
        location="Hội trường Tỉnh ủy Lào Cai",
        operator=host,
    )
    invitations.points_invite_level(
        actor=None,
        conference=conference,
        parent=province,
        level=Level.COMMUNE,
        picks=[
            invitations.PositionPick(OrgKind.MOBILIZATION_BOARD),
            invitations.PositionPick(OrgKind.FATHERLAND_FRONT),
        ],
    )
    for kind, title, _presenter, minutes in AGENDA[:3] + AGENDA[4:]:
        services.agenda_add(
            actor=None, conference=conference, kind=kind, title=title, planned_minutes=minutes
        )
    return conference


def point_label(unit_code: str) -> str:
    unit = Unit.objects.filter(code=unit_code, valid_to__isnull=False).first()
    return _point_name(unit) if unit else unit_code
