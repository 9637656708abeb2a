"""The Janus servers as a pool, and where each bridge point of a conference goes.

The administrator lists the servers (`MediaServer`: the app's WebSocket URL, the public URL the
points' browsers reach, a region, a capacity in points). Without any row, the servers of
`JANUS_URL` are the pool, with no region and no limit, so that a deployment with one Janus (the
demo) runs as before: the whole conference on `JANUS_URL[id % n]`.

A conference gets an origin server (the host's) and as many edges as its points need. A point
goes to a server of its province's region that has room, else to a server the conference already
uses (the origin first), else to the least loaded server with room.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from giaoban.media.models import MediaPeer, MediaServer
from giaoban.meetings.models import BridgePoint, Conference, ConferenceStatus

UNLIMITED = 10**9


@dataclass(frozen=True)
class Server:
    url: str
    public_url: str
    regions: frozenset[str]
    capacity: int
    name: str = ""


def servers(*, enabled_only: bool = True) -> list[Server]:
    """The pool: the table's servers, or JANUS_URL's when the table is empty."""
    rows = list(MediaServer.objects.all())
    if not rows:
        # As before the pool: browsers reach every server by JANUS_BROWSER_URL.
        browser = getattr(settings, "JANUS_BROWSER_URL", "") or ""
        return [Server(u, browser or u, frozenset(), UNLIMITED, u) for u in settings.JANUS_URLS]
    return [
        Server(
            r.url,
            r.public_url or r.url,
            frozenset(c.strip() for c in r.region.split(",") if c.strip()),
            r.capacity,
            r.name,
        )
        for r in rows
        if r.enabled or not enabled_only
    ]


_PUBLIC: tuple[float, list[str]] = (0.0, [])


def public_urls() -> list[str]:
    """The listed servers' public URLs, for the pages' Content-Security-Policy (connect-src;
    JANUS_BROWSER_URL is there already): read again every 10 s at most, not per request, and
    never a reason for a page to fail."""
    global _PUBLIC
    now = time.monotonic()
    if now - _PUBLIC[0] > 10:
        try:
            rows = MediaServer.objects.filter(enabled=True).values_list("public_url", "url")
            _PUBLIC = (now, sorted({public or url for public, url in rows}))
        except Exception:  # no database yet, or a request outside one
            return _PUBLIC[1]
    return _PUBLIC[1]


def forget() -> None:
    """The list changed (admin): the next request reads it again."""
    global _PUBLIC
    _PUBLIC = (0.0, [])


def configured() -> bool:
    return bool(settings.JANUS_URLS) or MediaServer.objects.exists()


def server(url: str) -> Server | None:
    return next((s for s in servers(enabled_only=False) if s.url == url), None)


def public_url(url: str) -> str:
    known = server(url)
    return known.public_url if known else url


def region_of(point: BridgePoint) -> str:
    """The official code of the point's province: its unit's, or the first of its path."""
    unit = point.unit
    if unit.level == 1 or not unit.path.strip("/"):
        return unit.code
    ancestors = unit.ancestors()
    return ancestors[0].code if ancestors else unit.code


def loads(conference: Conference | None = None) -> dict[str, int]:
    """Points placed on each server by the live conferences (and by `conference`)."""
    live = Q(point__conference__status=ConferenceStatus.LIVE)
    if conference is not None:
        live |= Q(point__conference=conference)
    rows = (
        MediaPeer.objects.filter(live).exclude(server="").values("server").annotate(n=Count("id"))
    )
    return {row["server"]: row["n"] for row in rows}


def choose_origin(conference: Conference, host: BridgePoint | None, *, avoid=()) -> str | None:
    pool = [s for s in servers() if s.url not in avoid]
    if not pool:
        return None
    if all(s.capacity == UNLIMITED and not s.regions for s in pool) and not avoid:
        return pool[conference.pk % len(pool)].url  # JANUS_URL's servers: as before
    load = loads()
    region = region_of(host) if host else ""
    return _best(pool, load, region, used=[])


def choose(point: BridgePoint, *, used: list[str], load: dict[str, int], avoid=()) -> str | None:
    """The server for `point`: `used` are the conference's servers (origin first), `load` the
    points already on each (updated by the caller as it places)."""
    pool = [s for s in servers() if s.url not in avoid]
    if not pool:
        return None
    return _best(pool, load, region_of(point), used=used)


def _best(pool: list[Server], load: dict[str, int], region: str, *, used: list[str]) -> str:
    room = [s for s in pool if load.get(s.url, 0) < s.capacity]
    local = [s for s in room if region and region in s.regions]
    if local:
        return min(local, key=lambda s: (s.url not in used, load.get(s.url, 0) / s.capacity)).url
    for url in used:  # fill the servers the conference has before opening another edge
        if any(s.url == url for s in room):
            return url
    if room:
        return min(room, key=lambda s: load.get(s.url, 0) / s.capacity).url
    return min(pool, key=lambda s: load.get(s.url, 0) / max(s.capacity, 1)).url  # all full
