"""What every operation of the API shares in its OpenAPI document: the one error body, the status
codes a refusal answers with, and ids bounded as the database holds them.

Each router declares its operations' answers with `answers(…)`, so the document lists every
status code an operation can return, each error with the `{"error": {code, message, field?,
fields?}}` schema that `giaoban.api.error_response` writes.
"""

from typing import Annotated

from ninja import Path, Schema
from pydantic import ConfigDict, Field

#: The largest primary key: every model's id is a BigAutoField (a signed 64-bit integer).
MAX_ID = 2**63 - 1

#: A record's id in a path: a positive integer the database can hold. Anything else (0, -1,
#: 2**63) is a 400 naming the parameter, not a 404 or a failed query.
PathId = Annotated[int, Path(gt=0, le=MAX_ID)]

#: A record's revision as a client sends it back: a PositiveIntegerField.
Revision = Annotated[int, Field(ge=0, le=2**31 - 1)]


#: A day as a query parameter: yyyy-mm-dd or dd/mm/yyyy (the way officials write it).
DAY_PATTERN = r"^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4})$"


class BodyIn(Schema):
    """A request body: a field it does not declare is refused (400 naming it), not ignored, so
    a misspelt `revison` cannot pass for a request without one."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Schema):
    code: str = Field(
        description="invalid, unauthenticated, forbidden, not_found, conflict, too_large, "
        "rate_limited or server_error",
        examples=["invalid"],
    )
    message: str = Field(description="What is wrong, in the user's language.")
    field: str | None = Field(None, description="The field the refusal is about, if one.")
    fields: dict[str, str] | None = Field(
        None, description="Every wrong field with its message, when several are wrong at once."
    )


class ErrorOut(Schema):
    """Every refusal and failure of the API, whatever its status code."""

    error: ErrorDetail


#: What any operation may answer: a request that is not what the document says (400), no or a
#: wrong token (401), too many requests with one token or wrong tokens from one address (429),
#: and a bug (500). All of them with ErrorOut.
COMMON = (400, 401, 429, 500)


def answers(ok, *codes: int, status: int = 200) -> dict:
    """The `response=` of an operation: its success schema under `status`, and ErrorOut under
    the common codes and the operation's own `codes` (403 forbidden, 404 not found, 409 a
    conflict with the record's state or revision, 413 a body too large)."""
    return {status: ok} | {code: ErrorOut for code in sorted({*COMMON, *codes})}


def refusals(*codes: int) -> dict:
    """The `response=` of an operation whose success is not JSON (a .docx, a PDF: described by
    its `openapi_extra`): ErrorOut under the common codes and the operation's own."""
    return {code: ErrorOut for code in sorted({*COMMON, *codes})}
