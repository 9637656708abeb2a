"""The .docx made into a PDF by the real LibreOffice; LibreOffice missing, hanging or failing is a
`PdfUnavailable` in the user's language, and a hung one is killed with its children."""

import io
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pypdf import PdfReader

from giaoban.documents.pdf import PdfUnavailable, docx_to_pdf
from giaoban.documents.tests.pki import SIGNER, docx_bytes, need_libreoffice


def _fake_soffice(folder, body: str) -> str:
    path = folder / "soffice"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.mark.once
def test_it_converts_with_liberation_serif_as_pdf_a():
    need_libreoffice()
    pdf = docx_to_pdf(docx_bytes())
    assert pdf.startswith(b"%PDF-")
    assert b"<pdfaid:part>2</pdfaid:part>" in pdf  # PDF/A-2b
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[-1].extract_text()
    assert "Nội dung kết luận thứ 1" in text and SIGNER in text
    fonts = {
        font.get_object()["/BaseFont"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("LiberationSerif" in name for name in fonts), fonts  # Times New Roman's twin


@pytest.mark.once
def test_two_conversions_at_once_each_make_their_own_pdf():
    """Each run has its own LibreOffice profile: with a shared one, the second LibreOffice would
    hand its file to the first and exit without a PDF."""
    need_libreoffice()
    names = ["Hoàng Thị Một", "Lê Văn Hai"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        pdfs = list(pool.map(docx_to_pdf, [docx_bytes(name) for name in names]))
    for name, pdf in zip(names, pdfs, strict=True):
        assert name in PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()


def test_libreoffice_missing_is_reported_in_vietnamese(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on it
    settings.DOCUMENT_SOFFICE = "soffice"
    with pytest.raises(PdfUnavailable) as refused:
        docx_to_pdf(docx_bytes())
    assert refused.value.message.startswith("Máy chủ chưa cài LibreOffice")
    assert refused.value.code == "pdf_unavailable"


def test_libreoffice_hanging_is_killed_with_its_children_and_reported(settings, tmp_path):
    pids = tmp_path / "pids"
    # The fake LibreOffice starts a child, as soffice starts soffice.bin, and both hang.
    settings.DOCUMENT_SOFFICE = _fake_soffice(
        tmp_path, f"sleep 300 &\necho $! > {pids}\nexec sleep 300\n"
    )
    settings.DOCUMENT_PDF_TIMEOUT = 1
    with pytest.raises(PdfUnavailable) as refused:
        docx_to_pdf(docx_bytes())
    assert "1 giây" in refused.value.message and "đã bị dừng" in refused.value.message
    child = int(pids.read_text())
    with pytest.raises(ProcessLookupError):
        _wait_gone(child)


def _wait_gone(pid: int) -> None:
    """Raise ProcessLookupError once `pid` is gone or a zombie (killed, not yet reaped by init);
    a process still running after five seconds was not killed, and the test fails."""
    for _ in range(50):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        except FileNotFoundError:
            raise ProcessLookupError(pid) from None
        if state == "Z":
            raise ProcessLookupError(pid)
        time.sleep(0.1)


def test_libreoffice_failing_is_reported(settings, tmp_path):
    settings.DOCUMENT_SOFFICE = _fake_soffice(tmp_path, "echo broken >&2\nexit 3\n")
    with pytest.raises(PdfUnavailable) as refused:
        docx_to_pdf(docx_bytes())
    assert "3" in refused.value.message


def test_libreoffice_making_no_pdf_is_reported(settings, tmp_path):
    settings.DOCUMENT_SOFFICE = _fake_soffice(tmp_path, "exit 0\n")
    with pytest.raises(PdfUnavailable):
        docx_to_pdf(docx_bytes())
