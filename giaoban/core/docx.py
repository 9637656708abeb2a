"""The python-docx pieces every Word document giaoban writes is built from: an A4 page in Times New
Roman with Vietnamese proofing, a paragraph in a given font, a short centred rule, fixed-width
tables, the bytes. What a document says, and how its issuing system lays it out, stay with the
document (`documents.layout` for official documents, `publishing.documents` for the article).
"""

from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

from giaoban.core.text import printable

__all__ = [
    "CENTER",
    "FONT",
    "JUSTIFY",
    "LEFT",
    "default_font",
    "document_bytes",
    "drop_leading_blank",
    "new_document",
    "paragraph",
    "rule",
    "set_font",
    "table",
]

FONT = "Times New Roman"
CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
#: A4 with the margins offices use, inside Decree 30/2020's ranges (top and bottom 20-25, left
#: 30-35, right 15-20 mm); an official document takes its system's own (`documents.styles`).
A4_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}


def new_document(
    *,
    size: float = 14,
    after_pt: float = 0,
    margins_mm: dict[str, float] | None = None,
    page_mm: tuple[float, float] = A4_MM,
    font: str = FONT,
):
    """An empty document: the page and margins, `font` at `size` points for every script, single
    line spacing and `after_pt` points after each paragraph."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(page_mm[0]), Mm(page_mm[1])
    for side, mm in (margins_mm or MARGINS_MM).items():
        setattr(section, f"{side}_margin", Mm(mm))
    default_font(doc, size, font)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = font, Pt(size)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(after_pt), 1.0
    return doc


def default_font(doc, size: float, font: str = FONT) -> None:
    """`font` for every script and Vietnamese proofing in the document defaults: the template's
    theme fonts would otherwise win for Vietnamese letters in some Word builds."""
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    run_props = defaults.find(qn("w:rPr"))
    fonts = run_props.find(qn("w:rFonts"))
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), font)
    for tag in ("w:sz", "w:szCs"):
        run_props.find(qn(tag)).set(qn("w:val"), str(int(size * 2)))
    run_props.find(qn("w:lang")).set(qn("w:val"), "vi-VN")


def paragraph(
    container,
    text: str = "",
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align=CENTER,
    after: float = 0,
    first_line_indent_mm: float = 0,
):
    """One paragraph of `text` (none for an empty line) added to a document or a table cell."""
    added = container.add_paragraph()
    added.alignment = align
    added.paragraph_format.space_after = Pt(after)
    if first_line_indent_mm:
        added.paragraph_format.first_line_indent = Mm(first_line_indent_mm)
    if text:
        # Texts stored before control characters were refused: Word would refuse them.
        run = added.add_run(printable(text))
        set_font(run, size=size, bold=bold, italic=italic, underline=underline)
    return added


def set_font(run, *, size: float, bold: bool = False, italic: bool = False, underline=False):
    run.font.size = Pt(size)
    run.bold, run.italic, run.underline = bold, italic, underline


def rule(container, width_mm: float, column_mm: float):
    """A centred line: an empty paragraph with a bottom border, its indents making the border
    `width_mm` long. The border goes before the spacing and indents, as the schema orders them in
    the paragraph properties."""
    added = container.add_paragraph()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    added._p.get_or_add_pPr().append(borders)
    fmt = added.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(max(column_mm - width_mm, 0) / 2)
    # A little room above, so that the line stands apart and never reads as an underline.
    fmt.line_spacing, fmt.space_before, fmt.space_after = Pt(2), Pt(3), Pt(6)
    return added


def table(doc, widths_mm, rows: int = 1, *, grid: bool = False):
    """A table with fixed column widths, borderless for side-by-side blocks or a grid; the widths
    go on every cell because Word reads them there, LibreOffice on the columns."""
    added = doc.add_table(rows=rows, cols=len(widths_mm))
    added.style = doc.styles["Table Grid" if grid else "Normal Table"]
    added.alignment = WD_TABLE_ALIGNMENT.CENTER
    added.autofit = False
    for column, mm in zip(added.columns, widths_mm, strict=True):
        column.width = Mm(mm)
        for cell in column.cells:
            cell.width = Mm(mm)
    return added


def drop_leading_blank(cell: _Cell) -> None:
    """A new cell starts with an empty paragraph; the content came after it, so remove it rather
    than leave a blank line at the top of the cell."""
    first = cell.paragraphs[0]
    if len(cell.paragraphs) > 1 and not first.text and first._p.pPr is None:
        first._p.getparent().remove(first._p)


def document_bytes(doc, *, title: str, author: str, category: str = "") -> bytes:
    """The .docx bytes, with its title and author in the file's properties."""
    props = doc.core_properties
    props.title, props.author = title, author
    if category:
        props.category = category
    props.comments = ""  # python-docx's template says "generated by python-docx"
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
