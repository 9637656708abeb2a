"""The hardened surface: security headers, the API's session CSRF check and token rate limits.

The policy itself lives in settings (CONTENT_SECURITY_POLICY, read by django-csp); this module
adds what depends on the request (the live room's WebSocket origin, the Janus server) and the
limits that must hold across app processes (they count in the shared cache: Redis when
REDIS_URL is set).
"""

import ipaddress
import json
import logging
from datetime import timedelta

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from ninja.errors import HttpError
from ninja.security import SessionAuth as _NinjaSessionAuth
from ninja.utils import check_csrf
from redis.exceptions import RedisError

from giaoban.core.errors import ApplicationError
from giaoban.core.models import ApiToken

logger = logging.getLogger(__name__)

#: Browser features the pages may use: the consoles need the camera and the microphone.
PERMISSIONS_POLICY = (
    "camera=(self), microphone=(self), display-capture=(self), fullscreen=(self), "
    "geolocation=(), payment=(), usb=(), serial=(), midi=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()"
)


#: Functions giving more origins the pages may connect to, registered by the apps that know
#: them (the media app: each Janus server of its pool), so that core imports no domain app.
connect_sources: list = []


def _janus_sources() -> list[str]:
    # Set by the media app when browsers talk to Janus directly (another host or port).
    value = getattr(settings, "JANUS_BROWSER_URL", None) or []
    sources = [value] if isinstance(value, str) else list(value)
    for more in connect_sources:
        sources += [url for url in more() if url not in sources]
    return sources


class SecurityHeadersMiddleware(CSPMiddleware):
    """django-csp's middleware, with the request's own ws:/wss: origin and Janus in connect-src,
    and the Permissions-Policy header."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        try:
            host = request.get_host()
        except DisallowedHost:
            return parts
        extra = [f"ws://{host}", f"wss://{host}", *_janus_sources()]
        parts.update = {**(parts.update or {})}
        parts.update["connect-src"] = [*parts.update.get("connect-src", []), *extra]
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class SessionAuth(_NinjaSessionAuth):
    """The API under a browser session: a logged-in user's writes need the CSRF token.

    django-ninja's own session auth checks CSRF before it knows whether anyone is logged in, so
    an anonymous POST got 403 instead of 401; here only a logged-in session is checked, with a
    translated message.
    """

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403,
                _("The security check (CSRF) failed: reload the page, or send a token."),
            )
        return request.user


class RateLimited(ApplicationError):
    """Too many requests from one address or with one token; the API answers 429."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _usage(request, *, group: str, key, rate: str, increment: bool) -> dict | None:
    """django-ratelimit's count, or None (no limit) while the shared cache is unreachable:
    losing Redis must not lock every program out of the API."""
    try:
        return get_usage(request, group=group, key=key, rate=rate, increment=increment)
    except RedisError:
        logger.warning("rate limit not counted: the cache is unreachable", exc_info=True)
        return None


def _too_many(usage: dict | None, *, spent: bool) -> RateLimited | None:
    """A refusal once the budget is spent: `spent` when this request was already counted."""
    if not usage or usage["count"] < usage["limit"] + (1 if spent else 0):
        return None
    return RateLimited(
        _("Too many requests. Please wait %(seconds)d seconds and try again.")
        % {"seconds": usage["time_left"]},
        retry_after=max(1, usage["time_left"]),
    )


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind the proxies of TRUSTED_PROXIES the last
    address of X-Forwarded-For that none of them added.

    Read from the right: each trusted proxy appends the address it received from, and anything
    to the left of the first untrusted one was written by the client, who may write anything.
    The login lock-out (django-axes) and the API limits all count by this address.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    current = _address(peer)
    if current is None or not _trusted(current):
        return peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # garbled by the client: the last proxy's word is all we have
        current = address
        if not _trusted(address):
            break
    return str(current)


def _note_use(token: ApiToken) -> None:
    """Keeps `last_used_at` to the minute for `giaoban token list`: one write a minute at most."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def token_user(request, raw: str):
    """The user of a Bearer token, counting wrong tokens per address and requests per token.

    Only wrong tokens are counted against the address and only they are refused once it sent
    too many (guessing): a good token from the same address (a colleague's program behind the
    same NAT, or the same program after a typo) keeps working. A token is 43 random characters,
    so letting it through cannot help a guesser. Raises RateLimited past either budget.
    """
    found = ApiToken.objects.for_raw(raw)
    if found is None or not found.user.is_active:
        failures = dict(
            group="api-token-failure",
            key=lambda group, request: client_ip(request),
            rate=settings.API_TOKEN_FAILURES,
        )
        refused = _too_many(_usage(request, increment=False, **failures), spent=False)
        if refused:
            raise refused
        _usage(request, increment=True, **failures)
        return None
    _note_use(found)
    refused = _too_many(
        _usage(
            request,
            group="api-token-rate",
            key=lambda group, request: found.digest,
            rate=settings.API_TOKEN_RATE,
            increment=True,
        ),
        spent=True,
    )
    if refused:
        raise refused
    return found.user


# U+0000 ----------------------------------------------------------------------------------------


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _request_holds_nul(request) -> bool:
    """In the query string, a form's fields or a JSON body; uploaded files are not text."""
    if _holds_nul(dict(request.GET.lists())):
        return True
    if request.method not in {"POST", "PUT", "PATCH"}:
        return False
    if request.content_type == "application/json":
        try:
            return _holds_nul(json.loads(request.body or b"null"))
        except ValueError:
            return False  # not JSON: the view refuses it with its own message
    if request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        return _holds_nul(dict(request.POST.lists()))
    return False


class NulCharacterMiddleware:
    """Refuses a request whose text holds U+0000 with a 400, before any view.

    No field may hold it, and PostgreSQL cannot store it in text at all: without this it failed
    deep in a query or an audit entry (a 500, found by the API fuzz).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            holds_nul = _request_holds_nul(request)
        except RequestDataTooBig:
            if not request.path_info.startswith("/api/"):
                raise  # Django's 400 page
            # Every API answer is JSON: Django's own refusal of a body past
            # DATA_UPLOAD_MAX_MEMORY_SIZE is an HTML 400.
            message = _("The request body is too large.")
            return JsonResponse({"error": {"code": "too_large", "message": message}}, status=413)
        if not holds_nul:
            return self.get_response(request)
        message = _("The request holds a NUL character (U+0000), which no field may contain.")
        if request.path_info.startswith("/api/"):
            body = {"error": {"code": "invalid", "message": message}}
            return JsonResponse(body, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
