"""`giaoban backup` / `giaoban restore` at national size, beside pg_dump / pg_restore.

The data set, built with the other benches' builders: both national lists of units and 20,000
people (bench.registry), then bench.reporting's generator (the 2025 communes, approved reports
of every period, their values and the rollup) at each scale of BENCH_BACKUP_SCALES, plus two
audit entries per report (submitted, approved). For each size, on PostgreSQL, in a database of
its own (the bench's database, dropped and made again between sizes):

  giaoban backup   time, peak resident memory of the process, archive size;
  giaoban restore  into an empty, migrated database: time, peak memory of the process and the
                   PostgreSQL backend's peak private memory (deferred checks queue there);
  pg_dump -Fc      time, peak memory, file size;  pg_restore into an empty database: same.

Peak memory of a program is its ru_maxrss from wait4; a backend's is the largest RssAnon seen
while polling /proc every 0.2 s. The note extrapolates the times to the national data set.
BENCH_BACKUP_SCALES (default "0.03,0.1"; 1.0 is bench.reporting's full 30 M values) scales up.
SQLite is skipped: the generator needs COPY. Prints one JSON line for bench/__main__.py.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402

from bench import registry  # noqa: E402
from bench.reporting import common as rsql  # noqa: E402
from bench.reporting import dataset as reporting_data  # noqa: E402
from bench.reporting import load as reporting_load  # noqa: E402
from giaoban.core.models import AuditEntry  # noqa: E402
from giaoban.reporting.models import Report  # noqa: E402

SCALES = [float(s) for s in os.environ.get("BENCH_BACKUP_SCALES", "0.03,0.1").split(",")]
#: The national data set the note extrapolates to (docs/deploy.md section 10): 10,000 communes x
#: 12 months x 30 indicators. The other tables grow with it: the reports, their audit entries
#: and the rollup (about one row per value, plus the provinces' and the nation's).
NATIONAL_VALUES = 3_600_000
COLUMNS = [
    "data set",
    "rows",
    "database MB",
    "backup s",
    "backup peak MB",
    "archive MB",
    "restore s",
    "restore peak MB",
    "restore backend MB",
    "pg_dump s",
    "pg_dump peak MB",
    "dump MB",
    "pg_restore s",
    "pg_restore peak MB",
]


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _admin_url() -> str:
    return _url("postgres")


def _recreate(name: str) -> str:
    with psycopg.connect(_admin_url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return _url(name)


def _drop(name: str) -> None:
    with psycopg.connect(_admin_url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The data set ------------------------------------------------------------------------------


def _build(scale: float) -> dict:
    """Empty the bench's database and build the data set at `scale`; returns its size."""
    connection.close()
    _recreate(settings.DATABASES["default"]["NAME"])
    ContentType.objects.clear_cache()
    start = time.perf_counter()
    registry._load()  # migrate, both national lists, 20,000 people
    reporting_data.SCALE = scale
    reporting_load.generate()
    _audit_entries()
    rsql.sql("VACUUM ANALYZE")
    rows = sum(
        rsql.sql_one(f'SELECT COUNT(*) FROM "{model._meta.db_table}"') for model in _models()
    )
    return {
        "rows": rows,
        "values": rsql.sql_one("SELECT COUNT(*) FROM reporting_reportvalue"),
        "reports": Report.objects.count(),
        "mb": rsql.sql_one("SELECT pg_database_size(current_database())") / 2**20,
        "build s": time.perf_counter() - start,
    }


def _models():
    from giaoban.ops.backup import _data_models

    return _data_models()


def _audit_entries() -> None:
    """Two entries per report, as submitting and approving write them."""
    batch = []
    for pk, status in Report.objects.values_list("pk", "status").iterator(chunk_size=5000):
        for action in ("report.submit", "report.approve"):
            batch.append(
                AuditEntry(
                    action=action,
                    object_type="reporting.report",
                    object_id=str(pk),
                    before={"status": "draft" if action == "report.submit" else "submitted"},
                    after={"status": "submitted" if action == "report.submit" else status},
                )
            )
        if len(batch) >= 5000:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)


# Measuring a program -----------------------------------------------------------------------


class BackendWatch:
    """The largest private memory (RssAnon) of any backend connected to `database`."""

    def __init__(self, database: str):
        self.database, self.peak_kb, self._stop = database, 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        with psycopg.connect(_admin_url(), autocommit=True) as admin:
            while not self._stop.wait(0.2):
                pids = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
                ).fetchall()
                for (pid,) in pids:
                    self.peak_kb = max(self.peak_kb, _rss_anon_kb(pid))


def _rss_anon_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _run(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """Run `command`; returns (seconds, its peak resident memory in MB).

    Through GNU time: Linux counts in a child's ru_maxrss the resident memory of the process
    that forked it (this one, with the ORM's objects), a small `time` process has little."""
    start = time.perf_counter()
    with tempfile.NamedTemporaryFile("r") as peak, tempfile.TemporaryFile() as output:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", peak.name, *command],
            env={**os.environ, **(env or {})},
            stdout=output,
            stderr=output,
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            output.seek(0)
            tail = output.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"{' '.join(command[:4])} failed ({done.returncode}): {tail}")
        return seconds, int(peak.read().split()[-1]) / 1024


def _giaoban(*args: str, url: str, data_dir: Path) -> tuple[float, float]:
    env = {"DATABASE_URL": url, "GIAOBAN_DATA_DIR": str(data_dir)}
    return _run([sys.executable, "-m", "giaoban", *args], env)


def _measure_size(scale: float, scratch: Path) -> dict:
    _log(f"building the data set at scale {scale:g}…")
    size = _build(scale)
    _log(f"built {size['rows']:,} rows ({size['mb']:.0f} MB) in {size['build s']:.0f} s")
    source_url = _url(settings.DATABASES["default"]["NAME"])
    source_dir = Path(settings.DATA_DIR)
    connection.close()  # the programs below see the database alone
    archive, dump = scratch / f"backup-{scale:g}.tar.gz", scratch / f"dump-{scale:g}.pgc"
    restore_name, pg_name = "giaoban_bench_restore", "giaoban_bench_pg_restore"
    result = {"scale": scale, **size}
    try:
        _log("giaoban backup…")
        result["backup"] = _giaoban("backup", str(archive), url=source_url, data_dir=source_dir)
        result["archive mb"] = archive.stat().st_size / 2**20

        restore_url = _recreate(restore_name)
        target_dir = scratch / f"restored-{scale:g}"
        target_dir.mkdir()
        _giaoban("migrate", "--noinput", url=restore_url, data_dir=target_dir)
        _log("giaoban restore…")
        with BackendWatch(restore_name) as watch:
            result["restore"] = _giaoban(
                "restore", str(archive), url=restore_url, data_dir=target_dir
            )
        result["restore backend mb"] = watch.peak_kb / 1024
        archive.unlink()

        _log("pg_dump -Fc…")
        result["pg_dump"] = _run(["pg_dump", "-Fc", "-f", str(dump), "-d", source_url])
        result["dump mb"] = dump.stat().st_size / 2**20
        pg_url = _recreate(pg_name)
        _log("pg_restore…")
        result["pg_restore"] = _run(["pg_restore", "--no-owner", "-d", pg_url, str(dump)])
        dump.unlink()
    finally:
        _drop(restore_name)
        _drop(pg_name)
    return result


# The table and the note --------------------------------------------------------------------


def _row(r: dict) -> dict:
    return dict(
        zip(
            COLUMNS,
            [
                f"scale {r['scale']:g}: {r['values']:,} values, {r['reports']:,} reports",
                f"{r['rows']:,}",
                f"{r['mb']:.0f}",
                f"{r['backup'][0]:.1f}",
                f"{r['backup'][1]:.0f}",
                f"{r['archive mb']:.1f}",
                f"{r['restore'][0]:.1f}",
                f"{r['restore'][1]:.0f}",
                f"{r['restore backend mb']:.0f}",
                f"{r['pg_dump'][0]:.1f}",
                f"{r['pg_dump'][1]:.0f}",
                f"{r['dump mb']:.1f}",
                f"{r['pg_restore'][0]:.1f}",
                f"{r['pg_restore'][1]:.0f}",
            ],
            strict=True,
        )
    )


def _national(results: list[dict], measure) -> float:
    """`measure` extrapolated to NATIONAL_VALUES along the slope between the two largest sizes
    (the fixed costs, the registry and start-up, stay out of the slope)."""
    last = results[-1]
    if len(results) < 2:
        return measure(last) / last["values"] * NATIONAL_VALUES
    before = results[-2]
    slope = (measure(last) - measure(before)) / (last["values"] - before["values"])
    return measure(last) + slope * (NATIONAL_VALUES - last["values"])


def _note(results: list[dict]) -> str:
    times = ", ".join(
        f"{key} {_national(results, lambda r, key=key: r[key][0]) / 60:.1f} min"
        for key in ("backup", "restore", "pg_dump", "pg_restore")
    )
    rows = _national(results, lambda r: r["rows"]) / 1e6
    archive = _national(results, lambda r: r["archive mb"])
    dump = _national(results, lambda r: r["dump mb"])
    return (
        f"bench.backup, extrapolated linearly from the two largest sizes to the national data "
        f"set of {NATIONAL_VALUES / 1e6:.1f} M report values (with their reports, rollup and "
        f"audit entries, about {rows:.1f} M rows): {times}; archive about {archive:.0f} MB, "
        f"pg_dump -Fc about {dump:.0f} MB. Peak memory is in the table for each size: flat "
        f"means it does not grow with the data."
    )


def _skipped() -> dict:
    row = dict.fromkeys(COLUMNS, "-")
    row["data set"] = "skipped: the generator needs PostgreSQL (COPY)"
    return {"rows": [row], "note": ""}


def main() -> None:
    if connection.vendor != "postgresql":
        print(json.dumps(_skipped(), ensure_ascii=False))
        return
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="giaoban-bench-backup-") as scratch:
            for scale in SCALES:
                results.append(_measure_size(scale, Path(scratch)))
        output = {"rows": [_row(r) for r in results], "note": _note(results)}
    except Exception as exc:
        traceback.print_exc()
        row = dict.fromkeys(COLUMNS, "-")
        row["data set"] = f"FAILED: {exc!r}"[:2000]
        output = {"rows": [*(_row(r) for r in results), row], "note": ""}
    # Leave the bench's database empty (and its disk free) for the benchmarks after this one.
    connection.close()
    _recreate(settings.DATABASES["default"]["NAME"])
    print(json.dumps(output, ensure_ascii=False))


if __name__ == "__main__":
    main()
