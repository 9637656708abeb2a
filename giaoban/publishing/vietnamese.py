"""Small pieces of Vietnamese that the reader and the writer share: one spelling of the tones,
the letters of a proper name, the family names, the words that open a position, the units
that figures are counted in, and numbers written in words."""

import re
import unicodedata
from decimal import Decimal

_TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng
_PAIRS = {"o": "ae", "O": "AE", "u": "y", "U": "Y"}


def _tone_table() -> dict[str, str]:
    """ "oà" → "òa", "uỷ" → "ủy", …: the old placement (tone on the second vowel of an open
    "oa", "oe", "uy") to the new one (on the first), both spellings being correct."""
    table = {}
    for first, seconds in _PAIRS.items():
        for second in seconds + seconds.lower() + seconds.upper():
            for tone in _TONES:
                old = first + unicodedata.normalize("NFC", second + tone)
                new = unicodedata.normalize("NFC", first + tone) + second
                table[old] = new
    return table


_TONE_TABLE = _tone_table()
# Only at the end of a syllable ("hoà" but not "hoàn"), and not after q, where u is part of the
# consonant ("quý" is spelt so in both styles).
_OLD_TONE = re.compile(
    "(?<![qQ])(" + "|".join(map(re.escape, sorted(_TONE_TABLE, key=len, reverse=True))) + r")(?!\w)"
)


def canonical_tones(text: str) -> str:
    """One spelling for both tone placements, so that "Uỷ viên" and "Ủy viên" read the same."""
    return _OLD_TONE.sub(lambda m: _TONE_TABLE[m.group(1)], text)


_BLANKS = re.compile(r"[ \t]+")
_LINE_EDGES = re.compile(r"[^\S\n]*\n[^\S\n]*")
_TEXT_EDGES = re.compile(r"^[^\S\n]+|[^\S\n]+$")


def prepare(text: str) -> str:
    """NFC, one tone placement, no-break spaces as spaces, spaces tidied within each line."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\r\n", "\n")
    text = canonical_tones(text.replace("\r", "\n"))
    return _TEXT_EDGES.sub("", _LINE_EDGES.sub("\n", _BLANKS.sub(" ", text)))


UPPER = "A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"
LOWER = "a-zđâăêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
SYLLABLE = rf"[{UPPER}][{LOWER}]*"
# Two to four capitalised syllables: "Má A Sử", "Vũ Xuân Cường", "Hoàng Thị Thanh Huyền".
NAME = rf"{SYLLABLE}(?: {SYLLABLE}){{1,3}}"


def is_capitalised(word: str) -> bool:
    return bool(re.fullmatch(SYLLABLE, word))


# Family names, Kinh and those of the northern mountain peoples (Hmong, Dao, Tày, Nùng, Giáy…),
# and "Thích", which Buddhist monks and nuns take.
SURNAMES = {
    name.lower()
    for name in """Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Ly Đinh
    Đào Đoàn Lương Trịnh Mai Cao Chu Lưu Tô Triệu Nông Lục Hứa Vương Quách Khổng Phùng Kiều Lâm
    La Tống Tăng Lã Mạc Thân Đàm Lại Cù Hà Tạ Tôn Giáp Khúc Ninh Hầu Mùa Giàng Vàng Sùng Thào
    Lò Lù Lùng Tẩy Tẩn Má Ma Mã Sần Chảo Tráng Phàn Lồ Cứ Hạng Lầu Bàn Hoàng Lường Quàng Cầm
    Bạc Sầm Vi Nịnh Ngọ Sình Thèn Chẻo Chang Dìu Phìn Tải Bế
    Âu Nhữ Doãn Diệp Viên Phí Trương Quan Kha Lỗ Thích""".split()  # noqa: SIM905
}


def starts_with_surname(words: list[str]) -> bool:
    return bool(words) and words[0].lower() in SURNAMES


# Words that open a position, as written after a name ("Phó Bí thư…", "Tỉnh ủy viên").
POSITION_HEADS = [
    "Phó",
    "Chủ tịch",
    "Bí thư",
    "Trưởng",
    "Giám đốc",
    "Ủy viên",
    "UV",
    "Tỉnh ủy viên",
    "Huyện ủy viên",
    "Thành ủy viên",
    "Thị ủy viên",
    "Đảng ủy viên",
    "Chánh",
    "Tổng",
    "Thường trực",
    "Chủ nhiệm",
    "Bộ trưởng",
    "Thứ trưởng",
    "Đại biểu",
    "Chuyên viên",
    "Cán bộ",
    "Công chức",
    "Nguyên",
    "Đại tá",
    "Thượng tá",
    "Trung tá",
    "Thiếu tá",
    "Thiếu tướng",
    "Trung tướng",
    "Chỉ huy trưởng",
    "Hiệu trưởng",
    "Viện trưởng",
    "Tổ trưởng",
    "Chi hội trưởng",
    "Già làng",
    "Người có uy tín",
    "Kế toán",
    "Văn phòng",
    "Thư ký",
    "Thủ tướng",
    "Đại tướng",
    "Thượng tướng",
    "Đại úy",
    "Thượng úy",
    "Trung úy",
    "Thiếu úy",
    "Hòa thượng",
    "Thượng tọa",
    "Đại đức",
    "Ni sư",
    "Linh mục",
    "Giám mục",
    "Mục sư",
    "Giáo sư",
    "Tiến sĩ",
    "Bác sĩ",
    "Luật sư",
    "Nhà báo",
    "Nghệ nhân",
    "Thẩm phán",
    "Kiểm sát viên",
    "Trợ lý",
]
_HEADS = re.compile(
    r"(?:" + "|".join(re.escape(h) for h in sorted(POSITION_HEADS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def opens_position(text: str) -> bool:
    return bool(_HEADS.match(text.strip()))


# The same words as written at the start of a title in running text: capitalised, so that "đại
# biểu" (delegates) or "cán bộ" (officials) in a sentence open nothing; "nguyên" (former) may go
# before one.
TITLE_HEAD = (
    r"(?<!\w)(?:[Nn]guyên )?(?:"
    + "|".join(re.escape(h) for h in sorted(POSITION_HEADS, key=len, reverse=True))
    + r")(?!\w)"
)
_TITLE_HEAD = re.compile(TITLE_HEAD)


def opens_title(text: str) -> bool:
    """ "Phó Chủ tịch UBND tỉnh", "nguyên Phó Trưởng Ban": a title as written before or after a
    name; "đại biểu Trung ương" is not one."""
    return bool(_TITLE_HEAD.match(text.lstrip()))


# Counting units of figures, longest first when matched. Time ("tháng", "năm", "ngày", "giờ") is
# not a figure; bridge points are counted apart.
UNITS = [
    "triệu đồng",
    "tỷ đồng",
    "nghìn đồng",
    "ngàn đồng",
    "đồng",
    "USD",
    "%",
    "lượt người",
    "lượt hộ",
    "lượt cán bộ",
    "lượt",
    "người",
    "hộ",
    "trường hợp",
    "cuộc",
    "buổi",
    "hội nghị",
    "lớp",
    "mô hình",
    "vụ việc",
    "vụ",
    "đơn thư",
    "đơn",
    "kiến nghị",
    "ý kiến",
    "điểm nhóm",
    "hội viên",
    "đoàn viên",
    "đảng viên",
    "học viên",
    "cán bộ",
    "cá nhân",
    "tập thể",
    "hợp tác xã",
    "tổ hợp tác",
    "tổ",
    "chi bộ",
    "xã",
    "thôn",
    "bản",
    "gia đình",
    "căn nhà",
    "ngôi nhà",
    "nhà",
    "công trình",
    "km",
    "m2",
    "m²",
    "m3",
    "ha",
    "tấn",
    "con",
    "cây",
    "ngày công",
    "suất quà",
    "phần quà",
    "suất",
    "tin bài",
    "bài",
    "em",
    "cơ sở",
    "doanh nghiệp",
    "đơn vị",
    "sáng kiến",
    "văn bản",
    "dự án",
    "chương trình",
    "tác phẩm",
    # People, places and things counted in news of the Front and the mass organizations: "hơn
    # 2.000 đại biểu", "63 tỉnh, thành phố", "18 phường", "5 phần mềm", "02 vị Ủy viên".
    "đại biểu",
    "vị trí",
    "vị",
    "ủy viên",
    "thành viên",
    "đồng chí",
    "học sinh",
    "sinh viên",
    "giáo viên",
    "công nhân",
    "người lao động",
    "lao động",
    "cử tri",
    "công chức",
    "viên chức",
    "chức sắc",
    "tín đồ",
    "thanh niên",
    "tình nguyện viên",
    "nhân khẩu",
    "cặp",
    "tỉnh",
    "thành phố",
    "huyện",
    "quận",
    "thị xã",
    "phường",
    "thị trấn",
    "đặc khu",
    "làng",
    "ấp",
    "khóm",
    "tổ dân phố",
    "khu dân cư",
    "địa phương",
    "cơ quan",
    "tổ chức",
    "chi hội",
    "chi đoàn",
    "đảng bộ",
    "câu lạc bộ",
    "nhóm",
    "trường",
    "phần mềm",
    "ứng dụng",
    "trang",
    "tài khoản",
    "tài liệu",
    "tờ rơi",
    "băng rôn",
    "khẩu hiệu",
    "chiếc",
    "tuyến đường",
    "tuyến",
    "phòng học",
    "giếng",
    "kg",
    "lít",
    "phiên",
    "chuyến",
    "hoạt động",
    "câu hỏi",
    "vấn đề",
    "nội dung",
    "nhiệm vụ",
    "chỉ tiêu",
    "tiêu chí",
    "giải pháp",
    "sản phẩm",
    "bằng khen",
    "giấy khen",
    "học bổng",
    "sổ tiết kiệm",
    "thẻ bảo hiểm y tế",
    "kế hoạch",
    "nghị quyết",
    "chỉ thị",
    "quyết định",
    "công văn",
    "hướng dẫn",
    "báo cáo",
    "đề án",
    "tin",
    "đợt",
    "xe",
    "phiếu",
    "giải",
    "gương",
    "điển hình",
    "dân tộc",
    "tôn giáo",
    "khu phố",
    "xóm",
    "buôn",
]
UNITS.sort(key=len, reverse=True)


def lower_first(text: str) -> str:
    """ "Tháng 9 năm 2021" is written in lower case inside a sentence; "HĐND" stays as it is."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


# Numbers written in words ------------------------------------------------------------------
# "chín", "hai mươi lăm", "một trăm linh năm", "mười ba nghìn", "một nghìn rưỡi", and mixed with
# digits as newspapers write large numbers ("gần 1 nghìn", "1,2 triệu", "1 tỷ 200 triệu").
# Written here rather than taken from PyPI: the two libraries there (vietnam-number,
# vn-numberwords) convert a phrase already known to be a number and accept loose ones ("hai ba"
# as 23, "mốt" alone as 1; "hai nghìn tỷ" read as 20.000.001.000), while the reader has to find
# where a number starts and stops in running text, so the grammar must be strict.

ONES = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}
# The last digit after "mười" (15 = mười lăm, 14 = mười bốn or mười tư) and after "mươi" (21 = hai
# mươi mốt, 24 = hai mươi tư, 25 = hai mươi lăm or nhăm); "năm" there would be a year.
_AFTER_TEN = {**ONES, "tư": 4, "lăm": 5, "nhăm": 5}
del _AFTER_TEN["năm"]
_AFTER_TENS = {**_AFTER_TEN, "mốt": 1}
SCALES = {"nghìn": 3, "ngàn": 3, "triệu": 6, "tỷ": 9, "tỉ": 9}
_LINKS = {"linh", "lẻ"}
NUMBER_WORDS = (
    set(ONES) | set(_AFTER_TENS) | set(SCALES) | _LINKS | {"mười", "mươi", "chục", "trăm", "rưỡi"}
) | {"không"}
# Words a number in words may start with (never "không", which mostly means "no").
NUMBER_STARTS = set(ONES) | {"mười"}


class _Tokens:
    """Words in lower case and numbers in digits (as Decimal), read by a strict grammar."""

    def __init__(self, items: list):
        self.items = items

    def __getitem__(self, i: int):
        return self.items[i] if 0 <= i < len(self.items) else None


def _below_hundred(t: _Tokens, i: int) -> tuple[int, int] | None:
    word = t[i]
    if word == "mười":
        unit = _AFTER_TEN.get(t[i + 1])
        return (10 + unit, i + 2) if unit else (10, i + 1)
    digit = ONES.get(word) if isinstance(word, str) else None
    if digit is None:
        return None
    if t[i + 1] == "mươi" and digit >= 2:
        unit = _AFTER_TENS.get(t[i + 2])
        return (digit * 10 + unit, i + 3) if unit else (digit * 10, i + 2)
    if t[i + 1] == "chục":
        return digit * 10, i + 2
    return digit, i + 1


def _below_thousand(t: _Tokens, i: int, *, inner: bool) -> tuple[int, int] | None:
    """0–999; "không trăm" only inside a larger number ("một nghìn không trăm linh năm")."""
    word = t[i]
    hundreds = ONES.get(word) if isinstance(word, str) else None
    if inner and word == "không":
        hundreds = 0
    if hundreds is None or t[i + 1] != "trăm":
        return None if word == "không" else _below_hundred(t, i)
    value, j = hundreds * 100, i + 2
    if t[j] in _LINKS and t[j + 1] in ONES:
        return value + ONES[t[j + 1]], j + 2
    if t[j] == "rưỡi":
        return value + 50, j + 1
    rest = _below_hundred(t, j)
    # "một trăm năm" is a hundred years more often than 150: after "trăm" a lone digit needs "linh".
    if rest and rest[0] >= 10:
        return value + rest[0], rest[1]
    return value, j


def _segment(t: _Tokens, i: int, *, first: bool) -> tuple[Decimal, int, int, str | None] | None:
    """A coefficient and its scale words ("hai trăm nghìn", "1,2 tỷ", "hai nghìn tỷ"): the value,
    where it ends, the power of ten of its scale, and its last scale word."""
    if isinstance(t[i], Decimal):
        coefficient, j = t[i], i + 1
    elif first and t[i] not in NUMBER_STARTS:
        return None
    else:
        found = _below_thousand(t, i, inner=not first)
        if found is None:
            return None
        coefficient, j = Decimal(found[0]), found[1]
    power, word = 0, None
    while t[j] in SCALES and SCALES[t[j]] > (SCALES[word] if word else 0):
        word = t[j]
        power += SCALES[word]
        j += 1
    if isinstance(t[i], Decimal) and not power and not first:
        return None
    return coefficient * 10**power, j, power, word


def parse_tokens(items: list, start: int = 0) -> tuple[Decimal, int, str | None] | None:
    """The longest number at `start` of a list of words (lower case) and Decimals: its value,
    the index after it, and the scale word it ends with ("triệu" in "hai triệu rưỡi"), if any;
    None if no number starts there."""
    t = _Tokens(items)
    found = _segment(t, start, first=True)
    if found is None:
        return None
    total, j, power, word = found
    while power:
        if t[j] == "rưỡi":
            return total + Decimal(10**power) / 2, j + 1, word
        if t[j] in _LINKS and t[j + 1] in ONES:
            return total + ONES[t[j + 1]], j + 2, None
        following = _segment(t, j, first=False)
        # A lone digit after a scale ("một nghìn năm") is a thousand years, not 1005.
        lone = not following or (not following[2] and following[1] - j < 2)
        if lone or following[2] >= power:
            break
        total += following[0]
        j, power, word = following[1:]
    return total, j, word


_WORD_OR_DIGITS = re.compile(r"(?P<digits>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)|(?P<word>\w+)")


def digits_value(number: str) -> Decimal:
    """ "2.255" is 2255 and "90,6" is 90.6, the Vietnamese way."""
    return Decimal(number.replace(".", "").replace(",", "."))


def words_to_number(text: str) -> int | Decimal | None:
    """The number a whole phrase writes ("hai mươi lăm" → 25, "một nghìn rưỡi" → 1500, "gần" not
    included), in either tone placement or NFD; None if it is not exactly one number."""
    items = [
        digits_value(m["digits"]) if m["digits"] else m["word"]
        for m in _WORD_OR_DIGITS.finditer(prepare(text).lower())
    ]
    found = parse_tokens(items) if items else None
    if found is None or found[1] != len(items):
        return None
    value = found[0]
    return int(value) if value == value.to_integral_value() else value
