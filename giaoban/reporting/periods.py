"""Reporting periods: their bounds with configurable cut-off days, and their labels as officials
write them ("9 tháng năm 2021")."""

import calendar
from datetime import date, timedelta

from django.utils.translation import gettext as _

from giaoban.core.errors import ApplicationError

# For each kind: how many numbers a year has, and the first and last month of number n.
_MONTHS = {
    "month": (12, lambda n: (n, n)),
    "quarter": (4, lambda n: (3 * n - 2, 3 * n)),
    "half": (2, lambda n: (6 * n - 5, 6 * n)),
    "nine": (1, lambda n: (1, 9)),
    "year": (1, lambda n: (1, 12)),
}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_bounds(kind: str, year: int, number: int = 1, cutoff_day: int | None = None):
    """The first and last day of a period.

    Without a cut-off a period follows the calendar. With cut-off day d, it ends on day d of its
    last month and starts the day after day d of the month before its first month: a 9-month
    report with cut-off 14 covers 15/12 of the previous year to 14/09.
    """
    if kind not in _MONTHS:
        raise ApplicationError(_("Unknown period kind “%(kind)s”.") % {"kind": kind})
    count, months = _MONTHS[kind]
    if not 1 <= number <= count:
        raise ApplicationError(
            _("A %(kind)s period is numbered 1 to %(count)d, not %(number)d.")
            % {"kind": kind, "count": count, "number": number}
        )
    if cutoff_day is not None and not 1 <= cutoff_day <= 28:
        raise ApplicationError(_("The cut-off day must be between 1 and 28."))
    first, last = months(number)
    if cutoff_day is None:
        return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])
    end = date(year, last, cutoff_day)
    before_first = date(year, first, 1) - timedelta(days=1)
    return date(before_first.year, before_first.month, cutoff_day) + timedelta(days=1), end


def period_label(period) -> str:
    """ "Tháng 9 năm 2021", "Quý III năm 2021", "6 tháng đầu năm 2021", "9 tháng năm 2021"."""
    year, n = period.year, period.number
    if period.kind == "month":
        return _("Month %(n)d of %(year)d") % {"n": n, "year": year}
    if period.kind == "quarter":
        return _("Quarter %(n)s of %(year)d") % {"n": _ROMAN[n], "year": year}
    if period.kind == "half":
        if n == 1:
            return _("First 6 months of %(year)d") % {"year": year}
        return _("Last 6 months of %(year)d") % {"year": year}
    if period.kind == "nine":
        return _("9 months of %(year)d") % {"year": year}
    return _("Year %(year)d") % {"year": year}
