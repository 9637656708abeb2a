"""Verifying a signed PDF: who signed it, when, whether it changed since, and whether the signer's
certificate chains to a root the administrator trusts (DOCUMENT_TRUSTED_ROOTS), by pyHanko.

What changed is named: bytes inside the signed range (the digest no longer matches), the signature
value itself (the bytes outside the signed range), incremental updates appended after signing (and
what they touch, from pyHanko's difference analysis), or bytes outside any signed revision. No
network is used: revocation is not fetched (the test and demo CAs publish none), so a certificate
is "trusted" when its chain to a configured root is valid on the day of verification.
"""

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from giaoban.core.errors import ApplicationError, InvalidInput
from giaoban.reporting.numbers import format_number

log = logging.getLogger("giaoban.documents.verification")

__all__ = [
    "MAX_VERIFY_BYTES",
    "SignatureCheck",
    "Verification",
    "trusted_roots",
    "verify_pdf",
    "verify_upload",
]

#: The same bound as a document attached to a conference (meetings.documents).
MAX_VERIFY_BYTES = 20 * 1024 * 1024
_MB = 1024 * 1024


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of the file, as the user reads it."""

    signer: str  # the certificate's common name: the organization
    subject: str  # the certificate's whole subject
    issuer: str
    signed_at: datetime | None  # the time the signer wrote (/M), not a timestamp authority's
    intact: bool  # the signed bytes are those that were signed
    valid: bool  # and the signature over them verifies
    trusted: bool  # the certificate chains to a configured root
    changes: tuple[str, ...] = ()  # what changed after signing, each a sentence
    notes: tuple[str, ...] = ()  # every finding, each a sentence, in the user's language

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.changes


@dataclass(frozen=True)
class Verification:
    signatures: tuple[SignatureCheck, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(check.ok for check in self.signatures)

    @property
    def summary(self) -> str:
        if self.ok:
            return _("Valid: signed, unchanged since, by a trusted certificate.")
        return _("Not valid: see what was found below.")


def _certificates_in(path: Path) -> list[asn1_x509.Certificate]:
    data = path.read_bytes()
    if not pem.detect(data):
        return [asn1_x509.Certificate.load(data)]
    return [
        asn1_x509.Certificate.load(der)
        for kind, _headers, der in pem.unarmor(data, multiple=True)
        if kind == "CERTIFICATE"
    ]


def trusted_roots() -> list[asn1_x509.Certificate]:
    """The roots in DOCUMENT_TRUSTED_ROOTS: one PEM file, or a directory of .pem/.crt/.cer files
    (PEM or DER). A file that is not a certificate is left out and logged."""
    base = Path(settings.DOCUMENT_TRUSTED_ROOTS)
    if base.is_dir():
        paths = sorted(p for p in base.iterdir() if p.suffix.lower() in {".pem", ".crt", ".cer"})
    else:
        paths = [base] if base.is_file() else []
    roots = []
    for path in paths:
        try:
            roots.extend(_certificates_in(path))
        except (ValueError, TypeError, OSError):
            log.warning("%s is not a certificate; it is not trusted", path)
    return roots


def _reader(data: bytes) -> PdfFileReader:
    if not data:
        raise InvalidInput({"file": _("The file is empty.")})
    if b"%PDF-" not in data[:1024]:
        raise InvalidInput({"file": _("This file is not a PDF.")})
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # a damaged file can fail anywhere in the parser
        log.info("unreadable PDF: %r", exc)
        raise InvalidInput(
            {"file": _("This PDF is damaged and cannot be read: its structure is broken.")}
        ) from None
    if not signatures:
        raise ApplicationError(
            _("This PDF has no digital signature: there is nothing to verify."),
            code="unsigned",
            field="file",
        )
    return reader


def _name(certificate: asn1_x509.Certificate) -> str:
    names = certificate.subject.native
    return names.get("common_name") or names.get("organization_name") or ""


def _updates(after: int, status) -> list[str]:
    level = status.modification_level or ModificationLevel.OTHER
    what = {
        ModificationLevel.LTA_UPDATES: _("validation data only; the content is unchanged"),
        ModificationLevel.FORM_FILLING: _("form fields were filled in"),
        ModificationLevel.ANNOTATIONS: _("annotations (comments, marks) were added or changed"),
    }.get(level, _("the document's content or structure was changed"))
    return [
        ngettext(
            "%(count)d incremental update was appended after signing: %(what)s.",
            "%(count)d incremental updates were appended after signing: %(what)s.",
            after,
        )
        % {"count": after, "what": what}
    ]


def _changes(reader: PdfFileReader, embedded, status) -> list[str]:
    if not status.intact:
        return [
            _(
                "The signed content was changed after signing: the bytes inside the signed range "
                "no longer match the signature's digest."
            )
        ]
    if not status.valid:
        return [
            _(
                "The signature value itself was changed (the bytes outside the signed range): "
                "it no longer verifies."
            )
        ]
    coverage = status.coverage
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return []
    revisions_after = reader.xrefs.total_revisions - 1 - embedded.signed_revision
    if coverage == SignatureCoverageLevel.ENTIRE_REVISION and revisions_after > 0:
        return _updates(revisions_after, status)
    # Bytes after the signed revision that make no revision of their own (appended junk).
    return [
        _(
            "Bytes were added or changed outside the signed range, and they are not a valid "
            "update of the signed file."
        )
    ]


def _check(reader: PdfFileReader, embedded, context: ValidationContext) -> SignatureCheck:
    status = validate_pdf_signature(embedded, signer_validation_context=context)
    changes = _changes(reader, embedded, status)
    certificate = status.signing_cert
    signer = _name(certificate)
    signed_at = status.signer_reported_dt or embedded.self_reported_timestamp
    shown = signer or certificate.subject.human_friendly
    notes = [_("Signed by: %(signer)s.") % {"signer": shown}]
    if signed_at:
        when = signed_at.strftime("%d/%m/%Y %H:%M:%S %z")
        notes.append(_("Signed at: %(when)s.") % {"when": when})
    notes.extend(changes or [_("Unchanged since it was signed.")])
    if status.trusted:
        notes.append(_("The certificate chains to a trusted root."))
    else:
        notes.append(
            _(
                "The certificate is not trusted: it does not chain to any root the administrator "
                "configured (DOCUMENT_TRUSTED_ROOTS), or it was not valid."
            )
        )
    return SignatureCheck(
        signer=signer,
        subject=certificate.subject.human_friendly,
        issuer=certificate.issuer.human_friendly,
        signed_at=signed_at,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        changes=tuple(changes),
        notes=tuple(notes),
    )


def _damaged() -> SignatureCheck:
    message = _("The signature cannot be read: its data in the file is damaged.")
    return SignatureCheck(
        signer="",
        subject="",
        issuer="",
        signed_at=None,
        intact=False,
        valid=False,
        trusted=False,
        changes=(message,),
        notes=(message,),
    )


def verify_pdf(data: bytes) -> Verification:
    """Each signature of the PDF checked; `InvalidInput` for a file that is not a readable PDF,
    `ApplicationError` (code "unsigned") for a PDF without a signature."""
    reader = _reader(data)
    context = ValidationContext(
        trust_roots=trusted_roots(), allow_fetching=False, revocation_mode="soft-fail"
    )
    checks = []
    for embedded in reader.embedded_signatures:
        try:
            checks.append(_check(reader, embedded, context))
        except Exception as exc:  # a damaged signature dictionary or CMS blob
            log.info("unreadable signature: %r", exc)
            checks.append(_damaged())
    return Verification(tuple(checks))


def verify_upload(upload) -> Verification:
    """`verify_pdf` of a file uploaded to the page or the API (a Django UploadedFile), refused by
    its size before a byte of it is read."""
    size = upload.size
    if size > MAX_VERIFY_BYTES:
        raise InvalidInput(
            {
                "file": _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                % {
                    "size": format_number(Decimal(size) / _MB, 1),
                    "limit": MAX_VERIFY_BYTES // _MB,
                }
            }
        )
    upload.seek(0)
    return verify_pdf(upload.read())
