"""The scenario's report: Sa Pa carries the article's figures; the province sees the rest."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from giaoban.orgs.models import Unit
from giaoban.reporting import selectors, services
from giaoban.reporting.models import Period, Report, ReportForm, Rollup

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _sapa_2021():
    return Report.objects.get(unit__code="088", period__year=2021)


def test_sapas_report_carries_exactly_the_articles_figures(demo):
    report = _sapa_2021()
    assert str(report.period) == "9 tháng năm 2021"
    assert (report.period.start, report.period.end) == (date(2020, 12, 15), date(2021, 9, 14))
    values = {k: v for k, v in services.report_values(report).items() if v is not None}
    assert values == {
        "policy_family_spending": Decimal("2255"),
        "child_marriages": 49,
        "migrating_households": 0,
        "women_leaving": 0,
    }
    assert report.status == "approved" and not report.is_illustrative


def test_the_province_sees_every_district_with_last_year_beside(demo):
    leader = get_user_model().objects.get(username="lanhdao_tinh")
    province = Unit.objects.get(code="10", valid_to__isnull=False)
    form = ReportForm.objects.get(code="dan-van")
    period = Period.objects.get(kind="nine", year=2021)
    result = selectors.consolidate(user=leader, unit=province, form=form, period=period)
    assert vars(result.completeness) == {"expected": 9, "submitted": 8, "approved": 7, "on_time": 8}
    spending = next(f for f in result.figures if f.indicator.code == "policy_family_spending")
    assert spending.value > Decimal("2255") and spending.previous is not None
    illustrative = Report.objects.exclude(unit__code="088", period__year=2021)
    assert illustrative.count() == 17 and all(r.is_illustrative for r in illustrative)


def test_the_bac_ha_report_waits_in_the_leaders_inbox(demo):
    leader = get_user_model().objects.get(username="lanhdao_tinh")
    assert [r.unit.code for r in selectors.inbox(user=leader)] == ["085"]


def test_loading_the_demo_twice_changes_no_report_or_total(demo):
    before = (Report.objects.count(), sorted(Rollup.objects.values_list("total", flat=True)))
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (
        Report.objects.count(),
        sorted(Rollup.objects.values_list("total", flat=True)),
    ) == before
