"""Reads from the registry, always scoped to what the user may see."""

from datetime import date

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.errors import ApplicationError, NotFound
from giaoban.core.text import fold
from giaoban.orgs.access import home_unit
from giaoban.orgs.models import (
    ORG_KIND_ORDER,
    Organization,
    Person,
    Position,
    Unit,
    UnitLineage,
)


def unit_roots(*, user, on: date) -> QuerySet[Unit]:
    """Where a user's tree starts: their home unit, or every top-level unit for a superuser."""
    units = Unit.objects.visible_to(user).on(on)
    if user.is_superuser:
        return units.filter(parent__isnull=True)
    home = home_unit(user)
    return units.filter(pk=home.pk) if home else units.none()


def unit_get(*, user, pk: int) -> Unit:
    unit = Unit.objects.visible_to(user).select_related("parent").filter(pk=pk).first()
    if unit is None:
        raise NotFound(_("No such unit, or you may not see it."))
    return unit


def unit_by_code(*, user, code: str, on: date) -> Unit:
    """Official codes repeat across reforms, so a code names a unit only at a date."""
    unit = Unit.objects.visible_to(user).on(on).filter(code=code.strip()).first()
    if unit is None:
        raise NotFound(_("No such unit, or you may not see it."))
    return unit


def unit_children(*, user, on: date, parent: Unit | None = None) -> QuerySet[Unit]:
    units = Unit.objects.visible_to(user).on(on).select_related("parent")
    if parent is None:
        return units.filter(pk__in=unit_roots(user=user, on=on))
    return units.filter(parent=parent)


def unit_search(*, user, text: str, on: date | None = None, limit: int = 50) -> QuerySet[Unit]:
    units = Unit.objects.visible_to(user).search(text).select_related("parent")
    return (units.on(on) if on else units)[:limit]


def unit_predecessors(*, unit: Unit) -> QuerySet[UnitLineage]:
    return UnitLineage.objects.filter(successor=unit).select_related("predecessor")


def unit_successors(*, unit: Unit) -> QuerySet[UnitLineage]:
    return UnitLineage.objects.filter(predecessor=unit).select_related("successor")


def _with_positions(people: QuerySet[Person]) -> QuerySet[Person]:
    positions = Position.objects.select_related("organization").order_by("protocol_rank", "id")
    return people.select_related("unit").prefetch_related(Prefetch("positions", queryset=positions))


def person_search(
    *, user, text: str = "", unit: Unit | None = None, limit: int = 100
) -> QuerySet[Person]:
    """People the user may see whose name or titles contain `text`, ignoring case and diacritics."""
    people = Person.objects.visible_to(user)
    if text.strip():
        people = people.filter(search_key__contains=fold(text))
    if unit is not None:
        people = people.filter(unit=unit)
    return _with_positions(people)[:limit]


def person_get(*, user, pk: int) -> Person:
    person = _with_positions(Person.objects.visible_to(user)).filter(pk=pk).first()
    if person is None:
        raise NotFound(_("No such person, or you may not see them."))
    return person


def organization_get(*, user, pk: int) -> Organization:
    org = (
        Organization.objects.visible_to(user).select_related("unit", "parent").filter(pk=pk).first()
    )
    if org is None:
        raise NotFound(_("No such organization, or you may not see it."))
    return org


def organization_search(*, user, text: str, limit: int = 50) -> QuerySet[Organization]:
    return Organization.objects.visible_to(user).search(text).select_related("unit")[:limit]


def organizations_at(*, user, unit: Unit, on: date) -> QuerySet[Organization]:
    """The organizations of a unit in the order officials list them: party, government, the
    mobilization board, then the Front and the socio-political organizations."""
    rank = Case(
        *[When(kind=kind, then=Value(i)) for i, kind in enumerate(ORG_KIND_ORDER)],
        default=Value(len(ORG_KIND_ORDER)),
    )
    orgs = Organization.objects.visible_to(user).on(on).filter(unit=unit)
    return orgs.select_related("parent").order_by(rank, "name")


def recipients_at(*, units: list[Unit], kinds: list[str], on: date) -> list[Organization]:
    """The organizations of these kinds at these units on the day, listed as officials list
    recipients: by kind (party committees before boards), then by unit code. Not scoped to a
    user: a document names its recipients whoever drafts it (the caller checked the draft)."""
    rank = {kind: i for i, kind in enumerate(ORG_KIND_ORDER)}
    found = Organization.objects.on(on).filter(unit__in=units, kind__in=kinds)
    return sorted(
        found.select_related("unit"),
        key=lambda o: (rank.get(o.kind, len(rank)), o.unit.code, o.name),
    )


def organization_holders(*, organization: Organization, on: date) -> QuerySet[Position]:
    held = Q(start_date__isnull=True) | Q(start_date__lte=on)
    held &= Q(end_date__isnull=True) | Q(end_date__gte=on)
    return organization.positions.filter(held).select_related("person").order_by("protocol_rank")


def organizations_for_positions(*, user) -> QuerySet[Organization]:
    """Where a person of the user's subtree may hold a position: the subtree and the units above it.

    A district secretary is often also a member of the provincial committee.
    """
    home = home_unit(user)
    if user.is_superuser or home is None:
        return Organization.objects.visible_to(user)
    above = [int(pk) for pk in home.path.strip("/").split("/") if pk]
    return Organization.objects.filter(
        Q(unit__path__startswith=home.path) | Q(unit__pk__in=above)
    ).select_related("unit")


def default_day(*, user) -> date:
    """Today: every registry page opens on the structure in force now, whatever the user's unit
    (a 2021 district's officer is offered its last day by `home_unit_last_day`)."""
    return timezone.localdate()


def home_unit_last_day(*, user, after: date) -> date | None:
    """The last day of the user's unit when it ended before `after` (a 2021 district after the
    2025 reform), else None."""
    home = home_unit(user)
    if home is not None and home.valid_to and home.valid_to < after:
        return home.valid_to
    return None


def parse_day(raw: str | None, *, default: date) -> date:
    """A date from a query string, as dd/mm/yyyy or yyyy-mm-dd."""
    if not raw:
        return default
    from datetime import datetime

    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    raise ApplicationError(
        _("“%(value)s” is not a date: write dd/mm/yyyy or yyyy-mm-dd.") % {"value": raw}, field="on"
    )
