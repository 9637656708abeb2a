"""Consolidation: by each indicator's rule, live after approval, with completeness and the same
period of the previous year, across the 2025 reform."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giaoban.orgs import services as org_services
from giaoban.orgs.models import Level, OrgKind, UnitKind
from giaoban.reporting import selectors, services

from .conftest import NOTHING as BASE
from .conftest import approved, fill

pytestmark = pytest.mark.django_db


def _values(consolidation):
    return {f.indicator.code: f.value for f in consolidation.figures}


@pytest.fixture
def two_districts(tree, form, period, bob, charlie, erin):
    approved(
        bob,
        erin,
        tree["sapa_board"],
        form,
        period,
        **{
            **BASE,
            "policy_spending": "2.255",
            "child_marriages": "49",
            "dialogues_held": "12",
            "dialogues_resolved": "10",
            "spontaneous_migration": "không",
            "satisfaction": "80",
        },
    )
    approved(
        charlie,
        erin,
        tree["batxat_board"],
        form,
        period,
        **{
            **BASE,
            "policy_spending": "1.000,5",
            "child_marriages": "11",
            "dialogues_held": "3",
            "dialogues_resolved": "3",
            "spontaneous_migration": "có",
            "satisfaction": "90",
        },
    )


def test_it_consolidates_each_indicator_by_its_rule(tree, form, period, alice, two_districts):
    values = _values(
        selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period)
    )
    assert values["policy_spending"] == Decimal("3255.5")  # sum
    assert values["child_marriages"] == 60  # sum
    assert values["spontaneous_migration"] == 1  # count of "yes"
    assert values["satisfaction"] == 85  # average
    assert "note" not in values  # text is not consolidated


def test_minimum_and_maximum_rules(tree, form, period, alice, two_districts, indicators):
    indicators["satisfaction"].aggregation = "min"
    indicators["satisfaction"].save()
    assert (
        _values(selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period))[
            "satisfaction"
        ]
        == 80
    )
    indicators["satisfaction"].aggregation = "max"
    indicators["satisfaction"].save()
    assert (
        _values(selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period))[
            "satisfaction"
        ]
        == 90
    )


def test_an_approval_shows_in_the_next_read(tree, form, period, alice, bob, erin):
    consolidation = selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period)
    assert _values(consolidation)["child_marriages"] is None
    approved(bob, erin, tree["sapa_board"], form, period, **{**BASE, "child_marriages": "49"})
    assert (
        _values(selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period))[
            "child_marriages"
        ]
        == 49
    )


def test_unapproved_reports_do_not_count(tree, form, period, alice, bob):
    report = services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period
    )
    fill(report, bob, **{**BASE, "child_marriages": "49"})
    services.report_submit(actor=bob, report=report)
    values = _values(
        selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period)
    )
    assert values["child_marriages"] is None


def test_it_counts_completeness(tree, form, period, alice, bob, charlie, erin, sapa_commune_board):
    approved(bob, erin, tree["sapa_board"], form, period, **BASE)
    report = services.report_open(
        actor=charlie, organization=tree["batxat_board"], form=form, period=period
    )
    fill(report, charlie, **BASE)
    services.report_submit(actor=charlie, report=report)
    done = selectors.consolidate(
        user=alice, unit=tree["laocai"], form=form, period=period
    ).completeness
    # two district boards and one commune board are expected to report
    assert (done.expected, done.submitted, done.approved) == (3, 2, 1)
    assert done.on_time == 0  # submitted in 2026, long after the 2021 deadline


def test_it_compares_with_the_same_period_of_the_previous_year(
    tree, form, period, period_2020, alice, bob, erin
):
    approved(bob, erin, tree["sapa_board"], form, period_2020, **{**BASE, "child_marriages": "40"})
    approved(bob, erin, tree["sapa_board"], form, period, **{**BASE, "child_marriages": "49"})
    consolidation = selectors.consolidate(user=alice, unit=tree["sapa"], form=form, period=period)
    figure = next(f for f in consolidation.figures if f.indicator.code == "child_marriages")
    assert (figure.value, figure.previous, figure.change_pct) == (49, 40, Decimal("22.5"))
    assert consolidation.previous_period == period_2020
    assert not consolidation.compared_with_predecessors


def test_a_unit_missing_in_one_period_is_left_out_of_the_comparison(
    tree, form, period, period_2020, alice, bob, charlie, erin
):
    """Both districts reported in 2020, only Sa Pa in 2021: the change is Sa Pa's against Sa
    Pa's, not Sa Pa's alone against both (a fall that never happened), and each side says how
    complete it is."""
    for board, user, before, now in [
        (tree["sapa_board"], bob, "40", "44"),
        (tree["batxat_board"], charlie, "20", None),
    ]:
        approved(user, erin, board, form, period_2020, **{**BASE, "child_marriages": before})
        if now is not None:
            approved(user, erin, board, form, period, **{**BASE, "child_marriages": now})
    result = selectors.consolidate(user=alice, unit=tree["laocai"], form=form, period=period)
    figure = next(f for f in result.figures if f.indicator.code == "child_marriages")
    assert result.comparison == selectors.COMMON
    assert result.common_units == [tree["sapa"]]
    assert (figure.value, figure.previous) == (44, 60)  # each period's own approved reports
    assert (figure.compared_value, figure.compared_previous) == (44, 40)
    assert figure.change_pct == Decimal("10.0")  # not -26.7
    assert not result.completeness.complete and result.completeness.approved == 1
    assert result.previous_completeness.approved == 2

    plain = selectors.consolidate(
        user=alice, unit=tree["laocai"], form=form, period=period, comparison=selectors.ALL
    )
    plain_figure = next(f for f in plain.figures if f.indicator.code == "child_marriages")
    assert plain_figure.change_pct == Decimal("-26.7")


def test_the_same_units_in_both_periods_are_compared_plainly(
    tree, form, period, period_2020, alice, bob, erin
):
    approved(bob, erin, tree["sapa_board"], form, period_2020, **{**BASE, "child_marriages": "40"})
    approved(bob, erin, tree["sapa_board"], form, period, **{**BASE, "child_marriages": "49"})
    result = selectors.consolidate(user=alice, unit=tree["sapa"], form=form, period=period)
    assert result.comparison == selectors.ALL and result.common_units == []


def test_a_merged_unit_is_compared_with_its_predecessors(tree, form, alice, admin_user):
    """A 2025 commune formed from two 2024 communes: last year's figures are theirs, summed."""
    old_a, old_b = (
        tree["sapa_ward"],
        org_services.unit_create(
            code="03002",
            name="Phường Sa Pả",
            kind=UnitKind.WARD,
            level=Level.COMMUNE,
            parent=tree["sapa"],
            valid_to=tree["sapa_ward"].valid_to,
        ),
    )
    org_services.lineage_add(
        predecessor=old_b,
        successor=tree["sapa_new"],
        kind="merged",
        day=tree["sapa_new"].valid_from,
    )
    boards = {}
    for unit in (old_a, old_b, tree["sapa_new"]):
        boards[unit.pk] = org_services.organization_create(
            actor=None,
            name=f"Ban Dân vận {unit.name} {unit.pk}",
            kind=OrgKind.MOBILIZATION_BOARD,
            unit=unit,
        )
    before = services.period_get_or_create(kind="nine", year=2024, cutoff_day=14)
    now = services.period_get_or_create(kind="nine", year=2025, cutoff_day=14)
    approved(None, admin_user, boards[old_a.pk], form, before, **{**BASE, "child_marriages": "3"})
    approved(None, admin_user, boards[old_b.pk], form, before, **{**BASE, "child_marriages": "5"})
    approved(
        None, admin_user, boards[tree["sapa_new"].pk], form, now, **{**BASE, "child_marriages": "6"}
    )
    consolidation = selectors.consolidate(
        user=admin_user, unit=tree["sapa_new"], form=form, period=now
    )
    figure = next(f for f in consolidation.figures if f.indicator.code == "child_marriages")
    assert (figure.value, figure.previous, figure.change_pct) == (6, 8, Decimal("-25.0"))
    assert consolidation.compared_with_predecessors
    assert set(consolidation.compared_with) == {old_a, old_b}


def test_a_district_cannot_read_the_province_consolidation(tree, form, period, charlie):
    from django.utils.translation import gettext

    from giaoban.core.errors import NotFound
    from giaoban.testing.refusals import refused

    with refused(NotFound, gettext("No such unit, or you may not see it.")):
        selectors.consolidate(user=charlie, unit=tree["laocai"], form=form, period=period)


def test_the_breakdown_lists_each_child_with_its_figures(tree, form, period, alice, two_districts):
    rows = dict(
        (unit.code, values["child_marriages"])
        for unit, values in selectors.breakdown(
            user=alice, unit=tree["laocai"], form=form, period=period
        )
    )
    assert rows == {"082": 11, "088": 49}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=4),
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=4),
)
def test_a_parents_sum_is_the_sum_over_its_children(
    tree, form, indicators, admin_user, sapa_counts, batxat_counts
):
    from giaoban.reporting.models import Rollup

    Rollup.objects.all().delete()
    period = services.period_get_or_create(
        kind="nine", year=2000 + len(sapa_counts) * 4 + len(batxat_counts)
    )
    for parent, counts in ((tree["sapa"], sapa_counts), (tree["batxat"], batxat_counts)):
        for i, count in enumerate(counts):
            unit = org_services.unit_create(
                code=f"p{parent.pk}-{period.pk}-{i}",
                name=f"Xã {i}",
                kind=UnitKind.COMMUNE,
                level=Level.COMMUNE,
                parent=parent,
            )
            org = org_services.organization_create(
                actor=None, name="Ban Dân vận", kind=OrgKind.MOBILIZATION_BOARD, unit=unit
            )
            approved(None, admin_user, org, form, period, **{**BASE, "child_marriages": str(count)})
    province = _values(
        selectors.consolidate(user=admin_user, unit=tree["laocai"], form=form, period=period)
    )
    children = selectors.breakdown(user=admin_user, unit=tree["laocai"], form=form, period=period)
    assert province["child_marriages"] == sum(v["child_marriages"] or 0 for _, v in children)
    assert province["child_marriages"] == sum(sapa_counts) + sum(batxat_counts)


def test_merging_totals_keeps_a_minimum_of_zero():
    from giaoban.reporting.models import Rollup
    from giaoban.reporting.selectors import _Totals

    totals = _Totals()
    for low, high in [(Decimal(5), Decimal(9)), (Decimal(0), Decimal(3)), (Decimal(2), Decimal(4))]:
        totals.add(Rollup(total=low + high, count=2, yes_count=0, minimum=low, maximum=high))
    assert (totals.value("min"), totals.value("max")) == (0, 9)
