"""Issuing official documents end to end on the demo's register: the number and the .docx
(`services.issue`), then the signed PDF (`tasks.document_pdf_make`: LibreOffice and pyHanko with
the demo authority's certificate), as the product does it.

(a) one document at a time, RUNS times: p50/p95 of the issue, of the PDF and of the whole;
(b) OFFICERS officers issuing DOCUMENTS documents at once (threads, each its own database
    connection) while WORKERS workers make the PDFs from the queue, as `giaoban worker` processes
    would: p50/p95 of each issue and of each document's time from its issue to its signed PDF,
    the wall time, and that every number was given once.

Run alone: `python -m bench.documents_issue --table`. BENCH_ISSUE_RUNS (5), BENCH_ISSUE_DOCUMENTS
(100), BENCH_ISSUE_OFFICERS (10), BENCH_ISSUE_WORKERS (2) set the sizes.
"""

import json
import os
import queue
import statistics
import sys
import threading
import time
from datetime import date, datetime
from io import StringIO

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from giaoban.documents import drafts, services  # noqa: E402
from giaoban.documents.models import Document  # noqa: E402
from giaoban.documents.selectors import issuer_for  # noqa: E402
from giaoban.documents.tasks import document_pdf_make  # noqa: E402
from giaoban.meetings.demo import TITLE  # noqa: E402
from giaoban.meetings.models import Conference  # noqa: E402
from giaoban.orgs.models import Organization, Position  # noqa: E402

RUNS = int(os.environ.get("BENCH_ISSUE_RUNS", "5"))
DOCUMENTS = int(os.environ.get("BENCH_ISSUE_DOCUMENTS", "100"))
OFFICERS = int(os.environ.get("BENCH_ISSUE_OFFICERS", "10"))
WORKERS = int(os.environ.get("BENCH_ISSUE_WORKERS", "2"))


def _board() -> Organization:
    call_command("migrate", verbosity=0)
    call_command("demo", stdout=StringIO())  # the styles, the term, the head, the certificate
    return Organization.objects.get(name="Ban Dân vận Tỉnh ủy Lào Cai")


def _drafts(board: Organization, count: int) -> list[Document]:
    paper = drafts.conclusion_notice(Conference.objects.get(title=TITLE), issuer_for(board))
    return [services.draft(user=None, organization=board, paper=paper) for _ in range(count)]


def _head(board: Organization):
    return Position.objects.filter(organization=board).order_by("protocol_rank").first().person


#: The demo's day: the committee's 2020-2025 term and the head's position hold then (a Party
#: body's register is counted per term; the system records documents of the past this way).
DAY = date(2021, 10, 8)


def _issue(doc: Document, signer) -> float:
    started = time.perf_counter()
    services.issue(user=None, doc=doc, signer=signer, on=DAY)
    return time.perf_counter() - started


def _pdf(pk: int) -> float:
    started = time.perf_counter()
    document_pdf_make.call(pk)
    return time.perf_counter() - started


def _ms(values: list[float]) -> tuple[str, str]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:.0f}", f"{p95 * 1000:.0f}"


def _row(step: str, values: list[float], note: str = "") -> dict:
    p50, p95 = _ms(values)
    return {"step": step, "runs": len(values), "p50 ms": p50, "p95 ms": p95, "note": note}


def one_at_a_time(board, signer) -> list[dict]:
    issued, made, whole = [], [], []
    for doc in _drafts(board, RUNS):
        issued.append(_issue(doc, signer))
        made.append(_pdf(doc.pk))
        whole.append(issued[-1] + made[-1])
    return [
        _row("(a) issue: number + .docx", issued),
        _row("(a) PDF: LibreOffice + signature", made),
        _row("(a) end to end", whole, "one document after another"),
    ]


def _officer(docs, signer, queued, issued_times, started_at, errors):
    try:
        for doc in docs:
            started_at[doc.pk] = time.perf_counter()
            issued_times.append(_issue(doc, signer))
            queued.put(doc.pk)
    except Exception as exc:  # a bench reports what failed, it does not stop half-way
        errors.append(repr(exc))
    finally:
        connection.close()


def _worker(queued, done_at, errors):
    try:
        while (pk := queued.get()) is not None:
            _pdf(pk)
            done_at[pk] = time.perf_counter()
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()


def _run(target, args_list) -> list[threading.Thread]:
    threads = [threading.Thread(target=target, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    return threads


def at_once(board, signer) -> list[dict]:
    docs = _drafts(board, DOCUMENTS)
    queued, issued_times, started_at, done_at, errors = queue.Queue(), [], {}, {}, []
    wall = time.perf_counter()
    officers = _run(
        _officer,
        [
            (docs[i::OFFICERS], signer, queued, issued_times, started_at, errors)
            for i in range(OFFICERS)
        ],
    )
    workers = _run(_worker, [(queued, done_at, errors)] * WORKERS)
    for thread in officers:
        thread.join()
    for _ in workers:
        queued.put(None)
    for thread in workers:
        thread.join()
    wall = time.perf_counter() - wall
    numbers = list(
        Document.objects.filter(pk__in=[d.pk for d in docs]).values_list("number", flat=True)
    )
    given = [n for n in numbers if n is not None]
    whole = [done_at[pk] - started_at[pk] for pk in done_at]
    distinct = "yes" if len(set(given)) == len(given) else "NO"
    note = f"{OFFICERS} officers, {WORKERS} PDF workers, wall {wall:.0f} s; "
    note += f"issued {len(given)} of {DOCUMENTS}, each number once: {distinct}"
    if errors:
        note += f"; {len(errors)} errors, first: {errors[0][:200]}"
    return [
        _row(f"(b) issue: number + .docx, {DOCUMENTS} at once", issued_times, note),
        _row(f"(b) issue to signed PDF, {DOCUMENTS} at once", whole or [0.0]),
    ]


def main() -> None:
    board = _board()
    signer = _head(board)
    rows = one_at_a_time(board, signer) + at_once(board, signer)
    size = max(
        Document.objects.filter(organization=board).exclude(pdf="").values_list("pk", flat=True)
    )
    with Document.objects.get(pk=size).pdf.open("rb") as stored:
        pdf_kb = len(stored.read()) // 1024
    rows.append(
        {
            "step": "signed PDF size",
            "runs": 1,
            "p50 ms": "",
            "p95 ms": "",
            "note": f"{pdf_kb} KB (the demo's two-page notice)",
        }
    )
    if "--table" in sys.argv:
        for row in rows:
            print(" | ".join(str(value) for value in row.values()))
        return
    stamp = datetime.now().strftime("%Y-%m-%d")
    print(json.dumps({"rows": rows, "note": f"measured {stamp}, {os.cpu_count()} cores"}))


if __name__ == "__main__":
    main()
