"""Verifying a signed PDF on the page and through `POST /api/v1/documents/verify`: the answer for
a valid, a changed and an unsigned PDF, and each refused file as a clear message, never a 500.

The PDFs here are a blank page made by pypdf and signed by pyHanko with the test CA (the
LibreOffice path is test_signing's)."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter

from giaoban.core.services import token_create
from giaoban.documents import demo_ca, verification
from giaoban.documents.signing import sign_pdf
from giaoban.documents.tests import pki

pytestmark = pytest.mark.django_db

authority, trusted, board_certificate = pki.authority, pki.trusted, pki.board_certificate
WHEN = datetime(2021, 10, 8, 16, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
URL = "/api/v1/documents/verify"


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def signed(tree, board_certificate, trusted):
    return sign_pdf(_blank_pdf(), tree["board"], signer_name="", when=WHEN)


def _post(client, user, data: bytes, name: str = "văn bản.pdf"):
    token = token_create(username=user.username)[1]
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(URL, {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_says_who_signed_when_and_that_it_is_valid(client, alice, signed, tree):
    response = _post(client, alice, signed)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True
    assert body["summary"].startswith("Hợp lệ")
    (signature,) = body["signatures"]
    assert signature["signer"] == tree["board"].name
    assert signature["signed_at"] == "2021-10-08T16:30:00+07:00"
    assert signature["intact"] and signature["valid"] and signature["trusted"]
    assert signature["changes"] == []
    assert "Ký bởi: Ban Dân vận Tỉnh ủy Lào Cai." in signature["notes"]


def test_the_api_names_what_changed(client, alice, signed):
    at = signed.index(b"/MediaBox")  # inside the signed bytes
    changed = signed[:at] + b"/MediaBoy" + signed[at + len(b"/MediaBox") :]
    body = _post(client, alice, changed).json()
    assert body["ok"] is False
    (signature,) = body["signatures"]
    assert signature["intact"] is False
    assert "bên trong vùng được ký" in signature["changes"][0]


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (b"PK\x03\x04 a zip, not a PDF", "invalid", "Tệp này không phải PDF."),
        (b"%PDF-1.7\n garbage", "invalid", "Tệp PDF này bị hỏng, không đọc được"),
        (_blank_pdf(), "unsigned", "Tệp PDF này không có chữ ký số"),
        (b"", "invalid", "Tệp không có nội dung."),
    ],
)
def test_the_api_refuses_what_it_cannot_verify_with_a_clear_message(
    client, alice, trusted, data, code, message
):
    response = _post(client, alice, data)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"].startswith(message)
    assert error["field"] == "file"


def test_the_api_refuses_a_file_over_the_limit_before_reading_it(client, alice, monkeypatch):
    monkeypatch.setattr(verification, "MAX_VERIFY_BYTES", 1024 * 1024)
    response = _post(client, alice, b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 200_000))
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message == "Tệp quá lớn (1,2 MB); dung lượng tối đa là 1 MB."


def test_the_api_wants_a_token(client, signed):
    upload = SimpleUploadedFile("a.pdf", signed, content_type="application/pdf")
    response = client.post(URL, {"file": upload})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_every_answer_of_the_api_is_in_its_schema():
    from giaoban.api import api

    operation = api.get_openapi_schema()["paths"][URL]["post"]
    assert {"200", "400", "401", "429"} <= set(map(str, operation["responses"]))
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert "file" in str(body) or "$ref" in str(body)


def test_the_page_verifies_an_upload(client, alice, signed):
    client.force_login(alice)
    page = reverse("documents:verify")
    assert client.get(page).status_code == 200
    upload = SimpleUploadedFile("văn bản.pdf", signed, content_type="application/pdf")
    response = client.post(page, {"file": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Hợp lệ: đã ký" in text
    assert "Ban Dân vận Tỉnh ủy Lào Cai" in text
    assert "08/10/2021 16:30:00" in text


def test_the_page_shows_a_refusal_beside_the_file(client, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("a.pdf", b"not a pdf", content_type="application/pdf")
    response = client.post(reverse("documents:verify"), {"file": upload})
    assert response.status_code == 200
    assert "Tệp này không phải PDF." in response.content.decode()


def test_the_page_is_for_logged_in_users_only(client):
    response = client.get(reverse("documents:verify"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_bytes_appended_after_the_signed_file_are_named(signed):
    (check,) = verification.verify_pdf(signed + b"\n% appended by someone\n" * 3).signatures
    assert check.intact and check.valid  # what was signed is untouched
    assert not check.ok
    assert check.changes == (
        "Có byte bị thêm hoặc sửa ngoài vùng được ký, và đó không phải là một lần cập nhật hợp lệ "
        "của tệp đã ký.",
    )


def test_trusted_roots_are_a_pem_file_or_a_directory_of_certificates(settings, tmp_path):
    one, two = demo_ca.authority_make("Gốc một"), demo_ca.authority_make("Gốc hai")
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(one.certificate_pem() + two.certificate_pem())
    settings.DOCUMENT_TRUSTED_ROOTS = bundle
    assert [r.subject.native["common_name"] for r in verification.trusted_roots()] == [
        "Gốc một",
        "Gốc hai",
    ]
    folder = tmp_path / "roots"
    folder.mkdir()
    (folder / "one.crt").write_bytes(one.certificate.public_bytes(serialization.Encoding.DER))
    (folder / "broken.pem").write_text("not a certificate")
    (folder / "notes.txt").write_text("ignored: not a certificate's name")
    settings.DOCUMENT_TRUSTED_ROOTS = folder
    assert [r.subject.native["common_name"] for r in verification.trusted_roots()] == ["Gốc một"]
