"""Reading the people of a text: every person named, with their positions as written.

Articles and reports name people in four ways, read in this order (a name read once is not
read again by a later way):

1. a title shared by a list of names: "các Phó Chủ tịch UBTƯ MTTQ Việt Nam: A, B, C";
2. "đồng chí", "ông", "bà" (or the head of a list item) and the name, then the positions:
   "đồng chí A - Tỉnh ủy viên, Bí thư Thị ủy"; names listed before one designation share it:
   "các đồng chí A, B và C - Phó Trưởng Ban Dân vận Trung ương";
3. the titles, then the name: "Tỉnh ủy viên, Phó Chủ tịch Thường trực Ủy ban MTTQ Việt Nam tỉnh
   Trương Linh Phượng";
4. a signature block: a title in capitals, the name on a line of its own.
"""

import re

from giaoban.core.text import fold
from giaoban.publishing.vietnamese import (
    LOWER,
    NAME,
    SYLLABLE,
    TITLE_HEAD,
    opens_position,
    opens_title,
    prepare,
    starts_with_surname,
)

_HONORIFIC = r"(?:[Cc]ác đồng chí|[Đđ]ồng chí|[Đđ]/[Cc]|[Ôô]ng|[Bb]à)"
_PREFIXED = re.compile(rf"(?<!\w){_HONORIFIC}:?[ \n](?P<name>{NAME})")
_UNPREFIXED = re.compile(
    rf"(?:^|(?<=[;:,] )|(?<=^- )|(?<=\n- )|(?<=\n))(?P<name>{NAME})(?= ?[-–—,] )"
)
_NAME_ONLY = re.compile(NAME)
_SEPARATOR = re.compile(r"\s*(?:[-–—:]|,)\s+")
_DASH = re.compile(r"\s*[-–—]\s+")
_BRACKET = re.compile(r" ?\((?P<inside>[^()\n]+)\)")
# Where the positions after a name stop: the verb of the sentence, a clause that is no position,
# the dash that closes an apposition ("ông A - Chủ tịch UBND tỉnh - đã được …").
_POSITION_END = re.compile(
    r"[;(\n…]|\.(?=\s|$)| và (?=[" + LOWER + r"])|\s[-–—]\s(?=[" + LOWER + r"])|"
    r" (?:chủ trì|đồng chủ trì|dự(?! khuyết)(?!\w)|đến dự|tham dự|đã |phát biểu|nhấn mạnh|"
    r"cho biết|đề nghị|yêu cầu|báo cáo|trình bày|kết luận|thông tin|chia sẻ|tiếp thu|ghi nhận|"
    r"kiến nghị|khẳng định|trao |tặng |giao |cùng |chúc mừng|điều hành|thay mặt|được |"
    r"có ý kiến|quán triệt|đánh giá|lưu ý|mong muốn|tại hội nghị|tại buổi|nêu rõ|cho rằng|"
    r"đề xuất|biểu dương|khen ngợi|động viên|thăm |làm |(?<!Ban )chỉ đạo|phát động|bày tỏ|"
    r"nhận định|giữ chức|từng |hiện là|nay là)"
)
# One designation holds several positions: "Bí thư Đảng ủy, Chủ tịch HĐND xã", "Phó Chủ tịch
# kiêm Tổng Thư ký …", "Phó Chủ tịch - Tổng Thư ký UBTƯ MTTQ Việt Nam" (not "Bộ VH - TT&DL").
_ITEM_SPLIT = re.compile(rf", | kiêm | [-–] (?={TITLE_HEAD})")
# The next name of a list: "A, B và C".
_NEXT_NAME = re.compile(rf"(?:,[ \n]|,? và[ \n])(?P<name>{NAME})")
_ITEM_AFTER = re.compile(r"\s*(?:[,;:.\n(]|[-–—]\s|và\s|$)")
_ROLE_WORDS = {"thư ký", "chủ trì", "chủ tọa", "người ghi biên bản", "người viết", "xác nhận"}
_ROLES = {fold(word) for word in _ROLE_WORDS}
_NAME_LINE = re.compile(NAME)
_SIGN_PREFIX = re.compile(r"^(?:T/M|TM\.|K/T|KT\.|T/L|TL\.|Q\.|TUQ\.)\s", re.IGNORECASE)


def _name_words(name: str) -> list[str]:
    """A capitalised run may go on into a position ("Nguyễn Văn A Phó Chủ tịch"): cut it there."""
    words = name.split()
    for i in range(2, len(words)):
        if opens_position(" ".join(words[i:])):
            return words[:i]
    return words


def _position_items(rest: str, *, strict: bool) -> list[str]:
    """The positions at the start of `rest`, as a list, up to where the designation ends."""
    end = _POSITION_END.search(rest)
    segment = rest[: end.start()] if end else rest
    if strict and not opens_position(segment):
        return []
    items = []
    for item in _ITEM_SPLIT.split(segment):
        item = item.strip().strip(",.…").strip()
        if not item or not item[0].isupper() or _is_bare_name(item):
            return items  # "A, Phó Chủ tịch UBND tỉnh, B, Giám đốc Sở": B is the next person
        items.append(item)
    return items


def _is_bare_name(item: str) -> bool:
    words = item.split()
    return (
        bool(_NAME_ONLY.fullmatch(item)) and starts_with_surname(words) and not opens_position(item)
    )


def _positions(text: str, at: int, *, strict: bool) -> list[str]:
    """The positions written after a name that ends at `at`, after its separator, or in the
    brackets after it ("ông A (Chủ tịch UBND xã)", not "bà B (SN 1980)")."""
    separator = _SEPARATOR.match(text, at)
    if separator:
        return _position_items(text[separator.end() :], strict=strict)
    bracket = _BRACKET.match(text, at)
    if bracket and opens_title(bracket["inside"]):
        return _position_items(bracket["inside"], strict=strict)
    return []


class _People:
    """Every mention of a person, merged by name in the order of the text: a later mention adds
    only positions that are not the same as one already given ("Bí thư Huyện ủy" is "Bí thư Huyện
    ủy Bát Xát")."""

    def __init__(self, text: str):
        self.mentions: list[tuple[int, str, list[str]]] = []
        self.taken: list[tuple[int, int]] = []
        # Where each bridge point is named ("điểm cầu huyện Bát Xát"), to place the people after it.
        self.points = [(m.start(), m["place"].strip()) for m in _ANY_POINT.finditer(text)]
        self.text = text

    def is_taken(self, at: int) -> bool:
        return any(a <= at < b for a, b in self.taken)

    def add(self, at: int, name: str, positions: list[str]) -> None:
        self.taken.append((at, at + len(name)))
        self.mentions.append((at, name, positions))

    def _point_before(self, at: int) -> str | None:
        """The last bridge point named earlier in the paragraph of `at`."""
        paragraph = self.text.rfind("\n", 0, at) + 1
        found = None
        for start, place in self.points:
            if start >= at:
                break
            if start >= paragraph:
                found = place
        return found

    def result(self) -> list[dict]:
        by_key: dict[str, dict] = {}
        for at, name, positions in sorted(self.mentions, key=lambda mention: mention[0]):
            person = by_key.setdefault(fold(name), {"name": name, "positions": [], "point": None})
            known = [fold(position) for position in person["positions"]]
            for position in positions:
                key = fold(position)
                if not any(key.startswith(k) or k.startswith(key) for k in known):
                    person["positions"].append(position)
                    known.append(key)
            person["point"] = person["point"] or self._point_before(at)
        return list(by_key.values())


# The place of a bridge point: "điểm cầu huyện Bát Xát", up to the verb or the punctuation.
# "điểm cầu chính và 12 điểm cầu xã", "điểm cầu các huyện" name no place.
PLACE = (
    r"(?!(?:và|với|cùng|các|cấp|chính|trung tâm)(?!\w))(?P<place>[^,.;()\n]+?)"
    r"(?= có | do | chủ trì| đã | và (?=\d)|[,.;(\n]|$)"
)
_ANY_POINT = re.compile(r"điểm cầu (?:chính |trung tâm )?" + PLACE)


def _name_run(text: str, end: int) -> tuple[list[tuple[int, str]], int]:
    """The names listed after the one ending at `end` ("A, B và C"), each a whole item of the
    list, and where the last ends."""
    names = []
    while match := _NEXT_NAME.match(text, end):
        name = " ".join(_name_words(match["name"]))
        stop = match.start("name") + len(name)
        whole = _ITEM_AFTER.match(text, stop) or _POSITION_END.match(text, stop)
        if opens_position(name) or not whole:
            break
        names.append((match.start("name"), name))
        end = stop
    return names, end


def _in_named_list(text: str, at: int) -> bool:
    """Inside "… có các đồng chí: A - …; B - …", where every item is a person."""
    start = max(text.rfind(". ", 0, at), text.rfind("\n", 0, at)) + 1
    return "đồng chí:" in text[start:at].lower()


def _named(text: str, people: _People) -> None:
    """Ways 1 and 2 of the module's docstring, names first."""
    for pattern, strict in ((_PREFIXED, False), (_UNPREFIXED, True)):
        for match in pattern.finditer(text):
            start = match.start("name")
            if people.is_taken(start):
                continue
            words = _name_words(match.group("name"))
            if len(words) < 2 or opens_position(match.group("name")):
                continue  # "đồng chí Phó Chủ tịch UBND tỉnh A": the title comes first (way 3)
            if strict and not (starts_with_surname(words) or _in_named_list(text, start)):
                continue
            name = " ".join(words)
            others, end = _name_run(text, start + len(name))
            positions = _positions(text, end, strict=strict)
            caption = not positions and not strict and not others and text[end : end + 1] == " "
            if caption and opens_title(text[end : end + 40]):
                positions = _position_items(text[end + 1 :], strict=False)  # "đồng chí A Phó …"
            if strict and not positions:
                continue
            for at, person in [(start, name), *others]:
                people.add(at, person, positions)


_TITLE_LIST = re.compile(
    rf"(?:(?<=[\s;,(])|^)(?:[Cc]ác )?(?:đồng chí )?(?P<title>{TITLE_HEAD}[^,;:.()\n]*?):\s+"
)
_FIRST_NAME = re.compile(rf"(?:[-–] )?(?P<name>{NAME})")


def _title_lists(text: str, people: _People) -> None:
    """Way 1: "các Phó Chủ tịch UBTƯ MTTQ Việt Nam: Trương Thị Ngọc Ánh, Ngô Sách Thực, …"."""
    for match in _TITLE_LIST.finditer(text):
        first = _FIRST_NAME.match(text, match.end())
        if not first or first["name"].split()[0] in ("Ông", "Bà"):
            continue  # "Thư ký: Ông A - …" names one person with their own designation (way 2)
        name = " ".join(_name_words(first["name"]))
        stop = first.start("name") + len(name)
        whole = _ITEM_AFTER.match(text, stop) or _POSITION_END.match(text, stop)
        if opens_position(name) or not whole:
            continue
        others, _end = _name_run(text, stop)
        title = match["title"].strip()
        if fold(title) in _ROLES:
            continue  # "Thư ký: A" in minutes is a role at the meeting
        for at, person in [(first.start("name"), name), *others]:
            people.add(at, person, [title])


def persons_of(text: str) -> list[dict]:
    """The persons of a prepared text: [{name, positions, point}], in order of first mention."""
    people = _People(text)
    _title_lists(text, people)
    _named(text, people)
    _titled_names(text, people)
    _signatures(text, people)
    return people.result()


def read_persons(text: str) -> list[dict]:
    return persons_of(prepare(text))


# Way 3: the titles before the name -------------------------------------------------------

_CAPITAL_RUN = re.compile(rf"(?<!\w){SYLLABLE}(?!\w)(?: {SYLLABLE}(?!\w))+")
_TITLE_START = re.compile(TITLE_HEAD)
# Words that cannot be inside a title: a title written before a name starts after the last.
_NOT_IN_TITLE = re.compile(
    rf"(?<!\w)(?:với|đã|là|(?<!Người )có|tại|cho|đến|giữa|đồng chí|ông|bà|các|những|được|"
    rf"cùng|thay mặt|gồm|và(?= {TITLE_HEAD}))(?!\w)",
    re.IGNORECASE,
)
_BOUNDARY = re.compile(r"[;:\n(“”\"]|\.\s")
# A place named like a person ("tỉnh Lâm Đồng"): a name right after these has three syllables.
_PLACE_BEFORE = re.compile(
    r"(?:tỉnh|huyện|xã|phường|quận|thị xã|thành phố|TP\.?|thị trấn|thôn|bản|điểm cầu|tại) $"
)


def _name_at_end(words: list[str]) -> str | None:
    """The name that ends a run of capitalised words ("Bát Xát Nguyễn Văn A"): the rightmost
    family name that leaves three or four syllables, else two."""
    for sizes in ((3, 4), (2,)):
        for size in sorted(sizes):
            if len(words) >= size and starts_with_surname(words[-size:]):
                return " ".join(words[-size:])
    return None


def _ends_with_name(title: str) -> bool:
    """ "Phó Chủ nhiệm … Chính phủ Hoàng Xuân Lương": a title that ends with someone's name."""
    runs = list(_CAPITAL_RUN.finditer(title))
    last = runs[-1] if runs else None
    return bool(last and last.end() == len(title) and _name_at_end(last.group().split()))


def _title_in(part: str) -> tuple[str | None, bool, bool]:
    """The title a piece of text ends with ("… có Thiếu tướng" → "Thiếu tướng"), whether the
    piece holds nothing else but words like "có", "đồng chí" before it, and whether it follows a
    "và" ("A và Tỉnh ủy viên": what comes before is someone else's)."""
    after, joined = 0, False
    for stop in _NOT_IN_TITLE.finditer(part):
        after, joined = stop.end(), stop.group().lower() == "và"
    head = _TITLE_START.search(part, after)
    if not head:
        return None, False, False
    title = part[head.start() :].strip().strip(",.…").strip()
    if not title or len(title.split()) > 20:
        return None, False, False
    return title, not part[after : head.start()].strip(), joined


def _titles_before(text: str, at: int) -> list[str]:
    """The designation written before a name at `at`: its comma-separated titles, back to the
    start of the clause ("Tỉnh ủy viên, Phó Chủ tịch Thường trực … tỉnh Trương Linh Phượng")."""
    boundaries = list(_BOUNDARY.finditer(text, max(0, at - 300), at))
    start = boundaries[-1].end() if boundaries else max(0, at - 300)
    span = text[start:at]
    if not span.endswith(" "):
        return []
    parts = span.split(", ")
    last, alone, joined = _title_in(parts[-1])
    if not last:
        return []
    titles = [last]
    more = alone and not joined
    while more and len(titles) < len(parts):
        title, alone, joined = _title_in(parts[-1 - len(titles)])
        if not title or not alone or _ends_with_name(title):
            break
        titles.insert(0, title)
        more = not joined
    return titles


def _titled_names(text: str, people: _People) -> None:
    """Way 3: "Bí thư Huyện ủy Bát Xát Hoàng Quốc Khánh đề nghị …", "… có Thiếu tướng Trần Đức
    Thuận - Ủy viên Thường trực …"."""
    for run in _CAPITAL_RUN.finditer(text):
        name = _name_at_end(run.group().split())
        if not name:
            continue
        start = run.end() - len(name)
        last_word = run.end() - len(name.split()[-1])
        if people.is_taken(start) or opens_position(text[last_word : last_word + 40]):
            continue  # "Ủy viên Đoàn Chủ tịch UBTƯ": the run goes on into a title
        short = start == run.start() and len(name.split()) < 3
        if short and _PLACE_BEFORE.search(text, max(0, start - 12), start):
            continue
        titles = _titles_before(text, start)
        if not titles:
            continue
        dash = _DASH.match(text, run.end())
        after = _position_items(text[dash.end() :], strict=True) if dash else []
        people.add(start, name, titles + after)


# Way 4: the signature block --------------------------------------------------------------


def _is_upper_line(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def _signatures(text: str, people: _People) -> None:
    """The signature block: a title in capitals, then the name on a line of its own."""
    lines = text.split("\n")
    at = 0
    for i, line in enumerate(lines):
        here, at = at, at + len(line) + 1
        if not _NAME_LINE.fullmatch(line) or not starts_with_surname(line.split()):
            continue
        above = [x for x in lines[max(0, i - 4) : i] if x.strip()]
        if not above or not _is_upper_line(above[-1]):
            continue
        title = above[-1]
        if _SIGN_PREFIX.match(title) or any(ch.isdigit() for ch in title):
            continue
        position = title.capitalize()
        positions = [] if fold(position) in _ROLES else [position]
        people.add(here, line, positions)
