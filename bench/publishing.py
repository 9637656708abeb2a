"""The reader's quality on the labelled set of giaoban/publishing/tests/data: precision, recall
and F1 for persons, positions, persons with all their positions, and figures, on the texts used
while writing the rules (development) and on the texts kept out of that work (held out).

The reader reads no database, so the table is measured once: under bench/__main__.py, on its
first (SQLite) run; a run on another database returns no rows. Run alone, `python -m
bench.publishing` prints the table and the misses.
"""

import json
import os
import statistics
import sys
import time

from giaoban.publishing.evaluation import DEVELOPMENT, FIELDS, HELD_OUT, evaluate, labelled
from giaoban.publishing.reader import read


def _rows() -> list[dict]:
    rows = []
    for name, folder in (("development", DEVELOPMENT), ("held out", HELD_OUT)):
        result = evaluate(folder)
        for measure, score in result["scores"].items():
            rows.append(
                {
                    "set": f"{name} ({result['texts']} texts)",
                    "measure": measure,
                    "found": score.true_positive + score.false_positive,
                    "expected": score.true_positive + score.false_negative,
                    "precision": f"{score.precision:.3f}",
                    "recall": f"{score.recall:.3f}",
                    "F1": f"{score.f1:.3f}",
                }
            )
        fields = ", ".join(f"{f} {result['fields'][f]}/{result['texts']}" for f in FIELDS)
        subjects = result["subjects"]
        rows.append(
            {
                "set": f"{name} ({result['texts']} texts)",
                "measure": f"exact: {fields}; subjects {subjects['same']}/{subjects['matched']}",
                "found": "",
                "expected": "",
                "precision": "",
                "recall": "",
                "F1": "",
            }
        )
    return rows


def _percentiles(times: list[float]) -> str:
    times = sorted(times)
    median, p95 = statistics.median(times), times[int(len(times) * 0.95)]
    return f"{median:.1f} ms at the median, {p95:.1f} ms at p95"


def _speed() -> str:
    """Wall-clock time and the reading thread's CPU time: on a machine shared with other work the
    wall clock also counts the waits for a core, the CPU time only the reading."""
    texts = [
        path.read_text(encoding="utf-8")
        for folder in (DEVELOPMENT, HELD_OUT)
        for path, _ in labelled(folder)
    ]
    wall, cpu = [], []
    for _ in range(20):
        for text in texts:
            start, start_cpu = time.perf_counter(), time.thread_time()
            read(text)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    return (
        f"Reading one text takes {_percentiles(wall)} ({len(wall)} reads of {len(texts)} texts, "
        f"one process); CPU time {_percentiles(cpu)}."
    )


def main() -> None:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(json.dumps({"rows": [], "note": ""}))  # measured once, on the SQLite run
        return
    rows = _rows()
    if "--table" in sys.argv:
        for row in rows:
            print(" | ".join(str(value) for value in row.values()))
        return
    print(json.dumps({"rows": rows, "note": _speed()}))


if __name__ == "__main__":
    main()
