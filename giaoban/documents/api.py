"""The documents endpoints of /api/v1/: the register, drafting and issuing, .docx and PDF.

Scoped like the pages: a document the caller may not see is a 404, one they may see but not
write a 403. Errors come out through the API's JSON error handlers as {"error": {...}}.
"""

from datetime import date
from typing import Annotated

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from giaoban.core.apischema import MAX_ID, BodyIn, PathId, Revision, answers, refusals
from giaoban.core.errors import ApplicationError, InvalidInput, NotFound
from giaoban.core.files import download_response, protected_file_response
from giaoban.documents import drafts, layout, selectors, services
from giaoban.documents.models import KIND_TITLES, Document, DocumentStatus, PdfState
from giaoban.documents.paper import Block, Paper
from giaoban.documents.services import DraftSource
from giaoban.meetings.selectors import conferences_visible
from giaoban.orgs.access import membership_of
from giaoban.orgs.models import Organization, Person, Unit
from giaoban.orgs.selectors import organization_get, organizations_for_positions
from giaoban.reporting.models import Period

router = Router(tags=["documents"])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
MAX_LIMIT = 1000


class PaperBlockIO(Schema):
    kind: str = Field(max_length=20)
    text: str = Field("", max_length=20_000)
    rows: list[list[str]] = Field([], max_length=2_000)


class OfficialDocumentOut(Schema):
    id: int
    organization: int
    organization_name: str
    kind: str
    status: str
    number: int | None
    number_text: str
    series: str
    issued_on: date | None
    title: str
    summary: str
    body: list[PaperBlockIO]
    appendix: list[PaperBlockIO]
    appendix_title: str
    signer: int | None
    signer_name: str
    signer_title: str
    signer_authority: str
    recipients: list[int]
    recipient_lines: list[str]
    replaces: int | None
    replaced_by: int | None
    source: str
    pdf_state: str
    pdf_message: str
    docx_url: str | None
    pdf_url: str | None
    revision: int


class OfficialDraftIn(BodyIn):
    """A draft from a conference (`source` "minutes" or "conclusion_notice", `conference`), from a
    consolidated report (`source` "consolidated_report", `unit`, `period`), or written out
    (`kind`, `summary`, `title`, `body`). `organization` issues it: by default the conference's
    organizer, or the caller's own organization."""

    organization: int | None = Field(None, gt=0, le=MAX_ID)
    source: str | None = Field(None, max_length=40)
    conference: int | None = Field(None, gt=0, le=MAX_ID)
    unit: int | None = Field(None, gt=0, le=MAX_ID)
    period: int | None = Field(None, gt=0, le=MAX_ID)
    kind: str | None = Field(None, max_length=4)
    title: str | None = Field(None, max_length=100)
    summary: str = Field("", max_length=500)
    body: list[PaperBlockIO] = Field([], max_length=2_000)
    appendix: list[PaperBlockIO] = Field([], max_length=2_000)
    appendix_title: str = Field("", max_length=300)
    recipient_lines: list[str] = Field([], max_length=200)


class OfficialIssueIn(BodyIn):
    """`signer`: a person holding a position in the issuing organization today; `recipients`:
    organization ids; `recipient_lines`: other lines (by default the draft's), "Lưu …" last;
    `revision`: refuses an issue based on a stale view."""

    signer: int | None = Field(None, gt=0, le=MAX_ID)
    recipients: list[Annotated[int, Field(gt=0, le=MAX_ID)]] = Field([], max_length=5_000)
    recipient_lines: list[Annotated[str, Field(max_length=300)]] | None = Field(
        None, max_length=200
    )
    revision: Revision | None = None


class DocumentFilters(Schema):
    organization: int | None = Field(None, gt=0, le=MAX_ID)
    year: int | None = Field(None, ge=1, le=9999)
    kind: str | None = Field(None, max_length=4)
    limit: int = Field(200, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_ID)


def _url(name: str, doc: Document) -> str:
    return reverse(f"api:{name}", kwargs={"document_id": doc.pk})


def _document_out(doc: Document) -> dict:
    replaced_by = Document.objects.filter(replaces=doc).values_list("pk", flat=True).first()
    return {
        "id": doc.pk,
        "organization": doc.organization_id,
        "organization_name": doc.organization.name,
        "kind": doc.kind,
        "status": doc.status,
        "number": doc.number,
        "number_text": doc.number_text(),
        "series": doc.series,
        "issued_on": doc.issued_on,
        "title": doc.title,
        "summary": doc.summary,
        "body": doc.body,
        "appendix": doc.appendix,
        "appendix_title": doc.appendix_title,
        "signer": doc.signer_id,
        "signer_name": doc.signer_name,
        "signer_title": doc.signer_title,
        "signer_authority": doc.signer_authority,
        "recipients": list(doc.recipients.values_list("pk", flat=True)),
        "recipient_lines": doc.recipient_lines,
        "replaces": doc.replaces_id,
        "replaced_by": replaced_by,
        "source": doc.source,
        "pdf_state": doc.pdf_state,
        "pdf_message": doc.pdf_message,
        "docx_url": _url("documents_docx", doc),
        "pdf_url": _url("documents_pdf", doc) if doc.pdf_state == PdfState.READY else None,
        "revision": doc.revision,
    }


def _document(request, pk: int) -> Document:
    """A document the caller may see (an id no database integer holds is no document)."""
    if not 0 < pk <= MAX_ID:
        raise NotFound(_("No such document, or you may not see it."))
    return selectors.document_get(user=request.user, pk=pk)


def _bounded(pk: int | None) -> int | None:
    """An id the databases can compare (past 64 bits PostgreSQL refuses the query)."""
    return pk if pk is not None and 0 < pk <= MAX_ID else None


def _organization(request, pk: int | None, field: str = "organization") -> Organization:
    if pk is None:
        membership = membership_of(request.user)
        if membership is None:
            raise InvalidInput({field: _("Say which organization issues the document.")})
        return membership.organization
    if not 0 < pk <= MAX_ID:
        raise InvalidInput({field: _("No organization with id %(ids)s.") % {"ids": pk}})
    return organization_get(user=request.user, pk=pk)


@router.get(
    "/documents/", response=answers(list[OfficialDocumentOut], 403, 404), summary="The register"
)
def document_list(request, filters: Query[DocumentFilters]):
    """Documents the caller may see, issued first by date and number, then drafts:
    `organization` (id), `year` (of issue), `kind` (BC, TB, BB, KH, CV, HD), `limit`, `offset`."""
    if not 1 <= filters.limit <= MAX_LIMIT or not 0 <= filters.offset <= MAX_ID:
        raise InvalidInput(
            {"limit": _("limit must be 1 to %(max)s, offset 0 or more.") % {"max": MAX_LIMIT}}
        )
    if filters.year is not None and not 1 <= filters.year <= 9999:
        raise InvalidInput({"year": _("year must be 1 to 9999.")})
    kind = selectors.parse_kind(filters.kind)
    if filters.organization is not None:
        organization = _organization(request, filters.organization)
        rows = selectors.register(
            user=request.user, organization=organization, year=filters.year, kind=kind
        )
    else:
        rows = selectors.documents_visible(user=request.user)
        if filters.year:
            rows = rows.filter(issued_on__year=filters.year)
        if kind:
            rows = rows.filter(kind=kind)
        rows = rows.order_by("status", "-issued_on", "-number", "-created_at")
    page = rows[filters.offset : filters.offset + filters.limit]
    return [_document_out(doc) for doc in page]


def _drafted_paper(request, payload: OfficialDraftIn) -> tuple[Organization, Paper, DraftSource]:
    """The Paper of a draft from a conference or a consolidated report (`drafts`)."""
    if payload.source in ("minutes", "conclusion_notice"):
        conference = (
            conferences_visible(user=request.user).filter(pk=_bounded(payload.conference)).first()
        )
        if _bounded(payload.conference) is None or conference is None:
            raise InvalidInput({"conference": _("No such conference, or you may not see it.")})
        organization = (
            _organization(request, payload.organization)
            if payload.organization is not None
            else conference.organizer
        )
        make = drafts.minutes if payload.source == "minutes" else drafts.conclusion_notice
        paper = make(conference, selectors.issuer_for(organization))
        return organization, paper, DraftSource(kind=payload.source, conference=conference)
    unit = Unit.objects.visible_to(request.user).filter(pk=_bounded(payload.unit)).first()
    period = Period.objects.filter(pk=_bounded(payload.period)).first()
    errors = {}
    if _bounded(payload.unit) is None or unit is None:
        errors["unit"] = _("No such unit, or you may not see it.")
    if _bounded(payload.period) is None or period is None:
        errors["period"] = _("No such period.")
    if errors:
        raise InvalidInput(errors)
    organization = _organization(request, payload.organization)
    paper = drafts.consolidated_report(
        unit, period, selectors.issuer_for(organization), user=request.user
    )
    source = DraftSource(kind=payload.source, unit=unit, period=period)
    return organization, paper, source


def _written_paper(request, payload: OfficialDraftIn) -> tuple[Organization, Paper, DraftSource]:
    organization = _organization(request, payload.organization)
    kind = (payload.kind or "").strip().upper()
    title = KIND_TITLES.get(kind, "") if payload.title is None else payload.title

    def blocks(items):
        return tuple(Block(b.kind, b.text, tuple(tuple(r) for r in b.rows)) for b in items)

    paper = Paper(
        issuer=selectors.issuer_for(organization),
        kind=kind,
        title=title,
        summary=payload.summary,
        body=blocks(payload.body),
        appendix=blocks(payload.appendix),
        appendix_title=payload.appendix_title,
        recipients=tuple(payload.recipient_lines),
    )
    return organization, paper, DraftSource()


SOURCES = ("minutes", "conclusion_notice", "consolidated_report")


@router.post(
    "/documents/",
    response=answers(OfficialDocumentOut, 403, 404, status=201),
    summary="Draft a document",
)
def document_draft(request, payload: OfficialDraftIn):
    if payload.source and payload.source not in SOURCES:
        raise InvalidInput(
            {"source": _("source is minutes, conclusion_notice or consolidated_report.")}
        )
    make = _drafted_paper if payload.source else _written_paper
    organization, paper, source = make(request, payload)
    doc = services.draft(user=request.user, organization=organization, paper=paper, source=source)
    return Status(201, _document_out(doc))


@router.get(
    "/documents/{document_id}", response=answers(OfficialDocumentOut, 404), summary="A document"
)
def document_read(request, document_id: PathId):
    return _document_out(_document(request, document_id))


def _recipients(request, ids: list[int]) -> list[Organization]:
    possible = [pk for pk in ids if 0 < pk <= MAX_ID]
    found = organizations_for_positions(user=request.user).in_bulk(possible)
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise InvalidInput(
            {"recipients": _("No organization with id %(ids)s.") % {"ids": ", ".join(missing)}}
        )
    return [found[pk] for pk in dict.fromkeys(ids)]


@router.post(
    "/documents/{document_id}/issue",
    response=answers(OfficialDocumentOut, 403, 404, 409),
    summary="Issue a draft",
)
def document_issue(request, document_id: PathId, payload: OfficialIssueIn):
    """The next number of the register's series, today's date, the signer's authority from the
    registry; the .docx is stored and the signed PDF is made in the background (`pdf_state`)."""
    doc = _document(request, document_id)
    signer = None
    if payload.signer is not None:
        signer = (
            Person.objects.filter(pk=payload.signer).first() if payload.signer <= MAX_ID else None
        )
        if signer is None:
            raise InvalidInput({"signer": _("No person with id %(id)s.") % {"id": payload.signer}})
    doc = services.issue(
        user=request.user,
        doc=doc,
        signer=signer,
        recipients=_recipients(request, payload.recipients),
        recipient_lines=payload.recipient_lines,
        revision=payload.revision,
    )
    return _document_out(doc)


def _binary(content_type: str, what: str) -> dict:
    return {
        "responses": {
            200: {
                "description": what,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def download_name(doc: Document, extension: str) -> str:
    number = doc.number_text().replace("/", "-") or _("draft")
    return f"{number} {doc.summary[:80]}.{extension}"


@router.get(
    "/documents/{document_id}/docx",
    response=refusals(404, 409),
    openapi_extra=_binary(DOCX, "The .docx: as issued, or the draft as it would be issued."),
    url_name="documents_docx",
    summary="The .docx",
)
def document_docx(request, document_id: PathId):
    doc = _document(request, document_id)
    return docx_response(doc)


def docx_response(doc: Document):
    """The issued .docx as stored; a draft rendered as it stands (no number, no signer yet)."""
    name = download_name(doc, "docx")
    if doc.status == DocumentStatus.ISSUED:
        return protected_file_response(
            doc.docx, content_type=DOCX, name=name, missing=_("The document's file is missing.")
        )
    return download_response(layout.render(doc.paper()), name=name, content_type=DOCX)


def pdf_ready(doc: Document) -> None:
    """Refuse (409) a PDF not made yet, saying why."""
    if doc.pdf_state == PdfState.READY and doc.pdf:
        return
    if doc.status != DocumentStatus.ISSUED:
        message = _("A draft has no PDF: the signed PDF is made when the document is issued.")
    elif doc.pdf_message:  # the PDF task says why it could not make it yet
        message = doc.pdf_message
    else:
        message = _("The signed PDF is not made yet: try again in a moment.")
    raise ApplicationError(message, code="conflict")


@router.get(
    "/documents/{document_id}/pdf",
    response=refusals(404, 409),
    openapi_extra=_binary(PDF, "The signed PDF."),
    url_name="documents_pdf",
    summary="The signed PDF",
)
def document_pdf(request, document_id: PathId):
    doc = _document(request, document_id)
    pdf_ready(doc)
    return protected_file_response(
        doc.pdf, content_type=PDF, name=download_name(doc, "pdf"), missing=_("The PDF is missing.")
    )


@router.post(
    "/documents/{document_id}/pdf",
    response=answers(OfficialDocumentOut, 403, 404, 409),
    summary="Make the signed PDF again",
)
def document_pdf_again(request, document_id: PathId):
    """Queue the signed PDF again once its task gave up (`pdf_state` "failed"): the same rule as
    issuing. 409 for a draft, a document whose PDF exists, or one whose PDF is still being made
    or retried; the answer's `pdf_state` is then "waiting"."""
    doc = services.pdf_again(user=request.user, doc=_document(request, document_id))
    return _document_out(doc)
