"""Optimistic locking: a record carries a number that every save bumps; a save based on an older
number (a page opened before someone else's save) is refused, and the user's input kept."""

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from giaoban.core.errors import ConcurrentEdit


def stale(name: str) -> ConcurrentEdit:
    """The refusal of an edit made on a page opened before someone else's save of `name`."""
    return ConcurrentEdit(
        _(
            "Someone else changed “%(name)s” after you opened it. Your input is kept below: "
            "reload the page to see their change, then apply yours again."
        )
        % {"name": name}
    )


def save_revised(
    rows: QuerySet, pk, number: int | None, values: dict, *, name: str, field: str = "revision"
) -> None:
    """Write `values` on row `pk` of `rows` if its `field` still holds `number`, and bump it; in
    one UPDATE, so that of two saves at once exactly one wins. Raise `stale(name)` otherwise
    (also when `rows`, filtered by the caller, no longer admits the row, or when `number` is
    None: the page carried none)."""
    bumped = {field: F(field) + 1}
    if number is None or not rows.filter(pk=pk, **{field: number}).update(**values, **bumped):
        raise stale(name)


def check_revised(locked, number: int | None, *, name: str, field: str = "revision") -> None:
    """For a row already locked with select_for_update, whose save bumps `field` later: raise
    `stale(name)` if it moved past `number` (None: the caller, an API client, saw no number)."""
    if number is not None and getattr(locked, field) != number:
        raise stale(name)
