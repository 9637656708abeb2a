"""The registry at national size: both structures of units (~14,000), 20,000 people.

Measures the reads everything else stands on: a unit's children on a date, a province's subtree
(the access scope) by materialized path beside the same subtree by a recursive CTE, unit search
and people search. Prints one JSON line of rows for bench/__main__.py.
"""

import json
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")

import django

django.setup()

from datetime import date  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from giaoban.core.text import fold  # noqa: E402
from giaoban.orgs.models import Person, Unit  # noqa: E402

IN_2021 = date(2021, 10, 8)
RUNS = 200


def _timed(fn, runs=RUNS) -> dict:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "p50 ms": f"{statistics.median(samples):.2f}",
        "p95 ms": f"{samples[int(len(samples) * 0.95) - 1]:.2f}",
    }


def _load() -> float:
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_units", structure="legacy", verbosity=0)
    call_command("load_units", structure="2025", verbosity=0)
    communes = list(Unit.objects.filter(level=3, valid_to__isnull=False)[:10000])
    people = [
        Person(
            full_name=f"Nguyễn Văn Thử {i}",
            unit=communes[i % len(communes)],
            search_key=fold(f"Nguyễn Văn Thử {i} Chủ tịch UBND xã"),
        )
        for i in range(20000)
    ]
    Person.objects.bulk_create(people, batch_size=2000)
    return time.perf_counter() - start


_CTE = """
WITH RECURSIVE sub(id) AS (
    SELECT id FROM orgs_unit WHERE id = %s
    UNION ALL SELECT u.id FROM orgs_unit u JOIN sub ON u.parent_id = sub.id
) SELECT COUNT(*) FROM sub
"""


_PREFIX = "SELECT COUNT(*) FROM orgs_unit WHERE path LIKE %s"


def _count(sql: str, param) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        return cursor.fetchone()[0]


def main() -> None:
    load_seconds = _load()
    hanoi = Unit.objects.on(IN_2021).get(code="01", level=1)
    by_path = Unit.objects.subtree_of(hanoi).count()
    assert by_path == _count(_CTE, hanoi.pk), "path and parent links disagree"
    rows = [
        (
            "children of a province on 08/10/2021",
            lambda: list(Unit.objects.on(IN_2021).filter(parent=hanoi)),
        ),
        (
            f"subtree of Hà Nội ({by_path} units), ORM as the views use it",
            lambda: Unit.objects.subtree_of(hanoi).count(),
        ),
        ("  same subtree, SQL: path LIKE prefix", lambda: _count(_PREFIX, hanoi.path + "%")),
        ("  same subtree, SQL: recursive CTE on parent_id", lambda: _count(_CTE, hanoi.pk)),
        ("unit search 'phuong sa pa'", lambda: list(Unit.objects.search("phường Sa Pa")[:50])),
        ("people search among 20,000", lambda: list(Person.objects.search("thu 1999")[:50])),
    ]
    result = [{"operation": name, **_timed(fn)} for name, fn in rows]
    result.append(
        {
            "operation": "load both national lists + 20,000 people",
            "p50 ms": f"{load_seconds * 1000:.0f}",
            "p95 ms": "(once)",
        }
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
