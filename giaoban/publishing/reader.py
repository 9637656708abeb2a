"""Reading an article, a report, minutes or a notice back into a draft record.

Rule-based and offline: the text is put in one spelling (NFC, one tone placement), then read for
the event's date, organizer and title, the number of bridge points and the host point, every
person named with their positions as written, and every figure with its value, unit and what it
counts; numbers may be written in digits, in words ("hai mươi lăm") or both ("gần 1 nghìn").
The result is a plain dict, the JSON of `giaoban read_text` and of the API:

    {date, organizer, title, bridge_points, host_point, author,
     persons: [{name, positions, point}], figures: [{text, value, unit, subject}]}
"""

import re
from datetime import date

from giaoban.publishing.figures import NumberSpan, figures_of, number_spans, read_figures
from giaoban.publishing.persons import PLACE, persons_of, read_persons
from giaoban.publishing.vietnamese import NAME, UPPER, prepare, upper_first

__all__ = ["NumberSpan", "number_spans", "read", "read_figures", "read_persons"]


def read(text: str) -> dict:
    """The draft record of a text (see the module's docstring)."""
    text = prepare(text)
    lines = text.split("\n")
    body = _body_lines(lines)
    lead = _lead_sentence(body)
    spans = number_spans(text)
    return {
        "date": _date(text),
        "organizer": _organizer(lead) or _header_organizer(lines),
        "title": _document_title(lines) or _event_title(lead) or _headline(lines),
        "bridge_points": _bridge_points(text, spans),
        "host_point": _host_point(text),
        "author": _author(lines),
        "persons": persons_of(text),
        "figures": figures_of(text, spans),
    }


# Structure ---------------------------------------------------------------------------------

_DOC_TYPES = {"BÁO CÁO", "THÔNG BÁO", "BIÊN BẢN", "KẾ HOẠCH", "TỜ TRÌNH", "KẾT LUẬN"}
_NOT_ISSUERS = {"ĐẢNG CỘNG SẢN VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "*"}


def _doc_type_index(lines: list[str]) -> int | None:
    for i, line in enumerate(lines[:20]):
        if line.strip() in _DOC_TYPES:
            return i
    return None


def _body_lines(lines: list[str]) -> list[str]:
    start = _doc_type_index(lines)
    return [line for line in lines[(start or -1) + 1 :] if line]


def _is_upper_line(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


# The date ---------------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"(?<![\d/.,])(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?![\d/])")
_WORDED_DATE = re.compile(r"[Nn]gày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})")
# "Bảo Thắng, ngày 25 tháng 9 năm 2022": the document's own date, used only when the text names
# no other.
_PLACE_DATE = re.compile(rf"^[{UPPER}][^,\d]{{1,40}}, ngày \d")
_NOT_THE_EVENT = re.compile(r"(?:trước|đến|hạn|từ|tới)(?: ngày)? $")


def _valid(day: int, month: int, year: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _dates_in(line: str):
    found = [(m.start(), m) for m in _NUMERIC_DATE.finditer(line)]
    found += [(m.start(), m) for m in _WORDED_DATE.finditer(line)]
    for start, match in sorted(found, key=lambda pair: pair[0]):
        if _NOT_THE_EVENT.search(line[max(0, start - 12) : start]):
            continue
        day = _valid(*(int(g) for g in match.groups()))
        if day:
            yield day


def _date(text: str) -> str | None:
    fallback = None
    for line in text.split("\n"):
        for day in _dates_in(line):
            if _PLACE_DATE.match(line):
                fallback = fallback or day
                continue
            return day.isoformat()
    return fallback.isoformat() if fallback else None


# Organizer and title ----------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[" + UPPER + r"0-9])")


def _sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(paragraph) if s]


def _lead_sentence(body: list[str]) -> str:
    """The first sentence that says who held what: "… tổ chức hội nghị …"."""
    for line in body[:12]:
        for sentence in _sentences(line):
            if re.search(r"\btổ chức\b", sentence) and not _is_upper_line(sentence):
                return sentence
    return ""


_ORGANIZER_BY = re.compile(r"\bdo (?P<org>[" + UPPER + r"][^,;.]*?) (?:chủ trì, )?tổ chức\b")
_HOLDS = re.compile(r"\s(?:đã )?(?:phối hợp với [^,;]+? )?tổ chức\b")
# What an organizer's name starts with: a body, never a date or a sentence.
_ORG_NAME = re.compile(
    r"^(?:Ban|Ủy ban|UBND|HĐND|Hội|Huyện ủy|Tỉnh ủy|Thành ủy|Thị ủy|Đảng ủy|Thường trực|"
    r"Mặt trận|MTTQ|Đoàn|Liên đoàn|Sở|Phòng|Trung tâm|Bộ|Công an|Hội đồng|Trường|Viện|Cục|"
    r"Chi cục|Văn phòng|Khối|Đảng bộ|Chi bộ|Liên minh|Tổng|Quận ủy|Chính phủ|Quốc hội)\b"
)


def _organizer(lead: str) -> str | None:
    if not lead:
        return None
    by = _ORGANIZER_BY.search(lead)
    if by:
        return by.group("org").strip()
    holds = _HOLDS.search(lead)
    if not holds:
        return None
    before = lead[: holds.start()]
    candidate = before.rsplit(", ", 1)[-1].strip()
    return candidate if _ORG_NAME.match(candidate) and len(candidate.split()) <= 15 else None


_TITLE_STOP = re.compile(
    r" với (?=\d|sự |hơn |gần |trên |các điểm cầu|(?:\w+ ){1,5}điểm cầu)"
    r"| tại (?=\d|điểm cầu|[Hh]ội trường)"
    r"| (?:theo|bằng|dưới) hình thức| nhằm | để |;|\.(?:\s|$)| có sự tham dự"
)
_HELD = re.compile(r"\btổ chức (?:thành công )?(?P<rest>.+)$")


def _event_title(lead: str) -> str | None:
    held = _HELD.search(lead)
    if not held:
        return None
    rest = held.group("rest")
    stop = _TITLE_STOP.search(rest)
    title = (rest[: stop.start()] if stop else rest).strip().rstrip(".,;")
    return upper_first(title) if title else None


def _document_title(lines: list[str]) -> str | None:
    """In a report, notice or minutes the line under "BÁO CÁO" says what it is about."""
    start = _doc_type_index(lines)
    if start is None:
        return None
    following = [line for line in lines[start + 1 :] if line]
    return following[0].rstrip(".") if following and not _is_upper_line(following[0]) else None


def _headline(lines: list[str]) -> str | None:
    first = next((line for line in lines if line), "")
    return first or None


def _header_organizer(lines: list[str]) -> str | None:
    """The issuing body in the header of an official document: "HUYỆN ỦY BẢO THẮNG / BAN DÂN
    VẬN" is "Ban Dân vận Huyện ủy Bảo Thắng"."""
    end = _doc_type_index(lines)
    if end is None:
        return None
    bodies = []
    for line in lines[:end]:
        if not line or line.startswith("Số") or line in _NOT_ISSUERS:
            continue
        if _is_upper_line(line) and not line.startswith(("CỘNG HÒA", "ĐẢNG CỘNG SẢN")):
            bodies.append(line)
    if not bodies:
        return None
    own = bodies[-1]
    if len(own.split()) <= 3 and len(bodies) > 1:
        own = f"{own} {bodies[-2]}"
    return _proper_case(own)


_PLACE_WORDS = {"xã", "huyện", "tỉnh", "phường", "thị", "thành", "quận", "trấn", "phố"}
_LOWER_WORDS = {"vận", "ủy", "giáo", "trực", "tịch", "thư", "viên", "phòng", "nhân", "dân"}


def _proper_case(upper: str) -> str:
    """Official names from a header in capitals, written as in running text: the common words
    of a body's name in lower case, the proper names capitalised."""
    words = upper.lower().split()
    out = []
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        lower = word in _LOWER_WORDS or (word in _PLACE_WORDS and following not in {"ủy", "ban"})
        out.append(word if (lower and i) else word.capitalize())
    return " ".join(out)


# Bridge points ----------------------------------------------------------------------------

_MAIN_POINT = re.compile(r"điểm cầu (?:chính|trung tâm)(?: (?:tại|là|của))? " + PLACE)
_CHAIRED_AT = re.compile(r"(?:[Cc]hủ trì|[Cc]hỉ đạo)[^.;]*? tại điểm cầu " + PLACE)


# "1 điểm cầu trung tâm và 63 điểm cầu các tỉnh": the host's own point is not one of the N.
_POINTS_AFTER = re.compile(r" điểm cầu\b(?! (?:chính|trung tâm|chủ trì)\b)")


def _bridge_points(text: str, spans: list[NumberSpan]) -> int | None:
    """The count in "với 09 điểm cầu", "với chín điểm cầu", "hơn 1 nghìn điểm cầu"."""
    for span in spans:
        if not span.vague and _POINTS_AFTER.match(text, span.end):
            return int(span.value)
    return None


def _host_point(text: str) -> str | None:
    for pattern in (_MAIN_POINT, _CHAIRED_AT):
        match = pattern.search(text)
        if match:
            return match.group("place").strip()
    return None


# The author -------------------------------------------------------------------------------

_BYLINE = re.compile(
    r"^(?:(?:Tin|Bài|Ảnh|Tin, ảnh|Bài, ảnh|Tin và ảnh):\s*)?(?P<name>" + NAME + r")\s*(?:[-–(].*)?$"
)


def _author(lines: list[str]) -> str | None:
    last = next((line for line in reversed(lines) if line), "")
    match = _BYLINE.match(last)
    if not match or len(last.split()) > 16:
        return None
    return match.group("name")
