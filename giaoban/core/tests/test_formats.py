"""Numbers and dates the Vietnamese way, in both languages of the interface."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import formats, translation


@pytest.mark.parametrize("language", ["vi", "en"])
def test_it_writes_numbers_with_dot_thousands_and_comma_decimals(language):
    with translation.override(language):
        assert formats.number_format(2255, use_l10n=True, force_grouping=True) == "2.255"
        assert formats.number_format(Decimal("1234.5"), 1, use_l10n=True, force_grouping=True) == (
            "1.234,5"
        )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_it_writes_dates_as_dd_mm_yyyy(language):
    with translation.override(language):
        rendered = Template("{{ d|date:'SHORT_DATE_FORMAT' }} {{ d }}").render(
            Context({"d": date(2021, 10, 8)})
        )
    assert rendered == "08/10/2021 08/10/2021"


def test_it_reads_dates_typed_as_dd_mm_yyyy():
    from django import forms

    with translation.override("vi"):
        field = forms.DateField()
        assert field.clean("08/10/2021") == date(2021, 10, 8)


def test_it_speaks_vietnamese_by_default_and_english_on_request():
    with translation.override("vi"):
        assert translation.gettext("Log in") == "Đăng nhập"
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"
