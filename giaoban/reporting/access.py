"""Who may see, fill in and decide on a report.

Anyone whose subtree holds the report's unit may read it (a commune officer does not see a
sibling commune's draft). Editors of the reporting organization fill it in. Leaders and
administrators of a unit above decide on it: return or approve.
"""

from giaoban.orgs.access import membership_of, unit_filter
from giaoban.orgs.models import EDITOR_ROLES, Role


def report_filter(user):
    return unit_filter(user, "unit__")


def can_fill(user, report) -> bool:
    if user.is_superuser and user.is_active:
        return True
    membership = membership_of(user)
    return bool(
        membership
        and user.is_active
        and membership.role in EDITOR_ROLES
        and membership.organization_id == report.organization_id
    )


def can_decide(user, report) -> bool:
    if user.is_superuser and user.is_active:
        return True
    membership = membership_of(user)
    if not membership or not user.is_active or membership.role not in {Role.ADMIN, Role.LEADER}:
        return False
    home = membership.organization.unit
    return report.unit.path.startswith(home.path) and report.unit_id != home.pk
