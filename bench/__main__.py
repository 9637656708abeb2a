"""Run every benchmark, side by side on SQLite and PostgreSQL, and print the tables."""

import json
import os
import subprocess
import sys
import tempfile

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/giaoban_bench")
BENCHES = ["bench.registry", "bench.reporting"]


def _postgres_ready(url: str) -> bool:
    import psycopg

    admin_url, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{admin_url}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"PostgreSQL skipped: {exc}".strip(), file=sys.stderr)
        return False
    return True


def _run(module: str, database_url: str) -> list[dict]:
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "GIAOBAN_DATA_DIR": data_dir, "DATABASE_URL": database_url}
        env["DATABASE_URL"] = database_url.replace("{data}", data_dir)
        out = subprocess.run(
            [sys.executable, "-m", module], env=env, check=True, capture_output=True, text=True
        ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    backends = [("SQLite", "sqlite:///{data}/bench.sqlite3")]
    if _postgres_ready(PG_URL):
        backends.append(("PostgreSQL", PG_URL))
    for module in BENCHES:
        rows = []
        for name, url in backends:
            rows += [{"database": name, **row} for row in _run(module, url)]
        _print_table(module, rows)


def _print_table(title: str, rows: list[dict]) -> None:
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print(f"\n{title}")
    print(" | ".join(c.ljust(widths[c]) for c in columns))
    print("-+-".join("-" * widths[c] for c in columns))
    for row in rows:
        print(" | ".join(str(row[c]).ljust(widths[c]) for c in columns))


if __name__ == "__main__":
    main()
