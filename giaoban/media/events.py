"""What Janus tells the app about media (its event handler POSTs them here, in batches): a
point's stream going up or down, media stopping and coming back, link quality. Each becomes the
point's online/offline state, its quality, and automatic incidents in its log."""

import logging

from django.db import OperationalError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.media import cascade, services
from giaoban.media.models import MediaPeer, MediaRoom, RoomState
from giaoban.meetings import services as meetings
from giaoban.meetings.models import BridgePoint, ConferenceStatus, Incident, IncidentKind

log = logging.getLogger("giaoban.media.events")

PLUGIN, WEBRTC, MEDIA, HANDLE = 64, 16, 32, 2
_LOST = {"audio": IncidentKind.NO_SOUND, "video": IncidentKind.NO_PICTURE}


def handle_events(events: list[dict]) -> None:
    for event in events:
        try:
            _one(event)
        except OperationalError:
            raise  # the database is busy: the whole batch is tried again (it is idempotent)
        except Exception:  # one odd event must not drop the rest of the batch
            log.exception("Janus event not handled: %r", event)


def _one(event: dict) -> None:
    kind, body = event.get("type"), event.get("event") or {}
    if kind == PLUGIN and body.get("plugin") == "janus.plugin.videoroom":
        _plugin(event, body.get("data") or {})
        return
    peer = _peer_of(event.get("handle_id"))
    if peer is None:
        return
    if kind == WEBRTC and "connection" in body:
        _connection(peer, body["connection"] == "webrtcup")
    elif kind == MEDIA and "receiving" in body:
        _receiving(peer, body.get("media"), bool(body["receiving"]))
    elif kind == MEDIA and "slow_link" in body:
        MediaPeer.objects.filter(pk=peer.pk).update(slow_links=F("slow_links") + 1)
    elif kind == MEDIA and body.get("media") == "video" and "in-link-quality" in body:
        quality = int(body["in-link-quality"])
        if quality != peer.quality:
            MediaPeer.objects.filter(pk=peer.pk).update(quality=quality)
    elif kind == HANDLE and body.get("name") == "detached":
        _connection(peer, False)


def _peer_of(handle_id) -> MediaPeer | None:
    if not handle_id:
        return None
    return MediaPeer.objects.filter(handle=handle_id).select_related("point__conference").first()


def _point_in_room(data: dict) -> BridgePoint | None:
    room = MediaRoom.objects.filter(room=data.get("room")).exclude(state=RoomState.CLOSED).first()
    if room is None:
        return None
    return (
        BridgePoint.objects.filter(conference_id=room.conference_id, pk=data.get("id"))
        .select_related("conference")
        .first()
    )


def _plugin(event: dict, data: dict) -> None:
    what = data.get("event")
    if what not in ("joined", "published", "unpublished", "leaving", "kicked"):
        return
    if what in ("joined", "published") and not event.get("handle_id"):
        # A remote publisher (a point's copy relayed from another server) has no handle: its
        # coming is the cascade's, not the point's.
        return
    point = _point_in_room(data)
    if point is None or _elsewhere(event, point):
        return
    if what == "joined":
        _joined(point, event, data)
    elif what == "published":
        if MediaPeer.objects.filter(point=point, handle=event.get("handle_id")).exists():
            _published(point, data.get("streams") or [])
        # else: published by a handle that did not join as the point (an impostor, removed)
    else:  # unpublished, left or kicked: its media ended, as a hangup that comes next would say
        peer = MediaPeer.objects.filter(point=point).select_related("point__conference").first()
        if peer is not None:
            _connection(peer, False)


def _elsewhere(event: dict, point: BridgePoint) -> bool:
    """The event comes from a server of the conference the point is not placed on: its relayed
    copy leaving there (Janus names itself in "emitter", see JanusConfig.app_url)."""
    emitter = event.get("emitter")
    placed = MediaPeer.objects.filter(point=point).values_list("server", flat=True).first()
    if not emitter or not placed or emitter == placed:
        return False
    return MediaRoom.objects.filter(conference_id=point.conference_id, server=emitter).exists()


def _joined(point: BridgePoint, event: dict, data: dict) -> None:
    if data.get("token") != services.point_token(point.conference_id, point.pk):
        # A valid token of another point, used to take this point's place: removed at once.
        log.warning("point %s joined with another point's token; removing it", point.pk)
        services.kick_impostor(point)
        return
    peer = services.peer_of(point)
    MediaPeer.objects.filter(pk=peer.pk).update(
        session=event.get("session_id"), handle=event.get("handle_id"), updated_at=timezone.now()
    )


def _published(point: BridgePoint, streams: list[dict]) -> None:
    """Mute at once what must be muted: every point joins with its microphone closed. Then, if
    the point is one everybody receives (host, floor, spotlight), relay it to the conference's
    other servers."""
    mids = {s.get("type"): str(s.get("mid")) for s in streams}
    kept = [
        {"type": s.get("type"), "mindex": s.get("mindex"), "codec": s.get("codec", "")}
        for s in sorted(streams, key=lambda s: s.get("mindex") or 0)
    ]
    MediaPeer.objects.filter(point=point).update(
        audio_mid=mids.get("audio", ""), video_mid=mids.get("video", ""), up=True, streams=kept
    )
    services.enforce(point)
    cascade.relays_reset(point)  # its old forwarders went with its old publisher
    if point.pk in cascade.relayed_feeds(point.conference):
        cascade.relays_sync(point.conference)


def _connection(peer: MediaPeer, up: bool) -> None:
    if peer.up == up and not up:
        return
    MediaPeer.objects.filter(pk=peer.pk).update(up=up, updated_at=timezone.now())
    point = peer.point
    if point.conference.status != ConferenceStatus.LIVE:
        return
    meetings.point_presence(point_id=point.pk, online=up)
    if up:
        _close(point, IncidentKind.CONNECTION_LOST, _("Media connection restored."), timed=True)
    else:
        meetings.incident_open(
            actor=None,
            point=point,
            kind=IncidentKind.CONNECTION_LOST,
            action_taken=_("The point's media connection ended."),
            automatic=True,
        )


def _receiving(peer: MediaPeer, media: str | None, receiving: bool) -> None:
    if media not in _LOST:
        return
    MediaPeer.objects.filter(pk=peer.pk).update(**{f"receiving_{media}": receiving})
    point = peer.point
    if point.conference.status != ConferenceStatus.LIVE:
        return
    if receiving:
        _close(point, _LOST[media], _("Media is received again."))
    else:
        meetings.incident_open(
            actor=None,
            point=point,
            kind=_LOST[media],
            action_taken=_("The server stopped receiving this point's media."),
            automatic=True,
        )


def _close(point: BridgePoint, kind: str, note: str, timed: bool = False) -> None:
    for incident in Incident.objects.filter(
        point=point, kind=kind, automatic=True, ended_at__isnull=True
    ).select_related("point__conference"):
        text = note
        if timed:  # how long the point had no picture, in its log
            seconds = (timezone.now() - incident.started_at).total_seconds()
            text = _("%(note)s Without picture for %(seconds)s s.") % {
                "note": note,
                "seconds": f"{seconds:.0f}",
            }
            text = f"{incident.action_taken} {text}".strip()[:500]  # what happened, kept
        meetings.incident_close(actor=None, incident=incident, action_taken=text)
