"""Admission of HTTP requests: at most HTTP_CONCURRENCY run Django's code at once, the others
wait their turn on the event loop.

Under ASGI, Django runs each request's code in a thread of its own, and a thread holds a
database connection from its first query to the end of its response. Unbounded, a burst of
requests on a busy machine became as many threads: on PostgreSQL they asked for more sessions
than the pool holds (DATABASE_POOL_MAX) and, after DATABASE_POOL_TIMEOUT, answered 500 (before
the pool, "too many clients"); on SQLite and PostgreSQL alike a hundred threads shared the GIL
with the event loop, which then answered WebSocket handshakes too late (bench.briefing, issue
13). A waiting request here costs a coroutine, not a thread or a session; the requests admitted
run sooner, and the live room's sockets keep their share of the process.

A request that waits longer than HTTP_QUEUE_WAIT seconds is answered 503 with Retry-After, in
Vietnamese (or the API's JSON error): the server is overloaded, not broken.

Before it queues, a request of a client refused too often waits its delay (core/offenders.py),
and each answer of 401, 403 or 429 is counted against its client; `WebsocketAdmission` does the
same for a console's handshake.
"""

import asyncio
import json
import logging

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from giaoban.core.offenders import REFUSED_STATUSES, client_key, describe, hold, offenders

log = logging.getLogger("giaoban.admission")

#: Answered without waiting: a liveness probe must not be failed by a queue, and static files
#: need neither a session nor the database.
EXEMPT = ("/health/live", "/static/")

#: Seconds a client is told to wait before trying again after a 503.
RETRY_AFTER_S = 5


def busy_message() -> str:
    """In the active language; outside a request (the queue answers before Django has chosen
    one), in the site's."""
    return _("The server is busy. Please try again in a few seconds.")


def busy_response_parts(path: str) -> tuple[bytes, bytes]:
    """The body and content type of a 503 for `path`: the API's JSON error, else a short page."""
    message = busy_message()
    if path.startswith("/api/"):
        body = {"error": {"code": "busy", "message": message}}
        return json.dumps(body, ensure_ascii=False).encode(), b"application/json"
    page = f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>503</title><p>{message}'
    return page.encode(), b"text/html; charset=utf-8"


class HttpAdmission:
    """ASGI middleware: HTTP requests through a FIFO semaphore of `limit`; others untouched."""

    def __init__(self, app, *, limit: int, wait_s: float):
        self.app = app
        self.limit = limit
        self.wait_s = wait_s
        self._loop = None
        self._slots: asyncio.Semaphore | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        # One per event loop: a semaphore belongs to the loop it first waited in (tests run
        # several loops in one process; uvicorn runs one).
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._slots = loop, asyncio.Semaphore(self.limit)
        return self._slots

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT):
            return await self.app(scope, receive, send)
        key = client_key(scope)
        await hold(key)
        slots = self._semaphore()
        try:
            await asyncio.wait_for(slots.acquire(), self.wait_s)
        except TimeoutError:
            log.warning(
                "busy: %s %s waited %g s for a slot", scope["method"], scope["path"], self.wait_s
            )
            await _busy(scope, send)
            return
        held = True

        async def send_then_free(message):
            # A download streamed to a slow line (a recording of hours) would keep its slot for
            # minutes: once Django's code has answered and the body streams, the slot is free.
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] in REFUSED_STATUSES:
                offenders.note(key, where=describe(scope, key))
            await send(message)
            if held and message["type"] == "http.response.body" and message.get("more_body"):
                held = False
                slots.release()

        try:
            return await self.app(scope, receive, send_then_free)
        finally:
            if held:
                slots.release()


class WebsocketAdmission:
    """ASGI middleware: a console's handshake from a client refused too often waits its delay
    first (a script reconnecting each time it is closed for its refusals would otherwise cost a
    session's load and a whole state each time); the consumer counts the refusals."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            await hold(client_key(scope))
        return await self.app(scope, receive, send)


async def _busy(scope, send) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        body, content_type = busy_response_parts(scope["path"])
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_S).encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})
