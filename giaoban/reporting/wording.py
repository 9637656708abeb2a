"""The Vietnamese sentences and table cells documents use for a consolidation: how complete a
consolidated figure is, what its change from last year is computed over, and the figures table
as an office writes it (Excel, the consolidated report and the article say the same)."""

from decimal import ROUND_HALF_UP, Decimal

from giaoban.reporting.models import Aggregation
from giaoban.reporting.numbers import format_number
from giaoban.reporting.selectors import COMMON, Completeness, Consolidation, Figure

DASH = "–"  # a figure no report gave: never a zero
FIGURE_HEADINGS = ("STT", "Chỉ tiêu", "Đơn vị tính", "Kỳ này", "Cùng kỳ năm trước", "Tăng/giảm (%)")


def short_completeness(done: Completeness | None) -> str:
    """E.g. "8/9 báo cáo đã duyệt, chưa đủ": beside a total, wherever it is shown."""
    if done is None:
        return ""
    said = f"{done.approved}/{done.expected} báo cáo đã duyệt"
    return said if done.complete else f"{said}, chưa đủ"


def completeness_notes(c: Consolidation) -> list[str]:
    notes = []
    if not c.complete:
        notes.append(
            f"Số liệu {c.period} chưa đầy đủ: tổng hợp từ {c.completeness.approved}"
            f"/{c.completeness.expected} báo cáo đã được duyệt."
        )
    before = c.previous_completeness
    if before is not None and not before.complete:
        notes.append(
            f"Số liệu {c.previous_period} chưa đầy đủ: tổng hợp từ {before.approved}"
            f"/{before.expected} báo cáo đã được duyệt."
        )
    if c.comparison == COMMON:
        names = ", ".join(unit.name for unit in c.common_units) or "không có đơn vị nào"
        notes.append(
            f"Tỷ lệ tăng/giảm so với cùng kỳ chỉ tính trên {len(c.common_units)} đơn vị "
            f"có báo cáo được duyệt ở cả hai kỳ: {names}."
        )
    return notes


def consolidation_notes(c: Consolidation) -> list[str]:
    """What stands under the figures: what last year's are compared with, how many units
    reported, and `completeness_notes`."""
    notes = []
    if c.previous_period is None:
        notes.append("Chưa có số liệu cùng kỳ năm trước để so sánh.")
    elif c.compared_with_predecessors:
        names = ", ".join(unit.name for unit in c.compared_with)
        notes.append(f"Số liệu cùng kỳ là tổng của các đơn vị trước sáp nhập: {names}.")
    done = c.completeness
    notes.append(
        f"Có {done.submitted}/{done.expected} đơn vị đã gửi báo cáo, "
        f"{done.approved} đã được duyệt, {done.on_time} đúng hạn."
    )
    return notes + completeness_notes(c)


def figure_headings(c: Consolidation) -> tuple[str, ...]:
    """The figures table's headings, the two periods' with how complete their reports are (a
    total made from fewer reports than expected says so where it stands)."""
    number, name, unit, now, before, change = FIGURE_HEADINGS
    now = f"{now} ({short_completeness(c.completeness)})"
    if c.previous_period:
        before = f"{before} ({short_completeness(c.previous_completeness)})"
    if c.comparison == COMMON:  # the totals side by side are not what the change compares
        change = f"{change} (trên cùng {len(c.common_units)} đơn vị)"
    return number, name, unit, now, before, change


def figure_cells(number: int, figure: Figure) -> list[str]:
    """One row of the figures table: number, indicator, unit, this period, last year, change."""
    indicator = figure.indicator
    # A consolidated yes/no indicator is the count of organizations that answered "yes".
    unit = "đơn vị" if indicator.aggregation == Aggregation.COUNT_YES else indicator.unit_of_measure
    change = DASH if figure.change_pct is None else format_number(figure.change_pct, 1)
    return [
        str(number),
        indicator.name,
        unit,
        figure_text(figure.value),
        figure_text(figure.previous),
        change,
    ]


def figure_text(value: Decimal | None) -> str:
    """ "2.255", "12,5"; a dash for a figure no report gave."""
    if value is None:
        return DASH
    value = Decimal(value).normalize()
    # An average can run to 28 digits; officials write at most two decimals.
    if value.as_tuple().exponent < -2:
        value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format_number(value)
