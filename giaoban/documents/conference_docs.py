"""The record's drafts as .docx, laid out in the issuing organization's own format (a Ban Dân
vận's as a Party body's, a people's committee's as a State body's): a conference's minutes and
conclusion notice, and a unit's consolidated report for a period (the consolidation page's "Word"),
as an office downloads them to read before drafting them in its register."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from giaoban.core.errors import InvalidInput
from giaoban.core.files import download_response
from giaoban.documents import drafts, layout
from giaoban.documents.api import DOCX
from giaoban.documents.selectors import issuer_for
from giaoban.meetings import selectors as meeting_selectors
from giaoban.meetings.models import Conference
from giaoban.orgs.access import membership_of
from giaoban.orgs.models import Organization, OrgKind, Unit
from giaoban.orgs.selectors import unit_get
from giaoban.reporting.models import Period, ReportForm


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


def consolidated_report_view(request) -> HttpResponse:
    """`?form=CODE&period=ID&unit=ID`: the unit's consolidated report, issued in the format of the
    user's own organization (for a user of none, the unit's mobilization board's)."""
    form = ReportForm.objects.filter(code=request.GET.get("form", "")).first()
    period = Period.objects.filter(pk=_id(request.GET.get("period"))).first()
    unit = unit_get(user=request.user, pk=_id(request.GET.get("unit")))
    if form is None or period is None:
        return redirect("reporting:consolidated")  # the page to choose them
    membership = membership_of(request.user)
    issuer = membership.organization if membership else _board_of(unit)
    paper = drafts.consolidated_report(
        unit, period, issuer_for(issuer), form=form, user=request.user
    )
    name = f"Báo cáo - {form.code}-{period.year}-{unit.code}.docx"
    return download_response(layout.render(paper), name=name, content_type=DOCX)


def _id(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else 0


def _board_of(unit: Unit) -> Organization:
    board = Organization.objects.filter(unit=unit, kind=OrgKind.MOBILIZATION_BOARD).first()
    if board is None:
        raise InvalidInput({"unit": _("This unit has no mobilization board to issue the report.")})
    return board
