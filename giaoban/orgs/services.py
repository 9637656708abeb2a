"""Writes to the registry. Every write normalizes text to NFC, checks access and is audited."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from giaoban.core.audit import audit_record, snapshot
from giaoban.core.errors import ApplicationError, PermissionDenied
from giaoban.core.locking import save_revised
from giaoban.core.text import fold, nfc
from giaoban.orgs.access import can_edit, edit_filter
from giaoban.orgs.models import (
    Membership,
    Organization,
    Person,
    Position,
    Unit,
    UnitLineage,
)

_ORG_FIELDS = ["name", "kind", "unit_id", "parent_id", "valid_from", "valid_to"]
_PERSON_FIELDS = ["full_name", "unit_id", "note"]
_POSITION_FIELDS = ["organization_id", "title", "protocol_rank", "start_date", "end_date"]


def _clean(instance, exclude=None):
    """full_clean, turning Django's field errors into one ApplicationError naming the field."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=True)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        label = field if field == "__all__" else instance._meta.get_field(field).verbose_name
        raise ApplicationError(f"{label}: {' '.join(messages)}", field=field) from None


def _require_unit_in_scope(actor, unit: Unit) -> None:
    if actor is None:  # loaders and management commands act as the system
        return
    if (
        not can_edit(actor)
        or not Unit.objects.filter(edit_filter(actor, "")).filter(pk=unit.pk).exists()
    ):
        raise PermissionDenied(_("You may not change records of %(unit)s.") % {"unit": unit.name})


def _bump_version(instance, version: int) -> None:
    """Optimistic locking: refuse a save based on a version someone else has replaced."""
    rows = type(instance).objects.all()
    save_revised(rows, instance.pk, version, {}, name=str(instance), field="version")
    instance.version = version + 1


# Units -----------------------------------------------------------------------------------


def _unit_path(unit: Unit) -> str:
    return f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    level: int,
    parent: Unit | None = None,
    short_name: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
    source: str = "",
) -> Unit:
    unit = Unit(
        code=nfc(code),
        name=nfc(name),
        short_name=nfc(short_name),
        kind=kind,
        level=level,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
        source=nfc(source),
    )
    unit.search_key = fold(f"{unit.name} {unit.code}")
    _clean(unit, exclude=["path"])
    unit.save()
    unit.path = _unit_path(unit)
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def units_rebuild_paths() -> int:
    """Recompute every path from the parent links, top down (after an admin move or a bulk load)."""
    count = 0
    level = list(Unit.objects.filter(parent__isnull=True))
    while level:
        for unit in level:
            unit.path = _unit_path(unit)
        Unit.objects.bulk_update(level, ["path"], batch_size=2000)
        count += len(level)
        level = list(Unit.objects.filter(parent__in=level).select_related("parent"))
    return count


def lineage_add(
    *, predecessor: Unit, successor: Unit, kind: str, day: date, note: str = ""
) -> UnitLineage:
    link, _created = UnitLineage.objects.update_or_create(
        predecessor=predecessor,
        successor=successor,
        defaults={"kind": kind, "date": day, "note": nfc(note)},
    )
    return link


# Organizations ---------------------------------------------------------------------------


@transaction.atomic
def organization_create(
    *,
    actor,
    name: str,
    kind: str,
    unit: Unit,
    parent: Organization | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    is_illustrative: bool = False,
) -> Organization:
    _require_unit_in_scope(actor, unit)
    org = Organization(
        name=nfc(name),
        kind=kind,
        unit=unit,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
        is_illustrative=is_illustrative,
    )
    org.search_key = fold(org.name)
    _clean(org)
    org.save()
    audit_record(
        actor=actor, action="organization.create", instance=org, after=snapshot(org, _ORG_FIELDS)
    )
    return org


@transaction.atomic
def organization_update(
    *, actor, organization: Organization, version: int, **fields
) -> Organization:
    _require_unit_in_scope(actor, organization.unit)
    before = snapshot(organization, _ORG_FIELDS)
    for name, value in fields.items():
        setattr(organization, name, nfc(value) if isinstance(value, str) else value)
    _require_unit_in_scope(actor, organization.unit)
    organization.search_key = fold(organization.name)
    _clean(organization)
    _bump_version(organization, version)
    organization.save()
    audit_record(
        actor=actor,
        action="organization.update",
        instance=organization,
        before=before,
        after=snapshot(organization, _ORG_FIELDS),
    )
    return organization


# People and positions --------------------------------------------------------------------


def _person_search_key(person: Person) -> str:
    titles = " ".join(p.title for p in person.positions.all()) if person.pk else ""
    return fold(f"{person.full_name} {titles}")[:300]


@transaction.atomic
def person_create(
    *, actor, full_name: str, unit: Unit, note: str = "", is_illustrative: bool = False
) -> Person:
    _require_unit_in_scope(actor, unit)
    person = Person(
        full_name=nfc(full_name), unit=unit, note=nfc(note), is_illustrative=is_illustrative
    )
    person.search_key = _person_search_key(person)
    _clean(person)
    person.save()
    audit_record(
        actor=actor, action="person.create", instance=person, after=snapshot(person, _PERSON_FIELDS)
    )
    return person


@transaction.atomic
def person_update(
    *, actor, person: Person, version: int, full_name: str, unit: Unit, note: str = ""
) -> Person:
    _require_unit_in_scope(actor, person.unit)
    _require_unit_in_scope(actor, unit)
    before = snapshot(person, _PERSON_FIELDS)
    person.full_name, person.unit, person.note = nfc(full_name), unit, nfc(note)
    person.search_key = _person_search_key(person)
    _clean(person)
    _bump_version(person, version)
    person.save()
    audit_record(
        actor=actor,
        action="person.update",
        instance=person,
        before=before,
        after=snapshot(person, _PERSON_FIELDS),
    )
    return person


@transaction.atomic
def position_add(
    *,
    actor,
    person: Person,
    organization: Organization,
    title: str,
    protocol_rank: int = 100,
    start_date: date | None = None,
    end_date: date | None = None,
    is_illustrative: bool = False,
) -> Position:
    _require_unit_in_scope(actor, person.unit)
    position = Position(
        person=person,
        organization=organization,
        title=nfc(title),
        protocol_rank=protocol_rank,
        start_date=start_date,
        end_date=end_date,
        is_illustrative=is_illustrative,
    )
    position.search_key = fold(position.title)
    _clean(position)
    position.save()
    Person.objects.filter(pk=person.pk).update(search_key=_person_search_key(person))
    audit_record(
        actor=actor,
        action="position.add",
        instance=position,
        after=snapshot(position, _POSITION_FIELDS),
    )
    return position


@transaction.atomic
def position_end(*, actor, position: Position, end_date: date) -> Position:
    _require_unit_in_scope(actor, position.person.unit)
    before = snapshot(position, _POSITION_FIELDS)
    position.end_date = end_date
    _clean(position)
    position.save(update_fields=["end_date"])
    audit_record(
        actor=actor,
        action="position.end",
        instance=position,
        before=before,
        after=snapshot(position, _POSITION_FIELDS),
    )
    return position


# Users -----------------------------------------------------------------------------------


@transaction.atomic
def membership_set(*, user, organization: Organization, role: str) -> Membership:
    membership, _created = Membership.objects.update_or_create(
        user=user, defaults={"organization": organization, "role": role}
    )
    if hasattr(user, "_giaoban_membership"):
        del user._giaoban_membership
    return membership
