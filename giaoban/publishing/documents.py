"""The news article as a Word document, and the phrases the official documents' drafts
(`giaoban.documents.drafts`: the minutes and the conclusion notice, laid out in the organizer's
own format) share with the article: the day the conference ran, times on Vietnam's clock, the roll
call as the console counts it, the organizations a notice goes to.

Only the record is written: a time, a number or a name the record lacks is a blank to fill by
hand, never a guess. The minutes agree with the record: each point's count is the roll call's
(`meetings.selectors.roll_call`, the console's own), times are Vietnam's, and the date is the day
the conference ran (`meetings.selectors.conference_held`).
"""

from datetime import date, datetime
from io import BytesIO

from giaoban.meetings.models import Conference
from giaoban.meetings.selectors import VIETNAM, RollCall, conference_held
from giaoban.orgs.selectors import recipients_at
from giaoban.publishing.models import ArticleDraft
from giaoban.reporting import word


def held_day(conference: Conference) -> date:
    """The day the conference ran, in Vietnam (the scheduled day while it has not run)."""
    return conference_held(conference).start.astimezone(VIETNAM).date()


def moment_text(moment: datetime) -> str:
    """ "14 giờ 00, ngày 08/10/2021" on Vietnam's clock, whatever the server's zone."""
    local = moment.astimezone(VIETNAM)
    return f"{local:%H} giờ {local:%M}, ngày {local:%d/%m/%Y}"


def tally_text(call: RollCall) -> str:
    """ "có mặt 4/6; 01 đại biểu có người dự thay": the roll call as the console counts it."""
    said = f"có mặt {call.present}/{call.invited}"
    if call.represented:
        said += f"; {call.represented:02d} đại biểu có người dự thay"
    return said


def _save(doc, title: str, conference: Conference) -> bytes:
    doc.core_properties.title = title
    doc.core_properties.author = conference.organizer.name
    doc.core_properties.comments = ""
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _text(doc, text: str, **kwargs):
    return word._paragraph(doc, text, align=word.JUSTIFY, indent=True, after=6, **kwargs)


def notice_organizations(conference: Conference) -> list:
    """The organizations the bridge points stand for: at each non-host point's unit, those of
    the organizer's kind and of its superior's (the district boards and party committees when the
    provincial board organizes), from the registry, never the points' names."""
    organizer = conference.organizer
    kinds = [organizer.kind] + ([organizer.parent.kind] if organizer.parent_id else [])
    units = [p.unit for p in conference.points.filter(is_host=False).select_related("unit")]
    return recipients_at(units=units, kinds=kinds, on=held_day(conference))


def notice_recipients(conference: Conference) -> list[str]:
    """The conclusion notice's recipients by name (`notice_organizations`)."""
    return [org.name for org in notice_organizations(conference)]


# The article ------------------------------------------------------------------------------


def article_docx(draft: ArticleDraft) -> bytes:
    doc = word._new_document()
    word._paragraph(doc, draft.title, bold=True, after=12)
    for paragraph in draft.paragraphs:
        _text(doc, paragraph)
    return _save(doc, draft.title, draft.conference)
