"""Run every benchmark, side by side on SQLite and PostgreSQL, and print the tables."""

import json
import os
import subprocess
import sys
import tempfile

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/giaoban_bench")
BENCHES = [
    "bench.registry",
    "bench.invite",
    "bench.reporting",
    "bench.backup",
    "bench.live",
    "bench.live.host",
    "bench.live.host_socket",
    "bench.publishing",
    "bench.media",
    "bench.documents_pdf",
    "bench.documents_issue",
    "bench.briefing",
]


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


def _run(module: str, database_url: str) -> list[dict] | dict:
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "GIAOBAN_DATA_DIR": data_dir, "DATABASE_URL": database_url}
        env["DATABASE_URL"] = database_url.replace("{data}", data_dir)
        done = subprocess.run(
            [sys.executable, "-m", module], env=env, capture_output=True, text=True
        )
    if done.returncode != 0 or not done.stdout.strip():
        # Show why: a benchmark that failed must not look like one that printed nothing.
        sys.stderr.write(done.stderr)
        return [{"operation": f"FAILED (exit {done.returncode}); its error is printed above"}]
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    backends = [("SQLite", "sqlite:///{data}/bench.sqlite3")]
    if _postgres_ready(PG_URL):
        backends.append(("PostgreSQL", PG_URL))
    for module in BENCHES:
        rows, notes = [], []
        for name, url in backends:
            result = _run(module, url)
            if isinstance(result, dict):  # {"rows": [...], "note": "..."}: text after the table
                notes += [result["note"]] if result.get("note") else []
                result = result["rows"]
            rows += [{"database": name, **row} for row in result]
        _print_table(module, rows)
        for note in notes:
            print(note)


def _print_table(title: str, rows: list[dict]) -> None:
    columns = list(rows[0])
    columns += [c for r in rows for c in r if c not in columns]  # a FAILED row has its own
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    print(f"\n{title}")
    print(" | ".join(c.ljust(widths[c]) for c in columns))
    print("-+-".join("-" * widths[c] for c in columns))
    for row in rows:
        print(" | ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))


if __name__ == "__main__":
    main()
