"""The publishing endpoints of /api/v1/: reading a text back into a draft record."""

from ninja import Router, Schema
from pydantic import Field

from giaoban.publishing import services

router = Router(tags=["publishing"])


class ReadIn(Schema):
    text: str = Field(description="The article or report, as plain text.")


class PersonOut(Schema):
    name: str
    positions: list[str]
    point: str | None = None


class FigureOut(Schema):
    text: str
    value: int | float
    unit: str
    subject: str


class RecordOut(Schema):
    date: str | None
    organizer: str | None
    title: str | None
    bridge_points: int | None
    host_point: str | None
    author: str | None
    persons: list[PersonOut]
    figures: list[FigureOut]


@router.post("/publishing/read", response=RecordOut, summary="Read a text into a draft record")
def read(request, body: ReadIn):
    """The draft record of an article or report: date (YYYY-MM-DD), organizer, title, bridge
    points, host point, people with their positions as written, figures with value and unit.
    Nothing is stored."""
    return services.read_text(body.text)
