"""Writes of the reporting app: forms, periods, report values and the workflow.

Every status change is one function that checks the current state and the actor's right, writes
the audit entry, and (for approval) adds the report to the rollup in the same transaction.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.audit import audit_record
from giaoban.core.errors import ApplicationError, InvalidInput, PermissionDenied
from giaoban.core.limits import check_lengths
from giaoban.core.locking import save_revised
from giaoban.core.text import nfc, nfc_text
from giaoban.reporting import access, rules
from giaoban.reporting.models import (
    EDITABLE,
    NARRATIVE_MAX_LENGTH,
    Aggregation,
    FormItem,
    FormSection,
    FormVersion,
    Indicator,
    Period,
    Report,
    ReportForm,
    ReportValue,
    SectionKind,
    Status,
    ValidationRule,
    ValueType,
)
from giaoban.reporting.numbers import LIMIT, parse_number
from giaoban.reporting.periods import period_bounds

_YES = {"có", "co", "yes", "x", "1", "true", "đúng"}
_NO = {"không", "khong", "no", "0", "false", "sai"}


# Periods ---------------------------------------------------------------------------------


def period_get_or_create(
    *, kind: str, year: int, number: int = 1, cutoff_day: int | None = None
) -> Period:
    start, end = period_bounds(kind, year, number, cutoff_day)
    period, _created = Period.objects.get_or_create(
        kind=kind, year=year, number=number, start=start, defaults={"end": end}
    )
    return period


# Forms -----------------------------------------------------------------------------------


@dataclass
class SectionSpec:
    key: str
    title: str
    indicators: list[str] = field(default_factory=list)  # codes; empty for a narrative section


@transaction.atomic
def form_publish(
    *,
    code: str,
    name: str,
    period_kind: str,
    reporting_kind: str,
    reporting_levels: list[int],
    sections: list[SectionSpec],
    rules_: list[tuple[str, str]] = (),
    deadline_days: int = 5,
) -> FormVersion:
    """Publish a new version of a form; earlier versions and their reports stay as they are."""
    form, _created = ReportForm.objects.get_or_create(code=code, defaults={"name": nfc(name)})
    indicators = {i.code: i for i in Indicator.objects.all()}
    missing = [c for s in sections for c in s.indicators if c not in indicators]
    if missing:
        raise ApplicationError(_("Unknown indicators: %(codes)s.") % {"codes": ", ".join(missing)})
    for expression, _message in rules_:
        rules.parse_rule(expression, set(indicators))
    last = form.versions.order_by("-number").first()
    version = FormVersion.objects.create(
        form=form,
        number=(last.number + 1) if last else 1,
        period_kind=period_kind,
        reporting_kind=reporting_kind,
        reporting_levels=list(reporting_levels),
        deadline_days=deadline_days,
        published_at=timezone.now(),
    )
    for order, spec in enumerate(sections, start=1):
        kind = SectionKind.INDICATORS if spec.indicators else SectionKind.NARRATIVE
        section = FormSection.objects.create(
            version=version, order=order, kind=kind, key=spec.key, title=nfc(spec.title)
        )
        FormItem.objects.bulk_create(
            FormItem(
                section=section,
                indicator=indicators[c],
                order=i,
                required=indicators[c].value_type != ValueType.TEXT,
            )
            for i, c in enumerate(spec.indicators, 1)
        )
    ValidationRule.objects.bulk_create(
        ValidationRule(version=version, expression=e, message=nfc(m)) for e, m in rules_
    )
    form.name = nfc(name)
    form.save(update_fields=["name"])
    return version


def form_latest_version(form: ReportForm) -> FormVersion:
    version = form.versions.filter(published_at__isnull=False).order_by("-number").first()
    if version is None:
        raise ApplicationError(
            _("The form “%(form)s” has no published version.") % {"form": form.name}
        )
    return version


# Values ----------------------------------------------------------------------------------


def parse_value(indicator: Indicator, raw) -> Decimal | bool | str | None:
    """One typed value from what the user typed; None for an empty cell. Raises ApplicationError."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if indicator.value_type == ValueType.TEXT:
        return nfc(str(raw))
    if indicator.value_type == ValueType.BOOLEAN:
        return _parse_flag(raw)
    number = (
        raw
        if isinstance(raw, Decimal | int) and not isinstance(raw, bool)
        else parse_number(str(raw))
    )
    number = Decimal(number)
    _check_fits(indicator, number)
    if indicator.value_type == ValueType.INTEGER and number != number.to_integral_value():
        raise ApplicationError(
            _("%(name)s is counted in whole numbers.") % {"name": indicator.name}
        )
    _check_bounds(indicator, number)
    return number


def _parse_flag(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    text = nfc(str(raw)).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ApplicationError(
        _("“%(value)s” is not yes or no: write “có” or “không”.") % {"value": raw}
    )


def _check_fits(indicator: Indicator, number: Decimal) -> None:
    """Refuses what the value column cannot hold (an Excel cell of 1e30, sixteen nines), which
    otherwise failed in the database: InvalidOperation on SQLite, overflow on PostgreSQL."""
    if number.is_finite() and abs(number) < LIMIT:
        return
    raise ApplicationError(
        _("%(name)s must lie between %(min)s and %(max)s.")
        % {"name": indicator.name, "min": _plain(-LIMIT), "max": _plain(LIMIT)}
    )


def _check_bounds(indicator: Indicator, number: Decimal) -> None:
    if indicator.minimum is not None and number < indicator.minimum:
        raise ApplicationError(
            _("%(name)s cannot be less than %(min)s.")
            % {"name": indicator.name, "min": _plain(indicator.minimum)}
        )
    if indicator.maximum is not None and number > indicator.maximum:
        raise ApplicationError(
            _("%(name)s cannot be more than %(max)s.")
            % {"name": indicator.name, "max": _plain(indicator.maximum)}
        )


def _plain(number: Decimal) -> str:
    from giaoban.reporting.numbers import format_number

    return format_number(number)


def version_indicators(version: FormVersion) -> list[Indicator]:
    items = FormItem.objects.filter(section__version=version).select_related("indicator")
    return [item.indicator for item in items.order_by("section__order", "order")]


def rule_violations(version: FormVersion, values: dict[str, Decimal | bool | None]) -> list[str]:
    """Messages of the rules that the values break; rules missing a figure are not judged yet."""
    known = {i.code for i in version_indicators(version)}
    broken = []
    for rule in version.rules.all():
        try:
            if not rules.rule_holds(rules.parse_rule(rule.expression, known), values):
                broken.append(rule.message)
        except rules.Missing:
            continue
    return broken


def _stored(value: ReportValue | None):
    if value is None:
        return None
    if value.indicator.value_type == ValueType.BOOLEAN:
        return value.flag
    if value.indicator.value_type == ValueType.TEXT:
        return value.text or None
    return value.number


def report_values(report: Report) -> dict[str, Decimal | bool | str | None]:
    values = report.values.select_related("indicator")
    return {v.indicator.code: _stored(v) for v in values}


# Reports ---------------------------------------------------------------------------------


@transaction.atomic
def report_open(*, actor, organization, form: ReportForm, period: Period) -> Report:
    """The organization's report for the period, created as a draft on the latest version."""
    report = Report.objects.filter(organization=organization, form=form, period=period).first()
    if report is not None:
        return report
    version = form_latest_version(form)
    if (
        organization.kind != version.reporting_kind
        or organization.unit.level not in version.reporting_levels
    ):
        raise ApplicationError(
            _("%(org)s does not report on “%(form)s”.")
            % {"org": organization.name, "form": form.name}
        )
    report = Report(
        organization=organization, form=form, version=version, period=period, unit=organization.unit
    )
    if actor is not None and not access.can_fill(actor, report):
        raise PermissionDenied(
            _("You may not open a report for %(org)s.") % {"org": organization.name}
        )
    report.created_by = actor if actor is not None else None
    report.save()
    audit_record(
        actor=actor, action="report.open", instance=report, after={"status": report.status}
    )
    return report


@dataclass
class SaveResult:
    report: Report
    changed: int
    violations: list[str]


@transaction.atomic
def report_save(
    *, actor, report: Report, revision: int, values: dict, narrative: dict | None = None
) -> SaveResult:
    """Save what the reporter typed: all of it or none of it.

    `values` maps indicator codes to what was typed. A value that cannot be read refuses the whole
    save; a broken rule does not (a draft may be incomplete) but is reported, and blocks submission.
    """
    if actor is not None and not access.can_fill(actor, report):
        raise PermissionDenied(_("You may not change this report."))
    if not report.is_editable:
        raise ApplicationError(
            _("This report is %(status)s and can no longer be changed.")
            % {"status": report.get_status_display().lower()}
        )
    indicators = {i.code: i for i in version_indicators(report.version)}
    unknown = sorted(set(values) - set(indicators))
    if unknown:
        raise InvalidInput(
            {code: _("“%(code)s” is not on this form.") % {"code": code} for code in unknown}
        )
    parsed, errors = {}, {}
    for code, raw in values.items():
        try:
            parsed[code] = parse_value(indicators[code], raw)
        except ApplicationError as exc:
            errors[code] = exc.message
    if errors:
        raise InvalidInput(errors)
    _bump_revision(report, revision)
    changed = _write_values(actor, report, indicators, parsed)
    _write_narrative(actor, report, narrative)
    if report.status == Status.RETURNED:
        report.status = Status.DRAFT
        report.save(update_fields=["status"])
    current = {**report_values(report)}
    return SaveResult(
        report=report, changed=changed, violations=rule_violations(report.version, current)
    )


def _bump_revision(report: Report, revision: int) -> None:
    name = f"{report.form.name} – {report.organization.name}"
    save_revised(Report.objects.all(), report.pk, revision, {}, name=name)
    report.revision = revision + 1


def _write_values(actor, report, indicators, parsed) -> int:
    existing = {v.indicator.code: v for v in report.values.select_related("indicator")}
    changes = {}
    for code, value in parsed.items():
        row = existing.get(code)
        before = _stored(row)
        if before == value or (before is None and value is None):
            continue
        if row is None:
            row = ReportValue(report=report, indicator=indicators[code])
        row.number = value if indicators[code].is_numeric else None
        row.flag = value if indicators[code].value_type == ValueType.BOOLEAN else None
        row.text = value if indicators[code].value_type == ValueType.TEXT and value else ""
        row.save()
        changes[code] = [_json(before), _json(value)]
    if changes:
        audit_record(
            actor=actor,
            action="report.values",
            instance=report,
            before={c: v[0] for c, v in changes.items()},
            after={c: v[1] for c, v in changes.items()},
        )
    return len(changes)


def _write_narrative(actor, report, narrative) -> None:
    if narrative is None:
        return
    keys = set(
        report.version.sections.filter(kind=SectionKind.NARRATIVE).values_list("key", flat=True)
    )
    cleaned = {k: nfc_text(v) for k, v in narrative.items() if k in keys}
    too_long = {
        f"narrative.{k}": _("At most %(limit)d characters.") % {"limit": NARRATIVE_MAX_LENGTH}
        for k, v in cleaned.items()
        if len(v) > NARRATIVE_MAX_LENGTH
    }
    if too_long:
        raise InvalidInput(too_long)
    merged = {**report.narrative, **cleaned}
    if merged != report.narrative:
        audit_record(
            actor=actor,
            action="report.narrative",
            instance=report,
            before=report.narrative,
            after=merged,
        )
        report.narrative = merged
        report.save(update_fields=["narrative"])


def _json(value):
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


def _transition(actor, report: Report, action: str, allowed: set[str], new_status: str, **fields):
    if report.status not in allowed:
        raise ApplicationError(
            _("A report that is %(status)s cannot be %(action)s.")
            % {"status": report.get_status_display().lower(), "action": _ACTION_NAMES[action]()}
        )
    before = report.status
    report.status = new_status
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=["status", *fields])
    extra = {"reason": fields["return_reason"]} if "return_reason" in fields else {}
    audit_record(
        actor=actor,
        action=f"report.{action}",
        instance=report,
        before={"status": before},
        after={"status": new_status, **extra},
    )


_ACTION_NAMES = {
    "submit": lambda: _("submitted"),
    "return": lambda: _("returned"),
    "approve": lambda: _("approved"),
}


@transaction.atomic
def report_submit(*, actor, report: Report) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if actor is not None and not access.can_fill(actor, report):
        raise PermissionDenied(_("You may not submit this report."))
    values = report_values(report)
    missing = [i for i in _required(report.version) if values.get(i.code) is None]
    if missing:
        raise InvalidInput(
            {
                i.code: _("%(name)s is required before submitting.") % {"name": i.name}
                for i in missing
            }
        )
    broken = rule_violations(report.version, values)
    if broken:
        raise ApplicationError(" ".join(broken), code="invalid")
    _transition(
        actor,
        report,
        "submit",
        set(EDITABLE),
        Status.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=actor,
    )
    return report


def _required(version: FormVersion) -> list[Indicator]:
    items = FormItem.objects.filter(section__version=version, required=True).select_related(
        "indicator"
    )
    return [item.indicator for item in items]


@transaction.atomic
def report_return(*, actor, report: Report, reason: str) -> Report:
    report = Report.objects.select_for_update().select_related("unit").get(pk=report.pk)
    if actor is not None and not access.can_decide(actor, report):
        raise PermissionDenied(_("Only a leader of a superior unit may return this report."))
    reason = nfc(reason or "")
    if not reason:
        raise InvalidInput({"reason": _("Write why the report is returned.")})
    check_lengths(Report, {"return_reason": "reason"}, return_reason=reason)
    _transition(
        actor,
        report,
        "return",
        {Status.SUBMITTED},
        Status.RETURNED,
        decided_at=timezone.now(),
        decided_by=actor,
        return_reason=reason,
    )
    return report


@transaction.atomic
def report_approve(*, actor, report: Report) -> Report:
    report = Report.objects.select_for_update().select_related("unit").get(pk=report.pk)
    if actor is not None and not access.can_decide(actor, report):
        raise PermissionDenied(_("Only a leader of a superior unit may approve this report."))
    _transition(
        actor,
        report,
        "approve",
        {Status.SUBMITTED},
        Status.APPROVED,
        decided_at=timezone.now(),
        decided_by=actor,
    )
    _rollup_add(report)
    return report


_LEAST = {"postgresql": "LEAST", "sqlite": "MIN"}
_GREATEST = {"postgresql": "GREATEST", "sqlite": "MAX"}


def _rollup_add(report: Report) -> None:
    """Add an approved report's values to the rollup of its unit and of every unit above it.

    One INSERT … ON CONFLICT DO UPDATE: concurrent approvals of sibling communes add to their
    district's rows without losing each other's figures.
    """
    ancestors = [int(pk) for pk in report.unit.path.strip("/").split("/")]
    least, greatest = _LEAST[connection.vendor], _GREATEST[connection.vendor]
    placeholders = ", ".join(["%s"] * len(ancestors))
    sql = f"""
        INSERT INTO reporting_rollup
            (unit_id, form_id, period_id, indicator_id, total, count, yes_count, minimum, maximum)
        SELECT u.id, r.form_id, r.period_id, v.indicator_id,
               COALESCE(v.number, 0), 1, CASE WHEN v.flag THEN 1 ELSE 0 END, v.number, v.number
        FROM reporting_reportvalue v
        JOIN reporting_report r ON r.id = v.report_id
        JOIN reporting_indicator i ON i.id = v.indicator_id
        CROSS JOIN orgs_unit u
        WHERE v.report_id = %s AND u.id IN ({placeholders})
          AND i.aggregation <> %s AND i.value_type <> %s
          AND (v.number IS NOT NULL OR v.flag IS NOT NULL)
        ON CONFLICT (unit_id, form_id, period_id, indicator_id) DO UPDATE SET
            total = reporting_rollup.total + excluded.total,
            count = reporting_rollup.count + excluded.count,
            yes_count = reporting_rollup.yes_count + excluded.yes_count,
            minimum = {least}(COALESCE(reporting_rollup.minimum, excluded.minimum),
                              COALESCE(excluded.minimum, reporting_rollup.minimum)),
            maximum = {greatest}(COALESCE(reporting_rollup.maximum, excluded.maximum),
                                 COALESCE(excluded.maximum, reporting_rollup.maximum))
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [report.pk, *ancestors, Aggregation.NONE, ValueType.TEXT])


def report_check(*, report: Report, values: dict) -> tuple[dict[str, str], list[str]]:
    """What a save would say, without saving: the values that cannot be read, and the rules the
    values would break. The entry page calls it as the user types."""
    indicators = {i.code: i for i in version_indicators(report.version)}
    current = report_values(report)
    errors = {}
    for code, raw in values.items():
        if code not in indicators:
            continue
        try:
            current[code] = parse_value(indicators[code], raw)
        except ApplicationError as exc:
            errors[code] = exc.message
    return errors, rule_violations(report.version, current)
