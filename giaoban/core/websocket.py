"""The WebSocket door: the Origin check and the answer for a path no route knows."""

from urllib.parse import urlsplit

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.security.websocket import WebsocketDenier
from django.conf import settings

from giaoban.core import offenders

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the default port filled in, or None for a malformed one."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    return (scheme, (parts.hostname or "").lower(), port) if parts.hostname else None


def origin_allowed(scope) -> bool:
    """Whether the handshake's Origin is the site itself (scheme, host and port of the socket's
    own address) or one of CSRF_TRUSTED_ORIGINS: the rule Django's CSRF check applies to forms.

    Channels' AllowedHostsOriginValidator compares the host alone, so `http://127.0.0.1:9999` or
    `https://127.0.0.1` passed for a site served on another port or scheme (issue 13).
    """
    raw = offenders.header(scope, b"origin")
    if not raw:
        return False
    parts = urlsplit(raw)
    given = _origin(parts.scheme, parts.netloc)
    own_scheme = "https" if scope.get("scheme") == "wss" else "http"
    allowed = [_origin(own_scheme, offenders.header(scope, b"host"))]
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        trusted_parts = urlsplit(trusted)
        allowed.append(_origin(trusted_parts.scheme, trusted_parts.netloc))
    return given is not None and given in allowed


class OriginValidator:
    """ASGI middleware: a WebSocket handshake from another origin is refused (403) before any
    consumer runs; inside Channels' host check, which still applies ALLOWED_HOSTS."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            offenders.refused(scope)
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)


class NoRoute(AsyncWebsocketConsumer):
    """Any WebSocket path no route matches (`/ws/conferences/abc/`): closed with 4404 instead of
    Channels' "No route found" exception, an HTTP 500."""

    async def connect(self):
        await self.accept()
        await self.close(code=4404)
