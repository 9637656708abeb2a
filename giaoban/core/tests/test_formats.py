"""Numbers and dates the Vietnamese way, in both languages of the interface."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

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


#: What a page writes for a machine to read back (ids, years, revisions, page numbers, limits
#: such as maxlength): with USE_THOUSAND_SEPARATOR, `{{ point.pk }}` of 12346 would be "12.346"
#: in a link, a form or a data- attribute. The last name of the variable says what it is.
MACHINE_NUMBER = re.compile(
    r"^(pk|id|\w+_id|\w*revision|\w+_page_number|\w*year|all_points_up_to|max_\w+)$"
)
#: Names that match but are no number: a string, a form's field (its widget renders it).
NOT_NUMBERS = {"card_id", "form.revision"}


def _unlocalized_machine_numbers(text: str) -> list[str]:
    text = re.sub(r"\{% localize off %\}.*?\{% endlocalize %\}", "", text, flags=re.S)
    found = []
    for match in re.finditer(r"\{\{\s*(.*?)\s*\}\}", text):
        variable, *filters = [part.strip() for part in match.group(1).split("|")]
        names = {f.split(":")[0] for f in filters}
        if (
            variable not in NOT_NUMBERS
            and MACHINE_NUMBER.match(variable.split(".")[-1])
            and names <= {"default"}  # another filter makes it a string already
        ):
            found.append(match.group(0))
    return found


def test_the_check_below_finds_an_id_written_as_a_number():
    assert _unlocalized_machine_numbers('<a href="?point={{ p.pk }}">') == ["{{ p.pk }}"]
    assert _unlocalized_machine_numbers("{{ d.pk|default:'' }} {{ y.year }}") == [
        "{{ d.pk|default:'' }}",
        "{{ y.year }}",
    ]
    assert not _unlocalized_machine_numbers("{{ p.pk|unlocalize }} {{ p.name }} {{ n }}")
    assert not _unlocalized_machine_numbers("{% localize off %}{{ p.pk }}{% endlocalize %}")


def test_templates_write_ids_and_years_without_thousands_separators():
    root = Path(__file__).resolve().parents[2]  # giaoban/
    templates = sorted(root.glob("**/templates/**/*.html"))
    assert len(templates) > 50
    offenders = [
        f"{path.relative_to(root)}: {variable}"
        for path in templates
        for variable in _unlocalized_machine_numbers(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "add |unlocalize (and {% load l10n %}):\n" + "\n".join(offenders)


def test_an_id_past_a_thousand_is_written_as_it_is():
    with translation.override("vi"):
        rendered = Template("{% load l10n %}{{ n }} {{ n|unlocalize }}").render(
            Context({"n": 12346})
        )
    assert rendered == "12.346 12346"
