"""One conference across several Janus servers: where its points are placed, which streams are
relayed between its servers, and what happens when an edge stops answering.

The host publishes on the origin (the host's server). The streams everyone receives — the host,
the point with the floor, the point in the spotlight — are relayed from the server they are
published on to every other server of the conference with VideoRoom's remote publishers
(`publish_remotely` on the source, `add_remote_publisher` on the target: Janus >= 1.1), where
each is an ordinary feed with the point's id. Janus 1.1 relays only local publishers (a remote
publisher cannot be relayed again), so a point's stream goes from its own server straight to
the origin and to every edge: a star from wherever it is published. The relays are rows
(`MediaRelay`) and `relays_sync` makes Janus match what is wanted; it is idempotent.
"""

import logging
import secrets
from urllib.parse import urlparse

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.media import adapter, pool
from giaoban.media.models import MediaPeer, MediaRelay, MediaRoom, RoomRole, RoomState
from giaoban.meetings.models import (
    BridgePoint,
    Conference,
    FloorRequest,
    FloorStatus,
)

log = logging.getLogger("giaoban.media.cascade")


# Placement --------------------------------------------------------------------------------


def peer(point: BridgePoint) -> MediaPeer:
    """Only the host point starts open; every other point joins muted."""
    found, _created = MediaPeer.objects.get_or_create(
        point=point, defaults={"audio_muted": not point.is_host}
    )
    return found


def origin_of(conference: Conference) -> MediaRoom | None:
    return MediaRoom.objects.filter(conference=conference, role=RoomRole.ORIGIN).first()


def place_all(conference: Conference, origin: str, *, avoid=()) -> dict[str, list[int]]:
    """Place every point not yet placed (or placed on a server in `avoid`): the host on the
    origin, the others by region, then load. Returns {server: [point ids]} of the placed."""
    points = list(conference.points.select_related("unit"))
    peers = {p.point_id: p for p in MediaPeer.objects.filter(point__conference=conference)}
    load = pool.loads(conference)
    others = {p.server for p in peers.values() if p.server and p.server not in avoid}
    used = [origin, *sorted(others - {origin})]
    placed: dict[str, list[int]] = {}
    now = timezone.now()
    for point in points:
        current = peers.get(point.pk)
        if current is not None and current.server and current.server not in avoid:
            continue
        server = origin if point.is_host else pool.choose(point, used=used, load=load, avoid=avoid)
        if server is None:
            continue
        load[server] = load.get(server, 0) + 1
        if server not in used:
            used.append(server)
        placed.setdefault(server, []).append(point.pk)
        fields = {"server": server, "placed_at": now}
        if current is None:
            MediaPeer.objects.create(point=point, audio_muted=not point.is_host, **fields)
        else:
            MediaPeer.objects.filter(pk=current.pk).update(**fields)
    return placed


def server_of(point: BridgePoint) -> str | None:
    """The server the point is placed on (placing it now if it was added while live)."""
    found = MediaPeer.objects.filter(point=point).values_list("server", flat=True).first()
    if found:
        return found
    origin = origin_of(point.conference)
    if origin is None:
        return None
    place_all(point.conference, origin.server)
    return MediaPeer.objects.filter(point=point).values_list("server", flat=True).first()


def room_of(point: BridgePoint) -> MediaRoom | None:
    server = server_of(point)
    if server is None:
        return None
    return MediaRoom.objects.filter(conference_id=point.conference_id, server=server).first()


# Relays -----------------------------------------------------------------------------------


def relayed_feeds(conference: Conference) -> list[int]:
    """The points everyone receives: the host, the floor, the spotlight."""
    feeds = list(conference.points.filter(is_host=True).values_list("pk", flat=True))
    feeds += FloorRequest.objects.filter(
        conference=conference, status=FloorStatus.SPEAKING
    ).values_list("point_id", flat=True)
    # Read again: the caller's object may predate the host's last spotlight change.
    spotlight = Conference.objects.filter(pk=conference.pk).values_list("spotlight_id", flat=True)
    feeds += [pk for pk in spotlight if pk]
    return list(dict.fromkeys(feeds))


def _wanted(conference: Conference, rooms: dict[str, MediaRoom]) -> dict[tuple[int, str], str]:
    """{(point, target server): source server} for every relay that should exist: the feeds
    everyone receives to every server, the host console's page tiles to the origin only."""
    if len(rooms) < 2:
        return {}
    wanted = {}
    feeds = relayed_feeds(conference)
    origin = next((r for r in rooms.values() if r.role == RoomRole.ORIGIN), None)
    tiles = set(origin.tiles) if origin else set()
    peers = MediaPeer.objects.filter(point_id__in=set(feeds) | tiles, up=True)
    for p in peers.exclude(streams=[]):
        if p.server not in rooms:
            continue
        targets = rooms if p.point_id in feeds else [origin.server]
        for target in targets:
            if target != p.server:
                wanted[(p.point_id, target)] = p.server
    return wanted


def tiles_show(conference: Conference, origin: MediaRoom, tiles: list[int]) -> None:
    """The host console turned to a page: only these points' streams come up to the origin
    (8, not every point of a national conference)."""
    own = set(conference.points.filter(pk__in=tiles).values_list("pk", flat=True))
    tiles = [pk for pk in tiles if pk in own]
    MediaRoom.objects.filter(pk=origin.pk).update(tiles=tiles)
    origin.tiles = tiles
    relays_sync(conference)


def relays_sync(conference: Conference) -> None:
    """Make the servers relay what is wanted: stop the relays no longer wanted (or whose
    source moved), start the missing ones. A Janus that refuses is logged; the next sync
    (every few seconds, see services.room_check) tries again."""
    rooms = {
        r.server: r for r in MediaRoom.objects.filter(conference=conference, state=RoomState.UP)
    }
    wanted = _wanted(conference, rooms)
    for relay in MediaRelay.objects.filter(conference=conference):
        if wanted.get((relay.point_id, relay.target)) != relay.source:
            relay_stop(relay)
    have = set(MediaRelay.objects.filter(conference=conference).values_list("point_id", "target"))
    for (point_id, target), source in wanted.items():
        if (point_id, target) not in have:
            _relay_start(conference, point_id, rooms[source], rooms[target])


def relays_reset(point: BridgePoint) -> None:
    """The point published anew (its forwarders went with its old publisher): drop its relays
    so that the next sync starts them from the new one."""
    for relay in MediaRelay.objects.filter(point=point):
        relay_stop(relay)


def relay_stop(relay: MediaRelay) -> None:
    rooms = {r.server: r for r in MediaRoom.objects.filter(conference_id=relay.conference_id)}
    source, target = rooms.get(relay.source), rooms.get(relay.target)
    if source is not None and source.state == RoomState.UP:
        _quietly(
            source,
            lambda vr: vr.unpublish_remotely(
                source.room, source.secret, relay.point_id, relay.remote_id
            ),
        )
    if target is not None and target.state == RoomState.UP:
        _quietly(target, lambda vr: _unrelay(vr, target, relay.point_id))
    MediaRelay.objects.filter(pk=relay.pk).delete()


def _relay_start(conference, point_id: int, source: MediaRoom, target: MediaRoom) -> None:
    from giaoban.media.services import room_call

    p = MediaPeer.objects.select_related("point").get(point_id=point_id)
    remote_id = secrets.token_hex(8)
    host = urlparse(target.server).hostname

    async def add(vr):
        with_id = adapter.JanusError
        try:
            return await vr.add_remote_publisher(
                target.room, target.secret, point_id, p.point.name, p.streams
            )
        except with_id as exc:
            if exc.code != 436:  # a stale copy of the feed (its relay row was lost): replace it
                raise
            await vr.remove_remote_publisher(target.room, target.secret, point_id)
            return await vr.add_remote_publisher(
                target.room, target.secret, point_id, p.point.name, p.streams
            )

    try:
        port, rtcp = room_call(target, add)
    except adapter.JanusError as exc:
        log.warning("relay of %s to %s not started: %s", point_id, target.server, exc)
        return

    async def forward(vr):
        await vr.publish_remotely(source.room, source.secret, point_id, remote_id, host, port, rtcp)

    try:
        room_call(source, forward)
    except adapter.JanusError as exc:
        log.warning("relay of %s from %s not started: %s", point_id, source.server, exc)
        _quietly(target, lambda vr: _unrelay(vr, target, point_id))
        return
    MediaRelay.objects.create(
        conference=conference,
        point_id=point_id,
        source=source.server,
        target=target.server,
        remote_id=remote_id,
    )


async def _unrelay(vr, target: MediaRoom, point_id: int) -> None:
    await vr.remove_remote_publisher(target.room, target.secret, point_id)


def _quietly(room: MediaRoom, action) -> None:
    from giaoban.media.services import room_call

    try:
        room_call(room, action)
    except adapter.JanusError as exc:
        log.info("cascade request on %s not done: %s", room.server, exc)


# A server lost ----------------------------------------------------------------------------


def edge_lost(room: MediaRoom) -> list[int]:
    """An edge stopped answering: its room is given up, its points are placed on the other
    servers, their consoles are told (live room "media.placement") and each point's log says
    what happened; the incident closes when its media is up again, giving how long it lasted."""
    from giaoban.meetings import services as meetings
    from giaoban.meetings.live import broadcast
    from giaoban.meetings.models import IncidentKind

    conference = room.conference
    origin = origin_of(conference)
    if origin is None:
        return []
    for relay in MediaRelay.objects.filter(conference=conference):
        if room.server in (relay.source, relay.target):
            # The copies it fed elsewhere go too: a moved point must find its id free there.
            relay_stop(relay)
    moved_ids = list(
        MediaPeer.objects.filter(point__conference=conference, server=room.server).values_list(
            "point_id", flat=True
        )
    )
    MediaPeer.objects.filter(point_id__in=moved_ids).update(
        up=False, handle=None, receiving_audio=False, receiving_video=False, streams=[]
    )
    MediaRoom.objects.filter(pk=room.pk).delete()  # a new room is made if it comes back
    placed = place_all(conference, origin.server, avoid={room.server})
    from giaoban.media.services import room_ensure

    for server in placed:
        room_ensure(conference, server)
    where = {pid: server for server, ids in placed.items() for pid in ids}
    name = (pool.server(room.server) or pool.Server(room.server, "", frozenset(), 0)).name
    for point in BridgePoint.objects.filter(pk__in=moved_ids).select_related("conference"):
        target = pool.server(where.get(point.pk, "")) if point.pk in where else None
        note = _(
            "Media server %(lost)s stopped answering; the point was moved to %(new)s and its "
            "console reconnects by itself."
        ) % {"lost": name or room.server, "new": target.name if target else "—"}
        meetings.incident_open(
            actor=None,
            point=point,
            kind=IncidentKind.CONNECTION_LOST,
            action_taken=note,
            automatic=True,
        )
    with transaction.atomic():
        broadcast.publish(conference, "media.placement", points=moved_ids, items=())
    return moved_ids


def origin_lost(room: MediaRoom) -> None:
    """The host's server stopped answering: a conference-wide incident on the host point,
    saying what to do."""
    from giaoban.meetings import services as meetings
    from giaoban.meetings.models import IncidentKind

    host = room.conference.points.filter(is_host=True).select_related("conference").first()
    if host is None:
        return
    name = (pool.server(room.server) or pool.Server(room.server, "", frozenset(), 0)).name
    meetings.incident_open(
        actor=None,
        point=host,
        kind=IncidentKind.CONNECTION_LOST,
        action_taken=_(
            "The origin media server %(server)s (the host's) does not answer: no point receives "
            "the host. What to do: have the technician restart Janus on that server (the rooms "
            "are recreated by themselves and every console reconnects); meanwhile lead the "
            "conference by the live room (agenda, speaker queue) and by telephone."
        )
        % {"server": name or room.server},
        automatic=True,
    )
