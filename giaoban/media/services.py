"""Writes of the media app: the conference's room on Janus, the points' microphones, the
incidents that media events open and close, test sessions.

Janus is another server that may be down: every call to it here is made after the meetings
transaction has committed, catches `JanusError`, and records the room as down instead of failing
the action that caused it. The live room keeps working without media.
"""

import logging
import secrets
from datetime import timedelta

from asgiref.sync import async_to_sync
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from giaoban.core.audit import audit_record
from giaoban.core.db import retry_locked
from giaoban.core.errors import ApplicationError, PermissionDenied
from giaoban.media import adapter, cascade, pool, recordings
from giaoban.media.janus_conf import secret
from giaoban.media.models import MediaPeer, MediaRelay, MediaRoom, MediaTest, RoomRole, RoomState
from giaoban.meetings import services as meetings
from giaoban.meetings.access import require_host, require_point
from giaoban.meetings.live import broadcast
from giaoban.meetings.models import (
    BridgePoint,
    Conference,
    ConferenceStatus,
    FloorRequest,
    FloorStatus,
    IncidentKind,
)

log = logging.getLogger("giaoban.media")

#: How often a room is checked against its server when consoles ask for the media state.
CHECK_EVERY = timedelta(seconds=3)


def point_token(conference_id: int, point_id: int, server: str | None = None) -> str:
    """The point's key to its server's room: useless in another conference's room and in the
    room of another server (each room lists only the tokens of the points placed on it), and
    tied to the point (a publisher joining under another point's id is removed, see
    `on_joined`). Without `server`, the server the point is placed on."""
    if server is None:
        server = (
            MediaPeer.objects.filter(point_id=point_id, point__conference_id=conference_id)
            .values_list("server", flat=True)
            .first()
            or ""
        )
    key = f"{conference_id}:{point_id}:{server}"
    return salted_hmac("giaoban.media.token", key).hexdigest()[:40]


def server_for(conference_id: int) -> str | None:
    """The conference's origin server (the host's), once its media started."""
    room = MediaRoom.objects.filter(conference_id=conference_id, role=RoomRole.ORIGIN).first()
    return room.server if room else None


def room_call(room: MediaRoom, action):
    """Run `action(videoroom)` on the room's server; Janus's own refusals still raise."""

    async def run():
        async with adapter.VideoRoom.open(room.server, secret("admin-key"), timeout=5) as vr:
            return await action(vr)

    return async_to_sync(run)()


def _tokens(conference: Conference, server: str) -> list[str]:
    ids = MediaPeer.objects.filter(point__conference=conference, server=server).values_list(
        "point_id", flat=True
    )
    return [point_token(conference.pk, pk, server) for pk in ids]


# The rooms --------------------------------------------------------------------------------


def room_open(*, conference: Conference) -> MediaRoom | None:
    """Create (or recreate, after Janus restarted) the conference's rooms: the origin on the
    host's server, an edge on every other server its points are placed on. Never raises for
    an unreachable server: the room is recorded as down and checked again later."""
    origin = cascade.origin_of(conference)
    if origin is not None:
        server = origin.server
    else:
        host = conference.points.filter(is_host=True).select_related("unit").first()
        server = pool.choose_origin(conference, host)
        if server is None:
            return None
    cascade.place_all(conference, server)
    origin = room_ensure(conference, server, role=RoomRole.ORIGIN)
    servers = MediaPeer.objects.filter(point__conference=conference).exclude(server=server)
    for edge in sorted(set(servers.exclude(server="").values_list("server", flat=True))):
        room_ensure(conference, edge)
    cascade.relays_sync(conference)
    origin.refresh_from_db()
    return origin


def room_ensure(conference: Conference, server: str, *, role: str = RoomRole.EDGE) -> MediaRoom:
    """The conference's room on `server`, created on Janus if it is not there (or only its
    token list brought up to date if it is)."""
    room, _created = MediaRoom.objects.get_or_create(
        conference=conference,
        server=server,
        defaults={"room": conference.pk, "secret": secrets.token_hex(16), "role": role},
    )
    tokens = _tokens(conference, server)

    async def make(vr):
        if await vr.exists(room.room):
            await vr.allow(room.room, room.secret, tokens)
            return
        await vr.create(
            room.room,
            secret=room.secret,
            tokens=tokens,
            description=conference.title,
            publishers=max(len(tokens) + 4, 6),  # its points and the relayed feeds
            record_dir=str(recordings.recordings_dir(conference.pk))
            if room.role == RoomRole.ORIGIN
            else None,
        )

    try:
        room_call(room, make)
    except adapter.JanusError as exc:
        _room_down(room, exc)
        return room
    _room_up(room)
    return room


def _room_down(room: MediaRoom, exc: Exception) -> None:
    log.warning("media room %s on %s is down: %s", room.room, room.server, exc)
    was = room.state
    MediaRoom.objects.filter(pk=room.pk).update(
        state=RoomState.DOWN, error=str(exc)[:300], checked_at=timezone.now()
    )
    room.state = RoomState.DOWN
    if room.role == RoomRole.EDGE and room.conference.status == ConferenceStatus.LIVE:
        cascade.edge_lost(room)  # its points go to the other servers at once
        return
    if was == RoomState.UP:
        _server_lost(room)


def _room_up(room: MediaRoom) -> None:
    was = room.state
    MediaRoom.objects.filter(pk=room.pk).update(
        state=RoomState.UP, error="", checked_at=timezone.now(), closed_at=None
    )
    room.state = RoomState.UP
    if was == RoomState.DOWN:
        _server_back(room)


def _server_lost(room: MediaRoom) -> None:
    """Every point's media on the server went with it: one incident per point that had media
    there (the host point if none had), closed when the room is back. The origin lost is
    also a conference-wide incident for the host, saying what to do."""
    conference = room.conference
    if conference.status != ConferenceStatus.LIVE:
        return
    if room.role == RoomRole.ORIGIN:
        cascade.origin_lost(room)
    peers = MediaPeer.objects.filter(point__conference=conference, up=True, server=room.server)
    points = [p.point for p in peers.select_related("point__conference")]
    if not points and room.role != RoomRole.ORIGIN:
        points = list(conference.points.filter(is_host=True).select_related("conference"))
    peers.update(up=False, receiving_audio=False, receiving_video=False)
    note = _("The media server does not answer; reconnecting by itself.")
    for point in points:
        meetings.incident_open(
            actor=None,
            point=point,
            kind=IncidentKind.CONNECTION_LOST,
            action_taken=note,
            automatic=True,
        )


def _server_back(room: MediaRoom) -> None:
    from giaoban.meetings.models import Incident

    note = _("The media server answers again; the room was recreated.")
    open_ones = Incident.objects.filter(
        point__conference=room.conference,
        point__media__server=room.server,
        kind=IncidentKind.CONNECTION_LOST,
        automatic=True,
        ended_at__isnull=True,
    ).select_related("point__conference")
    for incident in open_ones:
        meetings.incident_close(actor=None, incident=incident, action_taken=note)


@retry_locked
def room_check(*, conference: Conference, force: bool = False) -> MediaRoom | None:
    """Are the rooms still there? Recreate one its server lost (a restart), move the points of
    an edge that stopped answering, and bring the relays up to date. At most one check every
    few seconds per conference, whoever asks. Returns the origin room."""
    origin = cascade.origin_of(conference)
    if conference.status != ConferenceStatus.LIVE:
        return origin
    if origin is None:
        return room_open(conference=conference)
    due = timezone.now() - CHECK_EVERY
    if not force:
        claimed = MediaRoom.objects.filter(pk=origin.pk, checked_at__lt=due).update(
            checked_at=timezone.now()
        )
        if not claimed:
            return origin
    for room in MediaRoom.objects.filter(conference=conference).select_related("conference"):
        _check_one(conference, room)
    unplaced = conference.points.filter(Q(media__isnull=True) | Q(media__server=""))
    if unplaced.exists():
        room_open(conference=conference)  # points added while live
    cascade.relays_sync(conference)
    origin.refresh_from_db()
    return origin


def servers_watch() -> int:
    """Check the rooms of every live conference that has some (each at most every few seconds,
    as the consoles' polls do); how many conferences were looked at."""
    live = Conference.objects.filter(
        status=ConferenceStatus.LIVE, media_rooms__isnull=False
    ).distinct()
    count = 0
    for conference in live:
        try:
            room_check(conference=conference)
        except Exception:  # one conference's trouble must not stop the others' checks
            log.exception("media check of conference %s failed", conference.pk)
        count += 1
    return count


def _check_one(conference: Conference, room: MediaRoom) -> None:
    try:
        there = room_call(room, lambda vr: vr.exists(room.room))
    except adapter.JanusError as exc:
        _room_down(room, exc)
        return
    if there:
        _room_up(room)
        return
    for relay in MediaRelay.objects.filter(conference=conference):
        if room.server in (relay.source, relay.target):  # gone with the restarted server
            cascade.relay_stop(relay)
    room_ensure(conference, room.server)


def room_close(*, conference: Conference) -> None:
    rooms = list(MediaRoom.objects.filter(conference=conference).exclude(state=RoomState.CLOSED))
    if not rooms:
        return
    for room in rooms:
        try:
            room_call(room, lambda vr, room=room: vr.destroy(room.room, room.secret))
        except adapter.JanusError as exc:
            log.info("media room %s not destroyed: %s", room.room, exc)
    MediaRoom.objects.filter(conference=conference).update(
        state=RoomState.CLOSED, closed_at=timezone.now()
    )
    MediaRelay.objects.filter(conference=conference).delete()
    MediaPeer.objects.filter(point__conference=conference).update(up=False, handle=None)
    # Converting takes minutes for a long briefing: the job worker does it, not this request.
    recordings.recording_job_queue(conference=conference)


# Microphones ------------------------------------------------------------------------------


def peer_of(point: BridgePoint) -> MediaPeer:
    """Only the host point starts open; every other point joins muted."""
    return cascade.peer(point)


def enforce(point: BridgePoint) -> None:
    _enforce(peer_of(point))


def kick_impostor(point: BridgePoint) -> None:
    """Someone joined as `point` with a token not its own: removed from every room of the
    conference but the point's own one while the point itself is there."""
    own = cascade.peer(point)
    for room in MediaRoom.objects.filter(conference_id=point.conference_id):
        if room.server == own.server and own.up:
            continue
        try:
            room_call(room, lambda vr, room=room: vr.kick(room.room, room.secret, point.pk))
        except adapter.JanusError as exc:
            log.info("no impostor of point %s on %s: %s", point.pk, room.server, exc)


def _enforce(*peers: MediaPeer) -> None:
    """Make Janus drop (or pass) the points' audio as the app decided, each on its own server:
    a muted point's audio is dropped there, before any relay to another server."""
    live = [p for p in peers if p.up and p.audio_mid]
    if not live:
        return
    rooms = {
        r.server: r
        for r in MediaRoom.objects.filter(conference_id=live[0].point.conference_id).exclude(
            state=RoomState.CLOSED
        )
    }
    by_room: dict[str, list[MediaPeer]] = {}
    for peer in live:
        if peer.server in rooms:
            by_room.setdefault(peer.server, []).append(peer)
    for server, group in by_room.items():
        room = rooms[server]

        async def moderate(vr, room=room, group=group):
            for peer in group:
                await vr.moderate(
                    room.room, room.secret, peer.point_id, peer.audio_mid, peer.audio_muted
                )

        try:
            room_call(room, moderate)
        except adapter.JanusError as exc:
            log.warning("moderation in room %s on %s failed: %s", room.room, server, exc)


def _set_muted(points, muted: bool) -> list[MediaPeer]:
    peers = [peer_of(point) for point in points]
    if not peers:
        return peers
    with transaction.atomic():  # publish numbers the change under the conference row's lock
        MediaPeer.objects.filter(pk__in=[p.pk for p in peers]).update(audio_muted=muted)
        # The consoles follow at once (media.js asks for the media state on "media.mute"): a
        # point given the floor opens its microphone without waiting for its next poll.
        broadcast.publish(peers[0].point.conference, "media.mute", points=(), items=())
    for peer in peers:
        peer.audio_muted = muted
    _enforce(*peers)
    return peers


def point_mute(*, actor, point: BridgePoint, muted: bool) -> MediaPeer:
    """The host closes or opens a point's microphone on the server. A point may close its own,
    never open it: it asks for the floor instead."""
    role = require_point(actor, point)
    if not (role.is_host or muted):
        raise PermissionDenied(
            _("Your microphone is closed by the chair. Ask for the floor to speak.")
        )
    (peer,) = _set_muted([point], muted)
    audit_record(actor=actor, action="media.mute" if muted else "media.unmute", instance=point)
    return peer


def mute_all(*, actor, conference: Conference) -> int:
    """Every point but the host's is muted (the chair keeps speaking)."""
    require_host(actor, conference)
    points = list(conference.points.filter(is_host=False).select_related("conference"))
    _set_muted(points, True)
    audit_record(actor=actor, action="media.mute_all", instance=conference)
    return len(points)


def point_remove(*, actor, point: BridgePoint) -> None:
    """The host removes a point's stream from the room (it may rejoin; muted, as always)."""
    require_host(actor, point.conference)
    room = cascade.room_of(point)  # the point's own server
    if room is None or room.state != RoomState.UP:
        raise ApplicationError(_("The media server is not available; try again shortly."))
    try:
        room_call(room, lambda vr: vr.kick(room.room, room.secret, point.pk))
    except adapter.JanusError as exc:
        raise ApplicationError(
            _("The media server refused: %(reason)s") % {"reason": exc.reason}
        ) from exc
    MediaPeer.objects.filter(point=point).update(audio_muted=True)
    audit_record(actor=actor, action="media.remove", instance=point)


def floor_applied(*, conference: Conference) -> None:
    """The speaker queue decides who is heard: the host point and the point with the floor.
    Everyone else who is open is closed."""
    speaking = set(
        FloorRequest.objects.filter(conference=conference, status=FloorStatus.SPEAKING).values_list(
            "point_id", flat=True
        )
    )
    to_open, to_close = [], []
    for point in conference.points.select_related("conference"):
        wanted_open = point.is_host or point.pk in speaking
        if peer_of(point).audio_muted == wanted_open:  # i.e. it is not as wanted
            (to_open if wanted_open else to_close).append(point)
    _set_muted(to_close, True)  # the previous speaker first: never two points heard at once
    _set_muted(to_open, False)
    # The new speaker's stream goes out from its server to the others; the last one's stops.
    cascade.relays_sync(conference)


# Test sessions ----------------------------------------------------------------------------


def test_record(
    *,
    actor,
    point: BridgePoint,
    camera: bool,
    microphone: bool,
    frames_received: int,
    round_trip_ms,
    packet_loss,
    note: str = "",
) -> MediaTest:
    require_point(actor, point, host_too=False)
    passed = bool(camera and microphone and frames_received > 0)
    test = MediaTest.objects.create(
        point=point,
        by=actor,
        passed=passed,
        camera=camera,
        microphone=microphone,
        frames_received=frames_received,
        round_trip_ms=round_trip_ms,
        packet_loss=packet_loss,
        note=note[:300],
    )
    with transaction.atomic():
        meetings.readiness_tick(actor=actor, point=point, item="connection_tested", done=passed)
    return test
