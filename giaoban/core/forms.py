"""What every app's pages share about forms."""

from giaoban.core.errors import ApplicationError, InvalidInput


def add_errors(form, exc: ApplicationError) -> None:
    """A service's refusal on the form, beside the field it names when the form has it."""
    errors = exc.errors if isinstance(exc, InvalidInput) else {exc.field: exc.message}
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)
