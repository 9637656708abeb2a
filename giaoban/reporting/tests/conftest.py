"""A small mobilization-work form on the registry's test tree: Lào Cai with Sa Pa and Bát Xát."""

from decimal import Decimal

import pytest

from giaoban.orgs import services as org_services
from giaoban.orgs.models import Level, OrgKind, Role
from giaoban.orgs.testing import make_user
from giaoban.reporting import services
from giaoban.reporting.models import Indicator

INDICATORS = [
    ("policy_spending", "Kinh phí chăm lo gia đình chính sách", "triệu đồng", "decimal", "sum", 0),
    ("child_marriages", "Số trường hợp tảo hôn", "trường hợp", "integer", "sum", 0),
    ("dialogues_held", "Số cuộc đối thoại trực tiếp với Nhân dân", "cuộc", "integer", "sum", 0),
    ("dialogues_resolved", "Số cuộc đối thoại đã giải quyết xong", "cuộc", "integer", "sum", 0),
    ("spontaneous_migration", "Có di dịch cư tự do", "", "boolean", "count_yes", None),
    ("satisfaction", "Mức hài lòng của Nhân dân", "%", "decimal", "avg", 0),
    ("note", "Ghi chú", "", "text", "none", None),
]


@pytest.fixture
def indicators(db):
    return {
        code: Indicator.objects.create(
            code=code,
            name=name,
            unit_of_measure=unit,
            value_type=vtype,
            aggregation=agg,
            minimum=None if low is None else Decimal(low),
        )
        for code, name, unit, vtype, agg, low in INDICATORS
    }


@pytest.fixture
def form_version(indicators):
    return services.form_publish(
        code="dv-9t",
        name="Báo cáo công tác dân vận 9 tháng",
        period_kind="nine",
        reporting_kind=OrgKind.MOBILIZATION_BOARD,
        reporting_levels=[Level.DISTRICT, Level.COMMUNE],
        sections=[
            services.SectionSpec("figures", "Kết quả", [c for c, *_ in INDICATORS]),
            services.SectionSpec("achievements", "Kết quả đạt được"),
            services.SectionSpec("limitations", "Hạn chế"),
        ],
        rules_=[
            (
                "dialogues_resolved <= dialogues_held",
                "Số cuộc đã giải quyết không được nhiều hơn số cuộc đối thoại.",
            )
        ],
    )


@pytest.fixture
def form(form_version):
    return form_version.form


@pytest.fixture
def period(db):
    return services.period_get_or_create(kind="nine", year=2021, cutoff_day=14)


@pytest.fixture
def period_2020(db):
    return services.period_get_or_create(kind="nine", year=2020, cutoff_day=14)


@pytest.fixture
def sapa_commune_board(tree):
    return org_services.organization_create(
        actor=None,
        name="Ban Dân vận Đảng ủy phường Sa Pa",
        kind=OrgKind.MOBILIZATION_BOARD,
        unit=tree["sapa_ward"],
    )


@pytest.fixture
def erin(tree):
    """Leader of the provincial mobilization board: decides on district reports."""
    return make_user("erin", tree["board"], Role.LEADER)


@pytest.fixture
def frank(tree):
    """Leader at Sa Pa: decides on Sa Pa's communes."""
    return make_user("frank", tree["sapa_board"], Role.LEADER)


def fill(report, actor, **values):
    return services.report_save(actor=actor, report=report, revision=report.revision, values=values)


def approved(actor, decider, organization, form, period, **values):
    report = services.report_open(actor=actor, organization=organization, form=form, period=period)
    fill(report, actor, **values)
    services.report_submit(actor=actor, report=report)
    return services.report_approve(actor=decider, report=report)


#: Every indicator of the test form answered with nothing to report.
NOTHING = {
    "policy_spending": "0",
    "child_marriages": "0",
    "dialogues_held": "0",
    "dialogues_resolved": "0",
    "spontaneous_migration": "không",
    "satisfaction": "0",
}
