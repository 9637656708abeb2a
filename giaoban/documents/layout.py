"""A `Paper` laid out as a .docx in the style of its issuing system in force on its date of issue
(`styles.style_for`): the header table, the number and date, the title and summary, the body,
the signature and "Nơi nhận:" side by side, the appendix on its own page, page numbers.

Where the paper has no number or date yet, the document keeps the blank an office fills by hand.
"""

import re
from dataclasses import fields, is_dataclass, replace
from datetime import date

from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

from giaoban.core import docx
from giaoban.core.docx import CENTER, JUSTIFY, LEFT
from giaoban.core.errors import ApplicationError
from giaoban.core.text import nfc, nfc_text
from giaoban.documents.paper import Block, Paper, Signature
from giaoban.documents.styles import FONT, Font, Mark, Style, style_for

RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
LETTER = "CV"  # a công văn has no kind name; its summary stands under its number
BLANK = "     "  # "Số      -BC/BDVTU": room for a number or symbol written by hand
BLANK_DATE = "ngày    tháng    năm 20  "
BLANK_PLACE = "          "
KIND_NAMES = {
    "BC": "BÁO CÁO",
    "TB": "THÔNG BÁO",
    "BB": "BIÊN BẢN",
    "KH": "KẾ HOẠCH",
    "HD": "HƯỚNG DẪN",
}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
ADDRESSEES = re.compile(r"^\s*Kính gửi\b")  # the first paragraph of a công văn
NUMBERED = re.compile(r"^(?:[IVXLC]+|\d+|[a-zđ])\s*[.\-)]\s")
PT_TO_MM = 25.4 / 72


def render(paper: Paper) -> bytes:
    """The paper as .docx bytes, laid out as its system's guidance in force on its date says."""
    paper = clean(paper)
    if paper.number is not None and paper.number < 1:
        raise ApplicationError(_("A document number is a whole number from 1."), field="number")
    style = style_for(paper.issuer.system, paper.issued_on)
    doc = _new_document(style)
    _header(doc, paper, style)
    if paper.kind != LETTER:
        _title(doc, paper, style)
    _blocks(doc, paper.body, style)
    _end(doc, paper, style)
    if paper.appendix:
        _appendix(doc, paper, style)
    _page_numbers(doc, style)
    return docx.document_bytes(
        doc,
        title=f"{kind_name(paper)} {paper.summary}".strip(),
        author=paper.issuer.name,
        category=style.name,  # which guidance laid it out, for whoever checks it
    )


# The texts ---------------------------------------------------------------------------------


def clean(value):
    """Every text of the paper in NFC without control or invisible characters (core.text):
    multi-line texts (a body paragraph) keep their line breaks, the others are one line."""
    if isinstance(value, str):
        return nfc_text(value) if "\n" in value else nfc(value)
    if isinstance(value, tuple):
        return tuple(clean(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: clean(getattr(value, f.name)) for f in fields(value)}
        return replace(value, **changes)
    return value


def kind_name(paper: Paper) -> str:
    """The kind as printed: the paper's title, or the kind's own name; none for a công văn."""
    if paper.kind == LETTER:
        return ""
    return (paper.title or KIND_NAMES.get(paper.kind, paper.kind)).upper()


def number_line(paper: Paper, style: Style) -> str:
    """ "Số 125-BC/BDVTU", "Số: 01/BC-UBND"; a number not yet given leaves its blank."""
    form = style.number
    number = BLANK if paper.number is None else str(paper.number).zfill(form.min_digits)
    pattern = form.letter_pattern if paper.kind == LETTER else form.pattern
    symbol = paper.issuer.symbol or BLANK  # never "Số: 12/BC-": a blank to fill
    text = pattern.format(number=number, kind=paper.kind, symbol=symbol)
    return ("Số: " if form.colon else "Số ") + text


def date_line(place: str, day: date | None, style: Style) -> str:
    """ "Lào Cai, ngày 08 tháng 10 năm 2021"; a date not yet known leaves its blanks."""
    where = place or BLANK_PLACE
    if day is None:
        return f"{where}, {BLANK_DATE}"
    form = style.date
    day_text = f"{day.day:02d}" if form.pad_day else str(day.day)
    month_text = f"{day.month:02d}" if day.month in form.pad_months else str(day.month)
    return f"{where}, ngày {day_text} tháng {month_text} năm {day.year}"


def recipient_lines(lines: tuple[str, ...], style: Style) -> list[str]:
    """Each line as "- Như trên," (the system's separator), the archive line in the system's
    form ("Lưu Văn phòng", "Lưu: VT, VP"), the last line ending with a full stop."""
    form = style.recipients
    kept = [
        t for t in (line.strip().lstrip("-–").strip().rstrip(",;.").strip() for line in lines) if t
    ]
    out = []
    for position, text in enumerate(kept, start=1):
        if re.match(r"^lưu\b", text, re.IGNORECASE):
            text = form.archive + text[3:].lstrip(" :").strip()
        end = "." if position == len(kept) else form.separator
        out.append(f"- {text}{end}")
    return out


def section_title(text: str, number: int, style: Style) -> str:
    """A section heading numbered as the system numbers them ("I- ", "I. "), unless the text
    already carries its number."""
    if NUMBERED.match(text) or number > len(ROMAN):
        return text
    return style.section_number.format(roman=ROMAN[number - 1]) + text


# The page ----------------------------------------------------------------------------------


def _new_document(style: Style):
    page = style.page
    margins = {side: getattr(page, side) for side in ("top", "bottom", "left", "right")}
    doc = docx.new_document(
        size=style.body.size, margins_mm=margins, page_mm=(page.width, page.height), font=FONT
    )
    doc.sections[0].header_distance = Mm(10)
    return doc


def _write(container, text: str, font: Font, *, align=CENTER, after: float = 0):
    """One paragraph of `text` in `font` (capitals where the font says so)."""
    return docx.paragraph(
        container,
        text.upper() if font.upper else text,
        size=font.size,
        bold=font.bold,
        italic=font.italic,
        underline=font.underline,
        align=align,
        after=after,
    )


def _text_width_mm(text: str, font: Font) -> float:
    """An estimate of how wide `text` prints: Times New Roman averages about half an em a
    letter, capitals and bold about 0.65."""
    em = 0.65 if (font.upper or font.bold) else 0.5
    longest = max((len(line) for line in text.split("\n")), default=0)
    return longest * font.size * em * PT_TO_MM


def _mark(container, mark: Mark, above: str, above_font: Font, column_mm: float):
    """The star, the dashes, or a drawn line `mark.fraction` as long as the text above."""
    if mark.text:
        return _write(container, mark.text, mark.font)
    width = min(_text_width_mm(above, above_font) * mark.fraction, column_mm)
    return docx.rule(container, max(width, 10), column_mm)


# The header --------------------------------------------------------------------------------


def _header(doc, paper: Paper, style: Style):
    """Two rows: the issuing body and the system's heading; then the number and the date, each
    in its column so that the two stand on one line."""
    widths = style.page.header_columns
    table = docx.table(doc, widths, rows=2)
    body, heading = table.rows[0].cells
    number, day = table.rows[1].cells
    _issuing_body(body, paper, style, widths[0])
    for line in style.heading:
        _write(heading, line.text, line.font)
    _write(number, number_line(paper, style), style.number.font)
    if paper.kind == LETTER and paper.summary:
        _write(number, style.letter_prefix + paper.summary, style.letter_summary)
    _write(day, date_line(paper.issuer.place, paper.issued_on, style), style.date.font)
    for cell in (body, heading, number, day):
        docx.drop_leading_blank(cell)
    # The number and the date stand on one line, a little under the star and the rule.
    for cell in (number, day):
        cell.paragraphs[0].paragraph_format.space_before = Pt(6)


def _issuing_body(cell: _Cell, paper: Paper, style: Style, column_mm: float):
    issuer = paper.issuer
    if issuer.superior:
        _write(cell, issuer.superior, style.superior)
    name = balanced(issuer.name, style.body_name, column_mm)
    _write(cell, name, style.body_name)
    shown = name.upper() if style.body_name.upper else name
    _mark(cell, style.body_mark, shown, style.body_name, column_mm)


def balanced(name: str, font: Font, column_mm: float) -> str:
    """A name too wide for its column on two lines of about equal length, broken between words
    (before "và" where it can: "BAN TUYÊN GIÁO / VÀ DÂN VẬN"), rather than one word left over
    on a line of its own as the word processor would wrap it."""
    words = name.split()
    if _text_width_mm(name, font) <= column_mm * 0.9 or len(words) < 2:
        return name

    def cost(at: int) -> tuple[int, bool]:
        left, right = " ".join(words[:at]), " ".join(words[at:])
        return abs(len(left) - len(right)), words[at].casefold() != "và"

    at = min(range(1, len(words)), key=lambda i: (cost(i)[0] // 4, cost(i)[1], cost(i)[0]))
    return " ".join(words[:at]) + "\n" + " ".join(words[at:])


def _title(doc, paper: Paper, style: Style):
    _write(doc, "", style.body)
    _write(doc, kind_name(paper), style.kind_name)
    if paper.summary:
        _write(doc, paper.summary, style.summary)
        width = style.page.content_width
        mark = _mark(doc, style.summary_mark, paper.summary, style.summary, width)
        mark.paragraph_format.space_after = Pt(12)


# The body ----------------------------------------------------------------------------------


def _blocks(doc, blocks: tuple[Block, ...], style: Style):
    sections = 0
    for block in blocks:
        if block.kind == "heading":
            sections += 1
            _paragraph(doc, section_title(block.text, sections, style), style, style.section)
        elif block.kind == "table":
            _grid(doc, block.rows, style)
        elif ADDRESSEES.match(block.text):
            _addressees(doc, block.text, style)
        else:
            for line in block.text.split("\n"):
                if line.strip():
                    _paragraph(doc, line, style, style.body)


def _addressees(doc, text: str, style: Style):
    """A công văn's "Kính gửi: …" (its first paragraph): centred on one line for one addressee;
    for several, "Kính gửi:" centred and each "- …;" under it from the middle of the page."""
    first, *others = [line.strip() for line in text.split("\n") if line.strip()]
    _write(doc, first, style.body, after=0 if others else 6)
    for line in others:
        paragraph = _write(doc, line, style.body, align=LEFT)
        paragraph.paragraph_format.left_indent = Mm(style.page.content_width / 3)
    doc.paragraphs[-1].paragraph_format.space_after = Pt(6)


def _paragraph(doc, text: str, style: Style, font: Font):
    paragraph = _write(doc, text, font, align=JUSTIFY, after=style.paragraph_after_pt)
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Mm(style.first_line_indent_mm)
    fmt.line_spacing = 1.15
    return paragraph


def _grid(doc, rows: tuple[tuple[str, ...], ...], style: Style):
    """A table with its grid; the first row is its header, bold and centred."""
    if not rows:
        return
    size = max(style.body.size - 1, 12)
    widths = column_widths(rows, size, style.page.content_width)
    table = docx.table(doc, widths, len(rows), grid=True)
    for index, row in enumerate(rows):
        for column, (cell, text) in enumerate(zip(table.rows[index].cells, row, strict=False)):
            font = Font(size, bold=index == 0)
            _write(cell, text, font, align=_cell_align(index, column, text))
            docx.drop_leading_blank(cell)
    _write(doc, "", style.body)


NUMBER = re.compile(r"[-–+]?[\d.,]+%?|–")


def _cell_align(row: int, column: int, text: str):
    """The header and the first column's numbers (STT) centred; a figure on the right, so that
    its digits line up; words on the left."""
    if row == 0 or (column == 0 and text.strip().isdigit()):
        return CENTER
    return RIGHT if NUMBER.fullmatch(text.strip()) else LEFT


def column_widths(rows: tuple[tuple[str, ...], ...], size: float, total_mm: float) -> list[float]:
    """Widths in mm that fit each column's content: every column at least as wide as its longest
    word (so "STT" and a number never break), the rest of the page shared in proportion to what
    the column's texts want (a long "Chỉ tiêu" wide, a count narrow), not one equal share each."""
    columns = max(len(row) for row in rows)
    letter = size * 0.55 * PT_TO_MM  # an average letter of Times New Roman, bold headers wider
    padding = 3.0

    def texts(c):
        return [row[c] for row in rows if c < len(row)]

    def longest_word(c):
        return max((len(w) for t in texts(c) for w in t.split()), default=1)

    def wanted(c):  # a header may take three lines, a cell's text up to 45 letters on one
        header, body = rows[0][c] if c < len(rows[0]) else "", texts(c)[1:]
        return max([len(header) / 3] + [min(len(t), 45) for t in body])

    need = [longest_word(c) * letter * 1.15 + padding for c in range(columns)]
    want = [max(wanted(c) * letter + padding, n) for c, n in enumerate(need)]
    spare = total_mm - sum(need)
    if spare <= 0:
        return [n * total_mm / sum(need) for n in need]
    return [n + spare * w / sum(want) for n, w in zip(need, want, strict=True)]


# The end -----------------------------------------------------------------------------------


def _end(doc, paper: Paper, style: Style):
    """ "Nơi nhận:" on the left, the signature on the right, side by side; a second signature
    (the minutes' secretary) on the left, under the recipients if there are any."""
    if doc.paragraphs:  # the body's last lines go with the signature to its page
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    _write(doc, "", style.body).paragraph_format.keep_with_next = True
    row = docx.table(doc, style.page.end_columns).rows[0]
    _keep_whole(row)
    recipients, signature = row.cells
    if paper.recipients:
        form = style.recipients
        _write(recipients, "Nơi nhận:", form.label, align=LEFT)
        for line in recipient_lines(paper.recipients, style):
            _write(recipients, line, form.lines, align=LEFT)
    _signature(recipients, paper.second_signature, style)
    _signature(signature, paper.signature, style)
    for cell in (recipients, signature):
        docx.drop_leading_blank(cell)


def _keep_whole(row):
    """The signature block never breaks over two pages (the title on one, the name on the
    next): the row may not split (w:cantSplit), so it moves whole to the next page."""
    properties = row._tr.get_or_add_trPr()
    keep = OxmlElement("w:cantSplit")
    keep.set(qn("w:val"), "true")
    properties.append(keep)


def _signature(cell: _Cell, signer: Signature | None, style: Style):
    """The authority line, the position, the space for the signature and seal, the name. When
    the head signs directly the position stands alone and takes the authority line's font."""
    form = style.signature
    if signer is None:
        return
    if signer.authority:
        _write(cell, signer.authority, form.authority)
        _write(cell, signer.title, form.position)
    else:
        _write(cell, signer.title, form.authority)
    for _line in range(form.space_lines):
        _write(cell, "", form.name)
    _write(cell, signer.name, form.name)


def _appendix(doc, paper: Paper, style: Style):
    """The appendix on a page of its own: "PHỤ LỤC", its title, its blocks."""
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _write(doc, "Phụ lục", style.appendix_title)
    if paper.appendix_title:
        _write(doc, paper.appendix_title, replace(style.appendix_title, upper=False))
    annex = number_line(paper, style).removeprefix("Số: ").removeprefix("Số ")
    kind = kind_name(paper).capitalize() or "Công văn"
    dated = f" ngày {paper.issued_on:%d/%m/%Y}" if paper.issued_on else ""
    issuer = paper.issuer.full_name or paper.issuer.name
    note = f"(Kèm theo {kind} số {annex}{dated} của {issuer})"
    _write(doc, note, Font(style.body.size, italic=True), after=6)
    _blocks(doc, paper.appendix, style)


def _page_numbers(doc, style: Style):
    """A PAGE field centred in the top margin; the first page shows none where the style
    numbers from the second."""
    section = doc.sections[0]
    if style.page_number_from > 1:
        section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
    run = paragraph.add_run()
    docx.set_font(
        run,
        size=style.page_number.size,
        bold=style.page_number.bold,
        italic=style.page_number.italic,
        underline=style.page_number.underline,
    )
    begin, instruction, separate, end = (
        OxmlElement("w:fldChar"),
        OxmlElement("w:instrText"),
        OxmlElement("w:fldChar"),
        OxmlElement("w:fldChar"),
    )
    begin.set(qn("w:fldCharType"), "begin")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    separate.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    run._r.extend([begin, instruction, separate, end])
