"""The media endpoints of /api/v1/: the console's view of the conference's room, the host's
moderation and a point's test session. Who may do what: meetings.access.conference_role."""

from django.utils.translation import gettext as _
from ninja import Router, Schema

from giaoban.core.errors import InvalidInput
from giaoban.media import selectors, services
from giaoban.meetings import selectors as meeting_selectors

router = Router(tags=["media"])


class MuteIn(Schema):
    muted: bool


class TestIn(Schema):
    camera: bool
    microphone: bool
    frames_received: int
    round_trip_ms: float | None = None
    packet_loss: float | None = None
    note: str = ""


@router.get("/media/conferences/{conference_id}")
def media_state(request, conference_id: int, tiles: str = ""):
    """The room, this console's token and feed, the host's and the floor's feeds, each point's
    media state. Consoles poll it every few seconds; it also notices a restarted server.
    `tiles`: the point ids of the host console's page, whose streams the origin then gets."""
    conference, role = meeting_selectors.conference_for(user=request.user, pk=conference_id)
    return selectors.media_state(conference=conference, role=role, tiles=_ids(tiles))


def _ids(raw: str) -> list[int]:
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(part.isdigit() for part in parts):
        raise InvalidInput(
            {"tiles": _("tiles: bridge point ids separated by commas, e.g. 12,15,18.")}
        )
    return [int(part) for part in parts[: selectors.TILES_PER_PAGE]]


@router.post("/media/points/{point_id}/mute")
def point_mute(request, point_id: int, payload: MuteIn):
    point, _ = meeting_selectors.point_for(user=request.user, pk=point_id)
    peer = services.point_mute(actor=request.user, point=point, muted=payload.muted)
    return {"point": point.pk, "muted": peer.audio_muted}


@router.post("/media/conferences/{conference_id}/mute-all")
def mute_all(request, conference_id: int):
    conference, _ = meeting_selectors.conference_for(user=request.user, pk=conference_id)
    return {"muted": services.mute_all(actor=request.user, conference=conference)}


@router.post("/media/points/{point_id}/remove")
def point_remove(request, point_id: int):
    point, _ = meeting_selectors.point_for(user=request.user, pk=point_id)
    services.point_remove(actor=request.user, point=point)
    return {"point": point.pk, "removed": True}


@router.post("/media/points/{point_id}/tests")
def test_record(request, point_id: int, payload: TestIn):
    point, _ = meeting_selectors.point_for(user=request.user, pk=point_id)
    test = services.test_record(actor=request.user, point=point, **payload.dict())
    return {
        "id": test.pk,
        "passed": test.passed,
        "round_trip_ms": test.round_trip_ms,
        "packet_loss": test.packet_loss,
    }
