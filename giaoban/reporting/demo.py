"""The mobilization-work report of the scenario: "Báo cáo công tác dân vận 9 tháng năm 2021".

Sa Pa's report carries exactly the figures of the article (2.255 triệu đồng for policy families,
49 cases of child marriage, no spontaneous migration, no women leaving the locality) and nothing
else; the other eight units' reports and every report of 2020 are illustrative, made up so that
the province's consolidated view and its charts show something, and marked as such.
"""

import hashlib
from datetime import datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from giaoban.core.models import AuditEntry
from giaoban.orgs.models import Level, Organization, OrgKind
from giaoban.reporting import services
from giaoban.reporting.models import Indicator, Report, ReportForm, Status

FORM_CODE = "dan-van"
SAPA = "088"

# code, name, English name, unit of measure, value type, consolidation, lower bound, required
INDICATORS = [
    (
        "policy_family_spending",
        "Kinh phí chăm lo gia đình chính sách",
        "Spending on policy families",
        "triệu đồng",
        "decimal",
        "sum",
        0,
        True,
    ),
    (
        "child_marriages",
        "Số trường hợp tảo hôn",
        "Child marriages",
        "trường hợp",
        "integer",
        "sum",
        0,
        True,
    ),
    (
        "migrating_households",
        "Số hộ di dịch cư tự do",
        "Households migrating spontaneously",
        "hộ",
        "integer",
        "sum",
        0,
        True,
    ),
    (
        "women_leaving",
        "Số trường hợp phụ nữ bỏ đi khỏi địa phương",
        "Women leaving the locality",
        "trường hợp",
        "integer",
        "sum",
        0,
        True,
    ),
    (
        "dialogues_held",
        "Số cuộc đối thoại trực tiếp với Nhân dân",
        "Direct dialogues with the people",
        "cuộc",
        "integer",
        "sum",
        0,
        False,
    ),
    (
        "dialogues_resolved",
        "Số cuộc đối thoại đã giải quyết xong kiến nghị",
        "Dialogues whose petitions were resolved",
        "cuộc",
        "integer",
        "sum",
        0,
        False,
    ),
    (
        "grievances",
        "Số vụ việc vướng mắc, bức xúc trong Nhân dân",
        "Grievances among the people",
        "vụ việc",
        "integer",
        "sum",
        0,
        False,
    ),
    (
        "grievances_resolved",
        "Số vụ việc vướng mắc đã giải quyết",
        "Grievances resolved",
        "vụ việc",
        "integer",
        "sum",
        0,
        False,
    ),
    (
        "skilful_models",
        "Số mô hình “dân vận khéo” được công nhận",
        "Recognized “skilful mobilization” models",
        "mô hình",
        "integer",
        "sum",
        0,
        False,
    ),
    (
        "vaccination_mobilized",
        "Số người được vận động tiêm vắc xin Covid-19",
        "People mobilized for Covid-19 vaccination",
        "người",
        "integer",
        "sum",
        0,
        False,
    ),
    (
        "democracy_regulation_ok",
        "Thực hiện tốt quy chế dân chủ ở cơ sở",
        "Grassroots democracy regulation well applied",
        "",
        "boolean",
        "count_yes",
        None,
        False,
    ),
]

RULES = [
    (
        "dialogues_resolved <= dialogues_held",
        "Số cuộc đối thoại đã giải quyết xong không được nhiều hơn số cuộc đối thoại.",
    ),
    (
        "grievances_resolved <= grievances",
        "Số vụ việc đã giải quyết không được nhiều hơn số vụ việc phát sinh.",
    ),
]

SAPA_2021 = {
    "policy_family_spending": "2.255",
    "child_marriages": "49",
    "migrating_households": "0",
    "women_leaving": "0",
}
# Sa Pa's narrative is the article's paragraph on Sa Pa, sentence for sentence: its results, and
# the one limitation it names. The article says nothing of Sa Pa's tasks for the next period, so
# there is no "next_tasks"; the other units' narratives are not in any source and stay empty.
SAPA_NARRATIVE = {
    "achievements": (
        "Thị xã Sa Pa đã triển khai thực hiện, chỉ đạo cấp uỷ, chính quyền, các ban, ngành, "
        "đoàn thể và các tổ chức chính trị - xã hội từ thị xã đến cơ sở thực hiện tốt các Chỉ thị, "
        "Nghị quyết của Đảng về công tác Dân vận, công tác tôn giáo, đồng thời tăng cường nắm bắt "
        "tình hình tư tưởng của các tầng lớp Nhân dân, vận động Nhân dân tích cực tham gia các "
        "phong trào thi đua năm 2021. Thực hiện tốt công tác phối hợp với MTTQ và các tổ chức "
        "chính trị - xã hội các cấp qua các chương trình hoạt động theo quy chế; phát huy tốt "
        "quyền làm chủ của Nhân dân; tổ chức đối thoại trực tiếp với Nhân dân, chăm lo cho các "
        "gia đình chính sách với số tiền trên 2.255 triệu đồng. Trong 9 tháng qua không có tình "
        "hình di dịch cư tự do; không có tình trạng phụ nữ bỏ đi khỏi địa phương."
    ),
    "limitations": "Vẫn còn 49 trường hợp tảo hôn.",
}


def _indicators() -> None:
    for code, name, name_en, unit, vtype, agg, low, _required in INDICATORS:
        Indicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "unit_of_measure": unit,
                "value_type": vtype,
                "aggregation": agg,
                "minimum": None if low is None else Decimal(low),
            },
        )


def _form() -> ReportForm:
    form = ReportForm.objects.filter(code=FORM_CODE).first()
    if form is not None:
        return form
    version = services.form_publish(
        code=FORM_CODE,
        name="Báo cáo công tác dân vận",
        period_kind="nine",
        reporting_kind=OrgKind.MOBILIZATION_BOARD,
        reporting_levels=[Level.DISTRICT],
        sections=[
            services.SectionSpec("figures", "Số liệu", [c for c, *_ in INDICATORS]),
            services.SectionSpec("achievements", "Kết quả đạt được"),
            services.SectionSpec("limitations", "Hạn chế"),
            services.SectionSpec("next_tasks", "Nhiệm vụ trọng tâm kỳ tới"),
        ],
        rules_=RULES,
        deadline_days=5,
    )
    optional = [c for c, *rest in INDICATORS if not rest[-1]]
    version.sections.get(key="figures").items.filter(indicator__code__in=optional).update(
        required=False
    )
    return version.form


def _made_up(unit_code: str, year: int) -> dict[str, str]:
    """Illustrative figures, the same at every run (derived from the unit code and the year)."""
    seed = int(hashlib.sha256(f"{unit_code}-{year}".encode()).hexdigest(), 16)
    pick = lambda low, high, shift: low + (seed >> shift) % (high - low + 1)  # noqa: E731
    held = pick(8, 30, 0)
    grievances = pick(3, 20, 20)
    return {
        "policy_family_spending": f"{pick(600, 2400, 5)}",
        "child_marriages": str(pick(5, 45, 10)),
        "migrating_households": str(pick(0, 2, 15) if year == 2020 else 0),
        "women_leaving": str(pick(0, 1, 17)),
        "dialogues_held": str(held),
        "dialogues_resolved": str(held - pick(0, 3, 25)),
        "grievances": str(grievances),
        "grievances_resolved": str(grievances - pick(0, 2, 30)),
        "skilful_models": str(pick(2, 15, 35)),
        "vaccination_mobilized": str(pick(2000, 15000, 40) if year == 2021 else 0),
        "democracy_regulation_ok": "có",
    }


def _backdate(report: Report, when) -> None:
    """The scenario happened in 2021: date the steps on the day each report was sent."""
    stamp = timezone.make_aware(datetime.combine(when, time(9, 0)))
    Report.objects.filter(pk=report.pk).update(
        submitted_at=stamp if report.status != Status.DRAFT else None,
        decided_at=stamp if report.status == Status.APPROVED else None,
    )
    AuditEntry.objects.filter(object_type="reporting.report", object_id=str(report.pk)).update(
        at=stamp
    )


def _report(board: Organization, form, period, values, narrative, target: str, illustrative: bool):
    if Report.objects.filter(organization=board, form=form, period=period).exists():
        return
    report = services.report_open(actor=None, organization=board, form=form, period=period)
    services.report_save(
        actor=None, report=report, revision=report.revision, values=values, narrative=narrative
    )
    Report.objects.filter(pk=report.pk).update(is_illustrative=illustrative)
    if target != Status.DRAFT:
        services.report_submit(actor=None, report=report)
    if target == Status.APPROVED:
        services.report_approve(actor=None, report=report)
    report.refresh_from_db()
    _backdate(report, period.end + timezone.timedelta(days=3))


# Where each 2021 report stands: most approved, Bắc Hà waiting in the leader's inbox, Văn Bàn late.
STATE_2021 = {"085": Status.SUBMITTED, "089": Status.DRAFT}


@transaction.atomic
def load() -> None:
    _indicators()
    form = _form()
    this_year = services.period_get_or_create(kind="nine", year=2021, cutoff_day=14)
    last_year = services.period_get_or_create(kind="nine", year=2020, cutoff_day=14)
    boards = Organization.objects.filter(
        kind=OrgKind.MOBILIZATION_BOARD, unit__level=Level.DISTRICT, unit__parent__code="10"
    ).select_related("unit")
    for board in boards:
        code = board.unit.code
        _report(board, form, last_year, _made_up(code, 2020), {}, Status.APPROVED, True)
        if code == SAPA:
            _report(board, form, this_year, SAPA_2021, SAPA_NARRATIVE, Status.APPROVED, False)
        else:
            _report(
                board,
                form,
                this_year,
                _made_up(code, 2021),
                {},
                STATE_2021.get(code, Status.APPROVED),
                True,
            )
