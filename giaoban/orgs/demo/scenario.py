"""The Lào Cai 2021 registry of the scenario article, loaded idempotently.

Source: the article "Ban Dân vận Tỉnh ủy giao ban trực tuyến, công tác dân vận 9 tháng, triển khai
nhiệm vụ 3 tháng cuối năm 2021" (Trung tâm VH,TT-TT thị xã Sa Pa), in shared/scenario. Every
person and title below is as the article writes it; organizations it does not name are marked
illustrative.
"""

from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from giaoban.orgs import services
from giaoban.orgs.models import Organization, OrgKind, Person, Position, Role, Unit, UnitKind

UNITS_FILE = Path(__file__).resolve().parent.parent / "data" / "laocai-2021.csv"
PROVINCE_CODE = "10"
SAPA_CODE = "088"
NEW_PROVINCE_CODE = "15"  # Lào Cai after its merger with Yên Bái on 1 July 2025
DEMO_PASSWORD = "giaoban2021"
ARTICLE = "Bài viết của Trung tâm VH,TT-TT thị xã Sa Pa về hội nghị ngày 08/10/2021"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    unit_code: str
    role: str
    is_superuser: bool = False


DEMO_USERS = [
    DemoUser("quantri", "Quản trị hệ thống", PROVINCE_CODE, Role.ADMIN, is_superuser=True),
    DemoUser("lanhdao_tinh", "Lãnh đạo Ban Dân vận Tỉnh ủy", PROVINCE_CODE, Role.LEADER),
    DemoUser("canbo_tinh", "Cán bộ Ban Dân vận Tỉnh ủy", PROVINCE_CODE, Role.OFFICER),
    DemoUser("canbo_sapa", "Cán bộ Ban Dân vận Thị ủy Sa Pa", SAPA_CODE, Role.OFFICER),
    DemoUser("canbo_batxat", "Cán bộ Ban Dân vận Huyện ủy Bát Xát", "082", Role.OFFICER),
]

# (full name, unit code, [(organization key, title as written, protocol rank)])
PEOPLE = [
    (
        "Vũ Xuân Cường",
        PROVINCE_CODE,
        [("party", "Phó Bí thư Thường trực Tỉnh ủy", 10), ("council", "Chủ tịch HĐND tỉnh", 20)],
    ),
    (
        "Phan Đăng Toàn",
        SAPA_CODE,
        [
            ("party", "Tỉnh ủy viên", 10),
            ("sapa_party", "Bí thư Thị ủy", 20),
            ("sapa_council", "Chủ tịch HĐND thị xã", 30),
        ],
    ),
    (
        "Lê Mạnh Hảo",
        SAPA_CODE,
        [
            ("sapa_party", "Uỷ viên BTV", 10),
            ("sapa_council", "Phó Chủ tịch Thường trực HĐND thị xã", 20),
        ],
    ),
    (
        "Phùng Mạnh Khang",
        SAPA_CODE,
        [
            ("sapa_party", "Uỷ viên BTV", 10),
            ("sapa_propaganda", "Trưởng Ban Tuyên giáo Thị uỷ", 20),
            ("sapa_school", "Giám đốc Trung tâm Chính trị thị xã", 30),
        ],
    ),
    (
        "Vàng Bích Liên",
        SAPA_CODE,
        [("sapa_party", "Uỷ viên BTV", 10), ("sapa_board", "Trưởng Ban Dân vận Thị uỷ", 20)],
    ),
]

_PARTY_BODY = {UnitKind.CITY: "Thành ủy", UnitKind.TOWN: "Thị ủy", UnitKind.DISTRICT: "Huyện ủy"}


def _short(unit: Unit) -> str:
    return unit.short_name or unit.name.split(" ", 2)[-1]


def _org(key, orgs, *, unit, name, kind, parent=None, illustrative=False) -> Organization:
    org = Organization.objects.filter(unit=unit, name=name).first()
    if org is None:
        org = services.organization_create(
            actor=None, name=name, kind=kind, unit=unit, parent=parent, is_illustrative=illustrative
        )
    orgs[key] = org
    return org


def _province_orgs(province: Unit, orgs: dict) -> None:
    party = _org("party", orgs, unit=province, name="Tỉnh ủy Lào Cai", kind=OrgKind.PARTY_COMMITTEE)
    _org(
        "board",
        orgs,
        unit=province,
        name="Ban Dân vận Tỉnh ủy Lào Cai",
        kind=OrgKind.MOBILIZATION_BOARD,
        parent=party,
    )
    _org("council", orgs, unit=province, name="HĐND tỉnh Lào Cai", kind=OrgKind.PEOPLES_COUNCIL)
    _org(
        "front",
        orgs,
        unit=province,
        name="Ủy ban MTTQ Việt Nam tỉnh Lào Cai",
        kind=OrgKind.FATHERLAND_FRONT,
        illustrative=True,
    )


def _district_boards(province: Unit, orgs: dict) -> None:
    """The nine district-level mobilization boards: the bridge points of the briefing."""
    for district in Unit.objects.filter(parent=province).order_by("code"):
        body = _PARTY_BODY.get(district.kind, "Huyện ủy")
        _org(
            f"board_{district.code}",
            orgs,
            unit=district,
            name=f"Ban Dân vận {body} {_short(district)}",
            kind=OrgKind.MOBILIZATION_BOARD,
            parent=orgs["board"],
            illustrative=district.code != SAPA_CODE,
        )


def _sapa_orgs(sapa: Unit, orgs: dict) -> None:
    party = _org(
        "sapa_party",
        orgs,
        unit=sapa,
        name="Thị ủy Sa Pa",
        kind=OrgKind.PARTY_COMMITTEE,
        parent=orgs["party"],
    )
    orgs["sapa_board"] = orgs[f"board_{SAPA_CODE}"]
    _org(
        "sapa_propaganda",
        orgs,
        unit=sapa,
        name="Ban Tuyên giáo Thị ủy Sa Pa",
        kind=OrgKind.PROPAGANDA_BOARD,
        parent=party,
    )
    _org("sapa_council", orgs, unit=sapa, name="HĐND thị xã Sa Pa", kind=OrgKind.PEOPLES_COUNCIL)
    _org(
        "sapa_school", orgs, unit=sapa, name="Trung tâm Chính trị thị xã Sa Pa", kind=OrgKind.OTHER
    )
    _org(
        "sapa_media",
        orgs,
        unit=sapa,
        name="Trung tâm Văn hóa, Thể thao - Truyền thông thị xã Sa Pa",
        kind=OrgKind.OTHER,
    )
    front = _org(
        "sapa_front",
        orgs,
        unit=sapa,
        name="Ủy ban MTTQ Việt Nam thị xã Sa Pa",
        kind=OrgKind.FATHERLAND_FRONT,
    )
    for key, name, kind in [
        ("sapa_farmers", "Hội Nông dân thị xã Sa Pa", OrgKind.FARMERS_UNION),
        ("sapa_women", "Hội Liên hiệp Phụ nữ thị xã Sa Pa", OrgKind.WOMENS_UNION),
        ("sapa_youth", "Đoàn TNCS Hồ Chí Minh thị xã Sa Pa", OrgKind.YOUTH_UNION),
        ("sapa_veterans", "Hội Cựu chiến binh thị xã Sa Pa", OrgKind.VETERANS_UNION),
        ("sapa_labour", "Liên đoàn Lao động thị xã Sa Pa", OrgKind.LABOUR_FEDERATION),
    ]:
        _org(key, orgs, unit=sapa, name=name, kind=kind, parent=front)


def _people(orgs: dict, units: dict) -> None:
    for full_name, unit_code, positions in PEOPLE:
        unit = units[unit_code]
        person = Person.objects.filter(full_name=full_name, unit=unit).first()
        if person is None:
            person = services.person_create(
                actor=None, full_name=full_name, unit=unit, note=ARTICLE
            )
        for key, title, rank in positions:
            if not Position.objects.filter(
                person=person, organization=orgs[key], title=title
            ).exists():
                services.position_add(
                    actor=None,
                    person=person,
                    organization=orgs[key],
                    title=title,
                    protocol_rank=rank,
                )
    author = "Lê Hưng"
    if not Person.objects.filter(full_name=author, unit=units[SAPA_CODE]).exists():
        services.person_create(
            actor=None,
            full_name=author,
            unit=units[SAPA_CODE],
            note="Tác giả bài viết (Trung tâm VH,TT-TT thị xã Sa Pa)",
        )


def illustrative_holder(
    board: Organization, *, title: str, full_name: str, note: str, protocol_rank: int, **position
) -> Person:
    """The person holding `title` at `board`, made up for the demo where no source names the
    real one (marked illustrative, `note` saying so); created once, found after."""
    held = Position.objects.filter(organization=board, title=title).select_related("person")
    if (found := held.first()) is not None:
        return found.person
    person = services.person_create(
        actor=None, full_name=full_name, unit=board.unit, note=note, is_illustrative=True
    )
    services.position_add(
        actor=None,
        person=person,
        organization=board,
        title=title,
        protocol_rank=protocol_rank,
        is_illustrative=True,
        **position,
    )
    return person


def _users(orgs: dict) -> None:
    users = get_user_model().objects
    for demo in DEMO_USERS:
        org = orgs["board"] if demo.unit_code == PROVINCE_CODE else orgs[f"board_{demo.unit_code}"]
        user = users.filter(username=demo.username).first()
        if user is None:
            user = users.create_user(
                username=demo.username,
                password=DEMO_PASSWORD,
                first_name=demo.full_name,
                is_staff=demo.is_superuser,
                is_superuser=demo.is_superuser,
            )
        services.membership_set(user=user, organization=org, role=demo.role)


def _load_units() -> Unit:
    """Lào Cai as in 2021 from the shipped file, and the new Lào Cai (15) from 1 July 2025 from the
    package, linked by lineage, so that the tree can be read on either side of the reform."""
    province = Unit.objects.filter(code=PROVINCE_CODE, parent__isnull=True, valid_to__isnull=False)
    if not province.exists():
        call_command("load_units", structure="legacy", file=str(UNITS_FILE), verbosity=0)
    if not Unit.objects.filter(code=NEW_PROVINCE_CODE, valid_from__isnull=False).exists():
        call_command("load_units", structure="2025", province=NEW_PROVINCE_CODE, verbosity=0)
    return province.get()


@transaction.atomic
def load() -> list[DemoUser]:
    """Load (or complete) the scenario; running it again changes nothing."""
    province = _load_units()
    units = {u.code: u for u in Unit.objects.filter(path__startswith=province.path, level__lte=2)}
    orgs: dict[str, Organization] = {}
    _province_orgs(province, orgs)
    _district_boards(province, orgs)
    _sapa_orgs(units[SAPA_CODE], orgs)
    _people(orgs, units)
    _users(orgs)
    return DEMO_USERS
