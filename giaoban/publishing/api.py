"""The publishing endpoints of /api/v1/: reading a text back into a draft record."""

import json

from ninja import Router, Schema
from ninja.errors import ValidationError
from pydantic import Field

from giaoban.core.apischema import BodyIn, answers
from giaoban.publishing import services

router = Router(tags=["publishing"])


class ReadIn(BodyIn):
    text: str = Field(description="The article or report, as plain text.")


class ReadPersonOut(Schema):
    name: str
    positions: list[str]
    point: str | None = None


class ReadFigureOut(Schema):
    text: str
    qualifier: str = Field(
        "", description='What makes a count rough ("hơn", "gần", "trên"), apart from the value.'
    )
    value: int | float
    unit: str
    subject: str


class ReadRecordOut(Schema):
    date: str | None
    organizer: str | None
    title: str | None
    bridge_points: int | None
    host_point: str | None
    author: str | None
    persons: list[ReadPersonOut]
    figures: list[ReadFigureOut]


_LIMIT_MB = services.MAX_UPLOAD_BYTES // 1048576
# The body is read by hand so that one endpoint takes either content type; the schema says so.
_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": ReadIn.model_json_schema()},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": (
                            f"A .docx or .txt file (UTF-8, or UTF-16 with its byte order mark), "
                            f"at most {_LIMIT_MB} MB; read instead of `text` when both are sent."
                        ),
                    },
                    "text": {"type": "string", "description": "The text, if no file is sent."},
                },
            },
            "encoding": {"file": {"contentType": "application/octet-stream"}},
        },
    },
}


def _text_of(request) -> str:
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is not None:
            return services.text_from_uploaded_file(upload)
        return request.POST.get("text", "")
    try:
        body = json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise ValidationError([{"loc": ("body", "text"), "msg": "a string is required"}])
    unknown = sorted(set(body) - {"text"})
    if unknown:
        raise ValidationError([{"loc": ("body", unknown[0]), "msg": "not a field of this body"}])
    return body["text"]


@router.post(
    "/publishing/read",
    response=answers(ReadRecordOut, 413),
    summary="Read a text or an uploaded file into a draft record",
    openapi_extra={"requestBody": _REQUEST_BODY},
)
def read(request):
    """The draft record of an article or report: date (YYYY-MM-DD), organizer, title, bridge
    points, host point, people with their positions as written, figures with value and unit.
    Numbers may be written in digits, in words or both ("hai mươi lăm", "gần 1 nghìn").

    Send the text as JSON `{"text": "…"}`, or a file as multipart/form-data in the field
    `file` (.docx or .txt, the same files and limits as the page's upload). A file too large, of
    another type, not text in Unicode, or an empty text is refused with 400 and a message in the
    user's language (`error.field` is `file` or `text`). Nothing is stored."""
    return services.read_text(_text_of(request))
