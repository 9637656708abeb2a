"""Serving stored files to the people allowed to have them, the same way everywhere."""

import unicodedata
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpResponse


def _ascii_fallback(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in " .-_()") else "_" for ch in plain)


def content_disposition(name: str) -> str:
    """An attachment header with an ASCII fallback and the real name as RFC 5987 filename*."""
    return f"attachment; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name)}"


def download_response(data: bytes, *, name: str, content_type: str) -> HttpResponse:
    """A document made on the fly (.xlsx, .docx) as a download named `name`."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def protected_file_response(field_file, *, content_type: str, name: str, missing: str):
    """An uploaded file as a download; `missing` is the 404 message when the file is gone.

    Opened in the browser by mistake, a file may run nothing and load nothing.
    """
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(missing) from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
