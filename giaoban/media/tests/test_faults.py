"""Janus killed in the middle of a conference: the live room goes on, the loss is logged as an
incident, and after Janus restarts the room is recreated and media flows again."""

import pytest

from giaoban.media import selectors, services
from giaoban.media.models import MediaPeer, MediaRoom, RoomState
from giaoban.media.tests.conftest import start_janus, wait_until
from giaoban.meetings import floor
from giaoban.meetings import services as meetings
from giaoban.meetings.access import Role
from giaoban.meetings.models import Incident, IncidentKind
from giaoban.testing.media import Publisher, Subscriber, bars_match, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_janus(live_server, tmp_janus_dir, settings, db_turns):
    server = start_janus(tmp_janus_dir, f"{live_server.url}/media/janus/events/")
    settings.DATA_DIR = tmp_janus_dir.parent
    settings.JANUS_URLS = [server.url]
    settings.JANUS_BROWSER_URL = server.url
    yield server
    server.kill()


def _stream(aio, janus, conference, room, sapa, host):
    pub, sub = Publisher(janus.url), Subscriber(janus.url)
    token = services.point_token
    aio.run(pub.publish(room=room.room, feed=sapa.pk, token=token(conference.pk, sapa.pk)))
    aio.run(sub.subscribe(room=room.room, feeds=[sapa.pk], token=token(conference.pk, host.pk)))
    return pub, sub


def test_the_conference_survives_janus_and_media_resumes(own_janus, aio, conference, operators):
    conference = meetings.conference_transition(actor=None, conference=conference, action="start")
    points = {p.unit.code: p for p in conference.points.select_related("unit")}
    host, sapa = points["10"], points["088"]
    room = MediaRoom.objects.get(conference=conference)
    pub, sub = _stream(aio, own_janus, conference, room, sapa, host)
    assert aio.run(wait_for(lambda: sub.frames >= 10))
    assert wait_until(lambda: MediaPeer.objects.filter(point=sapa, up=True).exists())

    own_janus.kill()  # with Sa Pa publishing
    services.room_check(conference=conference, force=True)  # what every console's poll does
    aio.run(pub.close())
    aio.run(sub.close())
    assert MediaRoom.objects.get(pk=room.pk).state == RoomState.DOWN
    lost = Incident.objects.filter(
        point=sapa, kind=IncidentKind.CONNECTION_LOST, automatic=True, ended_at__isnull=True
    )
    assert lost.exists()
    state = selectors.media_state(conference=conference, role=Role("host"))
    assert state["status"] == "down" and state["message"] and "token" not in state

    # The live room does not depend on Janus: the speaker queue still works.
    request = floor.floor_request(actor=operators["sapa"], point=sapa, topic="Ý kiến")
    floor.floor_grant(actor=None, request=request)
    meetings.agenda_advance(actor=None, conference=conference)

    own_janus.start()
    services.room_check(conference=conference, force=True)
    assert MediaRoom.objects.get(pk=room.pk).state == RoomState.UP
    assert not lost.exists()

    pub, sub = _stream(aio, own_janus, conference, room, sapa, host)
    try:
        assert aio.run(wait_for(lambda: sub.frames >= 10 and sub.picture is not None))
        assert bars_match(sub.picture)
    finally:
        aio.run(pub.close())
        aio.run(sub.close())
