"""bench.reporting (c): approving fresh commune reports, each adding itself to the rollup of its
commune, province and the nation, timed with the rollup statement within."""

import time
from decimal import Decimal

from bench.reporting.common import sql_one
from bench.reporting.dataset import figures
from giaoban.orgs.models import Organization
from giaoban.reporting import services
from giaoban.reporting.models import Report, ValueType

# (c) Approval ------------------------------------------------------------------------------


def _raw_values(indicators, seed: int) -> dict:
    """The same figures as the generator's, as a user would send them to `report_save`."""
    values = {}
    for ind, figure in zip(indicators, figures(indicators, seed), strict=True):
        number, flag = figure.split("\t")
        if ind.value_type == ValueType.BOOLEAN:
            values[ind.code] = flag == "t"
        else:
            values[ind.code] = Decimal(number)
    return values


def _submitted_report(user, data, commune, seed) -> Report:
    """A fresh report of a reserved commune for the last month, filled and submitted."""
    form, _v = data.forms["month"]
    org = Organization.objects.select_related("unit").get(pk=data.orgs[commune.pk])
    report = services.report_open(
        actor=user, organization=org, form=form, period=data.periods["month"][-1]
    )
    values = _raw_values(data.indicators, seed)
    services.report_save(actor=user, report=report, revision=report.revision, values=values)
    return services.report_submit(actor=user, report=report)


def approvals(user, data) -> tuple[list[float], list[float]]:
    """Time each approval (its transaction, with the rollup of commune, province and nation),
    and within it the rollup statement, by wrapping `services._rollup_add`."""
    rollup_times: list[float] = []
    original = services._rollup_add

    def timed_rollup(report):
        start = time.perf_counter()
        original(report)
        rollup_times.append((time.perf_counter() - start) * 1000)

    reports = [_submitted_report(user, data, c, i) for i, c in enumerate(data.reserved)]
    samples = []
    services._rollup_add = timed_rollup
    try:
        for report in reports:
            start = time.perf_counter()
            services.report_approve(actor=user, report=report)
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        services._rollup_add = original
    return sorted(samples), sorted(rollup_times)


def check_approvals_live(data) -> str:
    """After the approvals, the nation's rollup for the last month counts every commune."""
    form, _v = data.forms["month"]
    counted = sql_one(
        "SELECT MAX(count) FROM reporting_rollup WHERE unit_id = %s AND form_id = %s "
        "AND period_id = %s",
        [data.nation.pk, form.pk, data.periods["month"][-1].pk],
    )
    if counted != len(data.communes):
        raise AssertionError(f"nation counts {counted} reports, expected {len(data.communes)}")
    return f"after them the nation's last month counts all {counted} communes"
