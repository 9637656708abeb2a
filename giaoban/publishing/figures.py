"""Reading the numbers and figures of a text: numbers in digits, in words and mixed, and the
figures they start (a number and what it counts), with the qualifier that goes before a rough
count ("hơn 2.000 đại biểu") and the zeros written as a phrase ("không có tình trạng …")."""

import re
from dataclasses import dataclass
from decimal import Decimal

from giaoban.publishing.vietnamese import (
    NUMBER_STARTS,
    NUMBER_WORDS,
    SCALES,
    UNITS,
    digits_value,
    parse_tokens,
    prepare,
)

_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_TOKEN = re.compile(rf"(?P<digits>{_NUMBER})|(?P<word>[^\W\d_]+)")
# Where a number may start: digits or a number word, not inside "06/7", "Covid-19" or "12,5".
_CANDIDATE = re.compile(
    rf"(?<![\w.,/\-–])(?:{_NUMBER}|(?:{'|'.join(sorted(NUMBER_STARTS))})(?!\w))", re.IGNORECASE
)
_PREVIOUS_WORD = re.compile(r"([^\W\d_]+)[^\w]*$")
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


def _previous_word(text: str, start: int) -> str:
    found = _PREVIOUS_WORD.search(text, max(0, start - 24), start)
    return found.group(1).lower() if found else ""


def _starts_number(text: str, start: int, word: str) -> bool:
    """Whether the word at `start` opens a number: not a name ("Bản Ba", "xã Bản Năm"), not the
    year in "cuối năm" nor the month in "tháng ba"."""
    if word[0].isupper() and not _CAPITAL_OK.search(text[max(0, start - 3) : start]):
        return False
    lower = word.lower()
    return not (lower in ("năm", "ba") and _previous_word(text, start) in _DATE_WORDS)


def _run(text: str, start: int) -> list[tuple[int, int, object]]:
    """The number words and digits joined by single spaces from `start`."""
    run = []
    for match in _TOKEN.finditer(text, start):
        if run and text[run[-1][1] : match.start()] != " ":
            break
        if match["digits"]:
            run.append((match.start(), match.end(), digits_value(match["digits"])))
        elif match["word"].lower() in NUMBER_WORDS:
            run.append((match.start(), match.end(), match["word"].lower()))
        else:
            break
    return run


def number_spans(text: str) -> list[NumberSpan]:
    """The numbers of a text in digits, in words and mixed, in order: "09", "chín", "hai mươi
    lăm", "gần 1 nghìn" (1000), "1 tỷ 200 triệu"."""
    spans: list[NumberSpan] = []
    position = 0
    while True:
        candidate = _CANDIDATE.search(text, position)
        if candidate is None:
            return spans
        position = candidate.end()
        word = candidate.group()
        in_words = not word[0].isdigit()
        if in_words and not _starts_number(text, candidate.start(), word):
            continue
        run = _run(text, candidate.start())
        items = [token[2] for token in run]
        found = parse_tokens(items)
        if found is None:
            continue
        value, used, scale = found
        if used < len(items) and isinstance(items[used], Decimal) and in_words:
            continue  # "năm 2021" is a year
        ranged = (
            in_words
            and bool(spans)
            and not text[spans[-1].start].isdigit()
            and text[spans[-1].end : run[0][0]] == " "
        )
        if ranged:
            spans[-1].vague = True
        vague = ranged or items[:used] == ["một"]
        spans.append(NumberSpan(run[0][0], run[used - 1][1], value, scale, vague))
        position = run[used - 1][1]


# Figures ----------------------------------------------------------------------------------

_UNIT = "|".join(re.escape(unit) for unit in UNITS)
_UNIT_AFTER = re.compile(rf"\s?(?P<unit>{_UNIT})(?P<per>(?:/[\w²]+)*)(?![\w²])")
_MONEY_AFTER = re.compile(r" đồng(?P<per>(?:/[\w²]+)*)(?![\w²])")
# A number right after these names a thing ("tháng 9", "năm 2021", "lần thứ 11", "phường 5");
# it counts nothing.
_NAMING_WORDS = {
    "tháng", "ngày", "năm", "quý", "số", "thứ", "khóa", "kỳ", "lần", "điều", "khoản", "đợt",
    "phường", "quận", "tổ", "khu", "covid",
}  # fmt: skip
# Words that make a count rough; kept apart from the value.
_QUALIFIER = re.compile(
    r"(?<!\w)(?P<word>trên dưới|xấp xỉ|gần như|gần|hơn|trên|dưới|khoảng|ngót|chừng) $",
    re.IGNORECASE,
)
# A reported absence: "không có tình trạng phụ nữ bỏ đi" is a figure of 0; "không có hộ …" too,
# counted in its unit. Not a goal or an instruction ("phấn đấu không có hộ tái nghèo").
_NONE_OF = re.compile(
    rf"\b[Kk]hông có "
    rf"(?:(?P<unit>{_UNIT})|(?P<situation>tình trạng|tình hình|hiện tượng|điểm nóng))(?![\w²])"
)
_NOT_REPORTED = re.compile(
    r"\b(?:để|bảo đảm|đảm bảo|phấn đấu|nhằm|cam kết|quyết tâm|yêu cầu|đề nghị|phải|cần|"
    r"nếu|mục tiêu)\b[^,.;:\n]*$",
    re.IGNORECASE,
)
_SUBJECT_END = re.compile(
    r"[,;.:()!?\n…]| với | trong đó| và (?=\d|không)| tại | trên (?=\d)| gồm | (?=\d)"
)
_TRAILING = re.compile(r"(?: (?:cho|của|và|với|tại|trong|gồm|là|đạt|từ|đến|ở))+$")


def _subject(rest: str) -> str:
    end = _SUBJECT_END.search(rest)
    words = (rest[: end.start()] if end else rest).split()[:10]
    return _TRAILING.sub("", " " + " ".join(words)).strip()


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# "nhiệm kỳ 2020 - 2025": the end of a range of years.
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d ?[-–] ?$")


def _names_a_thing(text: str, span: NumberSpan) -> bool:
    before = text[max(0, span.start - 12) : span.start]
    if before.endswith(" ") and _previous_word(text, span.start) in _NAMING_WORDS:
        return True
    return 1900 <= span.value <= 2100 and bool(_YEAR_RANGE.search(before))


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
    if span.vague or not unit or _names_a_thing(text, span):
        return None
    return span.value, unit["unit"] + unit["per"], unit.end()


def _figure(start: int, written: str, qualifier: str, value, unit: str, subject: str) -> tuple:
    return start, {
        "text": written,
        "qualifier": qualifier,
        "value": _json_number(value),
        "unit": unit,
        "subject": subject,
    }


def _counted(text: str, spans: list[NumberSpan]) -> list[tuple]:
    found = []
    for index, span in enumerate(spans):
        figure = _figure_at(text, span)
        if figure is None:
            continue
        value, unit, end = figure
        # What is counted stops where the next number starts ("… cho hai mươi mốt hộ").
        following = spans[index + 1].start if index + 1 < len(spans) else len(text)
        subject = _subject(text[end : max(end, following)])
        qualifier = _QUALIFIER.search(text, max(0, span.start - 12), span.start)
        start = qualifier.start() if qualifier else span.start
        written = text[start:end] + (f" {subject}" if subject else "")
        word = qualifier["word"].lower() if qualifier else ""
        found.append(_figure(start, written, word, value, unit, subject))
    return found


def _absences(text: str) -> list[tuple]:
    found = []
    for match in _NONE_OF.finditer(text):
        if text.startswith(" gì", match.end()):
            continue  # "không có vấn đề gì": nothing is counted
        clause_start = max(text.rfind(mark, 0, match.start()) for mark in ",.;:\n") + 1
        if _NOT_REPORTED.search(text, clause_start, match.start()):
            continue
        if match["unit"]:
            unit, subject = match["unit"], _subject(text[match.end() :])
            written = text[match.start() : match.end()] + (f" {subject}" if subject else "")
        else:
            unit = ""
            subject = _subject(text[match.start("situation") :])
            written = text[match.start() : match.start("situation")] + subject
        found.append(_figure(match.start(), written, "", Decimal(0), unit, subject))
    return found


def figures_of(text: str, spans: list[NumberSpan]) -> list[dict]:
    """The figures of a prepared text whose numbers are already found."""
    found = _counted(text, spans) + _absences(text)
    return [figure for _at, figure in sorted(found, key=lambda pair: pair[0])]


def read_figures(text: str) -> list[dict]:
    """Every figure of a text: {text, qualifier, value, unit, subject}."""
    text = prepare(text)
    return figures_of(text, number_spans(text))
