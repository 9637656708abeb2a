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

from giaoban.core import docx
from giaoban.meetings.models import Conference
from giaoban.meetings.selectors import VIETNAM, RollCall, conference_held
from giaoban.orgs.selectors import recipients_at
from giaoban.publishing.models import ArticleDraft


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
    """The title, then the paragraphs justified with a first-line indent, on an A4 page."""
    doc = docx.new_document(after_pt=6)
    docx.paragraph(doc, draft.title, bold=True, after=12)
    for text in draft.paragraphs:
        docx.paragraph(doc, text, align=docx.JUSTIFY, first_line_indent_mm=10, after=6)
    return docx.document_bytes(doc, title=draft.title, author=draft.conference.organizer.name)
