"""bench.reporting (b): the same consolidation as one DuckDB query over the approved values
exported to Parquet, the reference for what the hardware does without a rollup; and the check
that the service's national figures equal it."""

import json
import time
from decimal import Decimal
from pathlib import Path

from django.db import connection

from bench.reporting.common import samples
from giaoban.reporting import selectors

# (b) DuckDB reference ----------------------------------------------------------------------

DUCKDB_RUNS = 20

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


def export_parquet(directory: Path) -> tuple[Path, float, float]:
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


def duckdb_reads(parquet: Path, data, targets) -> tuple[dict[str, list[float]], dict]:
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
        results[t.label] = samples(
            lambda sql=sql, params=params: con.execute(sql, params).fetchall(), DUCKDB_RUNS
        )
        if kind == "nation":
            nation_rows = con.execute(sql, params).fetchall()
    con.close()
    return results, {(p, i): v for p, i, v, _n in nation_rows if p == now.pk}


def cross_check(user, data, duck_nation: dict) -> str:
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
