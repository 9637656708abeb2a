"""Importing an organization's PKCS#12 file: the key stored only encrypted, each bad file refused
in the user's language with nothing stored."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from django.db import connection

from giaoban.core.errors import ApplicationError, InvalidInput
from giaoban.core.models import AuditEntry
from giaoban.documents import demo_ca
from giaoban.documents.certificates import certificate_import, signing_material
from giaoban.documents.models import SigningCertificate
from giaoban.documents.tests import pki
from giaoban.documents.tests.pki import PASSWORD, expired_validity, pkcs12_for

pytestmark = pytest.mark.django_db

authority = pki.authority


def _refused(tree, data: bytes, password: str = PASSWORD) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        certificate_import(actor=None, organization=tree["board"], data=data, password=password)
    assert SigningCertificate.objects.count() == 0
    assert not AuditEntry.objects.filter(action="certificate_import").exists()
    return refused.value


def test_it_imports_and_shows_what_the_certificate_says(tree, authority, alice):
    data = pkcs12_for(authority, "Ban Dân vận Tỉnh ủy Lào Cai")
    record = certificate_import(
        actor=alice, organization=tree["board"], data=data, password=PASSWORD
    )
    assert "CN=Ban Dân vận Tỉnh ủy Lào Cai" in record.subject
    assert "CN=giaoban test CA" in record.issuer
    assert len(record.fingerprint.split(":")) == 32
    assert record.imported_by == alice
    entry = AuditEntry.objects.get(action="certificate_import")
    assert entry.after["fingerprint"] == record.fingerprint
    assert "key" not in str(entry.after).lower()


def test_the_key_is_not_stored_in_clear(tree, authority):
    key, certificate = demo_ca.certificate_issue(authority, "Ban Dân vận")
    data = demo_ca.pkcs12_bytes(key, certificate, [], "")  # a file without a password
    record = certificate_import(actor=None, organization=tree["board"], data=data, password="")
    with connection.cursor() as cursor:
        table = SigningCertificate._meta.db_table
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [record.pk])
        row = b"".join(
            bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
            for v in cursor.fetchone()
        )
    clear = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    numbers = key.private_numbers()
    for secret in (clear, clear[-64:], numbers.d.to_bytes(256, "big")[:32], b"PRIVATE KEY"):
        assert secret not in row
    assert signing_material(tree["board"]).key.private_numbers() == numbers


def test_a_wrong_password_is_refused(tree, authority):
    error = _refused(tree, pkcs12_for(authority, "Ban"), password="sai mật khẩu")
    assert error.field == "password"
    assert error.message == "Mật khẩu của tệp PKCS#12 không đúng."


def test_an_expired_certificate_is_refused(tree, authority):
    error = _refused(tree, pkcs12_for(authority, "Ban", **expired_validity()))
    assert error.message.startswith("Chứng thư số đã hết hạn ngày ")


def test_a_certificate_not_yet_valid_is_refused(tree, authority):
    later = datetime.now(UTC) + timedelta(days=10)
    error = _refused(tree, pkcs12_for(authority, "Ban", not_before=later))
    assert error.message.startswith("Chứng thư số chưa có hiệu lực")


def test_a_file_without_a_private_key_is_refused(tree, authority):
    _key, certificate = demo_ca.certificate_issue(authority, "Ban")
    data = demo_ca.pkcs12_bytes(None, certificate, [], PASSWORD)
    error = _refused(tree, data)
    assert error.field == "file"
    assert "không có khóa bí mật" in error.message


def test_a_file_that_is_not_pkcs12_is_refused(tree):
    error = _refused(tree, b"%PDF-1.7 not a certificate")
    assert "không phải tệp chứng thư số PKCS#12" in error.message
    assert _refused(tree, b"").message == "Tệp không có nội dung."


def test_an_organization_without_a_certificate_cannot_sign(tree):
    with pytest.raises(ApplicationError) as refused:
        signing_material(tree["sapa_board"])
    assert "Ban Dân vận Thị ủy Sa Pa" in refused.value.message


def test_a_changed_document_key_is_a_clear_refusal(tree, authority, settings):
    data = pkcs12_for(authority, "Ban")
    certificate_import(actor=None, organization=tree["board"], data=data, password=PASSWORD)
    settings.DOCUMENT_KEY = "another secret"
    with pytest.raises(ApplicationError) as refused:
        signing_material(tree["board"])
    assert "DOCUMENT_KEY" in refused.value.message
