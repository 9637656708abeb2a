"""Text lengths taken from the model fields: the one number the services, the API, the live room
and the database agree on."""

from django.db import models
from django.utils.translation import gettext as _

from giaoban.core.errors import InvalidInput


def max_length(model: type[models.Model], field: str) -> int:
    return model._meta.get_field(field).max_length


def check_lengths(model: type[models.Model], keys: dict[str, str] | None = None, **values) -> None:
    """Refuse texts longer than their model field's max_length, naming each field and its limit.

    `values` are keyed by model field; `keys` renames a field for the refusal when the caller
    knows it by another name (a roll call's `reason` is the delegate's `absence_reason`).
    Without this SQLite stored a million characters in a 300-character column and PostgreSQL
    answered 500 (issue 13).
    """
    errors = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        if value is not None and len(value) > field.max_length:
            label = str(field.verbose_name)
            errors[(keys or {}).get(name, name)] = _("%(field)s: at most %(limit)d characters.") % {
                "field": label[:1].upper() + label[1:],
                "limit": field.max_length,
            }
    if errors:
        raise InvalidInput(errors)


#: The live room's search of bridge points by name (the host console of a large conference) and
#: the largest page it may ask for: bounded like the room's other texts (issue 15).
LIVE_SEARCH_CHARS = 100
LIVE_PAGE_MAX = 100
#: The largest offset a page of points may start at (the API's and the live room's).
LIVE_OFFSET_MAX = 10_000_000
