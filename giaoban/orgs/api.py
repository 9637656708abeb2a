"""Registry endpoints: units by parent and date, people by name."""

from ninja import Query, Router, Schema

from giaoban.core.apischema import DAY_PATTERN, answers
from giaoban.orgs import selectors

router = Router(tags=["registry"])


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    level: int
    parent: str | None


class PositionOut(Schema):
    title: str
    organization: str
    protocol_rank: int
    start_date: str | None
    end_date: str | None


class PersonOut(Schema):
    id: int
    full_name: str
    designation: str
    unit: str
    positions: list[PositionOut]


def _unit_out(unit) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "level": unit.level,
        "parent": unit.parent.code if unit.parent else None,
    }


@router.get(
    "/units/", response=answers(list[UnitOut], 404), summary="Units under a parent on a date"
)
def units(
    request,
    parent: str | None = Query(None, max_length=20),
    on: str | None = Query(None, pattern=DAY_PATTERN),
):
    """Children of the unit with official code `parent` (or the caller's top units) on date `on`."""
    day = selectors.parse_day(on, default=selectors.default_day(user=request.user))
    parent_unit = selectors.unit_by_code(user=request.user, code=parent, on=day) if parent else None
    children = selectors.unit_children(user=request.user, on=day, parent=parent_unit)
    return [_unit_out(unit) for unit in children]


def _person_out(person, day) -> dict:
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "designation": person.designation(day),
        "unit": person.unit.name,
        "positions": [
            {
                "title": p.title,
                "organization": p.organization.name,
                "protocol_rank": p.protocol_rank,
                "start_date": p.start_date.isoformat() if p.start_date else None,
                "end_date": p.end_date.isoformat() if p.end_date else None,
            }
            for p in person.positions_on(day)
        ],
    }


@router.get("/people/", response=answers(list[PersonOut]), summary="Search people")
def people(
    request,
    q: str = Query("", max_length=200),
    on: str | None = Query(None, pattern=DAY_PATTERN),
):
    """People whose name or titles contain `q`, ignoring case, diacritics and tone placement."""
    day = selectors.parse_day(on, default=selectors.default_day(user=request.user))
    found = selectors.person_search(user=request.user, text=q)
    return [_person_out(person, day) for person in found]
