"""The administrator's ways in: `giaoban demo_ca`, `giaoban certificate import` and the admin's
import form; each refusal in Vietnamese with nothing stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from giaoban.documents.models import SigningCertificate
from giaoban.documents.tests import pki
from giaoban.documents.tests.pki import PASSWORD, pkcs12_for
from giaoban.documents.verification import trusted_roots

pytestmark = pytest.mark.django_db

authority = pki.authority


def test_demo_ca_makes_imports_and_trusts_a_certificate_per_organization(tree, tmp_path, settings):
    settings.DOCUMENT_TRUSTED_ROOTS = tmp_path / "roots"
    board, sapa = tree["board"], tree["sapa_board"]
    ids = ["--organization", str(board.pk), "--organization", str(sapa.pk)]
    call_command("demo_ca", str(tmp_path / "ca"), *ids, "--import", "--trust")
    assert (tmp_path / "ca" / f"org-{board.pk}.p12").is_file()
    assert {c.organization for c in SigningCertificate.objects.all()} == {board, sapa}
    (root,) = trusted_roots()
    record = SigningCertificate.objects.get(organization=board)
    assert "giaoban demo CA" in record.issuer and "giaoban demo CA" in root.subject.human_friendly
    # A second run keeps the same root: what was signed with the first stays trusted.
    first = (tmp_path / "ca" / "root.pem").read_bytes()
    call_command("demo_ca", str(tmp_path / "ca"), "--organization", str(board.pk))
    assert (tmp_path / "ca" / "root.pem").read_bytes() == first


def test_certificate_import_reads_the_password_from_a_file(tree, authority, tmp_path):
    p12 = tmp_path / "ban.p12"
    p12.write_bytes(pkcs12_for(authority, tree["board"].name))
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    board = str(tree["board"].pk)
    call_command("certificate", "import", board, str(p12), "--password-file", str(secret))
    assert SigningCertificate.objects.get().organization == tree["board"]


def test_certificate_import_with_a_wrong_password_stores_nothing(tree, authority, tmp_path):
    p12 = tmp_path / "ban.p12"
    p12.write_bytes(pkcs12_for(authority, "Ban"))
    secret = tmp_path / "password"
    secret.write_text("sai", encoding="utf-8")
    board = str(tree["board"].pk)
    with pytest.raises(CommandError, match="Mật khẩu của tệp PKCS#12 không đúng"):
        call_command("certificate", "import", board, str(p12), "--password-file", str(secret))
    assert not SigningCertificate.objects.exists()


def test_the_admin_imports_a_file_and_never_shows_the_key(
    client, django_user_model, tree, authority
):
    admin = django_user_model.objects.create_superuser("quantri", "qt@example.org", "x")
    client.force_login(admin)
    add = reverse("admin:documents_signingcertificate_add")
    data = pkcs12_for(authority, tree["board"].name)
    wrong = {
        "organization": tree["board"].pk,
        "file": SimpleUploadedFile("ban.p12", data),
        "password": "sai",
    }
    refused = client.post(add, wrong)
    assert refused.status_code == 200
    assert "Mật khẩu của tệp PKCS#12 không đúng." in refused.content.decode()
    assert not SigningCertificate.objects.exists()
    right = {**wrong, "file": SimpleUploadedFile("ban.p12", data), "password": PASSWORD}
    assert client.post(add, right).status_code == 302
    record = SigningCertificate.objects.get()
    assert record.imported_by == admin
    shown = client.get(reverse("admin:documents_signingcertificate_change", args=[record.pk]))
    assert record.fingerprint in shown.content.decode()
    assert "encrypted_key" not in shown.content.decode()
