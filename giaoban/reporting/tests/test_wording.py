"""The figures table and the notes under it, as the consolidated report's appendix and its
results section write them (`documents.drafts_report`): headings with each period's
completeness, figures the Vietnamese way, a dash where no report gave a figure."""

from decimal import Decimal

import pytest

from giaoban.reporting import selectors, services
from giaoban.reporting.selectors import COMMON
from giaoban.reporting.wording import (
    FIGURE_HEADINGS,
    consolidation_notes,
    figure_cells,
    figure_headings,
    figure_text,
)

from .conftest import NOTHING as BASE
from .conftest import approved

pytestmark = pytest.mark.django_db


def _rows(c) -> dict[str, list[str]]:
    return {f.indicator.name: figure_cells(n, f) for n, f in enumerate(c.figures, start=1)}


@pytest.fixture
def sapa_reported(tree, form, period, period_2020, bob, erin):
    approved(bob, erin, tree["sapa_board"], form, period_2020, **{**BASE, "child_marriages": "40"})
    approved(
        bob,
        erin,
        tree["sapa_board"],
        form,
        period,
        **{**BASE, "policy_spending": "2.255", "child_marriages": "49"},
    )


@pytest.fixture
def consolidation(tree, form, period, alice, sapa_reported):
    return selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period)


def test_the_headings_say_how_complete_each_periods_reports_are(consolidation):
    # Bát Xát has not reported.
    assert figure_headings(consolidation) == (
        *FIGURE_HEADINGS[:3],
        "Kỳ này (1/2 báo cáo đã duyệt, chưa đủ)",
        "Cùng kỳ năm trước (1/2 báo cáo đã duyệt, chưa đủ)",
        FIGURE_HEADINGS[5],
    )


def test_the_change_heading_names_the_units_it_compares_when_not_all(consolidation, tree):
    # The demo's 9 months of 2021: 11.591 against 11.596 in the table, +26,8% beside them,
    # because the change compares the 7 units approved in both years, not the totals.
    consolidation.comparison = COMMON
    consolidation.common_units = [tree["sapa"]]
    assert figure_headings(consolidation)[5] == "Tăng/giảm (%) (trên cùng 1 đơn vị)"


def test_it_writes_the_figures_the_vietnamese_way(consolidation):
    rows = _rows(consolidation)
    assert rows["Kinh phí chăm lo gia đình chính sách"] == [
        "1",
        "Kinh phí chăm lo gia đình chính sách",
        "triệu đồng",
        "2.255",
        "0",
        "–",  # no change can be computed from zero
    ]
    assert rows["Số trường hợp tảo hôn"][2:] == ["trường hợp", "49", "40", "22,5"]
    assert "Ghi chú" not in rows  # text is not consolidated, so it is not tabulated


def test_it_says_how_complete_the_consolidation_is(consolidation):
    # two district boards are expected; Sa Pa's was approved, long after the 2021 deadline
    notes = consolidation_notes(consolidation)
    assert "Có 1/2 đơn vị đã gửi báo cáo, 1 đã được duyệt, 0 đúng hạn." in notes


def test_a_missing_value_is_a_dash_and_no_figure_is_invented(tree, form, period, alice):
    """Nothing approved, and no period of the previous year: every figure is a dash."""
    c = selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period)
    rows = list(_rows(c).values())
    assert rows  # the indicators are still listed
    assert {cell for row in rows for cell in row[3:]} == {"–"}
    notes = consolidation_notes(c)
    assert "Chưa có số liệu cùng kỳ năm trước để so sánh." in notes
    assert "Có 0/2 đơn vị đã gửi báo cáo, 0 đã được duyệt, 0 đúng hạn." in notes


def test_a_figure_without_last_years_value_shows_a_dash_beside_this_years(
    tree, form, period, alice, bob, erin
):
    approved(bob, erin, tree["sapa_board"], form, period, **{**BASE, "child_marriages": "49"})
    c = selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period)
    assert _rows(c)["Số trường hợp tảo hôn"][3:] == ["49", "–", "–"]


def test_it_names_the_predecessors_when_last_year_was_before_a_merger(tree, form, admin_user):
    services.period_get_or_create(kind="nine", year=2024, cutoff_day=14)
    now = services.period_get_or_create(kind="nine", year=2025, cutoff_day=14)
    c = selectors.consolidate(user=admin_user, unit=tree["sapa_new"], form=form, period=now)
    expected = "Số liệu cùng kỳ là tổng của các đơn vị trước sáp nhập: Phường Sa Pa."
    assert expected in consolidation_notes(c)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (None, "–"),
        (Decimal("2255"), "2.255"),
        (Decimal("12.50"), "12,5"),
        (Decimal("1") / 3, "0,33"),
    ],
)
def test_a_figure_is_written_with_at_most_two_decimals(value, written):
    assert figure_text(value) == written
