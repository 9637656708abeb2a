"""Small pieces of Vietnamese that the reader and the writer share: one spelling of the tones,
the letters of a proper name, the family names, the words that open a position, and the units
that figures are counted in."""

import re
import unicodedata

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


def prepare(text: str) -> str:
    """NFC, one tone placement, no-break spaces as spaces, spaces tidied within each line."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\r\n", "\n")
    text = canonical_tones(text.replace("\r", "\n"))
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n"))


UPPER = "A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"
LOWER = "a-zđâăêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
SYLLABLE = rf"[{UPPER}][{LOWER}]*"
# Two to four capitalised syllables: "Má A Sử", "Vũ Xuân Cường", "Hoàng Thị Thanh Huyền".
NAME = rf"{SYLLABLE}(?: {SYLLABLE}){{1,3}}"


def is_capitalised(word: str) -> bool:
    return bool(re.fullmatch(SYLLABLE, word))


# Family names, Kinh and those of the northern mountain peoples (Hmong, Dao, Tày, Nùng, Giáy…).
SURNAMES = {
    name.lower()
    for name in """Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Ly Đinh
    Đào Đoàn Lương Trịnh Mai Cao Chu Lưu Tô Triệu Nông Lục Hứa Vương Quách Khổng Phùng Kiều Lâm
    La Tống Tăng Lã Mạc Thân Đàm Lại Cù Hà Tạ Tôn Giáp Khúc Ninh Hầu Mùa Giàng Vàng Sùng Thào
    Lò Lù Lùng Tẩy Tẩn Má Ma Mã Sần Chảo Tráng Phàn Lồ Cứ Hạng Lầu Bàn Hoàng Lường Quàng Cầm
    Bạc Sầm Vi Nịnh Ngọ Sình Thèn Chẻo Chang Dìu Phìn Tải Bế
    Âu Nhữ Doãn Diệp Viên Phí Trương Quan Kha Lỗ""".split()  # noqa: SIM905
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
]
_HEADS = re.compile(
    r"(?:" + "|".join(re.escape(h) for h in sorted(POSITION_HEADS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def opens_position(text: str) -> bool:
    return bool(_HEADS.match(text.strip()))


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
]
UNITS.sort(key=len, reverse=True)


def lower_first(text: str) -> str:
    """ "Tháng 9 năm 2021" is written in lower case inside a sentence; "HĐND" stays as it is."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
