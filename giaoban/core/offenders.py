"""Clients that keep being refused wait before they are heard again.

Refusing a forged request is cheap, but not free: a session to load, a token to look up, a
console's state to send again after it reconnects. Twenty scripts sending refused messages as
fast as they are answered took most of the one process's time, and the officials' pages waited
behind them four to eight times longer than on a quiet server (bench.briefing, issue 13). So
each client's refusals are counted, and one refused too often waits before each further request
or message: a coroutine asleep costs the server nothing, and a script that waits for its
answers (as nearly all do) is slowed within seconds to one attempt in ten seconds.

A client is its session (a browser, logged in or not), else its API token's prefix (the part
stored in clear), else its address: an official is never slowed by an attacker on the same
network, nor a valid token by wrong ones sent from the same address. What counts as a refusal:
an HTTP 401, 403 or 429; a forged or malformed live-room message (a refusal of the moment only
when the console is refused faster than anyone clicks, meetings/live/consumer.py); a console
closed for having no place in the briefing (4403), or for too many refusals or a frame too
large (five refusals each); a handshake from another site.

The count is a score that halves every HALF_LIFE_S: a browser refused now and then (a link to a
page the user may not open, a form left open past its session) stays below THRESHOLD, and a
client slowed recovers within minutes of stopping. Past THRESHOLD the waits double with each
refusal, as any client's back-off: 0.5, 1, 2, 4, 8, then 10 s; the first few refusals of a
script are answered at once, so an attack's first seconds are its only burst (bench.briefing).
Kept in the memory of one process (each process of `giaoban serve --workers N` counts its own
clients), for at most MAX_CLIENTS clients.
"""

import asyncio
import hashlib
import logging
import math
import time
from collections import OrderedDict

from django.conf import settings
from django.http.cookie import parse_cookie

from giaoban.core.services import PREFIX_LENGTH

log = logging.getLogger("giaoban.offenders")

#: Refusals (to the nearest whole one) from which a client's requests wait.
THRESHOLD = 3
#: The score of a client halves in this many seconds.
HALF_LIFE_S = 300.0
#: The first wait, at THRESHOLD; it doubles every DOUBLING_EVERY further refusals ...
FIRST_DELAY_S, DOUBLING_EVERY = 0.5, 1
#: ... up to this.
MAX_DELAY_S = 10.0
#: Clients remembered at once; the longest unheard of are forgotten first.
MAX_CLIENTS = 10_000
#: The HTTP answers that count as a refusal.
REFUSED_STATUSES = frozenset({401, 403, 429})


class Offenders:
    """The refusal scores of the clients of this process."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._scores: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def score(self, key: str) -> float:
        value, at = self._scores.get(key, (0.0, 0.0))
        if not value:
            return 0.0
        return value * 0.5 ** ((self._clock() - at) / HALF_LIFE_S)

    def note(self, key: str, weight: float = 1.0, where: str = "") -> None:
        """Count `weight` refusals of `key`; `where` names the client in the one log line
        written when it starts to wait."""
        before = self.score(key)
        self._scores[key] = (before + weight, self._clock())
        self._scores.move_to_end(key)
        while len(self._scores) > MAX_CLIENTS:
            self._scores.popitem(last=False)
        if round(before) < THRESHOLD <= round(before + weight):
            log.warning("%s refused %d times: its requests now wait", where or key, THRESHOLD)

    def delay(self, key: str) -> float:
        """Seconds the client's next request or message waits: 0 below THRESHOLD."""
        # To the nearest whole refusal: three refusals are three until the count has decayed
        # below 2.5 (about a minute and a half), not only at the instant of the third.
        excess = round(self.score(key)) - THRESHOLD
        if excess < 0:
            return 0.0
        if excess >= DOUBLING_EVERY * math.log2(MAX_DELAY_S / FIRST_DELAY_S):
            return MAX_DELAY_S
        return FIRST_DELAY_S * 2 ** (excess / DOUBLING_EVERY)

    def clear(self) -> None:
        self._scores.clear()


#: The one table of this process.
offenders = Offenders()

#: How a client waits (a name of this module, so that a test can see the waits without taking
#: them).
_sleep = asyncio.sleep


async def hold(key: str) -> None:
    """Wait the client's delay, if it has one."""
    wait = offenders.delay(key)
    if wait:
        await _sleep(wait)


def header(scope, name: bytes) -> str:
    """An ASGI scope's header (lower-case name), or ""."""
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def _session(scope) -> str | None:
    # Django's own reading of the Cookie header, lenient as browsers are: the standard
    # library's SimpleCookie gave up on the whole header for one cookie it did not like.
    return parse_cookie(header(scope, b"cookie")).get(settings.SESSION_COOKIE_NAME) or None


def client_key(scope) -> str:
    """Who sent an ASGI request or opened a socket: its session, else its token's prefix, else
    its address (uvicorn has already read it from the trusted proxies' X-Forwarded-For). A
    session key is kept as a digest: the table must not hold what would open a session."""
    session = _session(scope)
    if session:
        return "session:" + hashlib.blake2b(session.encode(), digest_size=12).hexdigest()
    authorization = header(scope, b"authorization")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + token.strip().removeprefix("gb_")[:PREFIX_LENGTH]
    client = scope.get("client") or ("?", 0)
    return f"address:{client[0]}"


def describe(scope, key: str) -> str:
    """The client in a log line: its kind of key and its address, never the session."""
    client = scope.get("client") or ("?", 0)
    return f"{key.split(':')[0]} from {client[0]}"


def refused(scope, weight: float = 1.0) -> str:
    """Count a refusal of the client of `scope` (an ASGI request or socket); returns its key."""
    key = client_key(scope)
    offenders.note(key, weight=weight, where=describe(scope, key))
    return key
