"""What each role's home page shows, composed from the other apps' selectors: every read is
scoped by the same access rules (giaoban/orgs/access.py) as the pages it links to."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.utils import timezone

from giaoban.core.text import fold
from giaoban.followup import selectors as followup
from giaoban.followup.models import Assignment
from giaoban.meetings import selectors as meetings
from giaoban.meetings.models import OPEN, BridgePoint, Conference, ConferenceStatus
from giaoban.orgs import selectors as orgs
from giaoban.orgs.access import home_unit, membership_of
from giaoban.orgs.models import Role, Unit
from giaoban.reporting import charts
from giaoban.reporting import selectors as reporting
from giaoban.reporting.models import EDITABLE, Period, Report, ReportForm
from giaoban.reporting.services import form_latest_version

LEADER, OFFICER, OPERATOR, NOBODY = "leader", "officer", "operator", "nobody"
KEY_INDICATORS = 4  # the first figures of the form: in the demo, the article's four
COMING = 5


def home_kind(user) -> str:
    """Which home the user lands on: leaders and administrators see the whole subtree at a
    glance, bridge-point operators their point, officers and viewers their own work."""
    if user.is_superuser:
        return LEADER
    membership = membership_of(user)
    if membership is None:
        return NOBODY
    if membership.role in (Role.LEADER, Role.ADMIN):
        return LEADER
    return OPERATOR if membership.role == Role.OPERATOR else OFFICER


def start_unit(user, *, today: date) -> Unit | None:
    """The unit a home is about: the user's own, or for a superuser without one the first root."""
    return home_unit(user) or orgs.unit_roots(user=user, on=today).first()


# Conferences -------------------------------------------------------------------------------


def conferences_coming(*, user) -> QuerySet[Conference]:
    """Planned and live conferences the user may see: the live ones first, then by start. A
    planned one whose planned end has passed is still there (nobody started or cancelled it) and
    says so (`past_due`)."""
    live_first = Case(When(status=ConferenceStatus.LIVE, then=Value(0)), default=Value(1))
    past_due = Case(
        When(status=ConferenceStatus.PLANNED, scheduled_end__lt=timezone.now(), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        meetings.conferences_visible(user=user)
        .filter(status__in=OPEN)
        .select_related("organizer__unit")
        .annotate(past_due=past_due)
        .order_by(live_first, "scheduled_start", "pk")
    )


def point_of_unit(conference: Conference, unit: Unit | None) -> BridgePoint | None:
    """The bridge point of the user's unit in a conference, if it has one."""
    if unit is None:
        return None
    return conference.points.filter(unit=unit).first()


def next_point_operated(*, user) -> BridgePoint | None:
    """The bridge point this user operates in their next planned or live conference."""
    conference = conferences_coming(user=user).filter(points__operator=user).first()
    if conference is None:
        return None
    return conference.points.select_related("unit").filter(operator=user).first()


@dataclass
class Checklist:
    point: BridgePoint
    items: list[tuple[str, str, bool]]  # (field, label, done)
    done: int
    present: int
    invited: int


def checklist(point: BridgePoint) -> Checklist:
    items = [
        (name, BridgePoint._meta.get_field(name).verbose_name, bool(getattr(point, name)))
        for name in BridgePoint.READINESS
    ]
    counts = meetings.attendance_counts(point.conference_id, point.pk)
    return Checklist(
        point,
        items,
        done=sum(done for *_, done in items),
        present=counts["present"],
        invited=counts["total"],
    )


# Reports -----------------------------------------------------------------------------------


def current_period(form: ReportForm, *, today: date) -> Period | None:
    """The period whose reports are being made: the latest of the form that has begun."""
    return reporting.periods_of(form).filter(start__lte=today).first()


@dataclass
class UnitProgress:
    """One subordinate unit's reports for the current period."""

    unit: Unit
    completeness: reporting.Completeness
    report: Report | None  # the unit's own report, when it makes exactly one
    late: bool

    @property
    def submitted_pct(self) -> int:
        c = self.completeness
        return round(100 * c.submitted / c.expected) if c.expected else 0


@dataclass
class FormProgress:
    form: ReportForm
    period: Period
    deadline: date
    total: reporting.Completeness
    units: list[UnitProgress] = field(default_factory=list)

    @property
    def chart(self) -> dict:
        points = [(p.unit.short_name or p.unit.name, p.submitted_pct) for p in self.units]
        return charts.bars(points, str(self.form))


def report_progress(*, user, unit: Unit, today: date) -> list[FormProgress]:
    """For each form, the completeness of the current period in the unit's subtree and in each
    unit directly below it (only forms somebody in the subtree has to report on)."""
    result = []
    for form in ReportForm.objects.order_by("name"):
        period = current_period(form, today=today)
        if period is None:
            continue
        total = reporting.completeness(unit, form, period)
        if not total.expected:
            continue
        deadline = reporting.deadline_of(form, period)
        result.append(
            FormProgress(form, period, deadline, total, _units(user, unit, form, period, today))
        )
    return result


def _units(user, unit, form, period, today) -> list[UnitProgress]:
    if max(form_latest_version(form).reporting_levels, default=0) <= unit.level:
        return []  # nobody below this unit reports on the form: spare a query per child
    deadline = reporting.deadline_of(form, period)
    children = orgs.unit_children(user=user, on=period.end, parent=unit).order_by("code")
    own = {
        r.unit_id: r
        for r in reporting.reports_visible(user=user).filter(
            form=form, period=period, unit__parent=unit
        )
    }
    rows = []
    for child in children:
        counts = reporting.completeness(child, form, period)
        if counts.expected:
            late = today > deadline and counts.submitted < counts.expected
            report = own.get(child.pk) if counts.expected == 1 else None
            rows.append(UnitProgress(child, counts, report, late))
    return rows


@dataclass
class Indicator:
    figure: reporting.Figure
    chart: dict


@dataclass
class KeyFigures:
    consolidation: reporting.Consolidation
    indicators: list[Indicator]


def key_figures(*, user, unit: Unit, progress: list[FormProgress]) -> KeyFigures | None:
    """The first figures of the first form, this period against the same period last year."""
    if not progress:
        return None
    first = progress[0]
    result = reporting.consolidate(user=user, unit=unit, form=first.form, period=first.period)
    before = str(result.previous_period) if result.previous_period else "–"
    indicators = [
        Indicator(
            f,
            charts.bars([(before, f.previous), (str(result.period), f.value)], f.indicator.name),
        )
        for f in result.figures[:KEY_INDICATORS]
    ]
    return KeyFigures(result, indicators)


@dataclass
class Due:
    form: ReportForm
    period: Period
    deadline: date
    report: Report | None
    late: bool


def reports_due(*, user, today: date) -> list[Due]:
    """The user's organization's report for the current period of each form it reports on,
    then any older report of theirs still in draft or returned."""
    membership = membership_of(user)
    if membership is None:
        return []
    mine = reporting.reports_visible(user=user).filter(organization=membership.organization)
    due, shown = [], set()
    for form, _periods in reporting.openable(user=user):
        period = current_period(form, today=today)
        if period is not None:
            report = mine.filter(form=form, period=period).first()
            due.append(_due(form, period, report, today))
            shown.add(report.pk if report else None)
    unfinished = mine.filter(status__in=EDITABLE).exclude(pk__in=shown)
    due += [_due(r.form, r.period, r, today) for r in unfinished.order_by("period__end")]
    return due


def _due(form, period, report, today) -> Due:
    deadline = reporting.deadline_of(form, period)
    waiting = report is None or report.is_editable
    return Due(form, period, deadline, report, late=waiting and today > deadline)


# Tasks -------------------------------------------------------------------------------------


def my_open_tasks(*, user, limit: int = 10) -> list[Assignment]:
    """What the user's organization still has to do, the nearest deadline first."""
    return list(followup.ordered(followup.my_assignments(user=user).open())[:limit])


@dataclass
class Overdue:
    unit: Unit
    count: int


def overdue_by_unit(*, user, unit: Unit, today: date) -> list[Overdue]:
    """Overdue assignments in the unit's subtree, counted by the unit directly below it that
    holds the assignee (or the unit itself), the most overdue first."""
    paths = followup.overdue(user=user, today=today).values_list(
        "organization__unit__path", flat=True
    )
    depth = len(unit.path.strip("/").split("/"))
    counts: Counter[int] = Counter()
    for path in paths:
        if not path.startswith(unit.path):
            continue
        ids = path.strip("/").split("/")
        counts[int(ids[depth] if len(ids) > depth else ids[-1])] += 1
    units = Unit.objects.in_bulk(list(counts))
    rows = [Overdue(units[pk], n) for pk, n in counts.items() if pk in units]
    return sorted(rows, key=lambda r: (-r.count, r.unit.code))


def overdue_chart(rows: list[Overdue], title: str) -> dict:
    return charts.bars([(r.unit.short_name or r.unit.name, r.count) for r in rows], title)


# Search ------------------------------------------------------------------------------------


@dataclass
class Found:
    query: str
    units: list = field(default_factory=list)
    organizations: list = field(default_factory=list)
    people: list = field(default_factory=list)
    conferences: list = field(default_factory=list)
    tasks: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(
            len(x)
            for x in (self.units, self.organizations, self.people, self.conferences, self.tasks)
        )


def search(*, user, text: str, limit: int = 20) -> Found:
    """Units, organizations, people, conferences and tasks whose names contain `text`, ignoring
    case, diacritics and tone placement ("Uỷ" = "Ủy" = "uy"), among what the user may see."""
    key = fold(text)
    found = Found(query=text.strip())
    if len(key) < 2:
        return found
    found.units = list(orgs.unit_search(user=user, text=key, limit=limit))
    found.organizations = list(orgs.organization_search(user=user, text=key, limit=limit))
    found.people = list(orgs.person_search(user=user, text=key, limit=limit))
    conferences = meetings.conferences_visible(user=user).filter(search_key__contains=key)
    found.conferences = list(conferences.order_by("-scheduled_start")[:limit])
    tasks = followup.tasks_visible(user=user).filter(search_key__contains=key)
    found.tasks = list(tasks.order_by("deadline")[:limit])
    return found


def today() -> date:
    return timezone.localdate()
