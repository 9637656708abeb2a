"""A conference's minutes and conclusion notice as .docx, as they stand in the record, laid out in
the organizer's own format (a Ban Dân vận's as a Party body's, a people's committee's as a State
body's): the drafts an office downloads to read before drafting them in its register."""

from django.http import HttpResponse

from giaoban.core.files import download_response
from giaoban.documents import drafts, layout
from giaoban.documents.api import DOCX
from giaoban.documents.selectors import issuer_for
from giaoban.meetings import selectors as meeting_selectors
from giaoban.meetings.models import Conference


def minutes_docx(conference: Conference) -> bytes:
    return layout.render(drafts.minutes(conference, issuer_for(conference.organizer)))


def conclusion_notice_docx(conference: Conference) -> bytes:
    return layout.render(drafts.conclusion_notice(conference, issuer_for(conference.organizer)))


def minutes_view(request, pk: int) -> HttpResponse:
    conference, _role = meeting_selectors.conference_for(user=request.user, pk=pk)
    name = f"Biên bản - {conference.title[:80]}.docx"
    return download_response(minutes_docx(conference), name=name, content_type=DOCX)


def conclusion_notice_view(request, pk: int) -> HttpResponse:
    conference, _role = meeting_selectors.conference_for(user=request.user, pk=pk)
    name = f"Thông báo kết luận - {conference.title[:80]}.docx"
    return download_response(conclusion_notice_docx(conference), name=name, content_type=DOCX)
