"""Writes of the publishing app: the article draft (drafted, edited with optimistic locking,
audited), the texts read back, and a reviewed draft record saved as a conference."""

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.audit import audit_record
from giaoban.core.errors import ApplicationError, InvalidInput, PermissionDenied
from giaoban.core.locking import save_revised
from giaoban.core.text import nfc, nfc_text
from giaoban.meetings import services as meeting_services
from giaoban.meetings.access import require_host
from giaoban.meetings.models import Conference
from giaoban.orgs import selectors as org_selectors
from giaoban.orgs import services as org_services
from giaoban.publishing.models import ArticleDraft, RecordFigure, TextImport
from giaoban.publishing.reader import read
from giaoban.publishing.selectors import chair_index, point_places
from giaoban.publishing.writer import draft_article
from giaoban.reporting.selectors import period_reviewed

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 200_000
_ZIP_MAGIC = b"PK\x03\x04"


# The article draft ------------------------------------------------------------------------


@transaction.atomic
def article_draft(*, actor, conference: Conference, revision: int | None = None) -> ArticleDraft:
    """Draft the article from the record: the first time, or again over an edited draft (then
    `revision` must be the one the user saw, so that nobody's edits are lost unseen)."""
    require_host(actor, conference)
    article = draft_article(user=actor, conference=conference)
    draft = ArticleDraft.objects.select_for_update().filter(conference=conference).first()
    if draft is None:
        draft = ArticleDraft.objects.create(
            conference=conference,
            title=article.title,
            body=article.body,
            created_by=actor,
            updated_by=actor,
        )
        audit_record(actor=actor, action="article.draft", instance=draft, after=_state(draft))
        return draft
    return _update(actor, draft, article.title, article.body, revision, action="article.redraft")


@transaction.atomic
def article_save(
    *, actor, draft: ArticleDraft, title: str, body: str, revision: int
) -> ArticleDraft:
    require_host(actor, draft.conference)
    title, body = nfc(title), nfc_text(body)
    errors = {}
    if not title:
        errors["title"] = _("Write the article's title.")
    if not body:
        errors["body"] = _("The article has no text.")
    if errors:
        raise InvalidInput(errors)
    locked = ArticleDraft.objects.select_for_update().get(pk=draft.pk)
    return _update(actor, locked, title, body, revision, action="article.edit")


def _update(actor, draft: ArticleDraft, title: str, body: str, revision, *, action: str):
    before = _state(draft)
    values = {"title": title, "body": body, "updated_by": actor, "updated_at": timezone.now()}
    save_revised(ArticleDraft.objects.all(), draft.pk, revision, values, name=draft.title)
    draft.refresh_from_db()
    audit_record(actor=actor, action=action, instance=draft, before=before, after=_state(draft))
    return draft


def _state(draft: ArticleDraft) -> dict:
    return {"title": draft.title, "body": draft.body, "revision": draft.revision}


# Reading texts back -----------------------------------------------------------------------


def text_from_upload(*, name: str, data: bytes) -> str:
    """The text of an uploaded .txt or .docx, refused with a clear message otherwise."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is too large: at most %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 1048576},
            field="file",
        )
    lower = name.lower()
    if lower.endswith(".docx"):
        return _docx_text(data)
    if lower.endswith(".txt"):
        return _plain_text(data)
    raise ApplicationError(_("Upload a .docx or .txt file."), field="file")


def text_from_uploaded_file(upload) -> str:
    """The text of a file uploaded to the page or the API (a Django UploadedFile): at most one
    byte more than the limit is read, enough to refuse a huge file without reading it."""
    return text_from_upload(name=upload.name or "", data=upload.read(MAX_UPLOAD_BYTES + 1))


def _plain_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return text
    raise ApplicationError(
        _("The file is not text in Unicode (UTF-8): save it again as UTF-8 and upload it."),
        field="file",
    )


def _docx_text(data: bytes) -> str:
    """Paragraphs and table cells in reading order: the signature block of an official document
    is a table."""
    import docx

    if not data.startswith(_ZIP_MAGIC):
        raise ApplicationError(_("This file is not a Word document (.docx)."), field="file")
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise ApplicationError(
            _("This file is not a Word document (.docx)."), field="file"
        ) from None
    lines = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                for cell in row.cells:
                    lines += [p.text for p in cell.paragraphs]
        else:
            lines.append(block.text)
    return "\n".join(lines)


def check_text(text: str) -> str:
    if not text or not text.strip():
        raise ApplicationError(
            _("The text is empty: paste an article or upload a file."), field="text"
        )
    if len(text) > MAX_TEXT_CHARS:
        raise ApplicationError(
            _("The text is too long: at most %(n)s characters.")
            % {"n": f"{MAX_TEXT_CHARS:,}".replace(",", ".")},
            field="text",
        )
    return text


def read_text(text: str) -> dict:
    """The draft record of a text, after the checks every entry point makes."""
    return read(check_text(text))


@transaction.atomic
def text_import(*, actor, text: str, source_name: str = "") -> TextImport:
    record = read_text(text)
    item = TextImport.objects.create(
        source_name=nfc(source_name)[:255], text=nfc_text(text), record=record, created_by=actor
    )
    audit_record(
        actor=actor, action="text_import.read", instance=item, after={"title": record["title"]}
    )
    return item


# Saving a reviewed record as a conference -------------------------------------------------


@dataclass
class Review:
    """What the user decided on the review page."""

    title: str
    organizer: object
    kind: str
    day: date
    start: time
    end: time
    matches: dict[int, object | None]  # index of a person in the record → Person, or None


@transaction.atomic
def text_import_save(*, actor, item: TextImport, review: Review) -> Conference:
    """The conference the text reports: held (ended) if its day has passed, chaired by the
    person the text names as directing, with its host point and as many other points as the
    text counts (those it names, then the organizer's units below), the people as delegates
    (matched ones invited from the registry, the others as guests with their positions as
    written) and the figures, under the period the text speaks of."""
    item = TextImport.objects.select_for_update().get(pk=item.pk)
    if item.conference_id:
        raise ApplicationError(_("This text has already been saved as a conference."))
    if item.created_by_id != getattr(actor, "pk", None) and not getattr(
        actor, "is_superuser", False
    ):
        raise PermissionDenied(_("Only who read this text may save it."))
    zone = timezone.get_default_timezone()
    start = datetime.combine(review.day, review.start, tzinfo=zone)
    end = datetime.combine(review.day, review.end, tzinfo=zone)
    chair, chair_match = _chair(actor, item, review)
    report_form, period = _period(item, review)
    conference = meeting_services.conference_create(
        actor=actor,
        title=review.title,
        organizer=review.organizer,
        kind=review.kind,
        start=start,
        end=end,
        report_form=report_form,
        period=period,
        chair=chair,
    )
    points = _points(actor, conference, item.record, review.organizer, review.day)
    _more_points(actor, conference, item.record, review.organizer, review.day)
    _delegates(actor, item.record, review.matches | chair_match, points)
    _figures(item, conference)
    if end < timezone.now():  # a briefing already held is recorded as held, not as planned
        conference = meeting_services.conference_transition(
            actor=actor, conference=conference, action="record"
        )
    item.conference, item.saved_at = conference, timezone.now()
    item.save(update_fields=["conference", "saved_at"])
    audit_record(
        actor=actor, action="text_import.save", instance=item, after={"conference": conference.pk}
    )
    return conference


def _chair(actor, item: TextImport, review: Review) -> tuple[object, dict]:
    """The person the text names as directing: the registry's one the review matched, else a
    new person of the registry at the organizer's unit, noted as read from the text; and that
    match, so that the chair is invited as that person rather than added again as a guest."""
    index = chair_index(item.text, item.record)
    if index is None:
        return None, {}
    chair = review.matches.get(index)
    if chair is None:
        written = item.record["persons"][index]
        chair = org_services.person_create(
            actor=actor,
            full_name=written["name"],
            unit=review.organizer.unit,
            note=_("Read from a text: %(positions)s")
            % {"positions": ", ".join(written.get("positions", []))},
        )
    return chair, {index: chair}


_YEAR = re.compile(r"năm (\d{4})")


def _period(item: TextImport, review: Review):
    """The report form and period the text speaks of: the briefing's kind, in the year its
    title (or else the text) names, else the year of its day."""
    named = _YEAR.search(review.title) or _YEAR.search(item.text)
    return period_reviewed(review.kind, int(named.group(1)) if named else review.day.year)


def _points(actor, conference, record: dict, organizer, day: date) -> dict[str, object]:
    """The host point at the organizer's unit, and one point per other place the people were
    named at, at the unit of the registry its name names when exactly one unit of the
    organizer's province matches, else at the organizer's unit too (the review page says which)."""
    host_place = record.get("host_point") or organizer.unit.name
    host = meeting_services.point_add(
        actor=actor,
        conference=conference,
        unit=organizer.unit,
        name=f"Điểm cầu {host_place}",
        is_host=True,
    )
    points = {"": host, (record.get("host_point") or ""): host}
    for named in point_places(user=actor, record=record, organizer=organizer, day=day):
        points[named.place] = meeting_services.point_add(
            actor=actor,
            conference=conference,
            unit=named.unit or organizer.unit,
            name=f"Điểm cầu {named.place}",
        )
    return points


def _more_points(actor, conference, record: dict, organizer, day: date) -> None:
    """Points up to the number the text counts ("với 09 điểm cầu"): the organizer's units
    below that have none yet, in code order, then points at the organizer's unit to be named."""
    wanted = record.get("bridge_points") or 0
    have = conference.points.filter(is_host=False)
    missing = wanted - have.count()
    if missing <= 0:
        return
    taken = set(have.values_list("unit_id", flat=True))
    units = org_selectors.unit_children(user=actor, on=day, parent=organizer.unit)
    for unit in [u for u in units.order_by("code") if u.pk not in taken][:missing]:
        meeting_services.point_add(
            actor=actor, conference=conference, unit=unit, name=f"Điểm cầu {unit.name}"
        )
        missing -= 1
    for number in range(missing):
        meeting_services.point_add(
            actor=actor,
            conference=conference,
            unit=organizer.unit,
            name=_("Bridge point %(number)s (to be named)") % {"number": number + 1},
        )


def _delegates(actor, record: dict, matches: dict, points: dict) -> None:
    for index, person in enumerate(record.get("persons", [])):
        point = points[person.get("point") or ""]
        matched = matches.get(index)
        if matched is not None:
            meeting_services.delegate_invite(actor=actor, point=point, person=matched)
            continue
        positions = ", ".join(person.get("positions", []))
        designation = f"{person['name']} - {positions}" if positions else person["name"]
        meeting_services.delegate_add_guest(
            actor=actor, point=point, full_name=person["name"], designation=designation
        )


def _figures(item: TextImport, conference: Conference) -> None:
    for order, figure in enumerate(item.record.get("figures", []), start=1):
        try:
            value = Decimal(str(figure["value"]))
        except (InvalidOperation, KeyError):
            continue
        RecordFigure.objects.create(
            text_import=item,
            conference=conference,
            order=order,
            text=figure.get("text", "")[:500],
            value=value,
            unit=figure.get("unit", "")[:60],
            subject=figure.get("subject", "")[:300],
        )
