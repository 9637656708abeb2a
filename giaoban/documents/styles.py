"""The layout of official documents per issuing system, as data: one frozen `Style` per guidance,
versioned by the date it took effect. `style_for(system, issued_on)` picks the one in force.

Each rule cites the clause it comes from; docs/documents.md has the same rules with the sources,
where public copies disagree, and which rules of 05-HD/VPTW are carried over from 36-HD/VPTW
because no public copy of its text could be read.
"""

from dataclasses import dataclass, field, replace
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.errors import ApplicationError
from giaoban.documents.paper import System

# Times New Roman, Unicode (TCVN 6909:2001), black: 36-HD/VPTW Mục III (phông chữ); ND 30/2020
# Phụ lục I, Phần I, Mục I (phông chữ).
FONT = "Times New Roman"


@dataclass(frozen=True)
class Font:
    """How one part is set: size in points, bold, italic, underlined, in capitals."""

    size: float
    bold: bool = False
    italic: bool = False
    underline: bool = False
    upper: bool = False


@dataclass(frozen=True)
class Line:
    """A fixed line of text, e.g. the heading "ĐẢNG CỘNG SẢN VIỆT NAM", in its font. An underlined
    font is the rule the guidance draws under the line "as long as the text" (36-HD/VPTW Mục
    II.1.1, ND 30/2020 Phụ lục I Mục II.1): the underline is exactly that long."""

    text: str
    font: Font


@dataclass(frozen=True)
class Mark:
    """What stands under a block: a text ("*", "***", "-----") or a drawn line whose length is
    `fraction` of the width of the text above it (ND 30/2020: "từ 1/3 đến 1/2")."""

    text: str = ""
    fraction: float = 0.0
    font: Font = field(default_factory=lambda: Font(14))


@dataclass(frozen=True)
class Page:
    """A4 in millimetres, its margins, and how the header and the end split the width."""

    top: float
    bottom: float
    left: float
    right: float
    width: float = 210
    height: float = 297
    header_columns: tuple[float, float] = (70, 95)  # issuing body | system's heading
    end_columns: tuple[float, float] = (80, 85)  # "Nơi nhận:" | signature

    @property
    def content_width(self) -> float:
        return self.width - self.left - self.right


@dataclass(frozen=True)
class NumberForm:
    """The number and symbol: "Số 125-BC/BDVTU" (Party), "Số: 12/BC-UBND" (State)."""

    colon: bool  # "Số:" or "Số"
    pattern: str  # "{number}-{kind}/{symbol}" or "{number}/{kind}-{symbol}"
    letter_pattern: str  # a công văn (CV): "{number}-CV/{symbol}" or "{number}/{symbol}"
    min_digits: int = 1  # 2 where numbers under 10 take a leading zero
    font: Font = field(default_factory=lambda: Font(14))


@dataclass(frozen=True)
class DateForm:
    """The place-and-date line: "Lào Cai, ngày 08 tháng 10 năm 2021", italic."""

    pad_day: bool = True  # days under 10 as 01..09
    pad_months: tuple[int, ...] = (1, 2)  # months written with a leading zero
    font: Font = field(default_factory=lambda: Font(14, italic=True))


@dataclass(frozen=True)
class Recipients:
    """ "Nơi nhận:" and its lines: each begins "- ", ends with `separator`, the last with ".";
    the archive line reads `archive` + what is kept ("Lưu Văn phòng", "Lưu: VT")."""

    label: Font
    lines: Font
    separator: str
    archive: str


@dataclass(frozen=True)
class Signature:
    """The signature block: the authority line ("K/T TRƯỞNG BAN"), the position, the space for
    the signature and seal, the name."""

    authority: Font
    position: Font  # under an authority line
    name: Font
    space_lines: int = 4


@dataclass(frozen=True)
class Style:
    """Everything one guidance says about laying out a document of its system."""

    key: str
    system: str
    name: str  # shown to people: "Đảng – Hướng dẫn 36-HD/VPTW"
    source: str  # the guidance and its date
    effective_from: date
    page: Page
    heading: tuple[Line, ...]  # right column, top: the system's heading
    superior: Font  # the issuing body's superior, above its name
    body_name: Font  # the issuing body's name
    body_mark: Mark  # the star, or the line under the name
    number: NumberForm
    date: DateForm
    kind_name: Font  # "BÁO CÁO"
    summary: Font  # the trích yếu under it
    summary_mark: Mark  # "-----" or a line
    letter_summary: Font  # a công văn's summary, under its number
    letter_prefix: str  # "V/v " (State), "" (Party)
    body: Font
    section: Font  # a numbered section heading
    section_number: str  # "{roman}. " or "{roman}- "
    first_line_indent_mm: float
    paragraph_after_pt: float
    signature: Signature
    recipients: Recipients
    page_number: Font
    page_number_from: int = 2  # the first page carries no number
    appendix_title: Font = field(default_factory=lambda: Font(14, bold=True, upper=True))


# The Party: Hướng dẫn 36-HD/VPTW (03/4/2018) -------------------------------------------------

PARTY_HEADING = "ĐẢNG CỘNG SẢN VIỆT NAM"

PARTY_36 = Style(
    key="party-36",
    system=System.PARTY,
    name="Đảng – Hướng dẫn 36-HD/VPTW",
    source="Hướng dẫn 36-HD/VPTW ngày 03/4/2018 của Văn phòng Trung ương Đảng",
    effective_from=date(2018, 4, 3),
    # Mục III (định lề trang văn bản): top 20, bottom 20, left 30, right 15 mm.
    page=Page(top=20, bottom=20, left=30, right=15, header_columns=(70, 95)),
    # Mục II.1.1: top right, capitals 15 bold, a solid line as long as the heading under it.
    heading=(Line(PARTY_HEADING, Font(15, bold=True, underline=True, upper=True)),),
    # Mục II.1.2: the superior committee in capitals 14 upright, the issuing body in capitals
    # 14 bold, a star (*) under it.
    superior=Font(14, upper=True),
    body_name=Font(14, bold=True, upper=True),
    body_mark=Mark(text="*", font=Font(14)),
    # Mục II.1.3: "Số" then the number, a hyphen, the kind's abbreviation, a slash, the body's
    # symbol; no colon ("Số 36-HD/VPTW" on the guidance itself); 14 upright.
    number=NumberForm(
        colon=False,
        pattern="{number}-{kind}/{symbol}",
        letter_pattern="{number}-CV/{symbol}",
    ),
    # Mục II.1.4: 14 italic; days under 10 and months 1, 2 with a leading zero
    # ("ngày 03 tháng 4 năm 2018" on the guidance itself).
    date=DateForm(),
    # Mục II.1.5: the kind in capitals 15-16 bold, the summary 14-15 bold, then "-----";
    # a công văn's summary under its number, 12 italic.
    kind_name=Font(16, bold=True, upper=True),
    summary=Font(14, bold=True),
    summary_mark=Mark(text="-----", font=Font(14)),
    letter_summary=Font(12, italic=True),
    letter_prefix="",
    # Mục II.1.6: the body 14-15 upright, justified, first line indented 1-1.27 cm.
    body=Font(14),
    section=Font(14, bold=True, upper=True),
    section_number="{roman}- ",
    first_line_indent_mm=10,
    paragraph_after_pt=6,
    # Mục II.1.7: T/M, K/T in capitals 14 bold; the position in capitals 14; the name 14 bold.
    signature=Signature(
        authority=Font(14, bold=True, upper=True),
        position=Font(14, upper=True),
        name=Font(14, bold=True),
    ),
    # Mục II.1.9: "Nơi nhận:" 14 upright underlined; the lines 12, ending with a comma,
    # the last "Lưu …" (no colon) with a full stop.
    recipients=Recipients(
        label=Font(14, underline=True), lines=Font(12), separator=",", archive="Lưu "
    ),
    # Mục III (số trang): Arabic numerals, 14, centred in the top margin, from the second page.
    page_number=Font(14),
)

# Hướng dẫn 05-HD/VPTW (27/5/2026), with Quy định 399-QĐ/TW (09/01/2026). No public copy of its
# text could be read (docs/documents.md): every rule is carried over from 36-HD/VPTW, and
# the ones that public copies of 399-QĐ/TW and of 2026 Party documents show unchanged say so.
PARTY_05 = replace(
    PARTY_36,
    key="party-05",
    name="Đảng – Hướng dẫn 05-HD/VPTW",
    source="Hướng dẫn 05-HD/VPTW ngày 27/5/2026 của Văn phòng Trung ương Đảng "
    "(quy tắc kế thừa Hướng dẫn 36-HD/VPTW, xem docs/documents.md)",
    effective_from=date(2026, 5, 27),
)


# The State: Nghị định 30/2020/NĐ-CP, Phụ lục I ------------------------------------------------

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

STATE_30 = Style(
    key="state-30",
    system=System.STATE,
    name="Nhà nước – Nghị định 30/2020/NĐ-CP",
    source="Nghị định 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ, Phụ lục I",
    effective_from=date(2020, 3, 5),
    # Phần I, Mục I (định lề): top and bottom 20-25, left 30-35, right 15-20 mm (the lower ends).
    page=Page(top=20, bottom=20, left=30, right=15, header_columns=(62, 103)),
    # Phần I, Mục II.1: the national title in capitals 12-13 bold; the motto 13-14 bold,
    # initials capitalised, hyphens between its phrases, a solid line as long as it under it.
    heading=(
        Line(NATIONAL_TITLE, Font(12, bold=True, upper=True)),
        Line(MOTTO, Font(13, bold=True, underline=True)),
    ),
    # Phần I, Mục II.2: the governing body in capitals 12-13 upright, the issuing body in
    # capitals 12-13 bold, a solid line 1/3 to 1/2 of the name's length under it.
    superior=Font(13, upper=True),
    body_name=Font(13, bold=True, upper=True),
    body_mark=Mark(fraction=0.4),
    # Phần I, Mục II.3: "Số" 13 with a colon; numbers under 10 with a leading zero; a slash
    # between the number and the symbol, hyphens inside the symbol; a công văn's symbol has no
    # kind ("Số: 12/UBND-VX").
    number=NumberForm(
        colon=True,
        pattern="{number}/{kind}-{symbol}",
        letter_pattern="{number}/{symbol}",
        min_digits=2,
        font=Font(13),
    ),
    # Phần I, Mục II.4: 13-14 italic; days under 10 and months 1, 2 with a leading zero.
    date=DateForm(),
    # Phần I, Mục II.5: the kind 13-14 capitals bold, the summary 13-14 bold with a line 1/3
    # to 1/2 of it under it; a công văn's "V/v" summary 12-13 upright under its number.
    kind_name=Font(14, bold=True, upper=True),
    summary=Font(14, bold=True),
    summary_mark=Mark(fraction=0.4),
    letter_summary=Font(13),
    letter_prefix="V/v ",
    # Phần I, Mục II.6: 13-14, justified, first line 1-1.27 cm, at least 6 pt between paragraphs.
    body=Font(14),
    section=Font(14, bold=True, upper=True),
    section_number="{roman}. ",
    first_line_indent_mm=10,
    paragraph_after_pt=6,
    # Phần I, Mục II.7: TM., KT. and the position in capitals 13-14 bold; the name 13-14 bold.
    signature=Signature(
        authority=Font(14, bold=True, upper=True),
        position=Font(14, bold=True, upper=True),
        name=Font(14, bold=True),
    ),
    # Phần I, Mục II.9: "Nơi nhận:" 12 bold italic; the lines 11, ending with a semicolon,
    # the last "Lưu: VT, …" with a full stop.
    recipients=Recipients(
        label=Font(12, bold=True, italic=True), lines=Font(11), separator=";", archive="Lưu: "
    ),
    # Phần I, Mục I (số trang): 13-14, centred in the top margin, not shown on the first page.
    page_number=Font(14),
)


# The Fatherland Front: Hướng dẫn 91/HD-MTTW-BTT (08/4/2013) ------------------------------------

# The Front's guidance follows the State's of its day (Thông tư 01/2011/TT-BNV): the national
# title and motto at the top right, "ỦY BAN MTTQ VIỆT NAM" above the committee's name at the top
# left, "Số: 12/BC-MTTQ-BTT", TM./KT.
FRONT_91 = replace(
    STATE_30,
    key="front-91",
    system=System.FRONT,
    name="Mặt trận – Hướng dẫn 91/HD-MTTW-BTT",
    source="Hướng dẫn 91/HD-MTTW-BTT ngày 08/4/2013 của Ban Thường trực "
    "Ủy ban Trung ương MTTQ Việt Nam",
    effective_from=date(2013, 4, 8),
    # The governing line "ỦY BAN MTTQ VIỆT NAM" is part of the committee's name: bold too.
    superior=Font(13, bold=True, upper=True),
)


# The Youth Union: Hướng dẫn 29-HD/TWĐTN-VP (29/10/2013) --------------------------------------

YOUTH_HEADING = "ĐOÀN TNCS HỒ CHÍ MINH"

YOUTH_29 = replace(
    PARTY_36,
    key="youth-29",
    system=System.YOUTH,
    name="Đoàn – Hướng dẫn 29-HD/TWĐTN-VP",
    source="Hướng dẫn 29-HD/TWĐTN-VP ngày 29/10/2013 của Ban Bí thư Trung ương Đoàn",
    effective_from=date(2013, 10, 29),
    # Mục II.3 (định lề trang): top 20, bottom 20, left 30, right 20 mm.
    page=Page(top=20, bottom=20, left=30, right=20, header_columns=(70, 90)),
    # Tiêu đề: "ĐOÀN TNCS HỒ CHÍ MINH" top right, capitals 15 bold, a line under it.
    heading=(Line(YOUTH_HEADING, Font(15, bold=True, underline=True, upper=True)),),
    # Tên cơ quan ban hành: three stars under the issuing body's name.
    body_mark=Mark(text="***", font=Font(14)),
    # Số và ký hiệu: "Số: 29-HD/TWĐTN-VP" on the guidance itself: colon, hyphen, slash.
    number=NumberForm(
        colon=True, pattern="{number}-{kind}/{symbol}", letter_pattern="{number}-CV/{symbol}"
    ),
    # Its own Quy định 367-QĐ/TWĐTN-VP ends "- Như điều 4;" … "- Lưu TH-TĐ10b, VT-LT.".
    recipients=Recipients(
        label=Font(14, underline=True), lines=Font(12), separator=";", archive="Lưu "
    ),
    section_number="{roman}. ",
)

BUILT_IN: tuple[Style, ...] = (PARTY_36, PARTY_05, STATE_30, FRONT_91, YOUTH_29)


def style_for(system: str, issued_on: date | None = None) -> Style:
    """The built-in style of `system` in force on `issued_on` (a draft with no date yet: today).
    A date before the system's first known guidance takes that first guidance."""
    day = issued_on or timezone.localdate()
    own = sorted((s for s in BUILT_IN if s.system == system), key=lambda s: s.effective_from)
    if not own:
        raise ApplicationError(
            _("Unknown document system “%(system)s”.") % {"system": system}, field="system"
        )
    in_force = [s for s in own if s.effective_from <= day]
    return in_force[-1] if in_force else own[0]
