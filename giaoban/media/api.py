"""The media endpoints of /api/v1/: the console's view of the conference's room, the host's
moderation and a point's test session. Who may do what: meetings.access.conference_role."""

from typing import Any

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from giaoban.core.apischema import BodyIn, PathId, answers
from giaoban.core.errors import InvalidInput
from giaoban.core.limits import LIVE_OFFSET_MAX, LIVE_PAGE_MAX
from giaoban.media import selectors, services
from giaoban.meetings import selectors as meeting_selectors

router = Router(tags=["media"])


class MuteIn(BodyIn):
    muted: bool


class TestIn(BodyIn):
    camera: bool
    microphone: bool
    frames_received: int = Field(ge=0, le=2**31 - 1)
    round_trip_ms: float | None = Field(None, ge=0, le=3_600_000)
    packet_loss: float | None = Field(None, ge=0, le=100)
    note: str = Field("", max_length=300)


class PeerOut(Schema):
    point: int
    server: str = Field(description="The media server the point is placed on (its name).")
    here: bool = Field(
        description="Its stream can be subscribed to on this console's server (placed there, "
        "or relayed to it)."
    )
    name: str
    is_host: bool
    up: bool
    muted: bool
    audio: bool
    video: bool
    quality: int | None


class MediaPageOut(Schema):
    offset: int
    limit: int
    ids: list[int] = Field(description="The page's points (the host point left out), in order.")
    total: int = Field(description="How many points there are besides the host point.")


class MediaCountsOut(Schema):
    """The whole conference in numbers, for the points whose peers are not sent."""

    points: int
    up: int = Field(description="Publishing on their server.")
    muted: int
    audio: int = Field(description="Their server receives their sound.")
    video: int = Field(description="Their server receives their picture.")
    servers: dict[str, int] = Field(description="How many points are placed on each server.")


class MediaStateOut(Schema):
    """The console's media pane. With a media server and a console that sends media, also
    `test_server`, `janus_token` and `token`; after the end, the recordings.

    A point's console gets its own peer and those it shows (every peer up to
    LIVE_ALL_POINTS_UP_TO points). The host's and a viewer's console get the peers of one page
    (`offset`, `limit`) and of the `watched` points, with `page` and `counts` for the rest."""

    conference: int
    status: str = Field(description="none, waiting, up, down or closed")
    message: str
    server: str
    room: int | None
    role: str = Field(description="host, point or viewer")
    feed: int | None
    host_feed: int | None
    floor_feed: int | None
    spotlight_feed: int | None
    peers: list[PeerOut]
    page: MediaPageOut | None = Field(None, description="The host's or a viewer's page.")
    watched: list[int] | None = Field(
        None,
        description="Sent whatever the page (host's or viewer's console): the host point, the "
        "floor, the spotlight and the points asking for the floor.",
    )
    counts: MediaCountsOut | None = None
    recordings: list[dict[str, Any]] | None = None
    recordings_state: str | None = None
    test_server: str | None = Field(None, description="Where the console's media test runs.")
    janus_token: str | None = Field(None, description="The browser's token for Janus itself.")
    token: str | None = Field(None, description="The point's token for its room.")


class MutedOut(Schema):
    point: int
    muted: bool


class MutedAllOut(Schema):
    muted: int = Field(description="How many points were muted.")


class RemovedOut(Schema):
    point: int
    removed: bool


class TestOut(Schema):
    id: int
    passed: bool
    round_trip_ms: float | None
    packet_loss: float | None


@router.get("/media/conferences/{conference_id}", response=answers(MediaStateOut, 404))
def media_state(
    request,
    conference_id: PathId,
    tiles: str | None = None,
    offset: int = Query(0, ge=0, le=LIVE_OFFSET_MAX),
    limit: int = Query(selectors.TILES_PER_PAGE, ge=1, le=LIVE_PAGE_MAX),
):
    """The room, this console's token and feed, the host's and the floor's feeds, the media
    state of the points the console shows. Consoles poll it every few seconds; it also notices
    a restarted server. The host's and a viewer's console ask for a page of points (`offset`,
    `limit`: the points other than the host's, in order). `tiles`: the points whose streams
    the origin gets for the host console (left out: the page's)."""
    conference, role = meeting_selectors.conference_for(user=request.user, pk=conference_id)
    return selectors.media_state(
        conference=conference,
        role=role,
        tiles=None if tiles is None else _ids(tiles),
        page=selectors.MediaPage(offset=offset, limit=limit),
    )


def _ids(raw: str) -> list[int]:
    parts = [part.strip() for part in raw[:2000].split(",") if part.strip()]
    if not all(part.isdigit() and len(part) < 19 for part in parts):
        raise InvalidInput(
            {"tiles": _("tiles: bridge point ids separated by commas, e.g. 12,15,18.")}
        )
    return [int(part) for part in parts[: selectors.TILES_PER_PAGE]]


@router.post("/media/points/{point_id}/mute", response=answers(MutedOut, 403, 404))
def point_mute(request, point_id: PathId, payload: MuteIn):
    point, _ = meeting_selectors.point_for(user=request.user, pk=point_id)
    peer = services.point_mute(actor=request.user, point=point, muted=payload.muted)
    return {"point": point.pk, "muted": peer.audio_muted}


@router.post("/media/conferences/{conference_id}/mute-all", response=answers(MutedAllOut, 403, 404))
def mute_all(request, conference_id: PathId):
    conference, _ = meeting_selectors.conference_for(user=request.user, pk=conference_id)
    return {"muted": services.mute_all(actor=request.user, conference=conference)}


@router.post("/media/points/{point_id}/remove", response=answers(RemovedOut, 403, 404))
def point_remove(request, point_id: PathId):
    point, _ = meeting_selectors.point_for(user=request.user, pk=point_id)
    services.point_remove(actor=request.user, point=point)
    return {"point": point.pk, "removed": True}


@router.post("/media/points/{point_id}/tests", response=answers(TestOut, 403, 404))
def test_record(request, point_id: PathId, payload: TestIn):
    point, _ = meeting_selectors.point_for(user=request.user, pk=point_id)
    test = services.test_record(actor=request.user, point=point, **payload.dict())
    return {
        "id": test.pk,
        "passed": test.passed,
        "round_trip_ms": test.round_trip_ms,
        "packet_loss": test.packet_loss,
    }
