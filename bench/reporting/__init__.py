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

BENCH_SCALE (default 1.0) shrinks communes, indicators and years to try the bench quickly;
BENCH_INDICATORS sets the number of indicators apart from it.
SQLite is skipped: the generator needs COPY. Prints one JSON line of rows for bench/__main__.py.

The API reads run with the product's rate limit per token raised for the bench's own server
(API_TOKEN_RATE, see `reads.BENCH_TOKEN_RATE`): the default 600/m would stop these 600+ reads a
minute with 429; the printed table says so. The limiter is still on the path, as in production.

The package: `dataset` (units, indicators, forms, periods), `load` (COPY and the set-based
rollup), `reads` (a), `duck` (b), `approvals` (c), `common` (timing, rows, SQL), `run` (the
order of the steps and the table).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")
django.setup()  # every module of the package reads the models
