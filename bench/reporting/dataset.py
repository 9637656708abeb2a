"""bench.reporting's data set: the 2025 units under "Cả nước", a board per commune, the indicators,
one form per periodicity and the periods; and the figures every generated report holds."""

import io
import os
from dataclasses import dataclass, field

from django.core.management import call_command

from giaoban.orgs.models import Organization, OrgKind, Unit
from giaoban.orgs.services import units_rebuild_paths
from giaoban.orgs.unitdata import REFORM_DATE
from giaoban.reporting import services
from giaoban.reporting.models import Aggregation, Indicator, Period, Report, ReportForm, ValueType

SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
# A quick run at a small BENCH_SCALE may keep the form's full width (BENCH_INDICATORS=150): the
# API's share of a read grows with the figures it serializes, not with the values underneath.
INDICATORS = os.environ.get("BENCH_INDICATORS")
FIRST_YEAR = 2026  # the 2025 structure is valid from 1/7/2025: whole years start in 2026
PERIOD_NUMBERS = {"month": 12, "quarter": 4, "half": 2, "nine": 1, "year": 1}
APPROVALS = 50  # communes left without a report for the last month, approved in (c)

# 150 indicators, mostly whole-number sums; the kinds of `Aggregation`, in these proportions.
INDICATOR_MIX = [
    (ValueType.INTEGER, Aggregation.SUM, 120),
    (ValueType.DECIMAL, Aggregation.SUM, 15),
    (ValueType.DECIMAL, Aggregation.AVERAGE, 5),
    (ValueType.INTEGER, Aggregation.MINIMUM, 3),
    (ValueType.INTEGER, Aggregation.MAXIMUM, 3),
    (ValueType.BOOLEAN, Aggregation.COUNT_YES, 4),
]


# The data set ------------------------------------------------------------------------------


@dataclass
class DataSet:
    nation: Unit
    communes: list[Unit]
    orgs: dict[int, int]  # commune id -> its mobilization board's id
    indicators: list[Indicator]
    forms: dict[str, tuple[ReportForm, int]]  # period kind -> (form, version id)
    periods: dict[str, list[Period]]
    reserved: list[Unit]  # communes left without a report for the last month, for (c)
    seconds: dict[str, float] = field(default_factory=dict)


def years() -> list[int]:
    # Two years at least, so the read also compares with the same period a year before.
    return list(range(FIRST_YEAR, FIRST_YEAR + (3 if SCALE >= 0.5 else 2)))


def _load_structure() -> tuple[Unit, list[Unit]]:
    """The 2025 units under one root, so the nation is read like any unit: by its rollup row."""
    call_command("load_units", structure="2025", verbosity=0, stdout=io.StringIO())
    nation = Unit.objects.create(code="VN", name="Cả nước", kind="province", level=1)
    Unit.objects.filter(level=1, valid_from=REFORM_DATE).update(parent=nation)
    units_rebuild_paths()
    communes = list(Unit.objects.filter(level=3, valid_from=REFORM_DATE).order_by("path"))
    wanted = max(20, round(len(communes) * SCALE))
    step = len(communes) / wanted  # spread over all provinces when scaled down
    return nation, [communes[int(i * step)] for i in range(min(wanted, len(communes)))]


def _create_orgs(communes: list[Unit]) -> dict[int, int]:
    orgs = [
        Organization(
            name=f"Ban Dân vận {c.name}", kind=OrgKind.MOBILIZATION_BOARD, unit=c, search_key=""
        )
        for c in communes
    ]
    Organization.objects.bulk_create(orgs, batch_size=2000)
    return {o.unit_id: o.pk for o in orgs}


def _create_indicators() -> list[Indicator]:
    count = int(INDICATORS) if INDICATORS else max(12, round(150 * SCALE))
    kinds = [(vt, agg) for vt, agg, n in INDICATOR_MIX for _ in range(n)]
    # Scaled down, keep every kind: take the mix evenly rather than the first `count`.
    picked = [kinds[int(i * len(kinds) / count)] for i in range(count)]
    indicators = [
        Indicator(
            code=f"ct-{i:03d}",
            name=f"Chỉ tiêu {i}",
            unit_of_measure="trường hợp",
            value_type=vt,
            aggregation=agg,
        )
        for i, (vt, agg) in enumerate(picked, 1)
    ]
    return Indicator.objects.bulk_create(indicators)


def _publish_forms(indicators) -> dict[str, tuple[ReportForm, int]]:
    """One form per periodicity, all asking the same indicators."""
    codes = [i.code for i in indicators]
    forms = {}
    for kind in PERIOD_NUMBERS:
        version = services.form_publish(
            code=f"bench-{kind}",
            name=f"Báo cáo công tác dân vận ({kind})",
            period_kind=kind,
            reporting_kind=OrgKind.MOBILIZATION_BOARD,
            reporting_levels=[3],
            sections=[services.SectionSpec(key="chi-tieu", title="Chỉ tiêu", indicators=codes)],
        )
        forms[kind] = (version.form, version.pk)
    return forms


def _create_periods() -> dict[str, list[Period]]:
    return {
        kind: [
            services.period_get_or_create(kind=kind, year=year, number=n)
            for year in years()
            for n in range(1, count + 1)
        ]
        for kind, count in PERIOD_NUMBERS.items()
    }


def setup() -> DataSet:
    call_command("migrate", verbosity=0)
    if Report.objects.exists():
        raise RuntimeError("bench.reporting needs a database without reports")
    nation, communes = _load_structure()
    indicators = _create_indicators()
    reserved_count = min(APPROVALS, len(communes) // 4)
    step = len(communes) / reserved_count
    return DataSet(
        nation=nation,
        communes=communes,
        orgs=_create_orgs(communes),
        indicators=indicators,
        forms=_publish_forms(indicators),
        periods=_create_periods(),
        reserved=[communes[int(i * step)] for i in range(reserved_count)],
    )


SEEDS = 1009  # distinct value patterns; a report's seed comes from its commune and period


def figures(indicators: list[Indicator], seed: int) -> list[str]:
    """A report's values as COPY text ("number<TAB>flag"), one per indicator: counts 0-10006,
    decimals 0.00-100.06, yes for two booleans in three."""
    figures = []
    for k, ind in enumerate(indicators):
        n = (seed * 7919 + k * 104729) % 10007
        if ind.value_type == ValueType.BOOLEAN:
            figures.append(f"\\N\t{'t' if n % 3 else 'f'}")
        elif ind.value_type == ValueType.DECIMAL:
            figures.append(f"{n // 100}.{n % 100:02d}\t\\N")
        else:
            figures.append(f"{n}\t\\N")
    return figures
