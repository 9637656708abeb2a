"""Writes of the register: drafting, editing, issuing and replacing outgoing documents, and each
organization's style.

Each write checks the actor's place (giaoban.documents.access), locks the row it changes and writes
its audit entry in the same transaction. `user=None` is the system (the demo loader, tests). An
issued document never changes: issuing twice, editing it, or issuing without a signer is refused,
and a refused issue leaves no number taken and nothing stored.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import date
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.audit import audit_record, snapshot
from giaoban.core.errors import ApplicationError, InvalidInput, PermissionDenied
from giaoban.core.limits import check_lengths
from giaoban.core.locking import check_revised, save_revised
from giaoban.core.text import fold, nfc, nfc_text
from giaoban.documents import layout
from giaoban.documents.access import may_write
from giaoban.documents.drafts_parts import storage_line
from giaoban.documents.models import (
    Document,
    DocumentKind,
    DocumentStatus,
    IssuerStyle,
    Numbering,
    PdfState,
    RegisterCounter,
    Source,
    blocks_to_json,
)
from giaoban.documents.paper import Paper, Signature
from giaoban.documents.selectors import default_style, issuer_for
from giaoban.orgs.models import Organization, OrgKind, Person, Position

log = logging.getLogger("giaoban.documents")

MAX_BLOCKS = 2_000
MAX_BLOCK_TEXT = 20_000
MAX_ROWS = 1_000
MAX_LINE = 300
MAX_RECIPIENT_LINES = 50
BLOCK_KINDS = ("heading", "paragraph", "table")
_CONTENT = ["kind", "title", "summary", "body", "appendix", "appendix_title", "recipient_lines"]
_ISSUED = ["status", "number", "series", "sequence", "issued_on", "signer_id", "signer_authority"]


@dataclass(frozen=True)
class DraftSource:
    """Where a draft came from: a conference (minutes, conclusion notice) or a unit and period
    (a consolidated report)."""

    kind: str = Source.WRITTEN
    conference: object = None
    unit: object = None
    period: object = None


# Who signs, and with what authority ---------------------------------------------------------

# (the position's title folded starts with, the position as printed, the authority line above it).
# Deputies are tried first: "phó trưởng ban" also ends with "trưởng ban".
#
# Party bodies, Hướng dẫn 36-HD/VPTW, Mục II, khoản 1, điểm 1.7.1: a committee (cấp ủy) signs
# "thay mặt" (T/M) its collective; an advisory body of the committee (a Ban) is signed by its head
# directly, and by a deputy "ký thay" (K/T) the head.
_BOARD = [
    ("pho truong ban", "PHÓ TRƯỞNG BAN", "K/T TRƯỞNG BAN"),
    ("truong ban", "TRƯỞNG BAN", ""),
]
_COMMITTEE = [
    ("pho bi thu", "PHÓ BÍ THƯ", "T/M BAN THƯỜNG VỤ"),
    ("bi thu", "BÍ THƯ", "T/M BAN THƯỜNG VỤ"),
]
# State bodies, Nghị định 30/2020/NĐ-CP, Điều 13, khoản 2 and Phụ lục I, Mục II, khoản 7: a body
# working as a collective signs "TM." the collective; a deputy signs "KT." the head under it.
_PEOPLES_COMMITTEE = [
    ("pho chu tich", "PHÓ CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH"),
    ("chu tich", "CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN"),
]
_PEOPLES_COUNCIL = [
    ("pho chu tich", "PHÓ CHỦ TỊCH", "TM. THƯỜNG TRỰC HỘI ĐỒNG NHÂN DÂN\nKT. CHỦ TỊCH"),
    ("chu tich", "CHỦ TỊCH", "TM. THƯỜNG TRỰC HỘI ĐỒNG NHÂN DÂN"),
]
# The Front's standing board signs as a collective: "TM. BAN THƯỜNG TRỰC" (the issue's wording of
# the Front's guidance; no public copy of it was found to cite a clause).
_FRONT = [
    ("pho chu tich", "PHÓ CHỦ TỊCH", "TM. BAN THƯỜNG TRỰC"),
    ("chu tich", "CHỦ TỊCH", "TM. BAN THƯỜNG TRỰC"),
]
# The Youth Union's standing board signs "TM. BAN THƯỜNG VỤ" (as in Quyết định 367-QĐ/TWĐTN-VP,
# 29/10/2013, on the Union's documents, whose own signature reads "TM. BAN BÍ THƯ TRUNG ƯƠNG ĐOÀN").
_YOUTH = [
    ("pho bi thu", "PHÓ BÍ THƯ", "TM. BAN THƯỜNG VỤ"),
    ("bi thu", "BÍ THƯ", "TM. BAN THƯỜNG VỤ"),
]
_UNION = [
    ("pho chu tich", "PHÓ CHỦ TỊCH", "TM. BAN THƯỜNG VỤ"),
    ("chu tich", "CHỦ TỊCH", "TM. BAN THƯỜNG VỤ"),
]
# Any other body works under its head (chế độ thủ trưởng, Nghị định 30/2020, Điều 13, khoản 1).
_HEADED = [
    ("pho giam doc", "PHÓ GIÁM ĐỐC", "KT. GIÁM ĐỐC"),
    ("giam doc", "GIÁM ĐỐC", ""),
    *_BOARD,
]
_RULES = {
    OrgKind.MOBILIZATION_BOARD: _BOARD,
    OrgKind.PROPAGANDA_BOARD: _BOARD,
    OrgKind.PARTY_COMMITTEE: _COMMITTEE,
    OrgKind.PEOPLES_COMMITTEE: _PEOPLES_COMMITTEE,
    OrgKind.PEOPLES_COUNCIL: _PEOPLES_COUNCIL,
    OrgKind.FATHERLAND_FRONT: _FRONT,
    OrgKind.YOUTH_UNION: _YOUTH,
    OrgKind.FARMERS_UNION: _UNION,
    OrgKind.WOMENS_UNION: _UNION,
    OrgKind.VETERANS_UNION: _UNION,
    OrgKind.LABOUR_FEDERATION: _UNION,
}


def signature_for(person: Person, organization: Organization, day: date) -> Signature:
    """The signature block of `person` for `organization` on `day`, from the positions the
    registry says they hold there that day. Refused, naming the person, if they hold none or
    none that signs."""
    held = [
        p
        for p in Position.objects.filter(person=person, organization=organization)
        if p.is_held_on(day)
    ]
    names = {"name": person.full_name, "org": organization.name, "day": f"{day:%d/%m/%Y}"}
    if not held:
        raise InvalidInput(
            {"signer": _("%(name)s holds no position at %(org)s on %(day)s.") % names}
        )
    rules = _RULES.get(organization.kind, _HEADED)
    for position in sorted(held, key=lambda p: (p.protocol_rank, p.pk)):
        folded = fold(position.title)
        for start, title, authority in rules:
            if folded.startswith(start):
                return Signature(title=title, name=person.full_name, authority=authority)
    titles = ", ".join(p.title for p in held)
    raise InvalidInput(
        {
            "signer": _(
                "%(name)s is %(titles)s at %(org)s on %(day)s: not a position that signs its "
                "documents. Choose its head or a deputy."
            )
            % {**names, "titles": titles}
        }
    )


# Styles and numbering ----------------------------------------------------------------------


def style_ensure(organization: Organization) -> IssuerStyle:
    """The organization's style row, made from its kind's default the first time."""
    style = IssuerStyle.objects.filter(organization=organization).first()
    if style is None:
        style = default_style(organization)
        style.save()
    return style


def series_for(style: IssuerStyle, kind: str, day: date) -> tuple[str, str]:
    """(series, sequence) of a document of `kind` issued on `day`: the term of office and the
    kind for a register counted by term (36-HD/VPTW 1.3.1.a), the year and one sequence for all
    kinds for one counted by year (Nghị định 30/2020, Điều 15, khoản 1)."""
    if style.numbering == Numbering.YEAR:
        return str(day.year), ""
    term = style.terms.filter(starts_on__lte=day).order_by("-starts_on").first()
    if term is None:
        raise InvalidInput(
            {
                "issued_on": _(
                    "%(org)s numbers its documents by term of office, and no term is recorded "
                    "that includes %(day)s: an administrator records the committee's term "
                    "(Document styles) first."
                )
                % {"org": style.organization.name, "day": f"{day:%d/%m/%Y}"}
            }
        )
    return term.label, kind


def _next_number(organization: Organization, series: str, sequence: str) -> int:
    """The next number of one series, under the counter row's lock until the transaction ends."""
    counter, _created = RegisterCounter.objects.get_or_create(
        organization=organization, series=series, sequence=sequence
    )
    counter = RegisterCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


# Content -----------------------------------------------------------------------------------


def _clean_blocks(errors: dict, field: str, blocks) -> list[dict]:
    if not isinstance(blocks, list | tuple) or len(blocks) > MAX_BLOCKS:
        errors[field] = _("At most %(n)d parts.") % {"n": MAX_BLOCKS}
        return []
    cleaned = []
    for i, block in enumerate(blocks, start=1):
        kind = block.get("kind") if isinstance(block, dict) else None
        text = block.get("text", "") if isinstance(block, dict) else None
        rows = block.get("rows", []) if isinstance(block, dict) else None
        if kind not in BLOCK_KINDS or not isinstance(text, str) or not isinstance(rows, list):
            errors[field] = _("Part %(i)d: a heading, a paragraph or a table.") % {"i": i}
            return []
        if len(text) > MAX_BLOCK_TEXT or len(rows) > MAX_ROWS:
            errors[field] = _("Part %(i)d is too long.") % {"i": i}
            return []
        rows = [
            [nfc(str(cell))[:MAX_LINE] for cell in row] for row in rows if isinstance(row, list)
        ]
        cleaned.append({"kind": kind, "text": nfc_text(text), "rows": rows})
    return cleaned


def _clean_lines(errors: dict, lines) -> list[str]:
    if not isinstance(lines, list | tuple) or len(lines) > MAX_RECIPIENT_LINES:
        errors["recipient_lines"] = _("At most %(n)d lines.") % {"n": MAX_RECIPIENT_LINES}
        return []
    cleaned = [nfc(str(line)).lstrip("-– ").strip() for line in lines]
    if any(len(line) > MAX_LINE for line in cleaned):
        errors["recipient_lines"] = _("A line is longer than %(n)d characters.") % {"n": MAX_LINE}
    return [line for line in cleaned if line]


def _clean_content(**values) -> dict:
    """The content fields, normalized and checked together: every wrong field at once."""
    errors: dict[str, str] = {}
    kind = (values.get("kind") or "").strip().upper()
    if kind not in DocumentKind.values:
        errors["kind"] = _("Unknown kind of document: choose BC, TB, BB, KH, CV or HD.")
    summary = nfc(values.get("summary") or "")
    if not summary:
        errors["summary"] = _("Write the summary (trích yếu) of the document.")
    cleaned = {
        "kind": kind,
        "title": nfc(values.get("title") or ""),
        "summary": summary,
        "appendix_title": nfc(values.get("appendix_title") or ""),
        "body": _clean_blocks(errors, "body", values.get("body") or []),
        "appendix": _clean_blocks(errors, "appendix", values.get("appendix") or []),
        "recipient_lines": _clean_lines(errors, values.get("recipient_lines") or []),
    }
    if errors:
        raise InvalidInput(errors)
    check_lengths(
        Document,
        title=cleaned["title"],
        summary=cleaned["summary"],
        appendix_title=cleaned["appendix_title"],
    )
    return cleaned


def require_writer(user, organization: Organization) -> None:
    if not may_write(user, organization):
        raise PermissionDenied(
            _("Only the officers of %(org)s's unit or a unit above it may write its documents.")
            % {"org": organization.name}
        )


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


@transaction.atomic
def draft(
    *, user, organization: Organization, paper: Paper, source: DraftSource | None = None
) -> Document:
    """Store `paper` as a draft of `organization`'s register (no number yet)."""
    require_writer(user, organization)
    source = source or DraftSource()
    values = _clean_content(
        kind=paper.kind,
        title=paper.title,
        summary=paper.summary,
        body=blocks_to_json(paper.body),
        appendix=blocks_to_json(paper.appendix),
        appendix_title=paper.appendix_title,
        recipient_lines=list(paper.recipients),
    )
    second = getattr(paper, "second_signature", None)  # the content branch's field, if merged
    doc = Document.objects.create(
        organization=organization,
        second_signature=asdict(second) if second else None,
        source=source.kind,
        source_conference=source.conference,
        source_unit=source.unit,
        source_period=source.period,
        created_by=_actor(user),
        **values,
    )
    audit_record(actor=user, action="document.draft", instance=doc, after=snapshot(doc, _CONTENT))
    return doc


def edit(*, user, doc: Document, revision: int | None, **content) -> Document:
    """Change a draft's content (kind, title, summary, body, appendix, appendix_title,
    recipient_lines; what is not given stays), if nobody saved it since `revision`."""
    require_writer(user, doc.organization)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=doc.pk)
        _refuse_issued(locked)
        before = snapshot(locked, _CONTENT)
        values = _clean_content(**{**before, **content})
        save_revised(
            Document.objects.filter(status=DocumentStatus.DRAFT),
            locked.pk,
            revision,
            values,
            name=locked.summary,
        )
        locked.refresh_from_db()
        audit_record(
            actor=user,
            action="document.edit",
            instance=locked,
            before=before,
            after=snapshot(locked, _CONTENT),
        )
    return locked


def _refuse_issued(doc: Document) -> None:
    if doc.is_issued:
        raise ApplicationError(
            _(
                "Document %(number)s was issued on %(day)s and never changes: to correct it, "
                "make a document that replaces it."
            )
            % {"number": doc.number_text(), "day": f"{doc.issued_on:%d/%m/%Y}"},
            code="conflict",
        )


def _with_archive(lines: list[str], system: str) -> list[str]:
    """The recipients end with the office's own copy ("Lưu"), added if the draft had none."""
    if any(fold(line).startswith("luu") for line in lines):
        return lines
    return [*lines, storage_line(system)]


def _render(doc: Document) -> bytes:
    return layout.render(doc.paper())


def _schedule_pdf(pk: int) -> None:
    from giaoban.documents.tasks import document_pdf_make  # the task imports these services

    document_pdf_make.enqueue(pk)


def issue(
    *,
    user,
    doc: Document,
    signer: Person | None,
    recipients=(),
    recipient_lines: list[str] | None = None,
    revision: int | None = None,
    on: date | None = None,
) -> Document:
    """Give a draft the next number of its register's series, the date of issue (today; `on` is
    for the system recording a document of the past), the signer's signature as of that day and
    the recipients; store its .docx; then have the PDF made. Refused whole, nothing taken."""
    require_writer(user, doc.organization)
    if on is not None and user is not None:
        raise PermissionDenied(_("A document is issued on the day it is issued."))
    day = on or timezone.localdate()
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=doc.pk)
        if locked.is_issued:
            raise ApplicationError(
                _("Document %(number)s was already issued on %(day)s.")
                % {"number": locked.number_text(), "day": f"{locked.issued_on:%d/%m/%Y}"},
                code="conflict",
            )
        check_revised(locked, revision, name=locked.summary)
        if signer is None:
            raise InvalidInput({"signer": _("Choose who signs the document.")})
        signature = signature_for(signer, locked.organization, day)
        errors: dict[str, str] = {}
        lines = _clean_lines(
            errors, locked.recipient_lines if recipient_lines is None else recipient_lines
        )
        if errors:
            raise InvalidInput(errors)
        style = style_ensure(locked.organization)
        series, sequence = series_for(style, locked.kind, day)
        before = snapshot(locked, _ISSUED)
        locked.series, locked.sequence = series, sequence
        locked.number = _next_number(locked.organization, series, sequence)
        locked.status, locked.issued_on = DocumentStatus.ISSUED, day
        locked.issuer = asdict(issuer_for(locked.organization))
        locked.signer, locked.signer_name = signer, signature.name
        locked.signer_title, locked.signer_authority = signature.title, signature.authority
        locked.recipient_lines = _with_archive(lines, style.system)
        locked.issued_by, locked.issued_at = _actor(user), timezone.now()
        locked.pdf_state = PdfState.WAITING
        locked.revision += 1
        locked.save()
        locked.recipients.set(recipients)
        try:
            _store_docx(locked)
            audit_record(
                actor=user,
                action="document.issue",
                instance=locked,
                before=before,
                after=snapshot(locked, _ISSUED),
            )
        except Exception:  # the transaction is undone: the stored file goes with it
            if locked.docx.name:
                locked.docx.storage.delete(locked.docx.name)
            raise
        transaction.on_commit(partial(_schedule_pdf, locked.pk))
    return locked


def _store_docx(doc: Document) -> None:
    data = _render(doc)
    doc.docx.save(f"{doc.pk}.docx", ContentFile(data), save=False)
    doc.save(update_fields=["docx"])


def replace(*, user, doc: Document) -> Document:
    """A new draft that corrects an issued document; both stay in the register."""
    require_writer(user, doc.organization)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=doc.pk)
        if not locked.is_issued:
            raise ApplicationError(_("Only an issued document is replaced: edit the draft."))
        existing = Document.objects.filter(replaces=locked).first()
        if existing is not None:
            raise ApplicationError(
                _("Document %(number)s is already replaced by another document.")
                % {"number": locked.number_text()},
                code="conflict",
            )
        lines = [line for line in locked.recipient_lines if not fold(line).startswith("luu")]
        new = Document.objects.create(
            organization=locked.organization,
            kind=locked.kind,
            title=locked.title,
            summary=locked.summary,
            body=locked.body,
            appendix=locked.appendix,
            appendix_title=locked.appendix_title,
            recipient_lines=lines,
            replaces=locked,
            second_signature=locked.second_signature,
            source=locked.source,
            source_conference=locked.source_conference,
            source_unit=locked.source_unit,
            source_period=locked.source_period,
            created_by=_actor(user),
        )
        new.recipients.set(locked.recipients.all())
        audit_record(
            actor=user,
            action="document.replace",
            instance=new,
            after={"replaces": locked.pk, **snapshot(new, _CONTENT)},
        )
    return new


def pdf_again(*, user, doc: Document) -> Document:
    """Queue the signed PDF again once the task gave up (LibreOffice was missing or hung, the
    certificate was not yet imported): same rule as issuing. Refused for a draft, for a document
    whose PDF exists, and while the PDF is still being made or retried."""
    require_writer(user, doc.organization)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=doc.pk)
        if not locked.is_issued:
            raise ApplicationError(
                _("A draft has no PDF: the signed PDF is made when the document is issued."),
                code="conflict",
            )
        if locked.pdf_state == PdfState.READY and locked.pdf:
            raise ApplicationError(
                _("The signed PDF of document %(number)s already exists.")
                % {"number": locked.number_text()},
                code="conflict",
            )
        if locked.pdf_state == PdfState.WAITING:
            raise ApplicationError(
                _("The signed PDF is being made or will be tried again: wait for it."),
                code="conflict",
            )
        before = snapshot(locked, ["pdf_state", "pdf_message"])
        locked.pdf_state, locked.pdf_message = PdfState.WAITING, ""
        locked.save(update_fields=["pdf_state", "pdf_message"])
        audit_record(
            actor=user,
            action="document.pdf_again",
            instance=locked,
            before=before,
            after=snapshot(locked, ["pdf_state", "pdf_message"]),
        )
        transaction.on_commit(partial(_schedule_pdf, locked.pk))
    return locked


def pdf_recorded(*, doc: Document, state: str, message: str = "", pdf: bytes | None = None):
    """For the PDF task: the outcome of making the signed PDF (`pdf` when made)."""
    if pdf is not None:
        doc.pdf.save(f"{doc.pk}.pdf", ContentFile(pdf), save=False)
    Document.objects.filter(pk=doc.pk).update(
        pdf=doc.pdf.name or "", pdf_state=state, pdf_message=message[:500]
    )
