"""Numbers and dates the Vietnamese way, in both languages of the interface."""

import re
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


def test_a_records_id_in_a_template_is_never_grouped_like_a_figure():
    """USE_THOUSAND_SEPARATOR writes 3022 as "3.022": a point's id in its console's data-point,
    a link's ?point= or ?unit= broke once ids passed 1,000 (a national briefing's points, the
    country's units). Every `{{ ….pk }}` of a template goes through `unlocalize`."""
    from pathlib import Path

    import giaoban

    root = Path(giaoban.__file__).parent
    grouped = re.compile(r"\{\{\s*[\w.]+\.(pk|id)\s*\}\}")
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.rglob("templates/**/*.html")
        for match in grouped.finditer(path.read_text())
    ]
    assert found == []
    with translation.override("vi"):
        rendered = Template("{% load l10n %}{{ pk }} {{ pk|unlocalize }}").render(
            Context({"pk": 3022})
        )
    assert rendered == "3.022 3022"
