"""The documents' background tasks: an issued document's PDF, made from its .docx by LibreOffice
and signed with its organization's certificate, by any worker (`giaoban.core.tasks`).

The register enqueues `document_pdf_make` once the document is issued, with
`transaction.on_commit(lambda: document_pdf_make.enqueue(document_id=...))`. While LibreOffice is
missing or hangs, the document stays issued as .docx, its state says the PDF waits, and the task
is retried (`retried_task`); the run that succeeds stores the signed PDF.
"""

import logging
from datetime import datetime

from django.utils.translation import gettext as _

from giaoban.core.errors import ApplicationError
from giaoban.core.tasks import retried_task
from giaoban.documents.certificates import signing_material
from giaoban.documents.models import Document, PdfState
from giaoban.documents.pdf import docx_to_pdf
from giaoban.documents.services import pdf_recorded
from giaoban.documents.signing import sign_pdf

log = logging.getLogger("giaoban.documents.tasks")

__all__ = ["document_pdf_make", "make_signed_pdf"]


def make_signed_pdf(docx: bytes, organization, signer_name: str, when: datetime) -> bytes:
    """The document's PDF, made by LibreOffice and signed (PAdES) with `organization`'s
    certificate. `PdfUnavailable` when LibreOffice is missing, hangs or fails; `ApplicationError`
    when the organization has no usable certificate, found before LibreOffice runs."""
    signing_material(organization)
    return sign_pdf(docx_to_pdf(docx), organization, signer_name=signer_name, when=when)


def _waiting(document_id: int, error: Exception) -> None:
    reason = getattr(error, "message", str(error))
    message = _("The PDF is waiting to be made again: %(reason)s") % {"reason": reason}
    Document.objects.filter(pk=document_id).update(
        pdf_state=PdfState.WAITING, pdf_message=message[:500]
    )


def _gave_up(document_id: int, *, error: Exception) -> None:
    """The last attempt failed: the document says so (it stays issued, as .docx)."""
    reason = getattr(error, "message", str(error))
    message = _("The PDF could not be made: %(reason)s") % {"reason": reason}
    Document.objects.filter(pk=document_id).update(
        pdf_state=PdfState.FAILED, pdf_message=message[:500]
    )


@retried_task(on_give_up=_gave_up)
def document_pdf_make(document_id: int) -> str:
    """Make, sign and store an issued document's PDF; a document that has one is left as it is.
    A failure is written on the document and raised, so that the job runner retries."""
    document = Document.objects.select_related("organization").get(pk=document_id)
    if document.pdf:
        return PdfState.READY
    with document.docx.open("rb") as source:
        docx = source.read()
    try:
        data = make_signed_pdf(
            docx, document.organization, document.signer_name, document.issued_at
        )
    except ApplicationError as exc:
        _waiting(document_id, exc)
        log.warning("document %s: no PDF yet: %s", document_id, exc.message)
        raise
    pdf_recorded(doc=document, state=PdfState.READY, pdf=data)
    return PdfState.READY
