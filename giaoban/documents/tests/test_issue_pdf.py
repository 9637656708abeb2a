"""An issued document's PDF end to end: issuing enqueues the task, the task makes the PDF from the
stored .docx with the real LibreOffice, signs it with the organization's certificate and stores
it; a failure leaves the document issued as .docx, waiting, then failed after the last attempt."""

# ruff: noqa: F811 -- the fixtures are imported from register_support and pki
import pytest
from django_tasks_db.models import DBTaskResult

from giaoban.core.errors import ApplicationError
from giaoban.core.tasks import ATTEMPTS
from giaoban.documents.models import Document, DocumentStatus, PdfState
from giaoban.documents.tasks import document_pdf_make
from giaoban.documents.tests import pki
from giaoban.documents.tests.pki import need_libreoffice
from giaoban.documents.tests.register_support import (  # noqa: F401 (fixtures)
    _english,
    _media,
    board,
    draft_for,
    head,
    layout,
)
from giaoban.documents.tests.test_register import issue
from giaoban.documents.verification import verify_pdf

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.once]

authority, trusted, board_certificate = pki.authority, pki.trusted, pki.board_certificate


def _queued() -> list[int]:
    return [r.args_kwargs["args"][0] for r in DBTaskResult.objects.filter(status="READY")]


def test_issuing_makes_a_signed_pdf_that_verifies(tree, board, head, board_certificate, trusted):
    need_libreoffice()
    doc = issue(draft_for(board), head)
    assert _queued() == [doc.pk]  # enqueued once the issue committed
    assert doc.pdf_state == PdfState.WAITING

    document_pdf_make.call(doc.pk)
    doc = Document.objects.get(pk=doc.pk)
    assert (doc.pdf_state, doc.pdf_message) == (PdfState.READY, "")
    with doc.pdf.open("rb") as stored:
        result = verify_pdf(stored.read())
    assert result.ok
    assert result.signatures[0].signer == board.name


def test_without_a_certificate_the_document_stays_issued_and_says_the_pdf_waits(tree, board, head):
    doc = issue(draft_for(board), head)
    with pytest.raises(ApplicationError):
        document_pdf_make.call(doc.pk)
    doc = Document.objects.get(pk=doc.pk)
    assert doc.status == DocumentStatus.ISSUED and doc.docx and not doc.pdf
    assert doc.pdf_state == PdfState.WAITING
    assert board.name in doc.pdf_message


def test_after_the_last_attempt_the_document_says_the_pdf_could_not_be_made(tree, board, head):
    doc = issue(draft_for(board), head)
    with pytest.raises(ApplicationError):
        document_pdf_make.call(doc.pk, attempt=ATTEMPTS)
    doc = Document.objects.get(pk=doc.pk)
    assert doc.pdf_state == PdfState.FAILED
    assert board.name in doc.pdf_message and not doc.pdf
