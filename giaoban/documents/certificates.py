"""Importing an organization's PKCS#12 file, and its key encrypted at rest.

The key is encrypted with Fernet (AES-128-CBC with HMAC-SHA256) under a key derived by HKDF-SHA256
from DOCUMENT_KEY, or from SECRET_KEY when that is unset. Changing that secret makes the stored keys
unreadable: the administrator then imports the PKCS#12 files again (docs/documents-signing.md).
A file is refused, with nothing stored, when it is not PKCS#12, the password is wrong, it has no
private key or no certificate, the key is not the certificate's, or the certificate is not valid
today.
"""

import base64
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.audit import audit_record
from giaoban.core.errors import ApplicationError, InvalidInput
from giaoban.core.text import nfc
from giaoban.documents.models import SigningCertificate
from giaoban.orgs.models import Organization

__all__ = [
    "MAX_PKCS12_BYTES",
    "SigningMaterial",
    "certificate_import",
    "fingerprint",
    "signing_material",
]

#: A PKCS#12 file is a few kilobytes; anything far larger is not one.
MAX_PKCS12_BYTES = 1024 * 1024
_HKDF_INFO = b"giaoban documents: signing keys at rest"


@dataclass(frozen=True)
class SigningMaterial:
    """What signing needs: the key, its certificate and the other certificates of the file."""

    key: object  # a cryptography private key
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    record: SigningCertificate


def _fernet() -> Fernet:
    secret = (settings.DOCUMENT_KEY or settings.SECRET_KEY).encode()
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret)
    return Fernet(base64.urlsafe_b64encode(derived))


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate, as hex pairs separated by colons."""
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()


def _file_error(message: str) -> InvalidInput:
    return InvalidInput({"file": message})


def _is_pkcs12(data: bytes) -> bool:
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native == "data"
    except (ValueError, TypeError, KeyError):
        return False


def _read(data: bytes, password: str):
    if not data:
        raise _file_error(_("The file is empty."))
    if len(data) > MAX_PKCS12_BYTES or not _is_pkcs12(data):
        raise _file_error(
            _("This file is not a PKCS#12 certificate file (.p12 or .pfx) with a private key.")
        )
    try:
        return pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except ValueError:
        raise InvalidInput({"password": _("The password of the PKCS#12 file is wrong.")}) from None


def _check(key, certificate: x509.Certificate | None, now: datetime) -> None:
    if key is None:
        raise _file_error(
            _(
                "The PKCS#12 file has no private key: export the certificate again with its "
                "private key."
            )
        )
    if certificate is None:
        raise _file_error(_("The PKCS#12 file has a private key but no certificate."))
    public = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*public) != certificate.public_key().public_bytes(*public):
        raise _file_error(_("The private key in the file does not belong to its certificate."))
    day = "%d/%m/%Y"
    if certificate.not_valid_after_utc < now:
        raise _file_error(
            _("The certificate expired on %(date)s; import a valid certificate.")
            % {"date": timezone.localtime(certificate.not_valid_after_utc).strftime(day)}
        )
    if certificate.not_valid_before_utc > now:
        raise _file_error(
            _("The certificate is not valid until %(date)s.")
            % {"date": timezone.localtime(certificate.not_valid_before_utc).strftime(day)}
        )


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@transaction.atomic
def certificate_import(
    *, actor, organization: Organization, data: bytes, password: str
) -> SigningCertificate:
    """Store an organization's certificate from a PKCS#12 file, its key encrypted; the newest
    import is the one the organization signs with from then on."""
    key, certificate, others = _read(data, password)
    _check(key, certificate, timezone.now())
    key_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    record = SigningCertificate.objects.create(
        organization=organization,
        subject=nfc(certificate.subject.rfc4514_string())[:500],
        issuer=nfc(certificate.issuer.rfc4514_string())[:500],
        serial_number=format(certificate.serial_number, "X")[:100],
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        fingerprint=fingerprint(certificate),
        certificate=_pem(certificate),
        chain="".join(_pem(other) for other in others),
        encrypted_key=_fernet().encrypt(key_der),
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    shown = ["subject", "issuer", "serial_number", "not_before", "not_after", "fingerprint"]
    audit_record(
        actor=actor,
        action="certificate_import",
        instance=record,
        after={name: str(getattr(record, name)) for name in shown},
    )
    return record


def signing_material(organization: Organization, moment: datetime | None = None):
    """The key and certificates the organization signs with at `moment` (now); a refusal naming
    the organization when it has no valid certificate or its key cannot be read."""
    record = SigningCertificate.objects.usable(organization, moment).first()
    if record is None:
        raise ApplicationError(
            _(
                "“%(organization)s” has no valid signing certificate: the administrator imports "
                "its PKCS#12 file first."
            )
            % {"organization": organization.name},
            code="no_certificate",
        )
    try:
        key_der = _fernet().decrypt(bytes(record.encrypted_key))
    except InvalidToken:
        raise ApplicationError(
            _(
                "The signing key of “%(organization)s” cannot be decrypted (DOCUMENT_KEY or "
                "SECRET_KEY changed since it was imported): import its PKCS#12 file again."
            )
            % {"organization": organization.name},
            code="no_certificate",
        ) from None
    chain = tuple(x509.load_pem_x509_certificates(record.chain.encode())) if record.chain else ()
    return SigningMaterial(
        key=serialization.load_der_private_key(key_der, password=None),
        certificate=x509.load_pem_x509_certificate(record.certificate.encode()),
        chain=chain,
        record=record,
    )
