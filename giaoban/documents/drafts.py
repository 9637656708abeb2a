"""What the official documents say: each draft is a `Paper` (paper.py) that the register numbers
and issues and `layout.render` lays out in the issuing organization's style.

- `consolidated_report(unit, period, issuer)` — the report (BC): drafts_report.py.
- `conclusion_notice(conference, issuer)` — the notice of the chair's conclusions (TB), sent to
  the organizations the bridge points stand for and ending with the issuing system's "Lưu" line.
- `minutes(conference, issuer)` — the minutes (BB), signed by the secretary and the chair.

The drafts read the other apps through their selectors and say what the record holds, in
Vietnam's time, on the day the conference ran (`meetings.selectors.conference_held`), with each
point's count as the roll call gives it (`meetings.selectors.roll_call`); the phrases are the
ones the conference's .docx exports use (`publishing.documents`). What the record lacks is a
dotted blank, never a guess.
"""

import re
from datetime import date

from giaoban.documents.drafts_parts import heading, paragraph, storage_line
from giaoban.documents.drafts_report import consolidated_report
from giaoban.documents.paper import Block, Issuer, Paper, Signature
from giaoban.meetings.exports import attendance_label
from giaoban.meetings.models import Attendance, BridgePoint, Conference, ItemKind
from giaoban.meetings.selectors import (
    VIETNAM,
    attending,
    conference_held,
    minutes_items,
    roll_call,
)
from giaoban.publishing.documents import held_day, moment_text, notice_recipients, tally_text
from giaoban.publishing.vietnamese import lower_first, upper_first
from giaoban.publishing.writer import delegate_phrase, held_phrase, point_kinds, without_honorific

__all__ = ["conclusion_notice", "consolidated_report", "minutes"]

DOTS = "…………"  # a blank the office fills by hand


def _points(conference: Conference) -> tuple[BridgePoint | None, list[BridgePoint]]:
    points = list(conference.points.select_related("unit").prefetch_related("delegates"))
    return next((p for p in points if p.is_host), None), [p for p in points if not p.is_host]


def _chair_designation(conference: Conference, host: BridgePoint | None, day: date) -> str:
    """The chair as invited at the host point on the day ("Vũ Xuân Cường - Phó Bí thư …"), else
    as the registry names them on that day; "" when the record names no chair."""
    return _designation(conference.chair, host, day) if conference.chair else ""


def _secretary_designation(conference: Conference, host: BridgePoint | None, day: date) -> str:
    """The secretary named as the chair is when a person of the registry, else as recorded."""
    person = conference.secretary
    return _designation(person, host, day) if person else conference.secretary_name


def _designation(person, host: BridgePoint | None, day: date) -> str:
    for delegate in host.delegates.all() if host else []:
        if delegate.person_id == person.pk:
            return without_honorific(delegate.designation)
    return person.designation(day)


def _event(conference: Conference, others: list[BridgePoint]) -> str:
    """ "hội nghị trực tuyến giao ban … với 09 điểm cầu các huyện, thị xã, thành phố"."""
    event = held_phrase(conference.title, online=bool(others))
    if not others:
        return event
    kinds = point_kinds([p.unit.kind for p in others])
    return f"{event} với {len(others):02d} điểm cầu{f' {kinds}' if kinds else ''}"


# The conclusion notice (thông báo kết luận) -------------------------------------------------


def conclusion_notice(conference: Conference, issuer: Issuer) -> Paper:
    """ "Kết luận của đồng chí …, … tại hội nghị …": who chaired, when, where, who attended, the
    conclusions as numbered points; to the organizations the bridge points stand for."""
    host, others = _points(conference)
    day = held_day(conference)
    chair = _chair_designation(conference, host, day)
    whose = f"của đồng chí {chair.replace(' - ', ', ', 1)} " if chair else ""
    body = [paragraph(_notice_lead(conference, host, others, chair))]
    body += _conclusions(conference)
    body.append(paragraph(f"{conference.organizer.name} thông báo để các đơn vị biết, thực hiện."))
    return Paper(
        issuer=issuer,
        kind="TB",
        title="THÔNG BÁO",
        summary=f"Kết luận {whose}tại {held_phrase(conference.title, online=False)}",
        body=tuple(body),
        recipients=(*notice_recipients(conference), storage_line(issuer.system)),
    )


def _notice_lead(conference: Conference, host, others: list[BridgePoint], chair: str) -> str:
    start = conference_held(conference).start.astimezone(VIETNAM)
    part = "Sáng" if start.hour < 12 else "Chiều" if start.hour < 18 else "Tối"
    where = f", tại {host.location}" if host and host.location else ""
    said = [
        f"{part} ngày {start:%d/%m/%Y}{where}, {conference.organizer.name} tổ chức "
        f"{_event(conference, others)}."
    ]
    if chair:
        said.append(f"Đồng chí {chair} chủ trì hội nghị.")
    said += _who_attended(conference, host, others)
    heard = _heard(conference)
    if conference.chair:
        said.append(f"{heard}đồng chí {conference.chair.full_name} kết luận như sau:")
    else:
        said.append(f"{heard}hội nghị kết luận như sau:")
    return " ".join(said)


def _who_attended(conference: Conference, host, others: list[BridgePoint]) -> list[str]:
    said = []
    for point in ([host] if host else []) + others:
        people = [
            delegate_phrase(d)
            for d in attending(point.delegates.all())
            if d.person_id != conference.chair_id
        ]
        if people:
            said.append(f"Dự hội nghị tại {lower_first(point.name)} có {'; '.join(people)}.")
    call = sum((roll_call(p.delegates.all()) for p in others), start=roll_call([]))
    if call.taken:
        extra = f", {call.represented:02d} đại biểu có người dự thay" if call.represented else ""
        said.append(
            f"Theo điểm danh, tại các điểm cầu có {call.present}/{call.invited} đại biểu được "
            f"mời có mặt{extra}."
        )
    return said


def _heard(conference: Conference) -> str:
    """ "Sau khi nghe báo cáo … và ý kiến của các đại biểu, " as far as the agenda shows it."""
    kinds = set(conference.agenda.values_list("kind", flat=True))
    heard = []
    if ItemKind.REPORT in kinds:
        heard.append("báo cáo")
    if ItemKind.CONTRIBUTIONS in kinds or conference.floor_requests.filter(status="done"):
        heard.append("ý kiến của các đại biểu")
    return f"Sau khi nghe {' và '.join(heard)}, " if heard else ""


def _conclusions(conference: Conference) -> list[Block]:
    texts = list(conference.conclusions.order_by("order").values_list("text", flat=True))
    if not texts:
        return [paragraph("(Chưa ghi nhận kết luận.)")]
    return [paragraph(f"{n}. {text.strip()}") for n, text in enumerate(texts, start=1)]


# The minutes (biên bản) ----------------------------------------------------------------------


def minutes(conference: Conference, issuer: Issuer) -> Paper:
    """Time and place, chair and secretary, attendance per point from the roll call, the agenda
    and what was said, the conclusions, the closing time; signed by the secretary and the chair."""
    host, others = _points(conference)
    held = conference_held(conference)
    chair = _chair_designation(conference, host, held_day(conference))
    # Sections are headings without their numbers: the issuing system's layout numbers them.
    body = [heading("THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN")]
    body.append(paragraph(f"Thời gian bắt đầu: {moment_text(held.start)}."))
    body.append(paragraph(f"Địa điểm: {_place(host, others)}."))
    body.append(paragraph(f"Chủ trì: đồng chí {chair}." if chair else f"Chủ trì: {DOTS}"))
    secretary = _secretary_designation(conference, host, held_day(conference))
    body.append(paragraph(f"Thư ký: đồng chí {secretary}." if secretary else f"Thư ký: {DOTS}"))
    body.append(paragraph("Thành phần tham dự:"))
    body += _attendance(([host] if host else []) + others)
    body.append(heading("NỘI DUNG"))
    body += _agenda(conference)
    body.append(heading("KẾT LUẬN CỦA CHỦ TRÌ"))
    body += _conclusions(conference)
    ended = f"{moment_text(held.end)}." if held.end else f"{DOTS} giờ {DOTS}, ngày {DOTS}."
    body.append(paragraph(f"Hội nghị kết thúc vào {ended}"))
    # A minutes' date is the day the conference ran; before it has run, a blank.
    ran = not held.as_scheduled or conference.status == "ended"
    return Paper(
        issuer=issuer,
        kind="BB",
        title="BIÊN BẢN",
        issued_on=held_day(conference) if ran else None,
        summary=upper_first(held_phrase(conference.title, online=False)),
        body=tuple(body),
        signature=Signature(title="CHỦ TRÌ", name=conference.chair.full_name if chair else ""),
        second_signature=Signature(title="THƯ KÝ", name=conference.secretary_name),
    )


def _place(host: BridgePoint | None, others: list[BridgePoint]) -> str:
    where = (host.location or host.name) if host else DOTS
    if not others:
        return where
    return f"{where} (điểm cầu chính); trực tuyến với {len(others):02d} điểm cầu"


def _attendance(points: list[BridgePoint]) -> list[Block]:
    """Each point with its delegates; the points with none recorded named together in one line
    at the end, not a line each (a briefing of a hundred communes would fill pages with them)."""
    blocks, unrecorded = [], []
    for point in points:
        delegates = list(point.delegates.all())
        if delegates:
            blocks += _point_attendance(point, delegates)
        else:
            unrecorded.append(re.sub(r"(?i)^điểm cầu\s+", "", point.name))
    if unrecorded:
        blocks.append(paragraph(f"Các điểm cầu chưa ghi nhận đại biểu: {', '.join(unrecorded)}."))
    return blocks


def _point_attendance(point: BridgePoint, delegates: list) -> list[Block]:
    call = roll_call(delegates)
    tally = f" ({tally_text(call)})" if call.taken else ""
    blocks = [paragraph(f"Tại {lower_first(point.name)}{tally}:")]
    for delegate in delegates:
        checked = delegate.attendance != Attendance.UNKNOWN
        state = f" – {attendance_label(delegate)}" if checked else ""
        blocks.append(paragraph(f"- {delegate.designation}{state}."))
    return blocks


def _agenda(conference: Conference) -> list[Block]:
    blocks = []
    for number, item in enumerate(minutes_items(conference).order_by("order"), start=1):
        presenter = f" ({without_honorific(item.presenter)})" if item.presenter else ""
        blocks.append(paragraph(f"{number}. {item.title}{presenter}"))
        blocks += [paragraph(line.strip()) for line in item.minutes.splitlines() if line.strip()]
        for turn in item.contributions.all():
            speaker = f" – {turn.speaker}" if turn.speaker else ""
            summary = f": {turn.summary}" if turn.summary else ""
            blocks.append(
                paragraph(
                    f"- {turn.point.name}{speaker} phát biểu về {lower_first(turn.topic)}{summary}"
                )
            )
    return blocks
