"""`make_signed_pdf`, the core of the task that makes an issued document's PDF: the real
LibreOffice and pyHanko, a certificate of the test CA."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from giaoban.core.errors import ApplicationError
from giaoban.documents.pdf import PdfUnavailable
from giaoban.documents.tasks import make_signed_pdf
from giaoban.documents.tests import pki
from giaoban.documents.tests.pki import SIGNER, docx_bytes, need_libreoffice
from giaoban.documents.verification import verify_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.once]

authority, trusted, board_certificate = pki.authority, pki.trusted, pki.board_certificate
WHEN = datetime(2026, 10, 8, 9, 15, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def test_it_makes_a_signed_pdf_that_verifies(tree, board_certificate, trusted):
    need_libreoffice()
    pdf = make_signed_pdf(docx_bytes(), tree["board"], SIGNER, WHEN)
    result = verify_pdf(pdf)
    assert result.ok
    assert result.signatures[0].signer == tree["board"].name
    assert result.signatures[0].signed_at == WHEN
    assert result.summary.startswith("Hợp lệ")


def test_without_libreoffice_nothing_is_signed(tree, board_certificate, settings, tmp_path):
    settings.DOCUMENT_SOFFICE = str(tmp_path / "soffice")  # not there
    with pytest.raises(PdfUnavailable):
        make_signed_pdf(docx_bytes(), tree["board"], SIGNER, WHEN)


def test_without_a_certificate_it_is_refused_before_libreoffice_runs(tree, settings, tmp_path):
    settings.DOCUMENT_SOFFICE = str(tmp_path / "soffice")  # would be PdfUnavailable
    with pytest.raises(ApplicationError) as refused:
        make_signed_pdf(docx_bytes(), tree["batxat_board"], SIGNER, WHEN)
    assert "Ban Dân vận Huyện ủy Bát Xát" in refused.value.message
