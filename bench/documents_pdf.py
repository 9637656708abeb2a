"""The PDF of an issued document: LibreOffice's conversion of a two-page notice (.docx → PDF/A),
pyHanko's PAdES signature with a demo-CA certificate, and verification; p50/p95 of each over RUNS
documents one after another, the PDF's size before and after signing, and LibreOffice's peak
memory (the largest resident set of any process it ran, from the kernel's child rusage).

LibreOffice reads no database, so it is measured once: on bench/__main__.py's first (SQLite) run.
Run alone: `python -m bench.documents_pdf --table`.
"""

import io
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")

import django

django.setup()

import docx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from giaoban.documents import demo_ca  # noqa: E402
from giaoban.documents.certificates import certificate_import  # noqa: E402
from giaoban.documents.pdf import docx_to_pdf  # noqa: E402
from giaoban.documents.signing import sign_pdf  # noqa: E402
from giaoban.documents.verification import verify_pdf  # noqa: E402
from giaoban.orgs import services as orgs  # noqa: E402
from giaoban.orgs.models import Level, OrgKind, UnitKind  # noqa: E402

RUNS = int(os.environ.get("BENCH_PDF_RUNS", "10"))
SIGNER = "Nguyễn Văn Ánh"


def _notice() -> bytes:
    """About two pages of Times New Roman 14, with a signature block, as the layouts write."""
    document = docx.Document()
    document.styles["Normal"].font.name = "Times New Roman"
    document.add_paragraph("THÔNG BÁO KẾT LUẬN của đồng chí Trưởng ban tại hội nghị giao ban")
    for number in range(1, 25):
        document.add_paragraph(
            f"{number}. Các cấp ủy, tổ chức đảng tiếp tục lãnh đạo, chỉ đạo thực hiện tốt công "
            "tác dân vận, quy chế dân chủ ở cơ sở, phong trào thi đua “Dân vận khéo” gắn với "
            "nhiệm vụ phát triển kinh tế - xã hội của địa phương trong những tháng cuối năm."
        )
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Nơi nhận:\n- Các huyện ủy, thị ủy,\n- Lưu VP."
    cell = table.cell(0, 1)
    cell.text = "TRƯỞNG BAN"
    for _ in range(4):
        cell.add_paragraph("")
    cell.add_paragraph(SIGNER)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _organization():
    call_command("migrate", verbosity=0)
    unit = orgs.unit_create(
        code="10", name="Tỉnh Lào Cai", kind=UnitKind.PROVINCE, level=Level.PROVINCE
    )
    board = orgs.organization_create(
        actor=None,
        name="Ban Dân vận Tỉnh ủy Lào Cai",
        kind=OrgKind.MOBILIZATION_BOARD,
        unit=unit,
    )
    authority = demo_ca.authority_make("giaoban bench CA")
    key, certificate = demo_ca.certificate_issue(authority, board.name)
    data = demo_ca.pkcs12_bytes(key, certificate, [authority.certificate], "bench")
    certificate_import(actor=None, organization=board, data=data, password="bench")
    roots = Path(tempfile.mkdtemp()) / "root.pem"
    roots.write_bytes(authority.certificate_pem())
    settings.DOCUMENT_TRUSTED_ROOTS = roots
    return board


def _ms(values: list[float]) -> tuple[str, str]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:.0f}", f"{p95 * 1000:.0f}"


def _rows() -> list[dict]:
    board, source = _organization(), _notice()
    timings: dict[str, list[float]] = {"convert": [], "sign": [], "verify": []}
    sizes = []
    for _ in range(RUNS):
        started = time.perf_counter()
        pdf = docx_to_pdf(source)
        timings["convert"].append(time.perf_counter() - started)
        started = time.perf_counter()
        signed = sign_pdf(pdf, board, signer_name=SIGNER, when=timezone.now())
        timings["sign"].append(time.perf_counter() - started)
        started = time.perf_counter()
        assert verify_pdf(signed).ok
        timings["verify"].append(time.perf_counter() - started)
        sizes.append((len(source), len(pdf), len(signed)))
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows = []
    for step, values in timings.items():
        p50, p95 = _ms(values)
        rows.append({"step": step, "runs": RUNS, "p50 ms": p50, "p95 ms": p95, "note": ""})
    docx_size, pdf_size, signed_size = sizes[-1]
    rows.append(
        {
            "step": "sizes",
            "runs": RUNS,
            "p50 ms": "",
            "p95 ms": "",
            "note": f".docx {docx_size // 1024} KB, PDF/A {pdf_size // 1024} KB, "
            f"signed {signed_size // 1024} KB; LibreOffice peak RSS {peak_mb:.0f} MB",
        }
    )
    return rows


def main() -> None:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(json.dumps({"rows": [], "note": ""}))  # measured once, on the SQLite run
        return
    rows = _rows()
    if "--table" in sys.argv:
        for row in rows:
            print(" | ".join(str(value) for value in row.values()))
        return
    stamp = datetime.now().strftime("%Y-%m-%d")
    print(json.dumps({"rows": rows, "note": f"measured {stamp}, {os.cpu_count()} cores"}))


if __name__ == "__main__":
    main()
