"""The consolidated report (báo cáo, BC) of a unit for a period, as the office writes it: I. the
results, the figures as prose (the table goes in the appendix); II. limitations and their causes;
III. directions and tasks for the next period. Each part carries what the units wrote in their
reports' narrative sections, grouped by section, each passage naming its unit, so that the
officer edits one draft before issuing it; a unit that did not report a part is named, never
filled in.

It reads the reporting app through its selectors: the consolidation (figures, completeness, the
comparison with the same period of last year) and the reports it covers (the approved ones).
"""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from giaoban.core.errors import InvalidInput
from giaoban.core.text import fold
from giaoban.documents.drafts_parts import (
    heading,
    names,
    paragraph,
    passage,
    storage_line,
)
from giaoban.documents.paper import Block, Issuer, Paper
from giaoban.orgs.models import Unit
from giaoban.publishing.vietnamese import lower_first
from giaoban.publishing.writer import figure_phrases
from giaoban.reporting.models import Aggregation, FormSection, Period, ReportForm, Status
from giaoban.reporting.numbers import format_number
from giaoban.reporting.selectors import (
    COMMON,
    Consolidation,
    Figure,
    Source,
    consolidate,
    consolidation,
    consolidation_sources,
    narrative_sections,
)
from giaoban.reporting.wording import consolidation_notes, figure_cells, figure_headings

#: The three parts an office writes, by the form's narrative section keys.
RESULTS, LIMITATIONS, NEXT = "achievements", "limitations", "next_tasks"
_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}

# Why a unit's passage is missing, when its report is not among those consolidated.
_NOT_COVERED = {
    "": "chưa gửi báo cáo",
    Status.DRAFT: "chưa gửi báo cáo",
    Status.RETURNED: "báo cáo bị trả lại",
    Status.SUBMITTED: "báo cáo chưa được duyệt",
}


def consolidated_report(
    unit: Unit,
    period: Period,
    issuer: Issuer,
    *,
    form: ReportForm | None = None,
    user=None,
) -> Paper:
    """The draft report. `form` may be left out when one form is reported on that kind of period;
    with `user`, the unit must be one they may see (else the caller has checked)."""
    form = form or _form_of(period)
    if user is not None:
        c = consolidate(user=user, unit=unit, form=form, period=period)
    else:
        c = consolidation(unit=unit, form=form, period=period)
    with translation.override("vi"):  # the document is Vietnamese whatever the request's language
        label = lower_first(str(period))
        subject = _subject(form)
        body = _body(c, subject, label)
    return Paper(
        issuer=issuer,
        kind="BC",
        title="BÁO CÁO",
        summary=f"kết quả {subject} {label}",
        body=tuple(body),
        recipients=(storage_line(issuer.system),),
        appendix=tuple(_appendix(c)),
        # The layout writes "PHỤ LỤC" above it: the title says what the appendix holds.
        appendix_title=f"Số liệu {subject} {label} trên địa bàn {_where(c.unit)}",
    )


def _form_of(period: Period) -> ReportForm:
    forms = list(ReportForm.objects.filter(versions__period_kind=period.kind).distinct()[:2])
    if len(forms) != 1:
        raise InvalidInput(
            {
                "form": _(
                    "Choose the report form: more than one form, or none, is reported on "
                    "this kind of period."
                )
            }
        )
    return forms[0]


def _subject(form: ReportForm) -> str:
    """ "Báo cáo công tác dân vận" → "công tác dân vận": what the report is on (names are data)."""
    name = form.name.strip()
    if fold(name).startswith("bao cao "):
        name = name[len("Báo cáo ") :]
    return lower_first(name)


def _where(unit: Unit) -> str:
    return lower_first(unit.name)


def _body(c: Consolidation, subject: str, label: str) -> list[Block]:
    sources = consolidation_sources(unit=c.unit, form=c.form, period=c.period)
    sections = {s.key: s for s in narrative_sections(c.form)}
    done = c.completeness
    blocks = [
        paragraph(
            f"Kết quả {subject} {label} trên địa bàn {_where(c.unit)} (từ ngày "
            f"{c.period.start:%d/%m/%Y} đến ngày {c.period.end:%d/%m/%Y}), tổng hợp từ báo cáo "
            f"đã được duyệt của {done.approved}/{done.expected} đơn vị, như sau:"
        )
    ]
    # The sections are headings without their numbers: the issuing system numbers them ("I- "
    # for the Party, "I. " for the State), its layout does.
    blocks.append(heading("KẾT QUẢ ĐẠT ĐƯỢC"))
    blocks.append(paragraph("1. Kết quả thực hiện các chỉ tiêu"))
    blocks += _figures_prose(c)
    blocks.append(paragraph("2. Kết quả ở các đơn vị"))
    blocks += _passages(sources, sections.get(RESULTS))
    blocks.append(heading("HẠN CHẾ VÀ NGUYÊN NHÂN"))
    blocks += _passages(sources, sections.get(LIMITATIONS))
    blocks.append(heading(f"PHƯƠNG HƯỚNG, NHIỆM VỤ {_next_period(c.period)}"))
    blocks += _passages(sources, sections.get(NEXT))
    for key, section in sections.items():  # a form's further narrative sections, in its order
        if key not in (RESULTS, LIMITATIONS, NEXT):
            blocks.append(heading(section.title.upper()))
            blocks += _passages(sources, section)
    return blocks


def _next_period(period: Period) -> str:
    """What "the next period" is called: "3 THÁNG CUỐI NĂM 2021" after 9 months."""
    year, n = period.year, period.number
    if period.kind == "nine":
        return f"3 THÁNG CUỐI NĂM {year}"
    if period.kind == "half":
        return f"6 THÁNG CUỐI NĂM {year}" if n == 1 else f"NĂM {year + 1}"
    if period.kind == "quarter":
        return f"QUÝ {_QUARTERS[n + 1]} NĂM {year}" if n < 4 else f"QUÝ I NĂM {year + 1}"
    if period.kind == "month":
        return f"THÁNG {n + 1} NĂM {year}" if n < 12 else f"THÁNG 1 NĂM {year + 1}"
    return f"NĂM {year + 1}"


# I. The figures as prose -----------------------------------------------------------------


def _figures_prose(c: Consolidation) -> list[Block]:
    said = []
    for figure in c.figures:
        phrases = figure_phrases([figure])  # nothing when no report gave the figure
        if phrases:
            text = phrases[0].text
            said.append(f"- {text[:1].upper()}{text[1:]}{_compared(c, figure)}")
    if not said:
        return [paragraph("Chưa có số liệu nào được duyệt cho kỳ này.")]
    said = [f"{line};" for line in said[:-1]] + [f"{said[-1]}."]
    notes = [paragraph(note) for note in consolidation_notes(c)]
    return [paragraph(line) for line in said] + notes + [paragraph("(Chi tiết tại Phụ lục.)")]


def _amount(figure: Figure, value) -> str:
    unit = figure.indicator.unit_of_measure
    return f"{format_number(Decimal(value).normalize())}{f' {unit}' if unit else ''}"


def _compared(c: Consolidation, figure: Figure) -> str:
    """ ", tăng 12,5% so với cùng kỳ năm trước (1.900 triệu đồng)". Compared like for like, the
    change is over the units approved in both periods, and the parenthesis gives those two
    figures, not last year's total. Nothing when last year has no figure to compare with."""
    if figure.previous is None or figure.indicator.aggregation == Aggregation.COUNT_YES:
        return ""
    change = figure.change_pct
    if change is None:
        return f" (cùng kỳ năm trước: {_amount(figure, figure.previous)})"
    if c.comparison == COMMON:
        # Which units those are, the note under the figures says once (consolidation_notes).
        basis = (
            f"trên cùng {len(c.common_units)} đơn vị: {_amount(figure, figure.compared_value)} "
            f"so với {_amount(figure, figure.compared_previous)}"
        )
    else:
        basis = _amount(figure, figure.previous)
    if change == 0:
        return f", bằng cùng kỳ năm trước ({basis})"
    direction = "tăng" if change > 0 else "giảm"
    return f", {direction} {format_number(abs(change), 1)}% so với cùng kỳ năm trước ({basis})"


# The units' passages ---------------------------------------------------------------------


def _passages(sources: list[Source], section: FormSection | None) -> list[Block]:
    """What each unit wrote in this section, each naming its unit, then the units that did not
    report it (and why, when their report is not among those consolidated)."""
    blocks, missing = [], []
    for source in sources:
        unit = source.organization.unit.name
        text = source.report.narrative.get(section.key, "") if source.report and section else ""
        written = passage(unit, text)
        if written:
            blocks += written
        elif source.report is None:
            missing.append(f"{unit} ({_NOT_COVERED.get(source.status, 'chưa gửi báo cáo')})")
        else:
            missing.append(unit)
    if missing and not blocks:
        blocks.append(paragraph(f"Chưa đơn vị nào báo cáo nội dung này: {names(missing)}."))
    elif missing:
        blocks.append(paragraph(f"Các đơn vị chưa báo cáo nội dung này: {names(missing)}."))
    return blocks


# The appendix: the figures table -----------------------------------------------------------


def _appendix(c: Consolidation) -> list[Block]:
    rows = [figure_headings(c)]
    rows += [tuple(figure_cells(n, f)) for n, f in enumerate(c.figures, start=1)]
    return [Block("table", rows=tuple(rows))]
