"""Documents attached to agenda items: accepted by what they contain, served only to participants.

A file's name and the browser's content type are whatever the sender says; the content is what a
participant's computer will open. So the type is read from the first bytes (and, for Word and
Excel, from the parts inside the zip), and a file is stored under a random name.
"""

import unicodedata
import zipfile
from decimal import Decimal

from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from giaoban.core.audit import audit_record
from giaoban.core.errors import InvalidInput
from giaoban.core.files import protected_file_response
from giaoban.core.text import nfc
from giaoban.meetings import selectors
from giaoban.meetings.access import conference_role, require_host
from giaoban.meetings.models import AgendaItem, Document
from giaoban.reporting.numbers import format_number

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_MB = 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", XLSX: ".xlsx"}

_ZIP_MAGIC = b"PK\x03\x04"
_MAX_NAME = 255


def _file_error(message: str) -> InvalidInput:
    return InvalidInput({"file": message})


def _size_of(upload) -> int:
    """The upload's size without reading it: Django's UploadedFile knows it; a plain file is
    measured by seeking to its end."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    return size


def _check_size(size: int) -> None:
    if size > MAX_DOCUMENT_BYTES:
        raise _file_error(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {
                "size": format_number(Decimal(size) / _MB, 1),
                "limit": MAX_DOCUMENT_BYTES // _MB,
            }
        )
    if size == 0:
        raise _file_error(_("The file is empty."))


def clean_name(raw: str | None) -> str:
    """The name to show and to offer on download: NFC, without folders or control characters,
    at most 255 characters (the extension kept)."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = nfc(name).lstrip(".").strip()
    if len(name) > _MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) < 10:
            name = f"{stem[: _MAX_NAME - len(extension) - 1]}.{extension}"
        else:
            name = name[:_MAX_NAME]
    return name or _("document")


def _zip_type(upload, name: str) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(part.lower().endswith("vbaproject.bin") for part in names):
        raise _file_error(
            _(
                "“%(name)s” contains macros. Save it as a plain Word (.docx) or Excel (.xlsx) "
                "file, without macros, and attach it again."
            )
            % {"name": name}
        )
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def detect_type(upload, name: str) -> str:
    """PDF, DOCX or XLSX, told by the content; anything else is refused, whatever its name."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    found = None
    if head.startswith(b"%PDF-"):
        found = PDF
    elif head.startswith(_ZIP_MAGIC):
        found = _zip_type(upload, name)
        upload.seek(0)
    if found:
        return found
    claimed = next((t for t, ext in EXTENSIONS.items() if name.lower().endswith(ext)), None)
    if claimed:
        raise _file_error(
            _(
                "“%(name)s” is named like a %(kind)s file but its content is not one. Open it, "
                "save it again as %(kind)s and attach it again."
            )
            % {"name": name, "kind": EXTENSIONS[claimed].lstrip(".").upper()}
        )
    raise _file_error(
        _("Only PDF, Word (.docx) and Excel (.xlsx) files can be attached; “%(name)s” is none.")
        % {"name": name}
    )


@transaction.atomic
def document_attach(*, actor, item: AgendaItem, upload) -> Document:
    """Attach an uploaded file to an agenda item (host side only)."""
    conference = item.conference
    require_host(actor, conference)
    size = _size_of(upload)
    _check_size(size)  # before a single byte is read
    name = clean_name(getattr(upload, "name", None))
    content_type = detect_type(upload, name)
    document = Document(
        item=item,
        original_name=name,
        content_type=content_type,
        size=size,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    # upload_to gives the stored file a random name; the sender's name is only displayed.
    document.file.save("upload", File(upload), save=False)
    try:
        document.save()
        audit_record(
            actor=actor,
            action="document.attach",
            instance=document,
            after={"item": item.pk, "name": name, "type": content_type, "size": size},
        )
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def download_name(document: Document) -> str:
    """The original name, with the extension of what the file really is."""
    extension = EXTENSIONS.get(document.content_type, "")
    name = document.original_name
    return name if name.lower().endswith(extension) else f"{name}{extension}"


@require_GET
def document_download(request, pk: int):
    """Only the conference's participants get the file; for anyone else it does not exist."""
    visible = selectors.conferences_visible(user=request.user)
    document = (
        Document.objects.select_related("item__conference")
        .filter(pk=pk, item__conference__in=visible)
        .first()
    )
    if document is None or conference_role(request.user, document.item.conference) is None:
        raise Http404(_("No such document, or you may not see it."))
    return protected_file_response(
        document.file,
        content_type=document.content_type,
        name=download_name(document),
        missing=_("The file of this document is missing."),
    )
