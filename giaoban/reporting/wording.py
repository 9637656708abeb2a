"""The Vietnamese sentences documents use to say how complete a consolidated figure is and what
its change from last year is computed over (Excel, Word and the article say the same)."""

from giaoban.reporting.selectors import COMMON, Completeness, Consolidation


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
