"""What the PDF, signing and verification tests share: a .docx made with python-docx, LibreOffice
or a clear skip (a failure under CI=true), and a test CA whose root the settings trust."""

import io
from datetime import UTC, datetime, timedelta

import docx
import pytest

from giaoban.documents import demo_ca
from giaoban.documents.certificates import certificate_import
from giaoban.documents.pdf import soffice_path
from giaoban.testing.servers import skip_or_fail

SIGNER = "Nguyễn Văn Ánh"
PASSWORD = "mật-khẩu-thử"


def need_libreoffice() -> None:
    """Skip where LibreOffice is not installed; under CI=true that is a failure."""
    if soffice_path() is None:
        skip_or_fail(
            "LibreOffice is missing (bash scripts/debian-packages.sh libreoffice-writer-nogui "
            "fonts-liberation2 fonts-liberation)"
        )


def docx_bytes(signer: str = SIGNER) -> bytes:
    """A short notice with a signature block: the title in the right column, room to sign, the
    signer's name, as the layouts put it."""
    document = docx.Document()
    document.styles["Normal"].font.name = "Times New Roman"  # as every style's guidance asks
    document.add_paragraph("THÔNG BÁO KẾT LUẬN")
    for number in range(1, 4):
        document.add_paragraph(f"{number}. Nội dung kết luận thứ {number} của hội nghị giao ban.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Nơi nhận:\n- Các Ban Dân vận huyện ủy,\n- Lưu VP."
    cell = table.cell(0, 1)
    cell.text = "TRƯỞNG BAN"
    for _ in range(4):
        cell.add_paragraph("")
    cell.add_paragraph(signer)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def authority():
    return demo_ca.authority_make("giaoban test CA")


@pytest.fixture
def trusted(settings, tmp_path, authority):
    """The test CA's root, the only root the administrator configured."""
    roots = tmp_path / "roots"
    roots.mkdir()
    (roots / "root.pem").write_bytes(authority.certificate_pem())
    settings.DOCUMENT_TRUSTED_ROOTS = roots
    return roots


def pkcs12_for(authority, name: str, *, password: str = PASSWORD, **validity) -> bytes:
    key, certificate = demo_ca.certificate_issue(authority, name, **validity)
    return demo_ca.pkcs12_bytes(key, certificate, [authority.certificate], password)


@pytest.fixture
def board_certificate(tree, authority):
    """The provincial board's certificate, imported."""
    board = tree["board"]
    data = pkcs12_for(authority, board.name)
    return certificate_import(actor=None, organization=board, data=data, password=PASSWORD)


def expired_validity() -> dict:
    now = datetime.now(UTC)
    return {"not_before": now - timedelta(days=400), "not_after": now - timedelta(days=1)}
