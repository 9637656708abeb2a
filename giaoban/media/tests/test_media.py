"""Real media through a real Janus: a known picture in, the same picture out; a join without a
valid token refused by Janus; every point muted by the server until the chair gives it the floor.
"""

import time

import pytest
from django.utils.translation import gettext

from giaoban.core.errors import PermissionDenied
from giaoban.media import adapter, services
from giaoban.media.janus_conf import browser_token
from giaoban.media.models import MediaPeer, MediaRoom, RoomState
from giaoban.media.recordings import recordings_dir, recordings_run
from giaoban.media.tests.conftest import wait_until
from giaoban.meetings import floor
from giaoban.meetings import services as meetings
from giaoban.meetings.models import Incident, IncidentKind
from giaoban.testing.media import Publisher, Subscriber, bars_match, wait_for
from giaoban.testing.refusals import refused

pytestmark = pytest.mark.django_db(transaction=True)

LOUD = 1000  # RMS of the 440 Hz tone after Opus is ~8000; silence is 0


@pytest.fixture
def live(media_settings, conference):
    conference = meetings.conference_transition(actor=None, conference=conference, action="start")
    room = MediaRoom.objects.get(conference=conference)
    assert room.state == RoomState.UP
    return conference, room


def _host_and_sapa(conference):
    by_unit = {p.unit.code: p for p in conference.points.select_related("unit")}
    return by_unit["10"], by_unit["088"]


def _published(point) -> bool:
    return MediaPeer.objects.filter(point=point, up=True).exclude(audio_mid="").exists()


def _run(aio, janus, room, conference, publisher_point, subscriber_point):
    pub, sub = Publisher(janus.url), Subscriber(janus.url)
    aio.run(
        pub.publish(
            room=room.room,
            feed=publisher_point.pk,
            token=services.point_token(conference.pk, publisher_point.pk),
        )
    )
    assert wait_until(lambda: _published(publisher_point)), "Janus's events did not arrive"
    aio.run(
        sub.subscribe(
            room=room.room,
            feeds=[publisher_point.pk],
            token=services.point_token(conference.pk, subscriber_point.pk),
        )
    )
    return pub, sub


def test_it_forwards_the_points_picture_unchanged(live, janus, aio):
    conference, room = live
    host, sapa = _host_and_sapa(conference)
    pub, sub = _run(aio, janus, room, conference, sapa, host)
    try:
        assert aio.run(wait_for(lambda: sub.frames >= 30 and sub.picture is not None))
        assert bars_match(sub.picture), "the picture received is not the one sent"
        sapa.refresh_from_db()
        assert sapa.state == "online"  # from Janus's webrtcup, not from a console
    finally:
        aio.run(sub.close())
        aio.run(pub.close())
    # Its media ended (hangup): offline, and an automatic incident in its log.
    lost = Incident.objects.filter(point=sapa, kind=IncidentKind.CONNECTION_LOST, automatic=True)
    assert wait_until(lost.exists)
    sapa.refresh_from_db()
    assert sapa.state == "offline"


def test_a_join_without_a_valid_token_is_refused_by_janus(live, janus, aio):
    conference, room = live
    _host, sapa = _host_and_sapa(conference)
    for token in ["", "forged", services.point_token(conference.pk + 1, sapa.pk)]:
        pub = Publisher(janus.url)
        try:
            with pytest.raises(Exception, match=r"433|Unauthorized"):
                aio.run(pub.publish(room=room.room, feed=sapa.pk, token=token))
        finally:
            aio.run(pub.close())


def test_a_point_cannot_take_another_points_place(live, janus, aio):
    conference, room = live
    host, sapa = _host_and_sapa(conference)
    pub = Publisher(janus.url)
    try:  # Sa Pa's own token, but joining as the host point
        aio.run(
            pub.publish(
                room=room.room, feed=host.pk, token=services.point_token(conference.pk, sapa.pk)
            )
        )
        removed = aio.run(pub.handle.next_event(timeout=10, janus="hangup"))
        assert removed
    finally:
        aio.run(pub.close())
    assert not MediaPeer.objects.filter(point=host, up=True).exists()


def _quiet(aio, sub, witness, *, settle: float = 0.5) -> bool:
    """True if the point that `sub` receives is not heard while it is still seen (its video keeps
    coming through Janus) and while the host's tone reaches `witness` through the same room:
    the silence is the point's audio held back, not a stalled peer or room. Waits for those
    packets to arrive, not for a fixed time."""
    quiet_from = time.monotonic() + settle
    frames = sub.frames
    flowing = aio.run(
        wait_for(
            lambda: witness.energy_since(quiet_from) > LOUD and sub.frames >= frames + 45,
            timeout=15,
        )
    )
    assert flowing, (
        f"media stalled: {sub.frames - frames} frames of the point, "
        f"host heard at {witness.energy_since(quiet_from):.0f}"
    )
    return sub.energy_since(quiet_from) < LOUD


def test_the_server_mutes_a_point_until_it_has_the_floor(live, janus, aio, operators):
    conference, room = live
    host, sapa = _host_and_sapa(conference)
    pub, sub = _run(aio, janus, room, conference, sapa, host)
    host_pub, witness = _run(aio, janus, room, conference, host, sapa)  # Sa Pa hears the host
    try:
        assert aio.run(wait_for(lambda: sub.frames >= 10))
        assert _quiet(aio, sub, witness), "a point that joined is heard"

        # Its own request to open the microphone is refused, by the app and by Janus.
        closed = gettext("Your microphone is closed by the chair. Ask for the floor to speak.")
        with refused(PermissionDenied, closed):
            services.point_mute(actor=operators["sapa"], point=sapa, muted=False)
        aio.run(pub.configure({"audio": True}))
        assert _quiet(aio, sub, witness), "a point unmuted itself"

        request = floor.floor_request(actor=operators["sapa"], point=sapa, topic="Tham luận")
        floor.floor_grant(actor=None, request=request)
        loud_from = time.monotonic() + 0.3
        assert aio.run(wait_for(lambda: sub.energy_since(loud_from) > LOUD, timeout=5))

        floor.floor_finish(actor=None, request=request)
        assert _quiet(aio, sub, witness), "the turn ended but the point is heard"
    finally:
        for peer in (sub, pub, witness, host_pub):
            aio.run(peer.close())


def test_the_host_mutes_and_unmutes_any_point(live, janus, aio, operators, client):
    conference, room = live
    host, sapa = _host_and_sapa(conference)
    pub, sub = _run(aio, janus, room, conference, sapa, host)
    host_pub, witness = _run(aio, janus, room, conference, host, sapa)  # Sa Pa hears the host
    try:
        client.force_login(operators["host"])
        url = f"/api/v1/media/points/{sapa.pk}/mute"
        assert client.post(url, {"muted": False}, content_type="application/json").json() == {
            "point": sapa.pk,
            "muted": False,
        }
        loud_from = time.monotonic() + 0.3
        assert aio.run(wait_for(lambda: sub.energy_since(loud_from) > LOUD, timeout=5))
        response = client.post(f"/api/v1/media/conferences/{conference.pk}/mute-all")
        assert response.json() == {"muted": 2}
        assert _quiet(aio, sub, witness), "muting every point left Sa Pa heard"

        client.force_login(operators["sapa"])
        refused = client.post(url, {"muted": False}, content_type="application/json")
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "forbidden"
    finally:
        for peer in (sub, pub, witness, host_pub):
            aio.run(peer.close())


async def _talking(handle, feed: int) -> bool:
    """True once the room says `feed` is talking (the host, unmuted, talks all along)."""
    while True:
        event = await handle.next_event(timeout=10, janus="event")
        data = event.get("plugindata", {}).get("data", {})
        if data.get("videoroom") == "talking" and data.get("id") == feed:
            return True


def test_the_host_and_the_floor_are_recorded_and_attached(
    live, janus, aio, operators, client, dave, eve
):
    conference, room = live
    points = {p.unit.code: p for p in conference.points.select_related("unit")}
    host, sapa, batxat = points["10"], points["088"], points["082"]
    publishers = []
    try:
        for point in (host, sapa, batxat):
            pub = Publisher(janus.url)
            publishers.append(pub)
            token = services.point_token(conference.pk, point.pk)
            aio.run(pub.publish(room=room.room, feed=point.pk, token=token))
        assert wait_until(lambda: all(_published(p) for p in (host, sapa, batxat)))
        request = floor.floor_request(actor=operators["sapa"], point=sapa, topic="Tham luận")
        floor.floor_grant(actor=None, request=request)
        # The host's console learns who is talking from the room's audio-level events.
        assert aio.run(_talking(publishers[0].handle, sapa.pk), timeout=15)
        floor.floor_finish(actor=None, request=request)
    finally:
        for pub in publishers:
            aio.run(pub.close())
    # Janus's last events (each point's media ending) are in before the conference ends.
    assert wait_until(lambda: not MediaPeer.objects.filter(up=True).exists())
    meetings.conference_transition(actor=None, conference=conference, action="end")
    # Ending only queued the conversion; the job worker does it.
    assert not conference.recordings.exists()
    assert conference.recording_job.state == "pending"
    assert recordings_run() == 1

    recorded = {(r.point_id, r.content_type) for r in conference.recordings.all()}
    assert recorded == {
        (host.pk, "audio/ogg"),
        (host.pk, "video/webm"),
        (sapa.pk, "audio/ogg"),
        (sapa.pk, "video/webm"),
    }, "only the host and the point that had the floor are kept"
    assert not list(recordings_dir(conference.pk).glob("*.mjr"))

    video = conference.recordings.get(point=host, content_type="video/webm")
    client.force_login(operators["host"])
    response = client.get(f"/media/recordings/{video.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x1a\x45\xdf\xa3"  # WebM (EBML)
    client.force_login(operators["batxat"])
    assert client.get(f"/media/recordings/{video.pk}/").status_code == 200  # a participant
    for outsider in (dave, eve):  # a viewer of Sa Pa; someone unrelated
        client.force_login(outsider)
        assert client.get(f"/media/recordings/{video.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/media/recordings/{video.pk}/").status_code == 302  # to the login


# Janus's own door: nothing without the app's API secret or a token the app signed -------------


def _session_and_attach(aio, url, token, plugin):
    async def attempt():
        async with adapter.JanusClient(url, token=token, timeout=5) as client:
            session = await client.session()
            try:
                await session.attach(plugin)
            finally:
                await session.destroy()

    aio.run(attempt())


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        browser_token(["janus.plugin.echotest"], -10),  # expired
        "9999999999,janus,janus.plugin.echotest:c2lnbmVkIGJ5IHNvbWVvbmUgZWxzZQ==",
    ],
)
def test_janus_opens_no_session_without_a_valid_credential(janus, aio, token):
    with pytest.raises(adapter.JanusError, match=r"403|Unauthorized"):
        _session_and_attach(aio, janus.url, token, "janus.plugin.echotest")


def test_a_signed_token_reaches_only_the_plugins_it_names(janus, aio):
    echo_only = browser_token(["janus.plugin.echotest"], 60)
    _session_and_attach(aio, janus.url, echo_only, "janus.plugin.echotest")
    with pytest.raises(adapter.JanusError, match=r"405|can't access"):
        _session_and_attach(aio, janus.url, echo_only, "janus.plugin.videoroom")


def test_a_consoles_media_state_carries_a_token_janus_accepts(live, janus, aio, operators, client):
    conference, _room = live
    client.force_login(operators["sapa"])
    state = client.get(f"/api/v1/media/conferences/{conference.pk}").json()
    for plugin in ("janus.plugin.videoroom", "janus.plugin.echotest"):
        _session_and_attach(aio, janus.url, state["janus_token"], plugin)
