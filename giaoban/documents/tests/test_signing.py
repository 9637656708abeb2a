"""A .docx made by python-docx, converted by the real LibreOffice, signed with a certificate of
the test CA by pyHanko, then verified: valid and trusted; changed, and the change named."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader

from giaoban.core.errors import ApplicationError
from giaoban.documents.pdf import docx_to_pdf
from giaoban.documents.signing import sign_pdf, signature_box
from giaoban.documents.tests import pki
from giaoban.documents.tests.pki import SIGNER, docx_bytes, need_libreoffice
from giaoban.documents.verification import verify_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.once]

authority, trusted, board_certificate = pki.authority, pki.trusted, pki.board_certificate

WHEN = datetime(2021, 10, 8, 16, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(scope="module")
def pdf():
    need_libreoffice()
    return docx_to_pdf(docx_bytes())


@pytest.fixture
def signed(pdf, tree, board_certificate, trusted):
    return sign_pdf(pdf, tree["board"], signer_name=SIGNER, when=WHEN)


def test_it_signs_and_the_signature_verifies_valid_and_trusted(signed, tree):
    result = verify_pdf(signed)
    assert result.ok, result.signatures
    (check,) = result.signatures
    assert check.signer == tree["board"].name
    assert check.intact and check.valid and check.trusted and not check.changes
    assert check.signed_at == WHEN
    assert "Ban Dân vận Tỉnh ủy Lào Cai" in " ".join(check.notes)


def test_the_visible_block_names_the_organization_and_time_above_the_signer(signed, pdf):
    page = PdfReader(io.BytesIO(signed)).pages[-1]
    widget = next(a.get_object() for a in page["/Annots"] if a.get_object()["/FT"] == "/Sig")
    appearance = widget["/AP"]["/N"].get_object()
    assert appearance.get_data()  # drawn, not an empty box
    left, bottom, right, top = (float(v) for v in widget["/Rect"])
    assert (left, bottom, right, top) == pytest.approx(signature_box(pdf, SIGNER))
    name_y = []
    PdfReader(io.BytesIO(pdf)).pages[-1].extract_text(
        visitor_text=lambda text, cm, tm, *_: name_y.append(tm[5]) if SIGNER in text else None
    )
    assert bottom > min(name_y)  # above the name, in the space left to sign


def test_one_byte_changed_inside_the_signed_range_is_invalid_and_named(signed):
    at = signed.index(b"LibreOffice")  # the producer, inside the signed bytes
    changed = signed[:at] + b"l" + signed[at + 1 :]
    (check,) = verify_pdf(changed).signatures
    assert not check.intact
    assert not verify_pdf(changed).ok
    assert "các byte bên trong vùng được ký không còn khớp" in check.changes[0]


def test_one_byte_changed_in_the_signature_value_is_named(signed):
    start = signed.index(b"/Contents <") + len(b"/Contents <")
    end = signed.index(b">", start)
    # The CMS's last bytes are the RSA signature value; zeros pad the space reserved after it.
    at = start + len(signed[start:end].rstrip(b"0")) - 20
    digit = b"0" if signed[at : at + 1] != b"0" else b"1"
    changed = signed[:at] + digit + signed[at + 1 :]
    (check,) = verify_pdf(changed).signatures
    assert not check.ok
    assert check.intact  # the signed bytes are those that were signed
    assert check.changes == (
        "Chính giá trị chữ ký đã bị thay đổi (các byte nằm ngoài vùng được ký): chữ ký không còn "
        "hợp lệ.",
    )


def test_an_incremental_update_after_signing_is_reported(signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    (check,) = verify_pdf(out.getvalue()).signatures
    assert check.intact  # the signed revision itself is untouched
    assert not check.ok
    assert check.changes[0].startswith("Có 1 lần cập nhật nối thêm sau khi ký: ")


def test_a_certificate_of_another_root_is_not_trusted(pdf, tree, board_certificate, settings):
    settings.DOCUMENT_TRUSTED_ROOTS = settings.BASE_DIR / "no-such-roots"
    signed = sign_pdf(pdf, tree["board"], signer_name=SIGNER, when=WHEN)
    (check,) = verify_pdf(signed).signatures
    assert check.intact and check.valid and not check.trusted
    assert not verify_pdf(signed).ok


def test_an_organization_without_a_certificate_is_refused(pdf, tree):
    with pytest.raises(ApplicationError) as refused:
        sign_pdf(pdf, tree["sapa_board"], signer_name=SIGNER, when=WHEN)
    assert "Ban Dân vận Thị ủy Sa Pa" in refused.value.message
