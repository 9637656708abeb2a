"""The news article of a conference, written from its record in the shape of the provincial
centres' articles: headline, lead (when, who organized, how many bridge points, who chaired),
who attended where, the period's results from the consolidated report, the contributions, the
direction speech and the byline.

The words come from `templates/publishing/article.txt`; the helpers below only turn records into
phrases. Nothing is written that the record does not hold: a missing part is left out, and the
two parts an article needs but a record rarely has (the contributions and the byline) are marked
in brackets for the editor.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation

from giaoban.core.text import fold, nfc
from giaoban.meetings.models import (
    BridgePoint,
    Conference,
    Delegate,
    FloorStatus,
    ItemKind,
)
from giaoban.meetings.selectors import VIETNAM, attending
from giaoban.orgs.access import membership_of
from giaoban.orgs.models import UnitKind
from giaoban.publishing.vietnamese import lower_first, upper_first
from giaoban.reporting.models import Aggregation
from giaoban.reporting.numbers import format_number
from giaoban.reporting.selectors import Completeness, Figure, consolidate

EDITOR_MARK = "[{}]"

# How an article names the district-level units a briefing links, in this order.
_KIND_WORDS = [
    (UnitKind.DISTRICT, "huyện"),
    (UnitKind.TOWN, "thị xã"),
    (UnitKind.CITY, "thành phố"),
    (UnitKind.COMMUNE, "xã"),
    (UnitKind.WARD, "phường"),
    (UnitKind.TOWNSHIP, "thị trấn"),
]


# Phrases ----------------------------------------------------------------------------------


def day_text(moment: datetime) -> str:
    """ "08/10/2021" on Vietnam's clock, whatever the server's zone."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y")


def part_of_day(moment: datetime) -> str:
    hour = moment.astimezone(VIETNAM).hour
    return "Sáng" if hour < 12 else "Chiều" if hour < 18 else "Tối"


def count_text(count: int) -> str:
    """Articles write small counts with two digits: "09 điểm cầu"."""
    return f"{count:02d}"


def point_kinds(kinds: list[str]) -> str:
    """ "các huyện, thị xã, thành phố" for the kinds of units the points are at."""
    words = [word for kind, word in _KIND_WORDS if kind in kinds]
    return f"các {', '.join(words)}" if words else ""


def point_place(point: BridgePoint) -> str:
    """ "Điểm cầu thị xã Sa Pa" → "thị xã Sa Pa"."""
    name = nfc(point.name)
    if fold(name).startswith("diem cau "):
        return name[len("Điểm cầu ") :]
    return lower_first(point.unit.name)


def headline(organizer: str, title: str) -> str:
    if fold(title).startswith("giao ban "):
        return f"{organizer} giao ban trực tuyến {title[len('Giao ban ') :]}"
    return f"{organizer} tổ chức {lower_first(title)}"


def held_phrase(title: str, *, online: bool) -> str:
    """What was held, mid-sentence: "hội nghị trực tuyến giao ban …", never "hội nghị hội nghị"."""
    event = lower_first(title)
    if fold(title).startswith("hoi nghi "):
        return f"{event} theo hình thức trực tuyến" if online else event
    return f"hội nghị trực tuyến {event}" if online else f"hội nghị {event}"


def without_honorific(text: str) -> str:
    return text[len("đồng chí ") :] if fold(text).startswith("dong chi ") else text


def delegate_phrase(delegate: Delegate) -> str:
    """A person as "đồng chí Name - positions"; a group of guests as written."""
    if delegate.person_id or delegate.designation != delegate.full_name:
        return f"đồng chí {without_honorific(delegate.designation)}"
    return lower_first(delegate.designation)


@dataclass(frozen=True)
class Written:
    """A figure as the article writes it, and what it says (for the round trip)."""

    text: str
    value: Decimal
    unit: str


def figure_phrase(name: str, unit: str, value: Decimal) -> Written:
    """ "Số trường hợp tảo hôn", 49 → "49 trường hợp tảo hôn"; 0 → "không có trường hợp tảo hôn";
    "Kinh phí chăm lo gia đình chính sách", 2255 → "kinh phí … 2.255 triệu đồng"."""
    number = format_number(value)
    counted = name[len("Số ") :] if fold(name).startswith("so ") else None
    if counted is not None and unit and fold(counted).startswith(fold(unit) + " "):
        if value == 0:
            return Written(f"không có {counted}", Decimal(0), unit)
        return Written(f"{number} {counted}", value, unit)
    return Written(f"{lower_first(name)} {number} {unit}".strip(), value, unit)


def figure_phrases(figures: list[Figure]) -> list[Written]:
    phrases = []
    for figure in figures:
        if figure.value is None:
            continue  # no report gave it: nothing to say
        indicator = figure.indicator
        value = Decimal(figure.value).normalize()
        if indicator.aggregation == Aggregation.COUNT_YES:
            phrases.append(
                Written(
                    f"{format_number(value)} đơn vị {lower_first(indicator.name)}", value, "đơn vị"
                )
            )
        else:
            phrases.append(figure_phrase(indicator.name, indicator.unit_of_measure, value))
    return phrases


def sentence(parts: list[str]) -> str:
    """Clauses joined with semicolons into one sentence ending with a full stop."""
    cleaned = [lower_first(p.strip().rstrip(".;")) for p in parts if p.strip()]
    return "; ".join(cleaned) + "." if cleaned else ""


# The record -------------------------------------------------------------------------------


@dataclass
class PointPart:
    place: str
    delegates: list[str]
    figures: list[Written] = field(default_factory=list)
    source: str = ""


@dataclass
class Article:
    title: str
    body: str
    figures: list[Written]


def _attending(point: BridgePoint) -> list[Delegate]:
    """Delegates who came, or all invited while the roll call has not been taken."""
    return attending(point.delegates.all())


def _chair_designation(conference: Conference, host: BridgePoint | None) -> str:
    chair = conference.chair
    if chair is None:
        return ""
    if host:
        for delegate in host.delegates.all():
            if delegate.person_id == chair.pk:
                return delegate.designation
    return chair.designation(conference.day)


def _results(user, conference: Conference, unit) -> tuple[list[Written], str]:
    """The period's figures of the unit's subtree, and what they are made from: a total of
    fewer reports than expected is not "the units' reports" and says so."""
    if not (conference.report_form and conference.period):
        return [], ""
    report = consolidate(
        user=user, unit=unit, form=conference.report_form, period=conference.period
    )
    return figure_phrases(report.figures), _source(report.completeness)


def _source(done: Completeness) -> str:
    if done.complete:
        return ""
    return f" (số liệu chưa đầy đủ: mới có {done.approved}/{done.expected} báo cáo được duyệt)"


def _contributions(conference: Conference) -> list[str]:
    turns = conference.floor_requests.filter(status=FloorStatus.DONE).select_related("point")
    said = []
    for turn in turns.order_by("granted_at", "id"):
        who = f"{turn.point.name}" + (f" ({turn.speaker})" if turn.speaker else "")
        said.append(f"{who}: {turn.topic}" + (f" – {turn.summary}" if turn.summary else ""))
    item = conference.agenda.filter(kind=ItemKind.CONTRIBUTIONS).exclude(minutes="").first()
    return said + ([item.minutes] if item else [])


def _direction(conference: Conference, chair_designation: str) -> tuple[str, str]:
    """Who gave the direction speech and what it said (its minutes, else the conclusions)."""
    item = conference.agenda.filter(kind=ItemKind.DIRECTION).first()
    speaker = without_honorific(item.presenter) if item and item.presenter else chair_designation
    if item and item.minutes.strip():
        said = [line for line in item.minutes.splitlines() if line.strip()]
    else:
        said = list(conference.conclusions.order_by("order").values_list("text", flat=True))
    return speaker, sentence(said)


def _byline(user) -> str:
    membership = membership_of(user)
    name = user.get_full_name() if user is not None and user.is_authenticated else ""
    if name and membership:
        return f"{name} ({membership.organization.name})"
    return EDITOR_MARK.format("Tác giả (đơn vị)")


def _featured(user, conference: Conference, others: list[BridgePoint]) -> list[PointPart]:
    """The bridge points with named delegates: their delegates and their own figures."""
    featured = []
    for point in others:
        delegates = _attending(point)
        if any(d.person_id for d in delegates):
            part = PointPart(point_place(point), [delegate_phrase(d) for d in delegates])
            part.figures, part.source = _results(user, conference, point.unit)
            featured.append(part)
    return featured


def _lead(conference: Conference, host: BridgePoint | None, others: list[BridgePoint]) -> dict:
    start = conference.scheduled_start
    chair = _chair_designation(conference, host)
    host_others = [
        delegate_phrase(d)
        for d in (_attending(host) if host else [])
        if d.person_id != conference.chair_id
    ]
    return {
        "when": f"{part_of_day(start)} {day_text(start)}",
        "organizer": conference.organizer.name,
        "event": held_phrase(conference.title, online=bool(others)),
        "point_count": count_text(len(others)) if others else "",
        "point_kinds": point_kinds([p.unit.kind for p in others]),
        "host_place": point_place(host) if host else "",
        "chair": chair,
        "host_others": "; ".join(host_others),
    }


def draft_article(*, user, conference: Conference) -> Article:
    """The article of a conference: title, body (a paragraph a line) and the figures it gives."""
    points = list(conference.points.select_related("unit").prefetch_related("delegates"))
    host = next((p for p in points if p.is_host), None)
    others = [p for p in points if not p.is_host]
    lead = _lead(conference, host, others)
    overall, source = _results(user, conference, conference.organizer.unit)
    featured = _featured(user, conference, others)
    speaker, said = _direction(conference, lead["chair"])
    with translation.override("vi"):
        period = lower_first(str(conference.period)) if conference.period else ""
    context = lead | {
        "period": period,
        "results": sentence([w.text for w in overall]),
        "results_source": source,
        "points": [
            {
                "place": part.place,
                "delegates": "; ".join(part.delegates),
                "results": sentence([w.text for w in part.figures]),
                "source": part.source,
            }
            for part in featured
        ],
        "contributions": _contributions(conference),
        "contributions_mark": EDITOR_MARK.format(
            "Bổ sung các ý kiến tham luận: hồ sơ hội nghị chưa ghi lại"
        ),
        "speaker": speaker,
        "direction": said,
        "byline": _byline(user),
    }
    body = render_to_string("publishing/article.txt", context)
    return Article(
        title=upper_first(headline(conference.organizer.name, conference.title)),
        body="\n".join(nfc(line) for line in body.splitlines() if line.strip()),
        figures=overall + [w for part in featured for w in part.figures],
    )
