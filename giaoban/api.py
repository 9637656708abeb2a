"""The HTTP API at /api/v1/: authentication, JSON errors, and each app's router."""

import functools
import json
import logging

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.params.models import BodyModel, FileModel, FormModel
from ninja.security import HttpBearer

from giaoban.core.db import database_busy
from giaoban.core.errors import ApplicationError, InvalidInput
from giaoban.core.security import RateLimited, SessionAuth, token_user
from giaoban.core.views import busy_response

logger = logging.getLogger("giaoban.api")

_STATUS = {"invalid": 400, "forbidden": 403, "not_found": 404, "conflict": 409}


def _docs_access(view):
    """The API's description (/docs, /openapi.json) for logged-in people and for programs with
    a token: a program reads the document it is written against with the token it uses."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":  # a person: the login page, as for every page
            return redirect_to_login(request.get_full_path())
        try:
            user = token_user(request, raw.strip()) if raw.strip() else None
        except RateLimited as exc:
            return _rate_limited(request, exc)
        if user is None:
            return _unauthenticated(request, None)
        request.user = user
        return view(request, *args, **kwargs)

    return wrapper


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`, with a token from `giaoban token create USERNAME`."""

    def authenticate(self, request, token):
        user = token_user(request, token)  # counts wrong tokens and requests per token
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="giaoban API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # A browser session must send the CSRF token with every write; a Bearer token needs none.
    auth=[BearerToken(), SessionAuth()],
    # The API's description is for logged-in people and programs, like everything else.
    docs_decorator=_docs_access,
)


def error_response(request, status: int, code: str, message: str, field=None, fields=None):
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    if fields:
        body["fields"] = fields  # every wrong field at once, e.g. each bad cell of an upload
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(ApplicationError)
def _application_error(request, exc: ApplicationError):
    fields = exc.errors if isinstance(exc, InvalidInput) else None
    status = _STATUS.get(exc.code, 400)
    return error_response(request, status, exc.code, exc.message, exc.field, fields)


@api.exception_handler(RateLimited)
def _rate_limited(request, exc: RateLimited):
    response = error_response(request, 429, exc.code, exc.message)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(
        request,
        401,
        "unauthenticated",
        _("Log in or send a valid token: Authorization: Bearer <token>."),
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    where = list(first.get("loc", []))
    if where[:1] == ["body"] and len(where) > 2:
        del where[1]  # the view's parameter ("payload"): the body's own fields are named
    field = ".".join(str(part) for part in where[1:]) or None
    message = _("The value of “%(field)s” is not valid.") % {"field": field or "?"}
    return error_response(request, 400, "invalid", _with_bounds(message, first), field)


def _with_bounds(message: str, error: dict) -> str:
    """A number out of its bounds says them: “limit” from 1 to 100."""
    kind, ctx = error.get("type"), error.get("ctx") or {}
    if kind == "greater_than_equal" and "ge" in ctx:
        return f"{message} " + _("At least %(low)s.") % {"low": ctx["ge"]}
    if kind == "less_than_equal" and "le" in ctx:
        return f"{message} " + _("At most %(high)s.") % {"high": ctx["le"]}
    return message


@api.exception_handler(Http404)
def _missing(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if str(exc).startswith("Cannot parse request body"):  # django-ninja's, in English only
        message = _("The request body cannot be read: send valid JSON.")
        return error_response(request, 400, "invalid", message)
    return error_response(request, exc.status_code, "error", str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    """A body past DATA_UPLOAD_MAX_MEMORY_SIZE: Django refuses to read it."""
    message = _("The request body is too large.")
    return error_response(request, 413, "too_large", message)


@api.exception_handler(OverflowError)
def _overflow(request, exc: OverflowError):
    """A number no integer can hold ({"point": 1e999}, an id past 64 bits) reached a
    conversion: the request is wrong, not the server."""
    message = _("A number in the request is too large.")
    return error_response(request, 400, "invalid", message)


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    """A bug: one log record with its traceback, and the same JSON shape as every other answer
    (django-ninja would let Django answer with an HTML page). A database too busy to answer in
    time is an overload, answered 503 with Retry-After."""
    if database_busy(exc):
        logger.warning("API busy %s %s: %s", request.method, request.path, exc)
        return busy_response(request.path)
    logger.error(
        "API error %s %s", request.method, request.path, exc_info=exc, extra={"status_code": 500}
    )
    message = _("Something went wrong on the server. Try again later; if it persists, tell us.")
    response = error_response(request, 500, "server_error", message)
    response._has_been_logged = True  # django.request would add a second record of it
    return response


_FORMS = {"multipart/form-data", "application/x-www-form-urlencoded"}


def _empty_body(request) -> bool:
    try:
        return not request.body
    except RawPostDataException:  # already read as a form (the CSRF check reads POST)
        return not (request.POST or request.FILES)


def _body_checked(run):
    """An operation that takes a JSON object refuses any other JSON value ("x", 1, [], null),
    and one that takes no body refuses a body that is not empty or {} — django-ninja would
    read a JSON string as no body at all, and `POST /assignments/ID/accept` with "x" accepted
    the assignment. An operation that reads its body by hand says so in its requestBody."""
    operation = run.__self__
    declared = (operation.openapi_extra or {}).get("requestBody")
    forms = any(issubclass(m, FileModel | FormModel) for m in operation.models)
    takes_object = any(issubclass(m, BodyModel) for m in operation.models)

    @functools.wraps(run)
    def checked(request, *args, **kwargs):
        if takes_object and not (declared or forms) and request.content_type in _FORMS:
            # A form was read for the NUL check, so the raw body is gone (a 500 before).
            message = _("Send the request body as JSON (Content-Type: application/json).")
            return error_response(request, 400, "invalid", message, "body")
        if declared or forms or _empty_body(request):
            return run(request, *args, **kwargs)
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body)
            except (UnicodeDecodeError, ValueError):
                if takes_object:  # not JSON at all: the parser's own message says so
                    return run(request, *args, **kwargs)
            else:
                if isinstance(body, dict) and (takes_object or not body):
                    return run(request, *args, **kwargs)
        if takes_object:
            message = _("The request body must be a JSON object.")
        else:
            message = _("This operation takes no request body.")
        return error_response(request, 400, "invalid", message, "body")

    return checked


def _register_routers() -> None:
    from giaoban.documents.api import router as documents_router
    from giaoban.documents.verify_api import router as verify_router
    from giaoban.followup.api import router as followup_router
    from giaoban.home.api import router as home_router
    from giaoban.media.api import router as media_router
    from giaoban.meetings.api import router as meetings_router
    from giaoban.ops.api import router as ops_router
    from giaoban.orgs.api import router as orgs_router
    from giaoban.publishing.api import router as publishing_router
    from giaoban.reporting.api import router as reporting_router

    routers = (
        orgs_router,
        reporting_router,
        meetings_router,
        followup_router,
        media_router,
        publishing_router,
        verify_router,
        documents_router,
        ops_router,
        home_router,
    )
    for router in routers:
        router.add_decorator(_body_checked, mode="view")
    api.add_router("/", orgs_router)
    api.add_router("/", reporting_router)
    api.add_router("/", meetings_router)
    api.add_router("/", followup_router)
    api.add_router("/", media_router)
    api.add_router("/", publishing_router)
    api.add_router("/", verify_router)  # before documents/{id}: "verify" is not an id
    api.add_router("/", documents_router)
    api.add_router("/", ops_router)
    api.add_router("/", home_router)


_register_routers()
