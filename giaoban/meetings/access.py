"""Who may see a conference and what each participant may do in it.

The host side (the organizer's editors and the host point's operator) runs the conference; a
bridge point's operator acts for that point only; anyone whose subtree holds the organizer or a
point may watch. Everyone else does not see the conference at all.

`require_host` and `require_point` are the one place where a role is checked for an action;
services and selectors call them, views and the live room's commands never test a role.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from giaoban.core.errors import PermissionDenied
from giaoban.orgs.access import membership_of, unit_filter
from giaoban.orgs.models import EDITOR_ROLES


@dataclass(frozen=True)
class Role:
    kind: str  # "host", "point" or "viewer"
    point_id: int | None = None

    @property
    def is_host(self) -> bool:
        return self.kind == "host"


def conference_filter(user) -> Q:
    return (
        Q(unit_filter(user, "organizer__unit__"))
        | Q(unit_filter(user, "points__unit__"))
        | Q(points__operator=user if user.is_authenticated else None)
    )


def conference_role(user, conference) -> Role | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role("host")
    membership = membership_of(user)
    if (
        membership
        and membership.role in EDITOR_ROLES
        and membership.organization_id == conference.organizer_id
    ):
        return Role("host")
    operated = list(conference.points.filter(operator=user).values_list("pk", "is_host"))
    host_point = next((pk for pk, is_host in operated if is_host), None)
    if host_point:
        return Role("host", host_point)  # the host point's console counts for its presence
    if operated:
        return Role("point", operated[0][0])
    from giaoban.meetings.models import Conference

    if Conference.objects.filter(conference_filter(user), pk=conference.pk).exists():
        return Role("viewer")
    return None


def role_of(actor, conference) -> Role | None:
    """The actor's role; None stands for the system (loaders, tests, the media adapter), which
    may do anything."""
    if actor is None:
        return Role("host")
    return conference_role(actor, conference)


def require_host(actor, conference) -> Role:
    """The host side runs the conference: everyone else is refused."""
    role = role_of(actor, conference)
    if role is None or not role.is_host:
        raise PermissionDenied(_("Only the host of the conference may do this."))
    return role


def require_point(actor, point, *, host_too: bool = True) -> Role:
    """The point's own operator (and, unless `host_too` is False, the host) may act for a
    bridge point."""
    return _require_points(actor, point.conference, {point.pk}, host_too=host_too)


def require_participant(actor, conference) -> Role:
    """The host side or a bridge point's operator: viewers are refused."""
    return _require_points(actor, conference, None, host_too=True)


def _require_points(actor, conference, point_ids: set | None, *, host_too: bool) -> Role:
    role = role_of(actor, conference)
    allowed = role is not None and (
        (host_too and role.is_host)
        or (role.point_id is not None and (point_ids is None or role.point_id in point_ids))
    )
    if not allowed:
        raise PermissionDenied(_("You may act only for your own bridge point."))
    return role
