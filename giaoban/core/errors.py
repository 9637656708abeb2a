"""The one exception type that services raise for a refused action, with a translatable message."""


class ApplicationError(Exception):
    """A request the domain refuses; `message` is shown to the user as it is."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class PermissionDenied(ApplicationError):
    code = "forbidden"


class NotFound(ApplicationError):
    code = "not_found"


class ConcurrentEdit(ApplicationError):
    """Someone else saved the same record since this user opened it."""

    code = "conflict"


class InvalidInput(ApplicationError):
    """Several fields are wrong at once; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str], message: str | None = None):
        first = message or next(iter(errors.values()))
        super().__init__(first, field=next(iter(errors), None))
        self.errors = errors
