"""Bar charts drawn as plain SVG geometry on the server: no chart library, nothing to download,
and nothing inline that a strict Content-Security-Policy would block."""

from decimal import Decimal

from giaoban.reporting.numbers import format_number

ROW = 24  # pixels per bar
LENGTH = 240  # the longest bar


def bars(points: list[tuple[str, Decimal | None]], title: str = "") -> dict:
    """Rows of label, value (written the Vietnamese way) and bar length scaled to the largest."""
    largest = max((abs(v) for _, v in points if v is not None), default=0)
    rows = []
    for i, (label, value) in enumerate(points):
        length = (
            round(float(abs(value) / largest) * LENGTH, 1) if value is not None and largest else 0
        )
        rows.append(
            {
                "label": label,
                "value": _written(value),
                "length": length,
                "y": i * ROW,
                "value_x": 164 + length,
            }
        )
    return {"rows": rows, "height": str(max(len(rows), 1) * ROW), "title": title}


def _written(value: Decimal | None) -> str:
    if value is None:
        return "–"
    value = Decimal(value)
    return format_number(value, 0 if value == value.to_integral_value() else 1)
