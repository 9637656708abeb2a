"""bench.reporting's run: generate, measure (a), (c) and (b) in that order, and print the table."""

import json
import traceback

from django.db import connection

from bench.reporting.approvals import approvals, check_approvals_live
from bench.reporting.common import (
    data_dir,
    log,
    p50,
    p95,
    proc_peak_mb,
    row,
    self_peak_mb,
    sql_one,
    timed_row,
    yes,
)
from bench.reporting.duck import cross_check, duckdb_reads, export_parquet
from bench.reporting.load import generate, generator_rows
from bench.reporting.reads import BENCH_TOKEN_RATE, reads, superuser, targets

GOAL_READ_MS, GOAL_RATIO, GOAL_APPROVE_MS = 100.0, 3.0, 50.0
GOAL_HTTP_RATIO = 1.5  # the national read through the API within 1.5x the service's (issue 15)


def _service_rows(service, duck, targets) -> list[dict]:
    nation = targets[0].label
    ratio = p95(service[nation]) / p95(duck[nation])
    rows = [
        timed_row(
            f"(a) consolidated read, service: {nation}",
            service[nation],
            goal=f"p95 < {GOAL_READ_MS:.0f} ms, ≤ {GOAL_RATIO:g}× DuckDB",
            met=yes(p95(service[nation]) < GOAL_READ_MS and ratio <= GOAL_RATIO),
            note=f"{len(service[nation])} runs, warm; p95 = {ratio:.2f}× DuckDB's p95",
        )
    ]
    rows += [
        timed_row(f"(a) consolidated read, service: {t.label}", service[t.label], note="")
        for t in targets[1:]
    ]
    return rows


def _http_rows(service, http, targets) -> list[dict]:
    """The API's reads, with their p50 and p95 as ratios to the service's (goal at the nation)."""
    rows = []
    for i, t in enumerate(targets):
        ratios = (
            p50(http[t.label]) / p50(service[t.label]),
            p95(http[t.label]) / p95(service[t.label]),
        )
        rows.append(
            timed_row(
                f"(a) consolidated read, HTTP API: {t.label}",
                http[t.label],
                goal="" if i else f"p50, p95 ≤ {GOAL_HTTP_RATIO:g}× service",
                met="" if i else yes(max(ratios) <= GOAL_HTTP_RATIO),
                note=(
                    f"{len(http[t.label])} runs, each after one service read; one keep-alive"
                    f" connection, Bearer token; the server's API_TOKEN_RATE={BENCH_TOKEN_RATE}"
                    " (the default 600/m answers these reads with 429)"
                ),
                ratio=f"{ratios[0]:.2f}/{ratios[1]:.2f}",
            )
        )
    return rows


def _read_rows(service, http, duck, server_peak, check, targets) -> list[dict]:
    rows = _service_rows(service, duck, targets) + _http_rows(service, http, targets)
    nation = targets[0].label
    for t in targets:
        rows.append(
            timed_row(
                f"(b) DuckDB over Parquet: {t.label}",
                duck[t.label],
                note=check if t.label == nation else "",
            )
        )
    rows.append(
        row(
            "server peak memory",
            note=f"giaoban serve (uvicorn, 1 worker): {server_peak:.0f} MB VmHWM"
            if server_peak
            else "unknown",
        )
    )
    return rows


def _skipped() -> list[dict]:
    return [
        row(
            "reporting at national size",
            "-",
            "-",
            note="skipped: PostgreSQL only (the generator loads with COPY)",
        )
    ]


def _approval_rows(data, times, rollups, live) -> list[dict]:
    return [
        timed_row(
            "(c) approve one commune report (whole transaction)",
            times,
            goal=f"p95 < {GOAL_APPROVE_MS:.0f} ms",
            met=yes(p95(times) < GOAL_APPROVE_MS),
            note=f"{len(times)} fresh reports, {len(data.indicators)} values each; {live}",
        ),
        timed_row("  of which the rollup (_rollup_add)", rollups),
    ]


def _export_row(export_s: float, convert_s: float, parquet_mb: float) -> dict:
    return row(
        "(b) export values to Parquet",
        f"{(export_s + convert_s) * 1000:.0f}",
        "(once)",
        note=(
            f"PostgreSQL COPY to CSV {export_s:.0f} s, DuckDB CSV to Parquet sorted by form "
            f"and period {convert_s:.0f} s; {parquet_mb:.0f} MB Parquet; bench process peak "
            f"with DuckDB {self_peak_mb():.0f} MB"
        ),
    )


def _measure() -> list[dict]:
    data = generate()
    backend_peak = proc_peak_mb(sql_one("SELECT pg_backend_pid()"))
    rows = generator_rows(data, backend_peak)
    user = superuser()
    places = targets(data)
    log("(a) service and HTTP reads…")
    service, http, server_peak = reads(user, data, places)
    log("(c) approvals…")
    times, rollups = approvals(user, data)
    live = check_approvals_live(data)
    log("(b) DuckDB…")
    parquet, export_s, convert_s = export_parquet(data_dir())
    duck, duck_nation = duckdb_reads(parquet, data, places)
    check = cross_check(user, data, duck_nation)
    parquet_mb = parquet.stat().st_size / 2**20
    parquet.unlink()
    rows += _read_rows(service, http, duck, server_peak, check, places)
    rows += _approval_rows(data, times, rollups, live)
    rows.append(_export_row(export_s, convert_s, parquet_mb))
    return rows


def main() -> None:
    if connection.vendor != "postgresql":
        print(json.dumps(_skipped(), ensure_ascii=False))
        return
    try:
        rows = _measure()
    except Exception as exc:
        # bench/__main__.py shows only stdout's last line: put the failure in the table.
        traceback.print_exc()
        rows = [row("reporting at national size", "-", "-", note=f"FAILED: {exc!r}"[:2000])]
    print(json.dumps(rows, ensure_ascii=False))
