"""bench.reporting's bulk load: approved reports and their values with COPY, the rollup built
set-based (as approvals would have left it), and the generator's own rows of the table."""

import time
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection

from bench.reporting import dataset
from bench.reporting.common import log, row, self_peak_mb, sql, sql_one
from bench.reporting.dataset import SEEDS, DataSet, figures, setup
from giaoban.orgs.models import Unit
from giaoban.reporting.models import Aggregation, Indicator, Report, Status, ValueType

# Bulk load ---------------------------------------------------------------------------------


def _detach(table: str) -> list[str]:
    """Drop a table's keys, foreign keys and indexes; return the DDL that puts them back.

    COPY into a bare table, then one index build per index, is much faster than maintaining
    six indexes row by row; and deferred foreign-key checks on 30 M rows would queue 60 M
    trigger events in memory.
    """
    constraints = sql(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')",
        [table],
    )
    names = {name for name, _kind, _ddl in constraints}
    indexes = [
        (name, ddl)
        for name, ddl in sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
        )
        if name not in names
    ]
    for name, _kind, _ddl in sorted(constraints, key=lambda c: c[1] != "f"):  # foreign keys first
        sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ddl in indexes:
        sql(f'DROP INDEX "{name}"')
    keys = [c for c in constraints if c[1] != "f"]
    foreign = [c for c in constraints if c[1] == "f"]
    return [
        *(f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {ddl}' for n, _k, ddl in keys),
        *(ddl for _n, ddl in indexes),
        *(f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {ddl}' for n, _k, ddl in foreign),
    ]


def _next_id(table: str) -> int:
    return sql_one(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")


def _sync_sequence(table: str) -> None:
    """Ids were given explicitly: move the identity on, so that services can insert after."""
    sql(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def _report_plan(data: DataSet):
    """(form, version, period, commune) of every generated report, grouped by form and period
    (as a period's reports arrive together); the last month leaves out the communes reserved
    for (c)."""
    reserved = {c.pk for c in data.reserved}
    last_month = data.periods["month"][-1]
    for kind, (form, version_id) in data.forms.items():
        for period in data.periods[kind]:
            for commune in data.communes:
                if period == last_month and commune.pk in reserved:
                    continue
                yield form.pk, version_id, period, commune


def _copy_reports(data: DataSet) -> list[tuple[int, int, int]]:
    """COPY the approved reports; returns (report id, commune index, period index) of each."""
    first_id = _next_id("reporting_report")
    index = {c.pk: i for i, c in enumerate(data.communes)}
    period_index = {p.pk: i for i, p in enumerate(p for ps in data.periods.values() for p in ps)}
    written = []
    columns = (
        "id, organization_id, form_id, version_id, period_id, unit_id, status, narrative, "
        "created_at, submitted_at, decided_at, return_reason, revision, is_illustrative"
    )
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY reporting_report ({columns}) FROM STDIN") as copy,
    ):
        for report_id, (form_id, version_id, period, commune) in enumerate(
            _report_plan(data), first_id
        ):
            # Submitted and approved the day after the period ends: on time.
            day = (period.end + timedelta(days=1)).isoformat()
            sent, decided = f"{day} 09:00:00+07", f"{day} 15:00:00+07"
            copy.write(
                f"{report_id}\t{data.orgs[commune.pk]}\t{form_id}\t{version_id}\t{period.pk}\t"
                f"{commune.pk}\t{Status.APPROVED}\t{{}}\t{sent}\t{sent}\t{decided}\t\t1\tf\n"
            )
            written.append((report_id, index[commune.pk], period_index[period.pk]))
    _sync_sequence("reporting_report")
    return written


def _value_tails(indicators: list[Indicator]) -> list[list[str]]:
    """For each seed, the "indicator, number, flag, text" part of each value's COPY line:
    precomputed, so that Python is not the bottleneck of a 30 M-row COPY."""
    return [
        [
            f"{ind.pk}\t{figure}\t\n"
            for ind, figure in zip(indicators, figures(indicators, seed), strict=True)
        ]
        for seed in range(SEEDS)
    ]


def _copy_values(data: DataSet, reports: list[tuple[int, int, int]]) -> int:
    tails = _value_tails(data.indicators)
    value_id = _next_id("reporting_reportvalue")
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY reporting_reportvalue (id, report_id, indicator_id, number, flag, text) "
            "FROM STDIN"
        ) as copy,
    ):
        for report_id, commune, period in reports:
            lines = tails[(commune * 37 + period * 11) % SEEDS]
            copy.write(
                "".join(f"{value_id + k}\t{report_id}\t{tail}" for k, tail in enumerate(lines))
            )
            value_id += len(lines)
    _sync_sequence("reporting_reportvalue")
    return sql_one("SELECT COUNT(*) FROM reporting_reportvalue")


_ROLLUP_COLUMNS = (
    "unit_id, form_id, period_id, indicator_id, total, count, yes_count, minimum, maximum"
)


def _rollup_communes() -> None:
    """The reporting units' rows, from the approved values, as `_rollup_add` writes them.

    One report per (organization, form, period) and one board per commune make a value its
    commune's rollup row: no GROUP BY needed (the rollup's unique key, rebuilt after, would
    refuse a duplicate).
    """
    sql(
        f"""
        INSERT INTO reporting_rollup ({_ROLLUP_COLUMNS})
        SELECT r.unit_id, r.form_id, r.period_id, v.indicator_id, COALESCE(v.number, 0), 1,
               CASE WHEN v.flag THEN 1 ELSE 0 END, v.number, v.number
        FROM reporting_reportvalue v
        JOIN reporting_report r ON r.id = v.report_id
        JOIN reporting_indicator i ON i.id = v.indicator_id
        WHERE r.status = %s AND i.aggregation <> %s AND i.value_type <> %s
          AND (v.number IS NOT NULL OR v.flag IS NOT NULL)
        """,
        [Status.APPROVED, Aggregation.NONE, ValueType.TEXT],
    )


def _rollup_parents(parents: list[int]) -> None:
    """The rows of `parents`, each the sum of its children's rows (sum, count, min, max)."""
    sql(
        f"""
        INSERT INTO reporting_rollup ({_ROLLUP_COLUMNS})
        SELECT u.parent_id, ro.form_id, ro.period_id, ro.indicator_id, SUM(ro.total),
               SUM(ro.count), SUM(ro.yes_count), MIN(ro.minimum), MAX(ro.maximum)
        FROM reporting_rollup ro JOIN orgs_unit u ON u.id = ro.unit_id
        WHERE u.parent_id = ANY(%s)
        GROUP BY u.parent_id, ro.form_id, ro.period_id, ro.indicator_id
        """,
        [parents],
    )


@contextmanager
def _phase(data: DataSet, name: str):
    log(f"{name}…")
    start = time.perf_counter()
    yield
    data.seconds[name] = time.perf_counter() - start


def generate() -> DataSet:
    start = time.perf_counter()
    data = setup()
    data.seconds["units, boards, indicators, forms, periods"] = time.perf_counter() - start
    # Session settings for the bulk load only: bigger sorts for index builds and aggregation.
    sql("SET maintenance_work_mem = '1GB'")
    sql("SET work_mem = '256MB'")
    sql("SET synchronous_commit = off")
    restore = _detach("reporting_reportvalue") + _detach("reporting_rollup")
    with _phase(data, "COPY reports"):
        reports = _copy_reports(data)
    with _phase(data, "COPY values"):
        _copy_values(data, reports)
    del reports
    with _phase(data, "rollup: communes"):
        sql("ANALYZE reporting_reportvalue")
        _rollup_communes()
    with _phase(data, "rollup: provinces, nation"):
        sql("ANALYZE reporting_rollup")
        _rollup_parents(list(Unit.objects.filter(parent=data.nation).values_list("pk", flat=True)))
        _rollup_parents([data.nation.pk])
    with _phase(data, "indexes and keys rebuilt"):
        for ddl in restore:
            sql(ddl)
    with _phase(data, "VACUUM ANALYZE, CHECKPOINT"):
        # The units and boards too: their statistics, stale after the load, decide the plans of
        # the completeness counts (autovacuum would get there, later).
        sql(
            "VACUUM ANALYZE reporting_report, reporting_reportvalue, reporting_rollup, "
            "orgs_unit, orgs_organization"
        )
        sql("CHECKPOINT")  # write the load out now, not during the timed reads
    sql("RESET ALL")
    data.seconds["total"] = time.perf_counter() - start
    return data


def generator_rows(data: DataSet, backend_peak: float | None) -> list[dict]:
    counts = {
        "reports": Report.objects.count(),
        "values": sql_one("SELECT COUNT(*) FROM reporting_reportvalue"),
        "rollup rows": sql_one("SELECT COUNT(*) FROM reporting_rollup"),
    }
    sizes = {
        t: sql_one("SELECT pg_size_pretty(pg_total_relation_size(%s::regclass))", [t])
        for t in ("reporting_reportvalue", "reporting_rollup")
    }
    db_size = sql_one("SELECT pg_size_pretty(pg_database_size(current_database()))")
    periods = sum(len(p) for p in data.periods.values())
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in data.seconds.items() if k != "total")
    backend = f"{backend_peak:.0f} MB" if backend_peak else "unknown"
    return [
        row(
            f"data set (BENCH_SCALE={dataset.SCALE:g})",
            note=(
                f"{len(data.communes)} communes in {len(Unit.objects.filter(parent=data.nation))} "
                f"provinces, {len(data.indicators)} indicators, {periods} periods "
                f"({', '.join(f'{len(v)} {k}' for k, v in data.periods.items())}) in "
                f"{len(dataset.years())} years; {counts['reports']:,} reports, "
                f"{counts['values']:,} "
                f"values, {counts['rollup rows']:,} rollup rows"
            ),
        ),
        row(
            "generate (COPY + set-based rollup)",
            f"{data.seconds['total'] * 1000:.0f}",
            "(once)",
            note=phases,
        ),
        row(
            "generator peak memory",
            note=(
                f"bench process {self_peak_mb():.0f} MB (ru_maxrss); its PostgreSQL backend "
                f"{backend} (VmHWM, incl. shared buffers touched; parallel index-build workers "
                f"not counted); database {db_size}: values {sizes['reporting_reportvalue']}, "
                f"rollup {sizes['reporting_rollup']}"
            ),
        ),
    ]
