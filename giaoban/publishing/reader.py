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
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from giaoban.core.text import fold
from giaoban.publishing.vietnamese import (
    LOWER,
    NAME,
    NUMBER_STARTS,
    NUMBER_WORDS,
    SCALES,
    SYLLABLE,
    UNITS,
    UPPER,
    digits_value,
    is_capitalised,
    opens_position,
    parse_tokens,
    prepare,
    starts_with_surname,
    upper_first,
)


def read(text: str) -> dict:
    """The draft record of a text (see the module's docstring)."""
    text = prepare(text)
    lines = [line for line in text.split("\n")]
    body = _body_lines(lines)
    lead = _lead_sentence(body)
    return {
        "date": _date(text),
        "organizer": _organizer(lead) or _header_organizer(lines),
        "title": _document_title(lines) or _event_title(lead) or _headline(lines),
        "bridge_points": _bridge_points(text),
        "host_point": _host_point(text),
        "author": _author(lines),
        "persons": read_persons(text),
        "figures": read_figures(text),
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

_PLACE = r"(?P<place>[^,.;()\n]+?)(?= có | do | chủ trì| đã |[,.;(\n]|$)"
_MAIN_POINT = re.compile(r"điểm cầu (?:chính|trung tâm)(?: (?:tại|là|của))? " + _PLACE)
_CHAIRED_AT = re.compile(r"(?:[Cc]hủ trì|[Cc]hỉ đạo)[^.;]*? tại điểm cầu " + _PLACE)
_ANY_POINT = re.compile(r"điểm cầu (?:chính |trung tâm )?" + _PLACE)


def _bridge_points(text: str) -> int | None:
    """The count in "với 09 điểm cầu", "với chín điểm cầu", "hơn 1 nghìn điểm cầu"."""
    for span in number_spans(text):
        if span.vague:
            continue
        if re.match(r" điểm cầu\b", text[span.end :]):
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


# People -----------------------------------------------------------------------------------

_HONORIFIC = r"(?:[Cc]ác đồng chí:?|[Đđ]ồng chí|[Đđ]/[Cc]|[Ôô]ng|[Bb]à)"
_PREFIXED = re.compile(rf"(?<!\w){_HONORIFIC} (?P<name>{NAME})")
_UNPREFIXED = re.compile(
    rf"(?:^|(?<=[;:] )|(?<=^- )|(?<=\n- )|(?<=\n))(?P<name>{NAME})(?= ?[-–—,] )"
)
_SEPARATOR = re.compile(r"^\s*(?:[-–—:]|,)\s+")
# Where the positions after a name stop: the verb of the sentence, a clause that is no position.
_POSITION_END = re.compile(
    r"[;(\n]|\.(?=\s|$)| và (?=[" + LOWER + r"])|"
    r" (?:chủ trì|đồng chủ trì|dự |đến dự|tham dự|đã |phát biểu|nhấn mạnh|cho biết|đề nghị|"
    r"yêu cầu|báo cáo|trình bày|kết luận|thông tin|chia sẻ|tiếp thu|ghi nhận|kiến nghị|"
    r"khẳng định|trao |tặng |giao |cùng |chúc mừng|điều hành|thay mặt|được |có ý kiến|"
    r"quán triệt|đánh giá|lưu ý|mong muốn|tại hội nghị|tại buổi|nêu rõ|cho rằng|đề xuất|"
    r"biểu dương|khen ngợi|động viên|thăm |làm việc|chỉ đạo|phát động|bày tỏ|nhận định)"
)
_KIEM = re.compile(r" kiêm ")
_ROLE_WORDS = {"thư ký", "chủ trì", "chủ tọa", "người ghi biên bản", "người viết", "xác nhận"}
_SIGN_PREFIX = re.compile(r"^(?:T/M|TM\.|K/T|KT\.|T/L|TL\.|Q\.|TUQ\.)\s", re.IGNORECASE)


def _name_words(name: str) -> list[str]:
    """A capitalised run may go on into a position ("Nguyễn Văn A Phó Chủ tịch"): cut it there."""
    words = name.split()
    for i in range(2, len(words)):
        if opens_position(" ".join(words[i:])):
            return words[:i]
    return words


def _positions(after: str, *, strict: bool) -> list[str]:
    """The positions written after a name and its separator, as a list."""
    separator = _SEPARATOR.match(after)
    if not separator:
        return []
    rest = after[separator.end() :]
    end = _POSITION_END.search(rest)
    segment = rest[: end.start()] if end else rest
    if strict and not opens_position(segment):
        return []
    items = []
    for part in segment.split(", "):
        for item in _KIEM.split(part):
            item = item.strip().strip(",.").strip()
            if not item or not item[0].isupper():
                return items
            items.append(item)
    return items


class _People:
    """Persons in order of first mention, merged by name; a later mention adds only positions
    that are not the same as one already given ("Bí thư Huyện ủy" is "Bí thư Huyện ủy Bát Xát")."""

    def __init__(self):
        self.by_key: dict[str, dict] = {}
        self.order: list[tuple[int, str]] = []

    def add(self, at: int, name: str, positions: list[str], point: str | None) -> None:
        key = fold(name)
        person = self.by_key.get(key)
        if person is None:
            person = {"name": name, "positions": [], "point": point}
            self.by_key[key] = person
            self.order.append((at, key))
        for position in positions:
            if not any(_same_position(position, known) for known in person["positions"]):
                person["positions"].append(position)
        person["point"] = person["point"] or point

    def result(self) -> list[dict]:
        return [self.by_key[key] for _at, key in sorted(self.order)]


def _same_position(a: str, b: str) -> bool:
    fa, fb = fold(a), fold(b)
    return fa.startswith(fb) or fb.startswith(fa)


def _point_before(text: str, at: int) -> str | None:
    """The bridge point a person is named at: the last "điểm cầu X" earlier in the paragraph."""
    start = text.rfind("\n", 0, at) + 1
    matches = list(_ANY_POINT.finditer(text, start, at))
    return matches[-1].group("place").strip() if matches else None


def read_persons(text: str) -> list[dict]:
    text = prepare(text)
    people = _People()
    taken: list[tuple[int, int]] = []
    for pattern, strict in ((_PREFIXED, False), (_UNPREFIXED, True)):
        for match in pattern.finditer(text):
            start = match.start("name")
            if any(a <= start < b for a, b in taken):
                continue
            words = _name_words(match.group("name"))
            if not strict and len(words) < 2:
                continue
            if strict and not starts_with_surname(words):
                continue
            name = " ".join(words)
            end = start + len(name)
            positions = _positions(text[end:], strict=strict)
            if strict and not positions:
                continue
            taken.append((start, end))
            people.add(start, name, positions, _point_before(text, start))
    _titled_names(text, people, taken)
    _signatures(text, people)
    return [
        {"name": p["name"], "positions": p["positions"], "point": p["point"]}
        for p in people.result()
    ]


_CLAUSE = re.compile(r"[^,;:.\n]+")
_CAPITAL_RUN = re.compile(rf"{SYLLABLE}(?: {SYLLABLE})+")


def _titled_names(text: str, people: _People, taken) -> None:
    """ "Bí thư Huyện ủy Hoàng Quốc Khánh đề nghị …": a position, then the name, in one clause."""
    for clause in _CLAUSE.finditer(text):
        body = clause.group().strip()
        offset = clause.start() + clause.group().index(body[:1]) if body else 0
        if not body or not opens_position(body):
            continue
        for run in _CAPITAL_RUN.finditer(body):
            name = _name_at_end(run.group().split())
            if not name or run.start() == 0:
                continue
            start = offset + run.end() - len(name)
            if any(a <= start < b for a, b in taken):
                continue
            position = body[: run.end() - len(name)].strip()
            if not position:
                continue
            taken.append((start, start + len(name)))
            people.add(start, name, [position], _point_before(text, start))
            break


def _name_at_end(words: list[str]) -> str | None:
    """The name that ends a run of capitalised words ("Bát Xát Nguyễn Văn A"): the rightmost
    family name that leaves three or four syllables, else two."""
    for sizes in ((3, 4), (2,)):
        for size in sorted(sizes):
            if len(words) >= size and starts_with_surname(words[-size:]):
                return " ".join(words[-size:])
    return None


def _signatures(text: str, people: _People) -> None:
    """The signature block: a title in capitals, then the name on a line of its own."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not re.fullmatch(NAME, line) or not starts_with_surname(line.split()):
            continue
        above = [x for x in lines[max(0, i - 4) : i] if x.strip()]
        if not above or not _is_upper_line(above[-1]):
            continue
        title = above[-1]
        if _SIGN_PREFIX.match(title) or any(ch.isdigit() for ch in title):
            continue
        position = title.capitalize()
        at = sum(len(x) + 1 for x in lines[:i])
        positions = [] if fold(position) in {fold(w) for w in _ROLE_WORDS} else [position]
        people.add(at, line, positions, None)


# Numbers ----------------------------------------------------------------------------------

_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_TOKEN = re.compile(rf"(?P<digits>{_NUMBER})|(?P<word>[^\W\d_]+)")
# Not a count: "06/7", "Covid-19", "2,5" inside "12,5".
_NOT_AFTER = re.compile(r"[\w.,/\-–]$")
# "năm" after these is the year ("trong năm, …", "cuối năm"), "ba" after "tháng" a month.
_DATE_WORDS = {
    "trong", "cả", "hằng", "hàng", "mỗi", "từng", "đầu", "cuối", "giữa", "nửa", "của", "qua",
    "cùng", "tháng", "ngày", "năm", "quý", "lần", "thứ", "các", "những", "nhiều", "sang", "vào",
}  # fmt: skip
_CAPITAL_OK = re.compile(r"(?:^|[.!?:;\n\-–] ?|\n)$")


@dataclass
class NumberSpan:
    start: int
    end: int
    value: Decimal
    scale: str | None  # the scale word the number ends with ("triệu" in "2.255 triệu")
    # A lone "một" ("một cán bộ": an article more often than a count), or the second of two
    # numbers in words side by side ("hai ba người": two or three).
    vague: bool


def _tokens(text: str) -> list[tuple[int, int, object]]:
    found = []
    for match in _TOKEN.finditer(text):
        if match["digits"]:
            found.append((match.start(), match.end(), digits_value(match["digits"])))
        else:
            found.append((match.start(), match.end(), match["word"]))
    return found


def _starts_number(text: str, token: tuple, before: str) -> bool:
    start, _end, item = token
    if _NOT_AFTER.search(text[max(0, start - 1) : start]):
        return False
    if isinstance(item, Decimal):
        return True
    word = item.lower()
    if word not in NUMBER_STARTS:
        return False
    if item[0].isupper() and not _CAPITAL_OK.search(text[max(0, start - 3) : start]):
        return False  # a name: "Bản Ba", "xã Bản Năm"
    return not (word in ("năm", "ba") and before.lower() in _DATE_WORDS)


def _side_by_side(text: str, previous: NumberSpan, token: tuple) -> bool:
    """ "hai ba" (two or three), not "năm 2021" nor "2021 ba"."""
    in_words = isinstance(token[2], str) and not text[previous.start].isdigit()
    return in_words and text[previous.end : token[0]] == " "


def _side_by_side(text: str, previous: NumberSpan, token: tuple) -> bool:
    """ "hai ba" (two or three), not "năm 2021" nor "2021 ba"."""
    in_words = isinstance(token[2], str) and not text[previous.start].isdigit()
    return in_words and text[previous.end : token[0]] == " "


def number_spans(text: str) -> list[NumberSpan]:
    """The numbers of a text in digits, in words and mixed, in order: "09", "chín", "hai mươi
    lăm", "gần 1 nghìn" (1000), "1 tỷ 200 triệu"."""
    tokens = _tokens(text)
    spans = []
    i = 0
    while i < len(tokens):
        before = tokens[i - 1][2] if i and isinstance(tokens[i - 1][2], str) else ""
        if not _starts_number(text, tokens[i], before):
            i += 1
            continue
        # The run of number words and digits joined by single spaces from here.
        run = [tokens[i]]
        while i + len(run) < len(tokens):
            nxt = tokens[i + len(run)]
            joined = text[run[-1][1] : nxt[0]] == " "
            word = nxt[2].lower() if isinstance(nxt[2], str) else None
            if not joined or (word is not None and word not in NUMBER_WORDS):
                break
            run.append(nxt)
        items = [t[2] if isinstance(t[2], Decimal) else t[2].lower() for t in run]
        found = parse_tokens(items)
        if found is None:
            i += 1
            continue
        value, used, scale = found
        if used < len(items) and isinstance(items[used], Decimal) and isinstance(items[0], str):
            i += used  # "năm 2021" is a year
            continue
        ranged = (
            bool(spans) and isinstance(items[0], str) and _side_by_side(text, spans[-1], run[0])
        )
        if ranged:
            spans[-1].vague = True
        vague = ranged or items[:used] == ["một"]
        spans.append(NumberSpan(run[0][0], run[used - 1][1], value, scale, vague))
        i += used
    return spans


# Figures ----------------------------------------------------------------------------------

_UNIT = "|".join(re.escape(unit) for unit in UNITS)
_UNIT_AFTER = re.compile(rf"\s?(?P<unit>{_UNIT})(?P<per>(?:/[\w²]+)*)(?![\w²])")
_MONEY_AFTER = re.compile(r" đồng(?P<per>(?:/[\w²]+)*)(?![\w²])")
_NONE_OF = re.compile(rf"\b[Kk]hông có (?P<unit>{_UNIT})(?![\w²])")
_SUBJECT_END = re.compile(
    r"[,;.:()!?\n]| với | trong đó| và (?=\d|không)| tại | trên (?=\d)| gồm | (?=\d)"
)
_TRAILING = re.compile(r"(?: (?:cho|của|và|với|tại|trong|gồm|là|đạt|từ))+$")


def _subject(rest: str) -> str:
    end = _SUBJECT_END.search(rest)
    words = (rest[: end.start()] if end else rest).split()[:10]
    return _TRAILING.sub("", " " + " ".join(words)).strip()


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _figure_at(text: str, span: NumberSpan) -> tuple[Decimal, str, int] | None:
    """The value, unit and end of the figure a number starts, if a unit follows it. Money keeps
    its scale in the unit as officials write it: "2.255 triệu đồng" and "hai tỷ đồng" are 2255
    and 2 of "triệu đồng" and "tỷ đồng"."""
    unit = _UNIT_AFTER.match(text, span.end)
    if span.scale:
        money = _MONEY_AFTER.match(text, span.end)
        if money:
            value = span.value / 10 ** SCALES[span.scale]
            return value, f"{span.scale} đồng{money['per']}", money.end()
        if unit and unit["unit"].split()[0] in SCALES:
            return None
    if span.vague or not unit:
        return None
    return span.value, unit["unit"] + unit["per"], unit.end()


def read_figures(text: str) -> list[dict]:
    text = prepare(text)
    found = []
    spans = number_spans(text)
    for index, span in enumerate(spans):
        figure = _figure_at(text, span)
        if figure is None:
            continue
        value, unit, end = figure
        # What is counted stops where the next number starts ("… cho hai mươi mốt hộ").
        following = spans[index + 1].start if index + 1 < len(spans) else len(text)
        subject = _subject(text[end : max(end, following)])
        written = text[span.start : end] + (f" {subject}" if subject else "")
        found.append((span.start, written, value, unit, subject))
    for match in _NONE_OF.finditer(text):
        subject = _subject(text[match.end() :])
        written = text[match.start() : match.end()] + (f" {subject}" if subject else "")
        found.append((match.start(), written, Decimal(0), match.group("unit"), subject))
    return [
        {"text": written, "value": _json_number(value), "unit": unit, "subject": subject}
        for _at, written, value, unit, subject in sorted(found, key=lambda f: f[0])
    ]


def is_capitalised_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 4 and all(is_capitalised(w) for w in words)
