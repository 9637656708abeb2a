"""Who may see a conference and what each participant may do in it.

The host side (the organizer's editors and the host point's operator) runs the conference; a
bridge point's operator acts for that point only; anyone whose subtree holds the organizer or a
point may watch. Everyone else does not see the conference at all.
"""

from dataclasses import dataclass

from django.db.models import Q

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
