"""Reads of the media app: what a console needs to join the conference's room, and each point's
media state as Janus last reported it."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from giaoban.media import cascade, pool, services
from giaoban.media.janus_conf import browser_token
from giaoban.media.models import (
    JobState,
    MediaPeer,
    MediaRelay,
    MediaRoom,
    MediaTest,
    Recording,
    RecordingJob,
    RoomState,
)
from giaoban.meetings.access import Role
from giaoban.meetings.live.cache import state_cache
from giaoban.meetings.models import (
    BridgePoint,
    Conference,
    ConferenceStatus,
    FloorRequest,
    FloorStatus,
)


def browser_url() -> str:
    return getattr(settings, "JANUS_BROWSER_URL", "") or ""


def _message(conference: Conference, room: MediaRoom | None) -> tuple[str, str]:
    """(status, the sentence the pane shows)."""
    if not pool.configured():
        return "none", _("Audio and video are not configured on this server (no JANUS_URL).")
    if conference.status == ConferenceStatus.PLANNED:
        return "waiting", _("Audio and video start when the host starts the conference.")
    if conference.status != ConferenceStatus.LIVE:
        return "closed", _("The conference has ended; audio and video are closed.")
    if room is None or room.state != RoomState.UP:
        return "down", _(
            "The media server is not reachable. The conference goes on; audio and video come "
            "back by themselves."
        )
    return "up", ""


#: The host console's tiles per page (media.js PER_PAGE): at most these are relayed to the origin.
TILES_PER_PAGE = 8


#: The most points asking for the floor whose peers a host's answer carries beyond its page.
WATCHED_MAX = 100


@dataclass(frozen=True)
class MediaPage:
    """The page of points the host's (or a viewer's) media pane shows: the points other than
    the host's, in their order, from `offset`, `limit` of them (core.limits.LIVE_PAGE_MAX)."""

    offset: int = 0
    limit: int = TILES_PER_PAGE


def media_state(
    *,
    conference: Conference,
    role: Role,
    tiles: list[int] | None = (),
    page: MediaPage | None = None,
) -> dict:
    """Everything the media pane needs, checked against the server every few seconds.

    A point's console gets its own peer, the host's, the floor's and the spotlight's (every
    peer up to LIVE_ALL_POINTS_UP_TO points). The host's and a viewer's get one page of peers
    (`page`), the peers of the points that need watching (host, floor, spotlight, those asking
    for the floor) and counts for the rest: never every peer every 3 s (issue 15). The host's
    console's `tiles` (None: the page's points) are the streams relayed to the origin."""
    configured = pool.configured()
    origin = services.room_check(conference=conference) if configured else None
    host = conference.points.filter(is_host=True).values_list("pk", flat=True).first()
    floor = (
        FloorRequest.objects.filter(conference=conference, status=FloorStatus.SPEAKING)
        .values_list("point_id", flat=True)
        .first()
    )
    own = role.point_id or (host if role.is_host else None)
    if role.kind == "point":
        only, paged = _only(conference, role, [own, host, floor]), {}
    else:
        only, paged = _paged(conference, page or MediaPage(), [host, floor])
    if role.is_host and origin is not None:
        wanted = paged["page"]["ids"] if tiles is None else list(tiles)
        if wanted[:TILES_PER_PAGE] != list(origin.tiles):
            cascade.tiles_show(conference, origin, wanted[:TILES_PER_PAGE])
    room = _own_room(conference, own, origin)
    status, message = _message(conference, room)
    state = {
        "conference": conference.pk,
        "status": status,
        "message": message,
        # Each console connects only to its own point's server (the host's: the origin).
        "server": pool.public_url(room.server) if room and status == "up" else "",
        "room": room.room if room and status == "up" else None,
        "role": role.kind,
        "feed": own,
        "host_feed": host,
        "floor_feed": floor,
        "spotlight_feed": conference.spotlight_id,
        "peers": _peers(conference, only, room.server if room else ""),
        **paged,
    }
    if status == "closed" and role.kind != "viewer":
        state["recordings"] = recordings_of(conference)
        state["recordings_state"] = recordings_state(conference)
        if note := _recordings_note(state["recordings_state"]):
            state["message"] = f"{message} {note}"
    if role.kind != "viewer" and configured:
        # the test session needs no room: the point's server, or the pool's first
        state["test_server"] = state["server"] or _first_public_url()
        state["janus_token"] = browser_token(BROWSER_PLUGINS, TOKEN_SECONDS)
    if own and status == "up" and role.kind != "viewer":
        state["token"] = services.point_token(conference.pk, own, room.server)
    return state


def _paged(conference: Conference, page: MediaPage, feeds: list) -> tuple[set[int], dict]:
    """The peers a host's or a viewer's pane is sent (its page and the watched points) and
    what it is told of the rest: the page, the watched ids and the counts."""
    shown, total = _page_ids(conference, page)
    watched = _watched(conference, feeds)
    told = {
        "page": {"offset": page.offset, "limit": page.limit, "ids": shown, "total": total},
        "watched": watched,
        "counts": media_counts(conference),
    }
    return {*shown, *watched}, told


def _page_ids(conference: Conference, page: MediaPage) -> tuple[list[int], int]:
    """The ids of the page's points (the host's left out: it has its own place), and how many
    there are in all."""
    others = conference.points.filter(is_host=False)
    ordered = others.order_by(*BridgePoint._meta.ordering).values_list("pk", flat=True)
    return list(ordered[page.offset : page.offset + page.limit]), others.count()


def _watched(conference: Conference, feeds: list) -> list[int]:
    """The points a host watches wherever its page is: the host point, the floor, the
    spotlight and those asking for the floor (at most WATCHED_MAX of them, first asked first)."""
    asking = FloorRequest.objects.filter(
        conference=conference, status=FloorStatus.WAITING
    ).order_by("position", "pk")
    ids = [
        *feeds,
        conference.spotlight_id,
        *asking.values_list("point_id", flat=True)[:WATCHED_MAX],
    ]
    return list(dict.fromkeys(pk for pk in ids if pk))


def media_counts(conference: Conference) -> dict:
    """How many points there are, up, muted, sending sound and picture, and on each server:
    the rest of the conference, in a few numbers (one query each, whatever its size)."""
    counts = BridgePoint.objects.filter(conference=conference).aggregate(
        points=Count("pk"),
        up=Count("pk", filter=Q(media__up=True)),
        # A point without a stream yet joins muted, except the host.
        open=Count("pk", filter=Q(media__audio_muted=False) | Q(media__isnull=True, is_host=True)),
        audio=Count("pk", filter=Q(media__receiving_audio=True)),
        video=Count("pk", filter=Q(media__receiving_video=True)),
    )
    names = {s.url: s.name or s.url for s in pool.servers(enabled_only=False)}
    placed = (
        MediaPeer.objects.filter(point__conference=conference)
        .exclude(server="")
        .values_list("server")
        .annotate(n=Count("pk"))
        .order_by("server")
    )
    servers: dict[str, int] = {}
    for url, n in placed:
        servers[names.get(url, url)] = servers.get(names.get(url, url), 0) + n
    return {
        "points": counts["points"],
        "up": counts["up"],
        "muted": counts["points"] - counts["open"],
        "audio": counts["audio"],
        "video": counts["video"],
        "servers": servers,
    }


def _own_room(conference: Conference, own: int | None, origin: MediaRoom | None):
    """The room of the console's own point (placed now if it came while live), else the
    origin."""
    if own is None or origin is None:
        return origin
    server = MediaPeer.objects.filter(point_id=own).values_list("server", flat=True).first() or ""
    if server:
        found = MediaRoom.objects.filter(conference=conference, server=server).first()
        return found or origin
    return origin


def _first_public_url() -> str:
    servers = pool.servers()
    return servers[0].public_url if servers else browser_url()


def placements(conference: Conference) -> dict[int, str]:
    """{point id: the name of the server it is placed on}, for the host console."""
    names = {s.url: s.name or s.url for s in pool.servers(enabled_only=False)}
    rows = MediaPeer.objects.filter(point__conference=conference).exclude(server="")
    return {pid: names.get(url, url) for pid, url in rows.values_list("point_id", "server")}


BROWSER_PLUGINS = ["janus.plugin.videoroom", "janus.plugin.echotest"]


#: How long a console's Janus token opens sessions. The console asks for its state every
#: 3 s, so a page reopened later gets a fresh one; a day covers any briefing.
TOKEN_SECONDS = 24 * 3600


def _only(conference: Conference, role: Role, feeds: list) -> set | None:
    """The points a point's console needs in a large conference (as the live room's compact
    view, above LIVE_ALL_POINTS_UP_TO): its own, the host's, the floor's and the spotlight's —
    not every point's, every 3 s, from every console. None: all of them."""
    if role.kind == "point" and state_cache.compact_host(conference.pk) is not None:
        return {feed for feed in [*feeds, conference.spotlight_id] if feed}
    return None


def _peers(conference: Conference, only: set | None = None, server: str = "") -> list[dict]:
    """Each point's media as its console's server sees it: `here` when its stream can be
    subscribed to there (placed on that server, or relayed to it)."""
    points = conference.points.all()
    relayed = set(
        MediaRelay.objects.filter(conference=conference, target=server).values_list(
            "point_id", flat=True
        )
    )
    peers = MediaPeer.objects.filter(point__conference=conference)
    if only is not None:
        points, peers = points.filter(pk__in=only), peers.filter(point_id__in=only)
    peers = {p.point_id: p for p in peers}
    names = {s.url: s.name or s.url for s in pool.servers(enabled_only=False)}
    rows = []
    for point in points:
        peer = peers.get(point.pk)
        rows.append(
            {
                "point": point.pk,
                "server": names.get(peer.server, peer.server) if peer else "",
                "here": bool(peer and (peer.server == server or point.pk in relayed)),
                "name": point.name,
                "is_host": point.is_host,
                "up": bool(peer and peer.up),
                "muted": peer.audio_muted if peer else not point.is_host,
                "audio": bool(peer and peer.receiving_audio),
                "video": bool(peer and peer.receiving_video),
                "quality": peer.quality if peer else None,
            }
        )
    return rows


def last_test(point: BridgePoint) -> MediaTest | None:
    return MediaTest.objects.filter(point=point).first()


def recordings_of(conference: Conference) -> list[dict]:
    return [
        {"id": r.pk, "name": r.name, "size": r.size, "url": reverse("media:recording", args=[r.pk])}
        for r in Recording.objects.filter(conference=conference)
    ]


def recordings_state(conference: Conference) -> str | None:
    """Where the conversion of the conference's recordings is: pending (queued, or failed and
    to be tried again), running, done or failed; None when there was nothing to convert."""
    return (
        RecordingJob.objects.filter(conference=conference).values_list("state", flat=True).first()
    )


def _recordings_note(job_state: str | None) -> str:
    if job_state in (JobState.PENDING, JobState.RUNNING):
        return _("The recordings are being converted; they appear here when ready.")
    if job_state == JobState.FAILED:
        return _("The recordings could not be converted; the administrator can see why.")
    return ""
