"""Who may see and change what: the one place that decides, used by every view and endpoint.

A user sees the subtree of their organization's unit; editors (administrator, leader,
officer) may also change it. Superusers see everything. Anyone else sees nothing.
"""

from django.conf import settings
from django.db.models import Q

from giaoban.orgs.models import EDITOR_ROLES, Membership, Unit

_NOTHING = Q(pk__in=[])
#: Every row. Not `Q()`: Django drops an empty Q from an OR, so `Q() | Q(operator=user)` would
#: mean "only the user's" and a superuser would see nothing. This one survives any combination.
EVERYTHING = ~Q(pk__in=[])


def membership_of(user) -> Membership | None:
    """The user's membership, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_giaoban_membership"):
        user._giaoban_membership = (
            Membership.objects.select_related("organization__unit").filter(user=user).first()
        )
    return user._giaoban_membership


def requires_two_factor(user) -> bool:
    """Whether the user must log in with two factors: their role, or "superuser" for a
    superuser, is in TWO_FACTOR_REQUIRED_ROLES (used by core.twofactor)."""
    roles = settings.TWO_FACTOR_REQUIRED_ROLES
    if not roles or not user.is_authenticated:
        return False
    if user.is_superuser and "superuser" in roles:
        return True
    membership = membership_of(user)
    return bool(membership and membership.role in roles)


def home_unit(user) -> Unit | None:
    membership = membership_of(user)
    return membership.organization.unit if membership else None


def unit_filter(user, prefix: str) -> Q:
    """Q for rows whose unit (reached through `prefix`) is in the user's subtree."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return EVERYTHING
    unit = home_unit(user)
    if unit is None or not user.is_active:
        return _NOTHING
    return Q(**{f"{prefix}path__startswith": unit.path})


def can_edit(user) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    membership = membership_of(user)
    return bool(membership and user.is_active and membership.role in EDITOR_ROLES)


def edit_filter(user, prefix: str) -> Q:
    return unit_filter(user, prefix) if can_edit(user) else _NOTHING
