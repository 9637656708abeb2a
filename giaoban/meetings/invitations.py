"""Inviting at scale: every unit at a level under a unit becomes a bridge point in one step, with
its operator and its delegates chosen by position as of the conference's day; and a conference of
a series starts from the points and delegates of another.

A provincial briefing after the 2025 reform links about a hundred communes, a national one
thousands: one call per point (`services.point_add`, `delegate_invite`) would be thousands of
queries and as many broadcasts. Here the reads are a fixed handful of queries whatever the count,
the rows go in with `bulk_create` in batches as large as the database takes (a few thousand rows
each), all in one transaction with one audit record and one change broadcast.

The operator of a point is the account its unit designates: an active account whose membership
has the role "bridge-point operator" at an organization of that unit (valid on the day). A unit
with several has the earliest account (lowest id) designated; a unit with none gets a point
without an operator, counted in the result for the host to complete.
"""

from dataclasses import asdict, dataclass

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from giaoban.core.audit import audit_record
from giaoban.core.errors import ApplicationError, InvalidInput, PermissionDenied
from giaoban.core.text import fold, nfc
from giaoban.meetings.access import require_host
from giaoban.meetings.live import broadcast
from giaoban.meetings.models import BridgePoint, Conference, Delegate
from giaoban.orgs.models import Level, Membership, OrgKind, Position, Role, Unit, valid_on

#: How many positions the host may pick for one invitation, and the longest title prefix.
MAX_PICKS = 10
MAX_TITLE = 100

#: PostgreSQL's protocol takes at most 65,535 parameters per statement; SQLite 3.32+ 32,766.
_MAX_PARAMS = {"postgresql": 65535, "sqlite": 32766}


@dataclass(frozen=True)
class PositionPick:
    """Who is invited at each unit: the holders of a position at an organization of `kind`
    whose title starts with `title` (case and diacritics ignored); with no title, the head of
    that organization (its position of the lowest protocol rank)."""

    kind: str
    title: str = ""


@dataclass(frozen=True)
class Invited:
    points: int
    delegates: int
    without_operator: int
    already_points: int


def _locked(conference: Conference) -> Conference:
    return Conference.objects.select_for_update().get(pk=conference.pk)


def _require_open(conference: Conference) -> None:
    if not conference.is_open:
        raise ApplicationError(
            _("An ended or cancelled conference is part of the record: it is not changed.")
        )


def _checked_picks(picks) -> list[PositionPick]:
    picks = list(picks)
    if len(picks) > MAX_PICKS:
        raise InvalidInput({"positions": _("Pick at most %(n)d positions.") % {"n": MAX_PICKS}})
    checked = []
    for pick in picks:
        if pick.kind not in OrgKind.values:
            raise InvalidInput(
                {"positions": _("Unknown kind of organization: %(kind)s.") % {"kind": pick.kind}}
            )
        title = nfc(pick.title or "").strip()
        if len(title) > MAX_TITLE:
            raise InvalidInput(
                {"positions": _("A position's title: at most %(n)d characters.") % {"n": MAX_TITLE}}
            )
        checked.append(PositionPick(pick.kind, title))
    return checked


def _check_scope(actor, parent: Unit | None, level: int, day) -> None:
    if level not in Level.values or level <= (parent.level if parent else 0):
        raise InvalidInput(
            {"level": _("Choose a level below %(unit)s's own.") % {"unit": parent.name}}
        )
    if parent is None:
        return
    if not parent.is_valid_on(day):
        raise InvalidInput(
            {
                "parent": _("%(unit)s does not exist on the conference's day (%(day)s).")
                % {"unit": parent.name, "day": f"{day:%d/%m/%Y}"}
            }
        )
    if actor is not None and not Unit.objects.visible_to(actor).filter(pk=parent.pk).exists():
        raise PermissionDenied(_("You may not invite the units under %(unit)s.") % {"unit": parent})


@dataclass(frozen=True)
class _Scope:
    """The units invited: those at `level` under `parent`, or, without a parent (a national
    briefing), every one at that level the actor sees."""

    actor: object
    parent: Unit | None
    level: int

    def q(self, prefix: str = "") -> Q:
        from giaoban.orgs.access import EVERYTHING, unit_filter

        where = Q(**{f"{prefix}level": self.level})
        if self.parent is not None:
            where &= Q(**{f"{prefix}path__startswith": self.parent.path})
        return where & (EVERYTHING if self.actor is None else unit_filter(self.actor, prefix))


def _operators(scope: _Scope, day) -> dict[int, int]:
    """unit id -> the account it designates (one query)."""
    rows = (
        Membership.objects.filter(
            scope.q("organization__unit__"),
            valid_on(day, "organization__"),
            role=Role.OPERATOR,
            user__is_active=True,
        )
        .order_by("-user_id")
        .values_list("organization__unit_id", "user_id")
    )
    return dict(rows)  # the lowest id, written last, wins


def _held(day, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": day})) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    )


def _chosen(scope: _Scope, day, picks: list[PositionPick]) -> dict[int, list[int]]:
    """unit id -> the people the picks choose there, in the picks' order (one query)."""
    if not picks:
        return {}
    rows = Position.objects.filter(
        scope.q("organization__unit__"),
        _held(day),
        valid_on(day, "organization__"),
        organization__kind__in={p.kind for p in picks},
    ).values_list("organization__unit_id", "organization__kind", "title", "person_id")
    rows = rows.order_by("protocol_rank", "pk")
    chosen: dict[int, list[int]] = {}
    for pick in picks:
        wanted = fold(pick.title)
        heads: set[int] = set()
        for unit_id, kind, title, person_id in rows:
            if kind != pick.kind or (unit_id in heads and not wanted):
                continue
            if wanted and not fold(title).startswith(wanted):
                continue
            heads.add(unit_id)
            found = chosen.setdefault(unit_id, [])
            if person_id not in found:
                found.append(person_id)
    return chosen


def _designations(person_ids, day) -> dict[int, tuple[str, str]]:
    """person id -> (full name, "Name - titles in protocol order") on the day (one query)."""
    rows = (
        Position.objects.filter(_held(day), person_id__in=person_ids)
        .order_by("protocol_rank", "pk")
        .values_list("person_id", "person__full_name", "title")
    )
    titles: dict[int, tuple[str, list[str]]] = {}
    for person_id, full_name, title in rows:
        titles.setdefault(person_id, (full_name, []))[1].append(title)
    return {
        pk: (name, f"{name} - {', '.join(held)}" if held else name)
        for pk, (name, held) in titles.items()
    }


def _batch(model, rows: list) -> int:
    """Rows per INSERT: as many as the database's parameter limit takes."""
    limit = _MAX_PARAMS.get(connection.vendor, 999)
    fields = len(model._meta.concrete_fields)
    return max(1, limit // fields)


def _insert(model, rows: list) -> list:
    """`bulk_create` in batches of the size the database really takes: Django assumes 999
    parameters on SQLite (its compile-time default of old), which would cut 3,321 points into
    54 INSERTs; SQLite 3.32+ takes 32,766."""
    if not rows:
        return []
    size = _batch(model, rows)
    features = connection.features
    saved = features.__dict__.get("max_query_params")
    if connection.vendor == "sqlite":
        features.max_query_params = _MAX_PARAMS["sqlite"]
    try:
        return model.objects.bulk_create(rows, batch_size=size)
    finally:
        if connection.vendor == "sqlite":
            if saved is None:
                del features.max_query_params
            else:
                features.max_query_params = saved


def point_name(unit: Unit) -> str:
    """ "Điểm cầu xã Bản Qua": the unit's name after "Điểm cầu", its first letter lowered."""
    return f"Điểm cầu {unit.name[:1].lower()}{unit.name[1:]}"


@transaction.atomic
def points_invite_level(
    *, actor, conference: Conference, parent: Unit | None, level: int, picks=()
) -> Invited:
    """Invite every unit at `level` under `parent` (None: all the actor sees) valid on the
    conference's day as a bridge point, with its designated operator and the people `picks`
    choose there as delegates. Units already points are left as they are: inviting again adds
    only what is missing."""
    conference = _locked(conference)
    require_host(actor, conference)
    _require_open(conference)
    picks = _checked_picks(picks)
    day = conference.day
    _check_scope(actor, parent, level, day)
    scope = _Scope(actor, parent, level)
    taken = set(conference.points.values_list("unit_id", flat=True))
    under = list(
        Unit.objects.filter(scope.q(), valid_on(day)).order_by("parent__code", "code", "pk")
    )
    units = [u for u in under if u.pk not in taken]
    operators = _operators(scope, day) if units else {}
    chosen = _chosen(scope, day, picks) if units else {}
    order = conference.points.aggregate(m=Max("order"))["m"] or 0
    points = _insert(
        BridgePoint,
        [
            BridgePoint(
                conference=conference,
                unit=unit,
                name=point_name(unit),
                operator_id=operators.get(unit.pk),
                order=order + i,
            )
            for i, unit in enumerate(units, start=1)
        ],
    )
    wanted = {pk for point in points for pk in chosen.get(point.unit_id, ())}
    names = _designations(wanted, day) if wanted else {}
    delegates = _insert(
        Delegate,
        [
            Delegate(
                point=point,
                person_id=pk,
                full_name=names[pk][0],
                designation=names[pk][1],
                order=i,
            )
            for point in points
            for i, pk in enumerate(chosen.get(point.unit_id, ()), start=1)
        ],
    )
    result = Invited(
        points=len(points),
        delegates=len(delegates),
        without_operator=sum(1 for p in points if p.operator_id is None),
        already_points=len(under) - len(units),
    )
    audit_record(
        actor=actor,
        action="points.invite",
        instance=conference,
        after={
            "parent": parent.pk if parent else None,
            "level": level,
            "picks": [asdict(p) for p in picks],
        }
        | asdict(result),
    )
    if points:
        # No tiles: thousands of them would be built and sent for consoles that then ask for
        # the state they show anyway (a change of "points.invited" makes every console sync).
        broadcast.publish(conference, "points.invited", points=(), items=())
    return result


def conference_previous(conference: Conference) -> Conference | None:
    """The conference of the same series and organizer held last before this one (cancelled
    ones left out): where the next briefing starts from."""
    if not conference.series:
        return None
    return (
        Conference.objects.filter(
            series=conference.series,
            organizer_id=conference.organizer_id,
            scheduled_start__lt=conference.scheduled_start,
        )
        .exclude(status="cancelled")
        .exclude(pk=conference.pk)
        .order_by("-scheduled_start", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Copied:
    points: int
    delegates: int
    units_gone: int
    already_points: int
    delegates_left: int  # held no position on this conference's day: not invited again


def _source_points(source: Conference, day, taken: set[int]):
    """The source's points to copy (unit still valid on `day`, not yet a point) and how many
    were left out for either reason."""
    rows = list(source.points.select_related("unit").order_by("-is_host", "order", "pk"))
    gone = [p for p in rows if not p.unit.is_valid_on(day)]
    already = [p for p in rows if p.unit.is_valid_on(day) and p.unit_id in taken]
    keep = [p for p in rows if p.unit.is_valid_on(day) and p.unit_id not in taken]
    return keep, len(gone), len(already)


@transaction.atomic
def points_copy_from(*, actor, conference: Conference, source: Conference) -> Copied:
    """Start `conference` from `source`'s bridge points (unit, name, room, operator) and their
    invited delegates, the designations read again as of this conference's day. Guests written
    by hand, delegates who hold no position any more on the day, points of units that no longer
    exist on the day (a reform) and units already points are not copied."""
    conference = _locked(conference)
    require_host(actor, conference)
    _require_open(conference)
    if source.pk == conference.pk:
        raise InvalidInput({"source": _("Choose another conference to copy from.")})
    if actor is not None:
        from giaoban.meetings.selectors import conferences_visible

        if not conferences_visible(user=actor).filter(pk=source.pk).exists():
            raise PermissionDenied(_("No such conference, or you may not see it."))
    day = conference.day
    taken = set(conference.points.values_list("unit_id", flat=True))
    keep, gone, already = _source_points(source, day, taken)
    has_host = conference.points.filter(is_host=True).exists()
    order = conference.points.aggregate(m=Max("order"))["m"] or 0
    points = _insert(
        BridgePoint,
        [
            BridgePoint(
                conference=conference,
                unit_id=p.unit_id,
                name=p.name,
                location=p.location,
                is_host=p.is_host and not has_host,
                operator_id=p.operator_id,
                order=order + i,
            )
            for i, p in enumerate(keep, start=1)
        ],
    )
    new_of = {old.pk: new for old, new in zip(keep, points, strict=True)}
    invited = list(
        Delegate.objects.filter(point_id__in=list(new_of), person__isnull=False, is_guest=False)
        .order_by("point_id", "order", "pk")
        .values_list("point_id", "person_id")
    )
    names = _designations({pk for _point, pk in invited}, day)
    rows, counts = [], {}
    for old_point, person_id in invited:
        counts[old_point] = counts.get(old_point, 0) + 1
        name, designation = names.get(person_id, (None, None))
        if name is None:  # left every position before this conference's day
            continue
        rows.append(
            Delegate(
                point=new_of[old_point],
                person_id=person_id,
                full_name=name,
                designation=designation,
                order=counts[old_point],
            )
        )
    delegates = _insert(Delegate, rows)
    result = Copied(len(points), len(delegates), gone, already, len(invited) - len(rows))
    audit_record(
        actor=actor,
        action="points.copy",
        instance=conference,
        after={"source": source.pk} | asdict(result),
    )
    if points:
        # No tiles: thousands of them would be built and sent for consoles that then ask for
        # the state they show anyway (a change of "points.invited" makes every console sync).
        broadcast.publish(conference, "points.invited", points=(), items=())
    return result
