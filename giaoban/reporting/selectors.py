"""Reads of the reporting app, scoped by the registry's access rules: reports, the inbox, and
consolidation (live, from the rollup that approval maintains)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.errors import NotFound
from giaoban.orgs.models import Organization, Unit, valid_on
from giaoban.reporting import access
from giaoban.reporting.models import (
    Aggregation,
    Deadline,
    FormItem,
    FormSection,
    FormVersion,
    Indicator,
    Period,
    Report,
    ReportForm,
    ReportValue,
    Rollup,
    SectionKind,
    Status,
    ValueType,
)
from giaoban.reporting.services import form_latest_version


def reports_visible(*, user) -> QuerySet[Report]:
    return Report.objects.filter(access.report_filter(user)).select_related(
        "organization", "unit", "form", "period", "version"
    )


def report_get(*, user, pk: int) -> Report:
    report = reports_visible(user=user).filter(pk=pk).first()
    if report is None:
        raise NotFound(_("No such report, or you may not see it."))
    return report


def inbox(*, user) -> QuerySet[Report]:
    """Submitted reports waiting for this user's decision, oldest first."""
    waiting = reports_visible(user=user).filter(status=Status.SUBMITTED).order_by("submitted_at")
    return [r for r in waiting if access.can_decide(user, r)]


def deadline_of(form: ReportForm, period: Period, version: FormVersion | None = None) -> date:
    override = Deadline.objects.filter(form=form, period=period).first()
    if override:
        return override.deadline
    version = version or form_latest_version(form)
    return period.end + timedelta(days=version.deadline_days)


def periods_of(form: ReportForm) -> QuerySet[Period]:
    kinds = form.versions.values_list("period_kind", flat=True)
    return Period.objects.filter(kind__in=kinds).order_by("-end")


# Consolidation ---------------------------------------------------------------------------


#: How a period is compared with the same period of the previous year: over every approved
#: report of each period, or over the units whose reports are approved in both ("like for like").
ALL, COMMON = "all", "common"


@dataclass
class Completeness:
    expected: int
    submitted: int
    approved: int
    on_time: int

    @property
    def complete(self) -> bool:
        """Every expected report approved: a total made from fewer must say so."""
        return self.approved >= self.expected > 0

    def as_dict(self) -> dict:
        return vars(self) | {"complete": self.complete}

    def __add__(self, other: "Completeness") -> "Completeness":
        return Completeness(
            *(a + b for a, b in zip(vars(self).values(), vars(other).values(), strict=True))
        )


@dataclass
class Figure:
    indicator: Indicator
    value: Decimal | None
    previous: Decimal | None
    change_pct: Decimal | None
    #: The two figures the change is computed from: `value` and `previous`, or, compared like for
    #: like, both periods over the units approved in both.
    compared_value: Decimal | None = None
    compared_previous: Decimal | None = None


@dataclass
class Consolidation:
    unit: Unit
    form: ReportForm
    period: Period
    previous_period: Period | None
    compared_with: list[Unit]
    completeness: Completeness
    figures: list[Figure] = field(default_factory=list)
    previous_completeness: Completeness | None = None
    comparison: str = ALL
    #: Compared like for like: the units whose reports are approved in both periods.
    common_units: list[Unit] = field(default_factory=list)

    @property
    def compared_with_predecessors(self) -> bool:
        return bool(self.compared_with) and self.compared_with != [self.unit]

    @property
    def complete(self) -> bool:
        return self.completeness.complete

    @property
    def previous_complete(self) -> bool:
        before = self.previous_completeness
        return before is None or before.complete


@dataclass
class _Totals:
    total: Decimal = Decimal(0)
    count: int = 0
    yes_count: int = 0
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def add(self, row: Rollup) -> None:
        self.total += row.total
        self.count += row.count
        self.yes_count += row.yes_count
        self.minimum = _pick(min, self.minimum, row.minimum)
        self.maximum = _pick(max, self.maximum, row.maximum)

    def value(self, aggregation: str) -> Decimal | None:
        if not self.count:
            return None
        return {
            Aggregation.SUM: lambda: self.total,
            Aggregation.AVERAGE: lambda: self.total / self.count,
            Aggregation.MINIMUM: lambda: self.minimum,
            Aggregation.MAXIMUM: lambda: self.maximum,
            Aggregation.COUNT_YES: lambda: Decimal(self.yes_count),
        }.get(aggregation, lambda: None)()


def _pick(choose, a, b):
    """min or max of two values where None means "no value" (0 is a value)."""
    if a is None:
        return b
    if b is None:
        return a
    return choose(a, b)


def consolidated_indicators(form: ReportForm) -> list[Indicator]:
    version = form_latest_version(form)
    items = FormItem.objects.filter(section__version=version).select_related("indicator")
    return [
        item.indicator
        for item in items.order_by("section__order", "order")
        if item.indicator.aggregation != Aggregation.NONE
        and item.indicator.value_type != ValueType.TEXT
    ]


def _totals(units: list[Unit], form: ReportForm, period: Period) -> dict[int, _Totals]:
    totals: dict[int, _Totals] = {}
    for row in Rollup.objects.filter(unit__in=units, form=form, period=period):
        totals.setdefault(row.indicator_id, _Totals()).add(row)
    return totals


def _value_totals(reports: QuerySet[Report]) -> dict[int, _Totals]:
    """Per indicator, the totals of these reports' values, as the rollup would hold them."""
    counted = Q(number__isnull=False) | Q(flag__isnull=False)
    rows = (
        ReportValue.objects.filter(counted, report__in=reports)
        .values("indicator")
        .annotate(
            sum=Sum("number"),
            n=Count("pk"),
            yes=Count("pk", filter=Q(flag=True)),
            low=Min("number"),
            high=Max("number"),
        )
    )
    return {
        r["indicator"]: _Totals(r["sum"] or Decimal(0), r["n"], r["yes"], r["low"], r["high"])
        for r in rows
    }


def _approved(units: list[Unit], form: ReportForm, period: Period) -> QuerySet[Report]:
    """The approved reports of the units' subtrees."""
    under = Q(pk__in=[])
    for unit in units:
        under |= Q(unit__path__startswith=unit.path)
    return Report.objects.filter(under, form=form, period=period, status=Status.APPROVED)


def _common_units(now: QuerySet[Report], before: QuerySet[Report], day: date) -> tuple:
    """The units approved in both periods: those of `now` whose units on `day` (itself, or those
    it was formed from) all have an approved report in `before`; those earlier units; and
    whether that is every approved unit of both periods."""
    approved_before = set(before.values_list("unit_id", flat=True))
    units = Unit.objects.filter(pk__in=now.values("unit_id")).order_by("path")
    common, earlier = [], []
    for unit in units:
        then = comparison_units(unit, day)
        if then and all(u.pk in approved_before for u in then):
            common.append(unit)
            earlier += then
    same = len(common) == len(units) and {u.pk for u in earlier} == approved_before
    return common, earlier, same


def _completeness_of(units: list[Unit], form: ReportForm, period: Period) -> Completeness | None:
    parts = [completeness(unit, form, period) for unit in units]
    return sum(parts[1:], parts[0]) if parts else None


def period_reviewed(kind: str, year: int) -> tuple[ReportForm | None, Period | None]:
    """The period of that kind and year (the newest if cut-offs differ) and the form reported
    on it when only one form has that kind: what a briefing of that kind reviews."""
    period = Period.objects.filter(kind=kind, year=year).order_by("-end").first()
    forms = list(ReportForm.objects.filter(versions__period_kind=kind).distinct()[:2])
    return (forms[0] if len(forms) == 1 else None), period


def previous_period(period: Period) -> Period | None:
    """The same period of the previous year, with the same cut-off if there is one."""
    candidates = Period.objects.filter(kind=period.kind, number=period.number, year=period.year - 1)
    same_cutoff = candidates.filter(end__day=period.end.day).first()
    return same_cutoff or candidates.first()


def comparison_units(unit: Unit, day: date) -> list[Unit]:
    """The unit itself if it existed on `day`, else the units it was formed from (as far back as
    needed): a commune formed by a merger is compared with the sum of the communes before it."""
    if unit.is_valid_on(day):
        return [unit]
    found = []
    for link in unit.predecessor_links.select_related("predecessor"):
        found += comparison_units(link.predecessor, day)
    return found


def completeness(unit: Unit, form: ReportForm, period: Period) -> Completeness:
    version = form_latest_version(form)
    expected = Organization.objects.filter(
        valid_on(period.end),
        valid_on(period.end, "unit__"),
        kind=version.reporting_kind,
        unit__level__in=version.reporting_levels,
        unit__path__startswith=unit.path,
    ).count()
    # One pass over the subtree's reports; "on time" compares instants, not local dates, so
    # that the planner can use the index.
    reports = Report.objects.filter(form=form, period=period, unit__path__startswith=unit.path)
    sent = Q(status__in=[Status.SUBMITTED, Status.APPROVED])
    end_of_deadline = timezone.make_aware(
        datetime.combine(deadline_of(form, period, version), time.max)
    )
    counts = reports.aggregate(
        submitted=Count("pk", filter=sent),
        approved=Count("pk", filter=Q(status=Status.APPROVED)),
        on_time=Count("pk", filter=sent & Q(submitted_at__lte=end_of_deadline)),
    )
    return Completeness(expected=expected, **counts)


def _change(value, previous) -> Decimal | None:
    if value is None or previous in (None, 0):
        return None
    return ((Decimal(value) - Decimal(previous)) / Decimal(previous) * 100).quantize(Decimal("0.1"))


def consolidate(
    *, user, unit: Unit, form: ReportForm, period: Period, comparison: str | None = None
) -> Consolidation:
    """Every approved report in the unit's subtree, consolidated per indicator by its rule, with
    completeness and the same period of the previous year.

    The change from last year is computed `comparison`-wise: ALL compares every approved report
    of each period, COMMON only the units approved in both. Unless asked, it is COMMON when the
    two periods are not made of the same units' reports (8 of 9 this year against 9 of 9 is no
    fall of a third), else ALL (the same numbers either way)."""
    if not Unit.objects.visible_to(user).filter(pk=unit.pk).exists():
        raise NotFound(_("No such unit, or you may not see it."))
    return consolidation(unit=unit, form=form, period=period, comparison=comparison)


def consolidation(
    *, unit: Unit, form: ReportForm, period: Period, comparison: str | None = None
) -> Consolidation:
    """`consolidate` for a caller that has already checked who may see the unit (a document
    drafted for its issuing organization)."""
    before_period = previous_period(period)
    compared = comparison_units(unit, before_period.end) if before_period else []
    result = Consolidation(
        unit=unit,
        form=form,
        period=period,
        previous_period=before_period,
        compared_with=compared,
        completeness=completeness(unit, form, period),
    )
    now = _totals([unit], form, period)
    before = _totals(compared, form, before_period) if before_period else {}
    common_now, common_before = now, before
    if before_period:
        result.previous_completeness = _completeness_of(compared, form, before_period)
        reports_now = _approved([unit], form, period)
        reports_before = _approved(compared, form, before_period)
        units, earlier, same = _common_units(reports_now, reports_before, before_period.end)
        result.comparison = comparison or (ALL if same else COMMON)
        if result.comparison == COMMON:
            result.common_units = units
            common_now = _value_totals(reports_now.filter(unit__in=units))
            common_before = _value_totals(reports_before.filter(unit__in=earlier))
    result.figures = [
        _figure(i, now, before, common_now, common_before) for i in consolidated_indicators(form)
    ]
    return result


def _figure(indicator: Indicator, now, before, common_now, common_before) -> Figure:
    def value(totals):
        return totals.get(indicator.pk, _Totals()).value(indicator.aggregation)

    compared_value, compared_previous = value(common_now), value(common_before)
    return Figure(
        indicator,
        value(now),
        value(before),
        _change(compared_value, compared_previous),
        compared_value,
        compared_previous,
    )


@dataclass(frozen=True)
class Source:
    """An organization a consolidation expects a report from, and its report: the approved one
    that the consolidation covers, else (`report` None) how far it got (`status`, "" if never
    opened)."""

    organization: Organization
    report: Report | None
    status: str = ""


def narrative_sections(form: ReportForm) -> list[FormSection]:
    """The narrative sections of the form's latest version, in order."""
    version = form_latest_version(form)
    return list(version.sections.filter(kind=SectionKind.NARRATIVE).order_by("order"))


def consolidation_sources(*, unit: Unit, form: ReportForm, period: Period) -> list[Source]:
    """Every organization of the unit's subtree expected to report on the form for the period
    (as `completeness` counts them), in the order of their units, with its report."""
    version = form_latest_version(form)
    expected = Organization.objects.filter(
        valid_on(period.end),
        valid_on(period.end, "unit__"),
        kind=version.reporting_kind,
        unit__level__in=version.reporting_levels,
        unit__path__startswith=unit.path,
    ).select_related("unit")
    reports = {
        r.organization_id: r
        for r in Report.objects.filter(
            form=form, period=period, organization__in=[o.pk for o in expected]
        )
    }
    sources = []
    for organization in sorted(expected, key=lambda o: (o.unit.code, o.name)):
        report = reports.get(organization.pk)
        if report is not None and report.status == Status.APPROVED:
            sources.append(Source(organization, report, report.status))
        else:
            sources.append(Source(organization, None, report.status if report else ""))
    return sources


def breakdown(*, user, unit: Unit, form: ReportForm, period: Period) -> list[tuple[Unit, dict]]:
    """Each child unit of `unit` with its consolidated values: the drill-down and the chart."""
    children = list(Unit.objects.visible_to(user).filter(valid_on(period.end), parent=unit))
    indicators = {i.pk: i for i in consolidated_indicators(form)}
    by_unit: dict[int, dict[int, _Totals]] = {}
    for row in Rollup.objects.filter(unit__in=children, form=form, period=period):
        by_unit.setdefault(row.unit_id, {}).setdefault(row.indicator_id, _Totals()).add(row)
    result = []
    for child in children:
        totals = by_unit.get(child.pk, {})
        result.append(
            (
                child,
                {
                    i.code: totals.get(pk, _Totals()).value(i.aggregation)
                    for pk, i in indicators.items()
                },
            )
        )
    return result


def series(
    *, user, unit: Unit, form: ReportForm, indicator: Indicator, kind: str
) -> list[tuple[Period, Decimal | None]]:
    """An indicator of a unit across the periods of one kind, oldest first: the chart over time."""
    if not Unit.objects.visible_to(user).filter(pk=unit.pk).exists():
        raise NotFound(_("No such unit, or you may not see it."))
    rows = {
        r.period_id: r for r in Rollup.objects.filter(unit=unit, form=form, indicator=indicator)
    }
    points = []
    for period in Period.objects.filter(kind=kind).order_by("end"):
        totals = _Totals()
        if period.pk in rows:
            totals.add(rows[period.pk])
        points.append((period, totals.value(indicator.aggregation)))
    return points


_STEP_NAMES = {
    "report.open": lambda: _("opened the report"),
    "report.values": lambda: _("changed figures"),
    "report.narrative": lambda: _("changed the narrative"),
    "report.submit": lambda: _("submitted"),
    "report.return": lambda: _("returned"),
    "report.approve": lambda: _("approved"),
}


@dataclass
class Step:
    entry: object
    what: str
    changes: list[tuple[str, str, str]]  # (indicator name, before, after)


def report_history(report: Report) -> list[Step]:
    """Every step of a report, oldest first: who, when, what, and each figure before and after."""
    from giaoban.core.models import AuditEntry

    names = dict(Indicator.objects.values_list("code", "name"))
    entries = AuditEntry.objects.filter(object_type="reporting.report", object_id=str(report.pk))
    steps = []
    for entry in entries.select_related("actor").order_by("at", "id"):
        name = _STEP_NAMES.get(entry.action)
        changes = []
        if entry.action == "report.values":
            before = entry.before or {}
            changes = [
                (names.get(code, code), _written(before.get(code)), _written(after))
                for code, after in entry.after.items()
            ]
        steps.append(Step(entry, name() if name else entry.action, changes))
    return steps


def _written(value) -> str:
    """A recorded value as an official reads it: 1.409, có/không, or a dash when empty."""
    from giaoban.reporting.numbers import format_number

    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    try:
        return format_number(Decimal(value))
    except ArithmeticError:
        return str(value)


def openable(*, user) -> list[tuple[ReportForm, list[Period]]]:
    """The forms the user's organization reports on, each with its periods, newest first."""
    from giaoban.orgs.access import membership_of

    membership = membership_of(user)
    if membership is None:
        return []
    org = membership.organization
    result = []
    for form in ReportForm.objects.all():
        version = form.versions.filter(published_at__isnull=False).order_by("-number").first()
        if (
            version
            and version.reporting_kind == org.kind
            and org.unit.level in version.reporting_levels
        ):
            result.append((form, list(periods_of(form)[:12])))
    return result
