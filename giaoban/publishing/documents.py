"""Word documents of a conference: the minutes (biên bản) and the conclusion notice (thông báo kết
luận) in the layout of Decree 30/2020/NĐ-CP, and the news article. The page, the header with the
national title and motto, and the end with "Nơi nhận:" and the signature are the reporting app's
(`giaoban.reporting.word`), so every document of giaoban looks the same.

Only the record is written: a time, a number or a name the record lacks is a blank to fill by
hand, never a guess. The minutes agree with the record: each point's count is the roll call's
(`meetings.selectors.roll_call`, the console's own), times are Vietnam's, and the date is the day
the conference ran (`meetings.selectors.conference_held`). The official documents' drafts
(`giaoban.documents.drafts`) use the same phrases below.
"""

from datetime import date, datetime
from io import BytesIO

from giaoban.core.text import printable
from giaoban.meetings.exports import attendance_label
from giaoban.meetings.models import Attendance, Conference
from giaoban.meetings.selectors import VIETNAM, RollCall, conference_held, roll_call
from giaoban.orgs.selectors import recipients_at
from giaoban.publishing.models import ArticleDraft
from giaoban.publishing.vietnamese import lower_first
from giaoban.reporting import word

BLANK = word.BLANK
LEFT = word.WD_ALIGN_PARAGRAPH.LEFT


def place_of(conference: Conference) -> str:
    """ "Lào Cai" for the place-and-date line, from the organizer's unit."""
    unit = conference.organizer.unit
    if unit.short_name:
        return unit.short_name
    for prefix in ("Tỉnh ", "Thành phố ", "Huyện ", "Thị xã ", "Xã ", "Phường ", "Thị trấn "):
        if unit.name.startswith(prefix):
            return unit.name[len(prefix) :]
    return unit.name


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


def _label(doc, label: str, text: str):
    """ "Thời gian: …" with the label in bold."""
    paragraph = word._paragraph(doc, align=word.JUSTIFY, indent=True, after=6)
    paragraph.add_run(printable(f"{label}: ")).bold = True
    paragraph.add_run(printable(text))
    return paragraph


def _chair(conference: Conference) -> str:
    if conference.chair is None:
        return ""
    return conference.chair.designation(held_day(conference))


# The minutes ------------------------------------------------------------------------------


def minutes_docx(conference: Conference) -> bytes:
    doc = word._new_document()
    word._header(doc, conference.organizer, "……-BB/", place_of(conference), held_day(conference))
    word._paragraph(doc, "BIÊN BẢN", bold=True).paragraph_format.space_before = word.Pt(18)
    word._paragraph(doc, f"Hội nghị {lower_first(conference.title)}", bold=True)
    word._rule(doc, 40, word.CONTENT_MM)
    _minutes_opening(doc, conference)
    _minutes_attendance(doc, conference)
    _minutes_agenda(doc, conference)
    _conclusions(doc, conference, heading="KẾT LUẬN CỦA CHỦ TRÌ")
    _minutes_close(doc, conference)
    _two_signatures(doc, left="THƯ KÝ", right="CHỦ TRÌ", right_name=_chair_name(conference))
    return _save(doc, f"Biên bản hội nghị {conference.title}", conference)


def _minutes_opening(doc, conference: Conference) -> None:
    _label(doc, "Thời gian bắt đầu", moment_text(conference_held(conference).start))
    host = conference.points.filter(is_host=True).first()
    where = host.location or host.name if host else ""
    others = conference.points.filter(is_host=False).count()
    online = f"; trực tuyến với {others:02d} điểm cầu" if others else ""
    _label(doc, "Địa điểm", f"{where}{online}" if where else f"{BLANK}{online}")
    _label(doc, "Chủ trì", _chair(conference) or BLANK)
    _label(doc, "Thư ký", BLANK)


def _minutes_attendance(doc, conference: Conference) -> None:
    _text(doc, "THÀNH PHẦN THAM DỰ", bold=True)
    points = conference.points.prefetch_related("delegates")
    for point in points:
        delegates = list(point.delegates.all())
        call = roll_call(delegates)
        tally = f" ({tally_text(call)})" if call.taken else ""
        _text(doc, f"Tại {lower_first(point.name)}{tally}:", italic=True)
        for delegate in delegates:
            state = (
                ""
                if delegate.attendance == Attendance.UNKNOWN
                else f" – {attendance_label(delegate)}"
            )
            _text(doc, f"- {delegate.designation}{state}.")
        if not delegates:
            _text(doc, "- (chưa ghi nhận đại biểu)")


def _minutes_agenda(doc, conference: Conference) -> None:
    _text(doc, "NỘI DUNG HỘI NGHỊ", bold=True)
    for number, item in enumerate(conference.agenda.order_by("order"), start=1):
        presenter = f" ({item.presenter})" if item.presenter else ""
        _text(doc, f"{number}. {item.title}{presenter}", bold=True)
        for line in item.minutes.splitlines():
            if line.strip():
                _text(doc, line.strip())
        for turn in item.contributions.filter(status="done").select_related("point"):
            speaker = f" – {turn.speaker}" if turn.speaker else ""
            summary = f": {turn.summary}" if turn.summary else ""
            _text(
                doc, f"- {turn.point.name}{speaker} phát biểu về {lower_first(turn.topic)}{summary}"
            )


def _conclusions(doc, conference: Conference, *, heading: str) -> None:
    conclusions = list(conference.conclusions.order_by("order"))
    if heading:
        _text(doc, heading, bold=True)
    if not conclusions:
        _text(doc, "(Chưa ghi nhận kết luận.)", italic=True)
    for number, conclusion in enumerate(conclusions, start=1):
        _text(doc, f"{number}. {conclusion.text}")


def _minutes_close(doc, conference: Conference) -> None:
    ended = conference_held(conference).end
    when = moment_text(ended) if ended else f"{BLANK}giờ{BLANK}, ngày{BLANK}"
    _text(doc, f"Hội nghị kết thúc vào {when}.")
    _text(doc, "Biên bản đã được đọc lại cho những người dự họp cùng nghe và thống nhất.")


def _chair_name(conference: Conference) -> str:
    return conference.chair.full_name if conference.chair else ""


def _two_signatures(doc, *, left: str, right: str, right_name: str) -> None:
    word._paragraph(doc)
    cells = word._layout_table(doc, (word.CONTENT_MM / 2, word.CONTENT_MM / 2)).rows[0].cells
    for cell, title, name in ((cells[0], left, ""), (cells[1], right, right_name)):
        word._paragraph(cell, title, bold=True)
        for _ in range(4):
            word._paragraph(cell)
        word._paragraph(cell, name, bold=True)
        word._drop_leading_blank(cell)


# The conclusion notice --------------------------------------------------------------------


def conclusion_notice_docx(conference: Conference) -> bytes:
    doc = word._new_document()
    word._header(doc, conference.organizer, "……-TB/", place_of(conference), None)
    word._paragraph(doc, "THÔNG BÁO", bold=True).paragraph_format.space_before = word.Pt(18)
    chair = conference.chair.full_name if conference.chair else ""
    whose = f"của đồng chí {chair} " if chair else ""
    word._paragraph(doc, f"Kết luận {whose}tại hội nghị {lower_first(conference.title)}", bold=True)
    word._rule(doc, 40, word.CONTENT_MM)
    _text(doc, _notice_lead(conference))
    _conclusions(doc, conference, heading="")
    word._end(doc, notice_recipients(conference), "", "")
    return _save(doc, f"Thông báo kết luận hội nghị {conference.title}", conference)


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


def _notice_lead(conference: Conference) -> str:
    others = conference.points.filter(is_host=False).count()
    online = " trực tuyến" if others else ""
    points = f" với {others:02d} điểm cầu" if others else ""
    chaired = _chair(conference)
    who = f" Đồng chí {chaired} chủ trì hội nghị." if chaired else ""
    closing = (
        f" Sau khi nghe báo cáo và ý kiến của các đại biểu, đồng chí {conference.chair.full_name} "
        "kết luận như sau:"
        if conference.chair
        else " Hội nghị kết luận như sau:"
    )
    return (
        f"Ngày {held_day(conference):%d/%m/%Y}, {conference.organizer.name} tổ chức "
        f"hội nghị{online} {lower_first(conference.title)}{points}.{who}{closing}"
    )


# The article ------------------------------------------------------------------------------


def article_docx(draft: ArticleDraft) -> bytes:
    doc = word._new_document()
    word._paragraph(doc, draft.title, bold=True, after=12)
    for paragraph in draft.paragraphs:
        _text(doc, paragraph)
    return _save(doc, draft.title, draft.conference)
