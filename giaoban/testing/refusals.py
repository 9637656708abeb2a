"""Tests' check of a refusal: the exact error class, its exact message, and the field it names —
not any refusal at all (a planted bug refusing for another reason must fail the test)."""

from contextlib import contextmanager

import pytest

from giaoban.core.errors import ApplicationError


@contextmanager
def refused(kind: type[ApplicationError], message: str, *, field: str | None = None):
    """Expect the block to raise exactly `kind` (not a subclass) with `message` as it reads, and,
    when given, naming `field`. Yields pytest's ExceptionInfo for further checks."""
    with pytest.raises(kind) as caught:
        yield caught
    error = caught.value
    assert type(error) is kind, f"{type(error).__name__} refused instead: {error.message}"
    assert error.message == message
    if field is not None:
        assert error.field == field, error.field
