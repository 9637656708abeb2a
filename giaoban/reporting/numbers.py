"""Numbers as Vietnamese officials type them: "2.255" is two thousand two hundred and fifty-five,
"1.234,5" is one thousand two hundred and thirty-four and a half."""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from giaoban.core.errors import ApplicationError
from giaoban.core.text import nfc

#: Every figure lies strictly between -LIMIT and LIMIT: the value column holds 16 digits before
#: the decimal mark (max_digits 20, decimal_places 4); one less leaves the rollup's sums room.
#: The Excel template states the same bounds to an indicator that has none of its own.
LIMIT = Decimal(10**15)

_GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_PLAIN = re.compile(r"^-?\d+(,\d+)?$")


def indicator_bounds(indicator) -> tuple[Decimal, Decimal]:
    """The lowest and highest value a numeric indicator takes: its own bounds, else what the
    value column holds (the largest whole or 4-place number strictly inside ±LIMIT)."""
    step = Decimal(1) if indicator.value_type == "integer" else Decimal("0.0001")
    low = indicator.minimum if indicator.minimum is not None else -LIMIT + step
    high = indicator.maximum if indicator.maximum is not None else LIMIT - step
    return low.normalize() if low else Decimal(0), high.normalize() if high else Decimal(0)


def parse_number(raw: str) -> Decimal:
    """Read "2.255", "1.234,5", "49" or "-3,25"; refuse "2.5" (a dot is never a decimal mark)."""
    text = nfc(str(raw)).replace(" ", "").replace("\u00a0", "")
    if not (_GROUPED.match(text) or _PLAIN.match(text)):
        raise ApplicationError(
            _(
                "“%(value)s” is not a number: write 2.255 or 1.234,5 "
                "(dot for thousands, comma for decimals)."
            )
            % {"value": raw}
        )
    try:
        return Decimal(text.replace(".", "").replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the patterns above only admit valid digits
        raise ApplicationError(_("“%(value)s” is not a number.") % {"value": raw}) from None


def format_number(value: Decimal | int | float | None, places: int | None = None) -> str:
    """2255 → "2.255", 1234.5 → "1.234,5"; None → ""."""
    if value is None:
        return ""
    number = Decimal(value)
    if places is None:
        number = number.normalize()
        places = max(0, -number.as_tuple().exponent)
    text = f"{number:,.{places}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
