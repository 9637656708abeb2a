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
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from giaoban.core.audit import audit_record
from giaoban.core.db import retry_locked
from giaoban.core.errors import ApplicationError, PermissionDenied
from giaoban.media import adapter, recordings
from giaoban.media.janus_conf import secret
from giaoban.media.models import MediaPeer, MediaRoom, MediaTest, RoomState
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


def point_token(conference_id: int, point_id: int) -> str:
    """The point's key to the room: useless in another conference's room, and tied to the
    point (a publisher joining under another point's id is removed, see `on_joined`)."""
    return salted_hmac("giaoban.media.token", f"{conference_id}:{point_id}").hexdigest()[:40]


def server_for(conference_id: int) -> str | None:
    urls = settings.JANUS_URLS
    return urls[conference_id % len(urls)] if urls else None


def _room_call(room: MediaRoom, action):
    """Run `action(videoroom)` on the room's server; Janus's own refusals still raise."""

    async def run():
        async with adapter.VideoRoom.open(room.server, secret("admin-key"), timeout=5) as vr:
            return await action(vr)

    return async_to_sync(run)()


def _tokens(conference: Conference) -> list[str]:
    ids = conference.points.values_list("pk", flat=True)
    return [point_token(conference.pk, pk) for pk in ids]


# The room ---------------------------------------------------------------------------------


def room_open(*, conference: Conference) -> MediaRoom | None:
    """Create (or recreate, after Janus restarted) the conference's room. Never raises for an
    unreachable server: the room is recorded as down and checked again later."""
    server = server_for(conference.pk)
    if server is None:
        return None
    room, _created = MediaRoom.objects.get_or_create(
        conference=conference,
        defaults={"server": server, "room": conference.pk, "secret": secrets.token_hex(16)},
    )
    tokens = _tokens(conference)

    async def create(vr):
        if await vr.exists(room.room):
            await vr.allow(room.room, room.secret, tokens)
            return
        publishers = max(len(tokens) + 1, 3)
        await vr.create(
            room.room,
            secret=room.secret,
            tokens=tokens,
            description=conference.title,
            publishers=publishers,
            record_dir=str(recordings.recordings_dir(conference.pk)),
        )

    try:
        _room_call(room, create)
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
    """Every point's media went with the server: one incident per point that had media (the
    host point if none had), closed when the room is back."""
    conference = room.conference
    if conference.status != ConferenceStatus.LIVE:
        return
    peers = MediaPeer.objects.filter(point__conference=conference, up=True)
    points = [p.point for p in peers.select_related("point__conference")]
    if not points:
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
        kind=IncidentKind.CONNECTION_LOST,
        automatic=True,
        ended_at__isnull=True,
    ).select_related("point__conference")
    for incident in open_ones:
        meetings.incident_close(actor=None, incident=incident, action_taken=note)


@retry_locked
def room_check(*, conference: Conference, force: bool = False) -> MediaRoom | None:
    """Is the room still there? Recreate it if its server lost it (a restart). At most one check
    every few seconds per room, whoever asks."""
    room = MediaRoom.objects.filter(conference=conference).first()
    if conference.status != ConferenceStatus.LIVE:
        return room
    if room is None:
        return room_open(conference=conference)
    due = timezone.now() - CHECK_EVERY
    if not force:
        claimed = MediaRoom.objects.filter(pk=room.pk, checked_at__lt=due).update(
            checked_at=timezone.now()
        )
        if not claimed:
            return room
    try:
        there = _room_call(room, lambda vr: vr.exists(room.room))
    except adapter.JanusError as exc:
        _room_down(room, exc)
        return room
    if not there:
        return room_open(conference=conference)
    _room_up(room)
    return room


def room_close(*, conference: Conference) -> None:
    room = MediaRoom.objects.filter(conference=conference).first()
    if room is None or room.state == RoomState.CLOSED:
        return
    try:
        _room_call(room, lambda vr: vr.destroy(room.room, room.secret))
    except adapter.JanusError as exc:
        log.info("media room %s not destroyed: %s", room.room, exc)
    MediaRoom.objects.filter(pk=room.pk).update(state=RoomState.CLOSED, closed_at=timezone.now())
    MediaPeer.objects.filter(point__conference=conference).update(up=False, handle=None)
    # Converting takes minutes for a long briefing: the job worker does it, not this request.
    recordings.recording_job_queue(conference=conference)


# Microphones ------------------------------------------------------------------------------


def peer_of(point: BridgePoint) -> MediaPeer:
    """Only the host point starts open; every other point joins muted."""
    peer, _ = MediaPeer.objects.get_or_create(
        point=point, defaults={"audio_muted": not point.is_host}
    )
    return peer


def enforce(point: BridgePoint) -> None:
    _enforce(peer_of(point))


def kick_impostor(point: BridgePoint) -> None:
    room = MediaRoom.objects.filter(conference_id=point.conference_id).first()
    if room is not None:
        try:
            _room_call(room, lambda vr: vr.kick(room.room, room.secret, point.pk))
        except adapter.JanusError as exc:
            log.warning("could not remove an impostor of point %s: %s", point.pk, exc)


def _enforce(*peers: MediaPeer) -> None:
    """Make Janus drop (or pass) the points' audio as the app decided, in one Janus session."""
    live = [p for p in peers if p.up and p.audio_mid]
    if not live:
        return
    room = MediaRoom.objects.filter(conference_id=live[0].point.conference_id).first()
    if room is None or room.state == RoomState.CLOSED:
        return

    async def moderate(vr):
        for peer in live:
            await vr.moderate(
                room.room, room.secret, peer.point_id, peer.audio_mid, peer.audio_muted
            )

    try:
        _room_call(room, moderate)
    except adapter.JanusError as exc:
        log.warning("moderation in room %s failed: %s", room.room, exc)


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
    room = MediaRoom.objects.filter(conference_id=point.conference_id).first()
    if room is None or room.state != RoomState.UP:
        raise ApplicationError(_("The media server is not available; try again shortly."))
    try:
        _room_call(room, lambda vr: vr.kick(room.room, room.secret, point.pk))
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
