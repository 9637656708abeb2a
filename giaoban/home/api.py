"""The home endpoints of /api/v1/: one search across the registry, conferences and tasks."""

from ninja import Query, Router, Schema

from giaoban.core.apischema import answers
from giaoban.home import selectors

router = Router(tags=["home"])


class Hit(Schema):
    kind: str  # unit, organization, person, conference, task
    id: int
    label: str
    detail: str


class SearchOut(Schema):
    query: str
    results: list[Hit]


def _hits(found) -> list[dict]:
    hits = [("unit", u.pk, u.name, u.code) for u in found.units]
    hits += [("organization", o.pk, o.name, o.unit.name) for o in found.organizations]
    hits += [("person", p.pk, p.designation(), p.unit.name) for p in found.people]
    hits += [
        ("conference", c.pk, c.title, f"{c.scheduled_start:%Y-%m-%d}") for c in found.conferences
    ]
    hits += [("task", t.pk, t.title, f"{t.deadline:%Y-%m-%d}") for t in found.tasks]
    return [dict(zip(("kind", "id", "label", "detail"), hit, strict=True)) for hit in hits]


@router.get(
    "/search", response=answers(SearchOut), summary="Search units, people, conferences and tasks"
)
def search(request, q: str = Query("", max_length=200)):
    """What the caller may see whose name contains `q`, ignoring case, diacritics and tone
    placement ("Uỷ" = "Ủy" = "uy"); fewer than two letters find nothing."""
    found = selectors.search(user=request.user, text=q)
    return {"query": found.query, "results": _hits(found)}
