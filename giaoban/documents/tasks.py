"""The documents' background tasks: an issued document's PDF, made from its .docx by LibreOffice
and signed with its organization's certificate, by any worker (`giaoban.core.tasks`).

The register enqueues `document_pdf_make` once the document is issued, with
`transaction.on_commit(lambda: document_pdf_make.enqueue(document_id=...))`. While LibreOffice is
missing or hangs, the document stays issued as .docx, its state says the PDF waits, and the task
is retried (`retried_task`); the run that succeeds stores the signed PDF.
"""

import logging
from datetime import datetime

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from giaoban.core.errors import ApplicationError
from giaoban.core.tasks import retried_task
from giaoban.documents.certificates import signing_material
from giaoban.documents.pdf import docx_to_pdf
from giaoban.documents.signing import sign_pdf

log = logging.getLogger("giaoban.documents.tasks")

__all__ = ["PdfState", "document_pdf_make", "make_signed_pdf"]


class PdfState:
    """The values of `Document.pdf_state` (the register's field; see docs/documents-signing.md)."""

    NONE = ""  # not issued yet: no PDF is due
    WAITING = "waiting"  # issued; the PDF is being made, or waits for a retry
    READY = "ready"  # the signed PDF is stored
    FAILED = "failed"  # every attempt failed: `pdf_message` says why


def make_signed_pdf(docx: bytes, organization, signer_name: str, when: datetime) -> bytes:
    """The document's PDF, made by LibreOffice and signed (PAdES) with `organization`'s
    certificate. `PdfUnavailable` when LibreOffice is missing, hangs or fails; `ApplicationError`
    when the organization has no usable certificate, found before LibreOffice runs."""
    signing_material(organization)
    return sign_pdf(docx_to_pdf(docx), organization, signer_name=signer_name, when=when)


def _note(model, document_id: int, state: str, message: str) -> None:
    # An update of the two fields only: the issued document itself is never saved again.
    model.objects.filter(pk=document_id).update(pdf_state=state, pdf_message=message[:500])


@retried_task
def document_pdf_make(document_id: int) -> str:
    """Make, sign and store an issued document's PDF; a document that has one is left as it is.
    A failure is written on the document and raised, so that the job runner retries."""
    from giaoban.documents.models import Document  # the register's model

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
        message = _("The PDF is waiting to be made again: %(reason)s") % {"reason": exc.message}
        _note(Document, document_id, PdfState.WAITING, message)
        log.warning("document %s: no PDF yet: %s", document_id, exc.message)
        raise
    stored = document.pdf.storage.save(
        document.pdf.field.generate_filename(document, "document.pdf"), ContentFile(data)
    )
    Document.objects.filter(pk=document_id).update(
        pdf=stored, pdf_state=PdfState.READY, pdf_message=""
    )
    return PdfState.READY
