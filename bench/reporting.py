"""Reporting at national size: consolidated reads and approval over tens of millions of values.

The data set: the 2025 structure (34 provinces, 3,321 communes) under one root unit "Cả nước",
a mobilization board per commune, 150 indicators, and five forms sharing them, one per periodicity
(a form version has one period kind): monthly, quarterly, 6-month, 9-month and yearly, over
2026-2028 (the 2025 units are valid then) = 60 periods. Every commune reports on every period,
all approved: 3,321 x 60 reports, x 150 = ~30 M values. Reports and values are written with COPY,
and the rollup that approval maintains is built set-based, as `_rollup_add` would have left it.

Measured, side by side on PostgreSQL:
  (a) `selectors.consolidate` for the nation, a province and a commune (the yearly form, last
      year), in-process and through GET /api/v1/reports/consolidated/ on a real server;
  (b) the same consolidation as one DuckDB query over the values exported to Parquet: what the
      hardware does scanning the raw values, without a rollup;
  (c) `services.report_approve` of a fresh commune report (monthly form, last month), which adds
      the report to the rollup of the commune, its province and the nation.

BENCH_SCALE (default 1.0) shrinks communes, indicators and years to try the bench quickly.
SQLite is skipped: the generator needs COPY. Prints one JSON line of rows for bench/__main__.py.
"""

import http.client
import io
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from giaoban.core.services import token_create  # noqa: E402
from giaoban.orgs.models import Organization, OrgKind, Unit  # noqa: E402
from giaoban.orgs.services import units_rebuild_paths  # noqa: E402
from giaoban.orgs.unitdata import REFORM_DATE  # noqa: E402
from giaoban.reporting import selectors, services  # noqa: E402
from giaoban.reporting.models import (  # noqa: E402
    Aggregation,
    Indicator,
    Period,
    Report,
    ReportForm,
    Status,
    ValueType,
)

SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
FIRST_YEAR = 2026  # the 2025 structure is valid from 1/7/2025: whole years start in 2026
PERIOD_NUMBERS = {"month": 12, "quarter": 4, "half": 2, "nine": 1, "year": 1}
READ_RUNS, HTTP_RUNS, DUCKDB_RUNS, APPROVALS = 200, 200, 20, 50
GOAL_READ_MS, GOAL_RATIO, GOAL_APPROVE_MS = 100.0, 3.0, 50.0

# 150 indicators, mostly whole-number sums; the kinds of `Aggregation`, in these proportions.
INDICATOR_MIX = [
    (ValueType.INTEGER, Aggregation.SUM, 120),
    (ValueType.DECIMAL, Aggregation.SUM, 15),
    (ValueType.DECIMAL, Aggregation.AVERAGE, 5),
    (ValueType.INTEGER, Aggregation.MINIMUM, 3),
    (ValueType.INTEGER, Aggregation.MAXIMUM, 3),
    (ValueType.BOOLEAN, Aggregation.COUNT_YES, 4),
]


def _log(message: str) -> None:
    """Progress on stderr (bench/__main__.py keeps only stdout's last line)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# Timing ------------------------------------------------------------------------------------


def _samples(fn, runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return sorted(samples)


def _p50(samples: list[float]) -> float:
    return statistics.median(samples)


def _p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]


def _row(operation, p50="", p95="", goal="", met="", note="") -> dict:
    fmt = lambda v: f"{v:.2f}" if isinstance(v, float) else str(v)  # noqa: E731
    return {
        "operation": operation,
        "p50 ms": fmt(p50),
        "p95 ms": fmt(p95),
        "goal": goal,
        "met": met,
        "note": note,
    }


def _timed_row(operation, samples, goal="", met="", note="") -> dict:
    return _row(operation, _p50(samples), _p95(samples), goal, met, note or f"{len(samples)} runs")


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


# Memory ------------------------------------------------------------------------------------


def _self_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def _proc_peak_mb(pid: int) -> float | None:
    """VmHWM of a process: its peak resident set (for PostgreSQL, with shared buffers touched)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _sql(query: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else None


def _sql_one(query: str, params=()):
    return _sql(query, params)[0][0]


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


def _years() -> list[int]:
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
    count = max(12, round(150 * SCALE))
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
            for year in _years()
            for n in range(1, count + 1)
        ]
        for kind, count in PERIOD_NUMBERS.items()
    }


def _setup() -> DataSet:
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


# Bulk load ---------------------------------------------------------------------------------


def _detach(table: str) -> list[str]:
    """Drop a table's keys, foreign keys and indexes; return the DDL that puts them back.

    COPY into a bare table, then one index build per index, is much faster than maintaining
    six indexes row by row; and deferred foreign-key checks on 30 M rows would queue 60 M
    trigger events in memory.
    """
    constraints = _sql(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')",
        [table],
    )
    names = {name for name, _kind, _ddl in constraints}
    indexes = [
        (name, ddl)
        for name, ddl in _sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
        )
        if name not in names
    ]
    for name, _kind, _ddl in sorted(constraints, key=lambda c: c[1] != "f"):  # foreign keys first
        _sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ddl in indexes:
        _sql(f'DROP INDEX "{name}"')
    keys = [c for c in constraints if c[1] != "f"]
    foreign = [c for c in constraints if c[1] == "f"]
    return [
        *(f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {ddl}' for n, _k, ddl in keys),
        *(ddl for _n, ddl in indexes),
        *(f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {ddl}' for n, _k, ddl in foreign),
    ]


def _next_id(table: str) -> int:
    return _sql_one(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")


def _sync_sequence(table: str) -> None:
    """Ids were given explicitly: move the identity on, so that services can insert after."""
    _sql(
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


SEEDS = 1009  # distinct value patterns; a report's seed comes from its commune and period


def _figures(indicators: list[Indicator], seed: int) -> list[str]:
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


def _value_tails(indicators: list[Indicator]) -> list[list[str]]:
    """For each seed, the "indicator, number, flag, text" part of each value's COPY line:
    precomputed, so that Python is not the bottleneck of a 30 M-row COPY."""
    return [
        [
            f"{ind.pk}\t{figure}\t\n"
            for ind, figure in zip(indicators, _figures(indicators, seed), strict=True)
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
    return _sql_one("SELECT COUNT(*) FROM reporting_reportvalue")


_ROLLUP_COLUMNS = (
    "unit_id, form_id, period_id, indicator_id, total, count, yes_count, minimum, maximum"
)


def _rollup_communes() -> None:
    """The reporting units' rows, from the approved values, as `_rollup_add` writes them.

    One report per (organization, form, period) and one board per commune make a value its
    commune's rollup row: no GROUP BY needed (the rollup's unique key, rebuilt after, would
    refuse a duplicate).
    """
    _sql(
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
    _sql(
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
    _log(f"{name}…")
    start = time.perf_counter()
    yield
    data.seconds[name] = time.perf_counter() - start


def generate() -> DataSet:
    start = time.perf_counter()
    data = _setup()
    data.seconds["units, boards, indicators, forms, periods"] = time.perf_counter() - start
    # Session settings for the bulk load only: bigger sorts for index builds and aggregation.
    _sql("SET maintenance_work_mem = '1GB'")
    _sql("SET work_mem = '256MB'")
    _sql("SET synchronous_commit = off")
    restore = _detach("reporting_reportvalue") + _detach("reporting_rollup")
    with _phase(data, "COPY reports"):
        reports = _copy_reports(data)
    with _phase(data, "COPY values"):
        _copy_values(data, reports)
    del reports
    with _phase(data, "rollup: communes"):
        _sql("ANALYZE reporting_reportvalue")
        _rollup_communes()
    with _phase(data, "rollup: provinces, nation"):
        _sql("ANALYZE reporting_rollup")
        _rollup_parents(list(Unit.objects.filter(parent=data.nation).values_list("pk", flat=True)))
        _rollup_parents([data.nation.pk])
    with _phase(data, "indexes and keys rebuilt"):
        for ddl in restore:
            _sql(ddl)
    with _phase(data, "VACUUM ANALYZE, CHECKPOINT"):
        # The units and boards too: their statistics, stale after the load, decide the plans of
        # the completeness counts (autovacuum would get there, later).
        _sql(
            "VACUUM ANALYZE reporting_report, reporting_reportvalue, reporting_rollup, "
            "orgs_unit, orgs_organization"
        )
        _sql("CHECKPOINT")  # write the load out now, not during the timed reads
    _sql("RESET ALL")
    data.seconds["total"] = time.perf_counter() - start
    return data


def _generator_rows(data: DataSet, backend_peak: float | None) -> list[dict]:
    counts = {
        "reports": Report.objects.count(),
        "values": _sql_one("SELECT COUNT(*) FROM reporting_reportvalue"),
        "rollup rows": _sql_one("SELECT COUNT(*) FROM reporting_rollup"),
    }
    sizes = {
        t: _sql_one("SELECT pg_size_pretty(pg_total_relation_size(%s::regclass))", [t])
        for t in ("reporting_reportvalue", "reporting_rollup")
    }
    db_size = _sql_one("SELECT pg_size_pretty(pg_database_size(current_database()))")
    periods = sum(len(p) for p in data.periods.values())
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in data.seconds.items() if k != "total")
    backend = f"{backend_peak:.0f} MB" if backend_peak else "unknown"
    return [
        _row(
            f"data set (BENCH_SCALE={SCALE:g})",
            note=(
                f"{len(data.communes)} communes in {len(Unit.objects.filter(parent=data.nation))} "
                f"provinces, {len(data.indicators)} indicators, {periods} periods "
                f"({', '.join(f'{len(v)} {k}' for k, v in data.periods.items())}) in "
                f"{len(_years())} years; {counts['reports']:,} reports, {counts['values']:,} "
                f"values, {counts['rollup rows']:,} rollup rows"
            ),
        ),
        _row(
            "generate (COPY + set-based rollup)",
            f"{data.seconds['total'] * 1000:.0f}",
            "(once)",
            note=phases,
        ),
        _row(
            "generator peak memory",
            note=(
                f"bench process {_self_peak_mb():.0f} MB (ru_maxrss); its PostgreSQL backend "
                f"{backend} (VmHWM, incl. shared buffers touched; parallel index-build workers "
                f"not counted); database {db_size}: values {sizes['reporting_reportvalue']}, "
                f"rollup {sizes['reporting_rollup']}"
            ),
        ),
    ]


# (a) Consolidated reads --------------------------------------------------------------------


@dataclass
class Target:
    label: str
    unit: Unit


def _targets(data: DataSet) -> list[Target]:
    # The province with most communes in the data set: the heaviest province-level read.
    counts = {}
    for c in data.communes:
        counts[c.parent_id] = counts.get(c.parent_id, 0) + 1
    province = Unit.objects.get(pk=max(counts, key=counts.get))
    return [
        Target("nation", data.nation),
        Target(f"province {province.code} {province.name}", province),
        Target(f"commune {data.communes[0].code} {data.communes[0].name}", data.communes[0]),
    ]


def _superuser():
    user = get_user_model().objects.filter(username="bench").first()
    return user or get_user_model().objects.create_superuser("bench", "bench@example.invalid", None)


def _service_reads(user, data, targets) -> dict[str, list[float]]:
    form, _v = data.forms["year"]
    period = data.periods["year"][-1]
    return {
        t.label: _samples(
            lambda t=t: selectors.consolidate(user=user, unit=t.unit, form=form, period=period),
            READ_RUNS,
        )
        for t in targets
    }


def _data_dir() -> Path:
    """Scratch files go to the data directory bench/__main__.py makes (and removes) per run."""
    return Path(os.environ.get("GIAOBAN_DATA_DIR", "."))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "giaoban", "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"giaoban serve exited on start: {_tail(log)}") from None
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"giaoban serve did not start within 60 s: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-1000:]


def _get(conn: http.client.HTTPConnection, path: str, token: str) -> bytes:
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return body


def _http_reads(user, data, targets) -> tuple[dict[str, list[float]], float | None]:
    """The same reads through the API on a real server (one keep-alive connection), and the
    server's peak memory after them."""
    _token, raw = token_create(username=user.username, name="bench")
    form, _v = data.forms["year"]
    period = data.periods["year"][-1]
    port = _free_port()
    log = _data_dir() / "server.log"
    server = _start_server(port, log)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        results = {}
        for t in targets:
            path = (
                f"/api/v1/reports/consolidated/"
                f"?form={form.code}&period={period.pk}&unit={t.unit.code}"
            )
            results[t.label] = _samples(lambda path=path: _get(conn, path, raw), HTTP_RUNS)
        conn.close()
        return results, _proc_peak_mb(server.pid)
    except Exception as exc:
        raise RuntimeError(f"{exc}; server log: {_tail(log)}") from exc
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# (c) Approval ------------------------------------------------------------------------------


def _raw_values(indicators, seed: int) -> dict:
    """The same figures as the generator's, as a user would send them to `report_save`."""
    values = {}
    for ind, figure in zip(indicators, _figures(indicators, seed), strict=True):
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


def _approvals(user, data) -> tuple[list[float], list[float]]:
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


def _check_approvals_live(data) -> str:
    """After the approvals, the nation's rollup for the last month counts every commune."""
    form, _v = data.forms["month"]
    counted = _sql_one(
        "SELECT MAX(count) FROM reporting_rollup WHERE unit_id = %s AND form_id = %s "
        "AND period_id = %s",
        [data.nation.pk, form.pk, data.periods["month"][-1].pk],
    )
    if counted != len(data.communes):
        raise AssertionError(f"nation counts {counted} reports, expected {len(data.communes)}")
    return f"after them the nation's last month counts all {counted} communes"


# (b) DuckDB reference ----------------------------------------------------------------------

_EXPORT = """
COPY (
    SELECT v.report_id, r.form_id, r.period_id, r.unit_id, u.parent_id AS province_id,
           v.indicator_id, i.aggregation, v.number, v.flag
    FROM reporting_reportvalue v
    JOIN reporting_report r ON r.id = v.report_id
    JOIN orgs_unit u ON u.id = r.unit_id
    JOIN reporting_indicator i ON i.id = v.indicator_id
    WHERE r.status = 'approved' AND i.aggregation <> 'none' AND i.value_type <> 'text'
) TO STDOUT (FORMAT csv)
"""

_CSV_COLUMNS = {
    "report_id": "BIGINT",
    "form_id": "BIGINT",
    "period_id": "BIGINT",
    "unit_id": "BIGINT",
    "province_id": "BIGINT",
    "indicator_id": "BIGINT",
    "aggregation": "VARCHAR",
    "number": "DECIMAL(20,4)",
    "flag": "BOOLEAN",
}


def _export_parquet(directory: Path) -> tuple[Path, float, float]:
    """Approved values with their unit and province, PostgreSQL -> CSV -> Parquet (DuckDB's
    postgres scanner is not available offline). Sorted by form and period, as a columnar store
    partitioned by period would hold them, so a period's read skips the other row groups."""
    import duckdb

    csv_path, parquet = directory / "values.csv", directory / "values.parquet"
    start = time.perf_counter()
    with open(csv_path, "wb") as out, connection.cursor() as cursor, cursor.copy(_EXPORT) as copy:
        for chunk in copy:
            out.write(chunk)
    exported = time.perf_counter() - start
    start = time.perf_counter()
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{csv_path}', header = false, columns = "
        f"{json.dumps(_CSV_COLUMNS)}, nullstr = '') ORDER BY form_id, period_id) "
        f"TO '{parquet}' (FORMAT parquet)"
    )
    csv_path.unlink()
    return parquet, exported, time.perf_counter() - start


def _duckdb_query(parquet: Path, where: str) -> str:
    """Per indicator, this period and the same period a year before, each consolidated by the
    indicator's rule, with the number of values counted (= approved reports): what
    `consolidate` returns from the rollup, computed here from the raw values."""
    return f"""
        SELECT period_id, indicator_id,
               CASE any_value(aggregation)
                   WHEN 'sum' THEN SUM(number)
                   WHEN 'avg' THEN AVG(number)
                   WHEN 'min' THEN MIN(number)
                   WHEN 'max' THEN MAX(number)
                   WHEN 'count_yes' THEN COUNT_IF(flag)
               END AS value,
               COUNT(*) AS counted
        FROM read_parquet('{parquet}')
        WHERE form_id = $form AND period_id IN ($now, $before) {where}
        GROUP BY period_id, indicator_id
    """


def _duckdb_reads(parquet: Path, data, targets) -> tuple[dict[str, list[float]], dict]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET parquet_metadata_cache = true")  # warm runs, as PostgreSQL's are
    form, _v = data.forms["year"]
    now, before = data.periods["year"][-1], data.periods["year"][-2]
    wheres = {
        "nation": "",
        "province": "AND province_id = $unit",
        "commune": "AND unit_id = $unit",
    }
    results, nation_rows = {}, None
    for t in targets:
        kind = t.label.split()[0]
        sql = _duckdb_query(parquet, wheres[kind])
        params = {"form": form.pk, "now": now.pk, "before": before.pk}
        if kind != "nation":
            params["unit"] = t.unit.pk
        results[t.label] = _samples(
            lambda sql=sql, params=params: con.execute(sql, params).fetchall(), DUCKDB_RUNS
        )
        if kind == "nation":
            nation_rows = con.execute(sql, params).fetchall()
    con.close()
    return results, {(p, i): v for p, i, v, _n in nation_rows if p == now.pk}


def _cross_check(user, data, duck_nation: dict) -> str:
    """The service's national figures equal DuckDB's over the raw values: the rollup is right."""
    form, _v = data.forms["year"]
    period = data.periods["year"][-1]
    result = selectors.consolidate(user=user, unit=data.nation, form=form, period=period)
    for figure in result.figures:
        expected = Decimal(str(duck_nation[(period.pk, figure.indicator.pk)]))
        if abs(expected - figure.value) > Decimal("0.0001") * max(1, abs(figure.value)):
            raise AssertionError(
                f"{figure.indicator.code}: service {figure.value}, DuckDB {expected}"
            )
    return f"service and DuckDB agree on all {len(result.figures)} national figures"


# Report ------------------------------------------------------------------------------------


def _read_rows(service, http, duck, server_peak, check, targets) -> list[dict]:
    rows = []
    nation = targets[0].label
    ratio = _p95(service[nation]) / _p95(duck[nation])
    for t in targets:
        is_nation = t.label == nation
        s95 = _p95(service[t.label])
        rows.append(
            _timed_row(
                f"(a) consolidated read, service: {t.label}",
                service[t.label],
                goal=f"p95 < {GOAL_READ_MS:.0f} ms, ≤ {GOAL_RATIO:g}× DuckDB" if is_nation else "",
                met=_yes(s95 < GOAL_READ_MS and ratio <= GOAL_RATIO) if is_nation else "",
                note=(
                    f"{len(service[t.label])} runs, warm; p95 = {ratio:.2f}× DuckDB's p95"
                    if is_nation
                    else ""
                ),
            )
        )
    for t in targets:
        rows.append(_timed_row(f"(a) consolidated read, HTTP API: {t.label}", http[t.label]))
    for t in targets:
        rows.append(
            _timed_row(
                f"(b) DuckDB over Parquet: {t.label}",
                duck[t.label],
                note=check if t.label == nation else "",
            )
        )
    rows.append(
        _row(
            "server peak memory",
            note=f"giaoban serve (uvicorn, 1 worker): {server_peak:.0f} MB VmHWM"
            if server_peak
            else "unknown",
        )
    )
    return rows


def _skipped() -> list[dict]:
    return [
        _row(
            "reporting at national size",
            "-",
            "-",
            note="skipped: PostgreSQL only (the generator loads with COPY)",
        )
    ]


def main() -> None:
    if connection.vendor != "postgresql":
        print(json.dumps(_skipped(), ensure_ascii=False))
        return
    try:
        rows = _measure()
    except Exception as exc:
        # bench/__main__.py shows only stdout's last line: put the failure in the table.
        traceback.print_exc()
        rows = [_row("reporting at national size", "-", "-", note=f"FAILED: {exc!r}"[:2000])]
    print(json.dumps(rows, ensure_ascii=False))


def _measure() -> list[dict]:
    data = generate()
    backend_peak = _proc_peak_mb(_sql_one("SELECT pg_backend_pid()"))
    rows = _generator_rows(data, backend_peak)
    user = _superuser()
    targets = _targets(data)
    _log("(a) service reads…")
    service = _service_reads(user, data, targets)
    _log("(a) HTTP reads…")
    http, server_peak = _http_reads(user, data, targets)
    _log("(c) approvals…")
    approvals, rollups = _approvals(user, data)
    live = _check_approvals_live(data)
    _log("(b) DuckDB…")
    parquet, export_s, convert_s = _export_parquet(_data_dir())
    duck, duck_nation = _duckdb_reads(parquet, data, targets)
    check = _cross_check(user, data, duck_nation)
    parquet_mb = parquet.stat().st_size / 2**20
    parquet.unlink()
    rows += _read_rows(service, http, duck, server_peak, check, targets)
    rows.append(
        _timed_row(
            "(c) approve one commune report (whole transaction)",
            approvals,
            goal=f"p95 < {GOAL_APPROVE_MS:.0f} ms",
            met=_yes(_p95(approvals) < GOAL_APPROVE_MS),
            note=f"{len(approvals)} fresh reports, {len(data.indicators)} values each; {live}",
        )
    )
    rows.append(_timed_row("  of which the rollup (_rollup_add)", rollups))
    rows.append(
        _row(
            "(b) export values to Parquet",
            f"{(export_s + convert_s) * 1000:.0f}",
            "(once)",
            note=(
                f"PostgreSQL COPY to CSV {export_s:.0f} s, DuckDB CSV to Parquet sorted by form "
                f"and period {convert_s:.0f} s; {parquet_mb:.0f} MB Parquet; bench process peak "
                f"with DuckDB {_self_peak_mb():.0f} MB"
            ),
        )
    )
    return rows


if __name__ == "__main__":
    main()
