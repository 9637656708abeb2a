"""Reports: saving all or nothing, the submit/return/approve workflow, locking, concurrent edits,
and who may do what."""

from decimal import Decimal

import pytest
from django.utils.translation import gettext

from giaoban.core.errors import ApplicationError, ConcurrentEdit, InvalidInput, PermissionDenied
from giaoban.core.locking import stale
from giaoban.core.models import AuditEntry
from giaoban.reporting import selectors, services
from giaoban.reporting.models import Status
from giaoban.testing.refusals import refused

from .conftest import fill

pytestmark = pytest.mark.django_db

GOOD = {
    "policy_spending": "2.255",
    "child_marriages": "49",
    "dialogues_held": "12",
    "dialogues_resolved": "10",
    "spontaneous_migration": "không",
    "satisfaction": "87,5",
}


@pytest.fixture
def report(tree, form, period, bob):
    return services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period
    )


NOT_ABOVE = "Only a leader of a superior unit may approve this report."


def _cannot(status: str, action: str) -> str:
    """The workflow's refusal of `action` (English past participle) on a report in `status`."""
    return gettext("A report that is %(status)s cannot be %(action)s.") % {
        "status": gettext(status).lower(),
        "action": gettext(action),
    }


def test_it_saves_vietnamese_numbers_and_records_each_change(report, bob):
    result = fill(report, bob, **GOOD)
    values = services.report_values(report)
    assert values["policy_spending"] == Decimal("2255")
    assert values["satisfaction"] == Decimal("87.5")
    assert values["spontaneous_migration"] is False
    assert result.changed == 6 and result.violations == []
    entry = AuditEntry.objects.get(action="report.values")
    assert entry.actor == bob
    assert entry.before["child_marriages"] is None and entry.after["child_marriages"] == "49"


def test_a_second_save_records_before_and_after(report, bob):
    fill(report, bob, child_marriages="49")
    fill(report, bob, child_marriages="50")
    last = AuditEntry.objects.filter(action="report.values").first()
    assert last.before == {"child_marriages": "49"} and last.after == {"child_marriages": "50"}


def test_one_bad_value_saves_nothing(report, bob):
    fill(report, bob, child_marriages="49")
    with pytest.raises(InvalidInput) as caught:
        fill(report, bob, child_marriages="50", dialogues_held="mười", satisfaction="-1")
    assert set(caught.value.errors) == {"dialogues_held", "satisfaction"}
    assert services.report_values(report)["child_marriages"] == Decimal("49")


def test_a_negative_count_and_a_fraction_of_a_case_are_refused(report, bob):
    with pytest.raises(InvalidInput) as caught:
        fill(report, bob, child_marriages="-1", dialogues_held="2,5")
    assert set(caught.value.errors) == {"child_marriages", "dialogues_held"}


@pytest.mark.parametrize(
    "typed", ["9999999999999999", "1.000.000.000.000.000", "-1.000.000.000.000.000,5", "10" * 20]
)
def test_a_figure_beyond_the_column_is_refused_naming_the_indicator(report, bob, typed):
    with pytest.raises(InvalidInput) as caught:
        fill(report, bob, dialogues_held="12", policy_spending=typed)
    (message,) = caught.value.errors.values()
    assert "policy_spending" in caught.value.errors
    assert "1.000.000.000.000.000" in message
    assert services.report_values(report) == {}


def test_the_largest_figure_the_column_holds_is_saved_as_typed(report, bob):
    # Whole: SQLite keeps a decimal column as a float, exact to 15 digits only.
    fill(report, bob, policy_spending="999.999.999.999.999")
    saved = services.report_values(report)["policy_spending"]
    assert saved == Decimal("999999999999999")


def test_a_broken_rule_is_reported_on_save_and_blocks_submission(report, bob):
    result = fill(report, bob, **{**GOOD, "dialogues_resolved": "13"})
    assert result.violations == ["Số cuộc đã giải quyết không được nhiều hơn số cuộc đối thoại."]
    with pytest.raises(ApplicationError, match="không được nhiều hơn"):
        services.report_submit(actor=bob, report=report)


def test_a_report_with_empty_required_figures_cannot_be_submitted(report, bob):
    fill(report, bob, child_marriages="49")
    with pytest.raises(InvalidInput) as caught:
        services.report_submit(actor=bob, report=report)
    assert "policy_spending" in caught.value.errors


def test_the_second_of_two_concurrent_saves_is_refused(report, bob):
    opened = report.revision
    services.report_save(
        actor=bob, report=report, revision=opened, values={"child_marriages": "49"}
    )
    with refused(ConcurrentEdit, stale(f"{report.form.name} – {report.organization.name}").message):
        services.report_save(
            actor=bob, report=report, revision=opened, values={"child_marriages": "7"}
        )
    assert services.report_values(report)["child_marriages"] == Decimal("49")


def test_submit_then_approve_locks_the_report(report, bob, erin):
    fill(report, bob, **GOOD)
    services.report_submit(actor=bob, report=report)
    report = services.report_approve(actor=erin, report=report)
    assert report.status == Status.APPROVED and report.decided_by == erin
    with pytest.raises(ApplicationError, match="không thể thay đổi"):
        fill(report, bob, child_marriages="1")
    with refused(ApplicationError, _cannot("Approved", "returned")):
        services.report_return(actor=erin, report=report, reason="Sai số liệu")


def test_a_returned_report_goes_back_to_draft_when_edited_and_can_be_resubmitted(report, bob, erin):
    fill(report, bob, **GOOD)
    services.report_submit(actor=bob, report=report)
    report = services.report_return(actor=erin, report=report, reason="Kiểm tra lại số tảo hôn")
    assert report.status == Status.RETURNED and report.return_reason == "Kiểm tra lại số tảo hôn"
    report.refresh_from_db()
    fill(report, bob, child_marriages="48")
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert services.report_submit(actor=bob, report=report).status == Status.SUBMITTED


def test_a_return_needs_a_reason(report, bob, erin):
    fill(report, bob, **GOOD)
    services.report_submit(actor=bob, report=report)
    with refused(InvalidInput, gettext("Write why the report is returned."), field="reason"):
        services.report_return(actor=erin, report=report, reason="  ")


@pytest.mark.parametrize(("action", "named"), [("approve", "approved"), ("return", "returned")])
def test_a_draft_cannot_be_approved_or_returned(report, bob, erin, action, named):
    fill(report, bob, **GOOD)
    with refused(ApplicationError, _cannot("Draft", named)):
        if action == "approve":
            services.report_approve(actor=erin, report=report)
        else:
            services.report_return(actor=erin, report=report, reason="x")


def test_a_submitted_report_cannot_be_submitted_again(report, bob):
    fill(report, bob, **GOOD)
    services.report_submit(actor=bob, report=report)
    with refused(ApplicationError, _cannot("Submitted", "submitted")):
        services.report_submit(actor=bob, report=report)


def test_every_step_is_recorded_with_who_and_when(report, bob, erin):
    fill(report, bob, **GOOD)
    services.report_submit(actor=bob, report=report)
    services.report_approve(actor=erin, report=report)
    history = selectors.report_history(report)
    assert [(step.entry.action, step.entry.actor) for step in history] == [
        ("report.open", bob),
        ("report.values", bob),
        ("report.submit", bob),
        ("report.approve", erin),
    ]


def test_nobody_approves_their_own_units_report(report, bob, frank):
    fill(report, bob, **GOOD)
    services.report_submit(actor=bob, report=report)
    with refused(PermissionDenied, gettext(NOT_ABOVE)):
        services.report_approve(actor=frank, report=report)  # a leader at Sa Pa itself
    with refused(PermissionDenied, gettext(NOT_ABOVE)):
        services.report_approve(actor=bob, report=report)  # an officer


def test_another_district_cannot_fill_or_see_the_report(report, charlie):
    with refused(PermissionDenied, gettext("You may not change this report.")):
        fill(report, charlie, child_marriages="1")
    assert report not in selectors.reports_visible(user=charlie)


def test_a_commune_cannot_read_its_sibling_communes_draft_or_approve(
    tree, form, period, sapa_commune_board
):
    from giaoban.orgs import services as org_services
    from giaoban.orgs.models import Level, OrgKind, Role, UnitKind
    from giaoban.orgs.testing import make_user

    sibling = org_services.unit_create(
        code="03002",
        name="Phường Sa Pả",
        kind=UnitKind.WARD,
        level=Level.COMMUNE,
        parent=tree["sapa"],
    )
    sibling_board = org_services.organization_create(
        actor=None,
        name="Ban Dân vận Đảng ủy phường Sa Pả",
        kind=OrgKind.MOBILIZATION_BOARD,
        unit=sibling,
    )
    grace = make_user("grace", sapa_commune_board, Role.LEADER)
    henry = make_user("henry", sibling_board, Role.OFFICER)
    draft = services.report_open(actor=henry, organization=sibling_board, form=form, period=period)
    fill(draft, henry, **GOOD)
    assert draft not in selectors.reports_visible(user=grace)
    services.report_submit(actor=henry, report=draft)
    with refused(PermissionDenied, gettext(NOT_ABOVE)):
        services.report_approve(actor=grace, report=draft)


def test_a_changed_form_leaves_earlier_reports_on_their_version(report, bob, form, indicators):
    fill(report, bob, **GOOD)
    new = services.form_publish(
        code="dv-9t",
        name="Báo cáo công tác dân vận 9 tháng (sửa đổi)",
        period_kind="nine",
        reporting_kind="mobilization_board",
        reporting_levels=[2, 3],
        sections=[services.SectionSpec("figures", "Kết quả", ["child_marriages"])],
    )
    report.refresh_from_db()
    assert new.number == 2 and report.version.number == 1
    assert [i.code for i in services.version_indicators(report.version)][:2] == [
        "policy_spending",
        "child_marriages",
    ]
    assert services.report_values(report)["policy_spending"] == Decimal("2255")


def test_an_organization_that_does_not_report_on_the_form_cannot_open_one(tree, form, period):
    expected = gettext("%(org)s does not report on “%(form)s”.") % {
        "org": tree["sapa_party"].name,
        "form": form.name,
    }
    with refused(ApplicationError, expected):
        services.report_open(actor=None, organization=tree["sapa_party"], form=form, period=period)


def _sapa_total(report) -> Decimal:
    from giaoban.reporting.models import Rollup

    return Rollup.objects.get(unit=report.unit, indicator__code="policy_spending").total


def test_approving_an_approved_report_again_is_refused_and_the_rollup_unchanged(report, bob, erin):
    fill(report, bob, **GOOD)
    services.report_submit(actor=bob, report=report)
    services.report_approve(actor=erin, report=report)
    assert _sapa_total(report) == Decimal("2255")
    with refused(ApplicationError, _cannot("Approved", "approved")):
        services.report_approve(actor=erin, report=report)
    assert _sapa_total(report) == Decimal("2255")  # not 4.510


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_leaders_approving_at_the_same_moment_add_the_figures_once(tree, form, period, bob):
    """PostgreSQL: both wait on the report's row lock; the second finds it approved."""
    import threading

    from django.db import connection

    from giaoban.orgs.models import Role
    from giaoban.orgs.testing import make_user

    leaders = [make_user(name, tree["board"], Role.LEADER) for name in ("erin", "hoa")]
    report = services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period
    )
    fill(report, bob, **GOOD)
    services.report_submit(actor=bob, report=report)
    start, outcomes = threading.Barrier(2), []

    def approve(leader):
        try:
            start.wait()
            services.report_approve(actor=leader, report=report)
            outcomes.append("approved")
        except ApplicationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(leader,)) for leader in leaders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "refused"]
    assert _sapa_total(report) == Decimal("2255")
