"""bench.reporting's tools: progress, timing, table rows, peak memory and raw SQL."""

import os
import resource
import statistics
import sys
import time
from pathlib import Path

from django.db import connection


def log(message: str) -> None:
    """Progress on stderr (bench/__main__.py keeps only stdout's last line)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# Timing ------------------------------------------------------------------------------------


def samples(fn, runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    taken = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        taken.append((time.perf_counter() - start) * 1000)
    return sorted(taken)


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]


RATIO = "x service p50/p95"  # the column of the HTTP reads' ratio to the service's


def row(operation, p50="", p95="", goal="", met="", note="", ratio="") -> dict:
    fmt = lambda v: f"{v:.2f}" if isinstance(v, float) else str(v)  # noqa: E731
    return {
        "operation": operation,
        "p50 ms": fmt(p50),
        "p95 ms": fmt(p95),
        RATIO: ratio,
        "goal": goal,
        "met": met,
        "note": note,
    }


def timed_row(operation, samples, goal="", met="", note="", ratio="") -> dict:
    return row(
        operation, p50(samples), p95(samples), goal, met, note or f"{len(samples)} runs", ratio
    )


def yes(ok: bool) -> str:
    return "yes" if ok else "NO"


# Memory ------------------------------------------------------------------------------------


def self_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def proc_peak_mb(pid: int) -> float | None:
    """VmHWM of a process: its peak resident set (for PostgreSQL, with shared buffers touched)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def sql(query: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else None


def sql_one(query: str, params=()):
    return sql(query, params)[0][0]


def data_dir() -> Path:
    """Scratch files go to the data directory bench/__main__.py makes (and removes) per run."""
    return Path(os.environ.get("GIAOBAN_DATA_DIR", "."))
