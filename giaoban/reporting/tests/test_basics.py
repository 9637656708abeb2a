"""Vietnamese numbers, periods with cut-offs, and validation rules."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils.translation import gettext

from giaoban.core.errors import ApplicationError
from giaoban.reporting import rules
from giaoban.reporting.numbers import format_number, parse_number
from giaoban.reporting.periods import period_bounds, period_label
from giaoban.testing.refusals import refused


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("2.255", 2255),
        ("1.234,5", Decimal("1234.5")),
        ("49", 49),
        ("0", 0),
        ("-3,25", Decimal("-3.25")),
        ("1.000.000", 1000000),
        (" 2.255 ", 2255),
    ],
)
def test_it_reads_numbers_as_vietnamese_officials_type_them(typed, value):
    assert parse_number(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["2.5", "abc", "1,2,3", "12.34.5", "", "1.23"])
def test_it_refuses_what_is_not_a_vietnamese_number(typed):
    with pytest.raises(ApplicationError, match="không phải là số"):
        parse_number(typed)


def test_it_writes_numbers_the_vietnamese_way():
    assert format_number(Decimal("2255")) == "2.255"
    assert format_number(Decimal("1234.5")) == "1.234,5"
    assert format_number(Decimal("2255.0000")) == "2.255"
    assert format_number(None) == ""


def test_a_nine_month_period_with_cut_off_14_starts_on_15_12_of_the_year_before():
    assert period_bounds("nine", 2021, 1, cutoff_day=14) == (date(2020, 12, 15), date(2021, 9, 14))


def test_periods_follow_the_calendar_without_a_cut_off():
    assert period_bounds("quarter", 2021, 3) == (date(2021, 7, 1), date(2021, 9, 30))
    assert period_bounds("month", 2024, 2) == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds("half", 2021, 2) == (date(2021, 7, 1), date(2021, 12, 31))
    assert period_bounds("year", 2021) == (date(2021, 1, 1), date(2021, 12, 31))


def test_a_january_month_with_a_cut_off_starts_in_december():
    assert period_bounds("month", 2021, 1, cutoff_day=20) == (date(2020, 12, 21), date(2021, 1, 20))


@pytest.mark.parametrize(("kind", "number", "count"), [("quarter", 5, 4), ("month", 0, 12)])
def test_it_refuses_a_period_that_does_not_exist(kind, number, count):
    expected = gettext("A %(kind)s period is numbered 1 to %(count)d, not %(number)d.") % {
        "kind": kind,
        "count": count,
        "number": number,
    }
    with refused(ApplicationError, expected):
        period_bounds(kind, 2021, number)


def test_it_refuses_a_kind_of_period_that_does_not_exist():
    expected = gettext("Unknown period kind “%(kind)s”.") % {"kind": "decade"}
    with refused(ApplicationError, expected):
        period_bounds("decade", 2021, 1)


@pytest.mark.parametrize(
    ("kind", "number", "label"),
    [
        ("nine", 1, "9 tháng năm 2021"),
        ("quarter", 3, "Quý III năm 2021"),
        ("month", 9, "Tháng 9 năm 2021"),
        ("half", 1, "6 tháng đầu năm 2021"),
        ("half", 2, "6 tháng cuối năm 2021"),
        ("year", 1, "Năm 2021"),
    ],
)
def test_it_labels_periods_as_officials_write_them(kind, number, label):
    class P:
        pass

    p = P()
    p.kind, p.year, p.number = kind, 2021, number
    assert period_label(p) == label


def _holds(expression, **values):
    tree = rules.parse_rule(expression, set(values) | {"a", "b", "c"})
    return rules.rule_holds(
        tree, {k: Decimal(v) if not isinstance(v, bool) else v for k, v in values.items()}
    )


def test_a_rule_compares_figures():
    assert _holds("a <= b", a=3, b=5)
    assert not _holds("a <= b", a=6, b=5)
    assert _holds("a + b == c", a=2, b=3, c=5)
    assert _holds("a > 0 or b == 0", a=0, b=0)
    assert _holds("0 <= a <= b", a=1, b=2)


def test_a_rule_missing_a_figure_is_not_judged():
    with pytest.raises(rules.Missing):
        _holds("a <= b", a=3)


@pytest.mark.parametrize(
    "expression",
    ["__import__('os').system('true')", "a.real > 0", "[a]", "a if b else c", "lambda: 1"],
)
def test_a_rule_may_only_compare_and_add(expression):
    expected = gettext("The rule “%(rule)s” may only compare and add figures.")
    with refused(ApplicationError, expected % {"rule": expression}):
        rules.parse_rule(expression, {"a", "b", "c"})


def test_a_rule_that_is_no_expression_is_refused_as_unreadable():
    expected = gettext("The rule “%(rule)s” cannot be read.") % {"rule": "a <="}
    with refused(ApplicationError, expected):
        rules.parse_rule("a <=", {"a", "b", "c"})


def test_a_rule_naming_an_unknown_indicator_is_refused():
    with pytest.raises(ApplicationError, match="zzz"):
        rules.parse_rule("zzz <= a", {"a"})
