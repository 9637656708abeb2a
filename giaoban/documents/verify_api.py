"""`POST /api/v1/documents/verify`: who signed a PDF, when, and whether it changed since."""

from ninja import File, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from giaoban.core.apischema import answers
from giaoban.documents.verification import MAX_VERIFY_BYTES, verify_upload

router = Router(tags=["documents"])


class SignatureOut(Schema):
    signer: str = Field(description="The certificate's common name: the signing organization.")
    subject: str
    issuer: str
    signed_at: str | None = Field(
        description="The time the signer wrote into the signature (ISO 8601), if any."
    )
    intact: bool = Field(description="The signed bytes are those that were signed.")
    valid: bool = Field(description="The signature over them verifies.")
    trusted: bool = Field(description="The certificate chains to a root the site trusts.")
    changes: list[str] = Field(description="What changed after signing, each a sentence.")
    notes: list[str] = Field(description="Every finding, in the user's language.")
    ok: bool


class VerificationOut(Schema):
    ok: bool = Field(description="Every signature intact, valid, trusted and nothing added.")
    summary: str
    signatures: list[SignatureOut]


_LIMIT_MB = MAX_VERIFY_BYTES // (1024 * 1024)


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


@router.post(
    "/documents/verify",
    response=answers(VerificationOut, 413),
    summary="Verify a signed PDF",
    description=f"400: no file, an empty file, a file over {_LIMIT_MB} MB, not a PDF, a damaged "
    "PDF (code `invalid`), or a PDF without a signature (code `unsigned`).",
)
def verify(request, file: UploadedFile = File(...)):  # noqa: B008
    """The PDF's signatures: who signed, when, whether anything changed after signing (named:
    the signed bytes, the signature value, updates appended since), and whether the certificate
    chains to a trusted root. The file is read, never kept."""
    result = verify_upload(file)
    return {
        "ok": result.ok,
        "summary": result.summary,
        "signatures": [
            {
                "signer": check.signer,
                "subject": check.subject,
                "issuer": check.issuer,
                "signed_at": _iso(check.signed_at),
                "intact": check.intact,
                "valid": check.valid,
                "trusted": check.trusted,
                "changes": list(check.changes),
                "notes": list(check.notes),
                "ok": check.ok,
            }
            for check in result.signatures
        ],
    }
