"""What needs no Janus running: the generated configuration, Janus's events turned into presence
and incidents, the moderation rights, and a conference that goes on when Janus is unreachable."""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from giaoban.media import services
from giaoban.media.janus_conf import JanusConfig, secret
from giaoban.media.models import MediaPeer, MediaRoom, RoomState
from giaoban.meetings import floor
from giaoban.meetings import services as meetings
from giaoban.meetings.models import Incident, IncidentKind, PointState

DOWN = "ws://127.0.0.1:9"  # nothing listens there


def test_it_writes_a_private_janus_configuration(tmp_path):
    config = JanusConfig(tmp_path, 18188, "http://127.0.0.1:8000/media/janus/events/")
    config.write()
    core = (tmp_path / "janus.jcfg").read_text()
    ws = (tmp_path / "janus.transport.websockets.jcfg").read_text()
    room = (tmp_path / "janus.plugin.videoroom.jcfg").read_text()
    events = (tmp_path / "janus.eventhandler.sampleevh.jcfg").read_text()
    assert 'ws_ip = "127.0.0.1"' in ws and "ws_port = 18188" in ws
    assert "admin_ws = false" in ws
    assert "libjanus_http.so" in core  # disabled: only the WebSocket transport
    assert "libjanus_videoroom.so" not in core.split("plugins: {")[1].split("}")[0]
    assert "libjanus_streaming.so" in core  # an unused plugin, disabled
    assert secret("admin-key") in room and "adminpwd" not in room
    assert f'backend_pwd = "{secret("events")}"' in events
    assert config.command()[1:] == ["-C", str(tmp_path / "janus.jcfg"), "-F", str(tmp_path)]


def test_the_command_writes_it(tmp_path, capsys):
    from django.core.management import call_command

    call_command("janus_config", str(tmp_path), "--ws-port", "18199")
    assert "JANUS_URL=ws://127.0.0.1:18199" in capsys.readouterr().out
    assert (tmp_path / "janus.jcfg").exists()


@pytest.fixture
def live(settings, conference, django_capture_on_commit_callbacks):
    settings.JANUS_URLS = [DOWN]
    with django_capture_on_commit_callbacks(execute=True):  # the room is opened on commit
        return meetings.conference_transition(actor=None, conference=conference, action="start")


def _points(conference):
    return {p.unit.code: p for p in conference.points.select_related("unit", "conference")}


def test_the_conference_starts_and_runs_with_janus_unreachable(
    live, operators, client, django_capture_on_commit_callbacks
):
    room = MediaRoom.objects.get(conference=live)
    assert room.state == RoomState.DOWN
    sapa = _points(live)["088"]
    request = floor.floor_request(actor=operators["sapa"], point=sapa, topic="Ý kiến")
    with django_capture_on_commit_callbacks(execute=True):
        floor.floor_grant(actor=None, request=request)  # Janus unreachable: no error
    assert MediaPeer.objects.get(point=sapa).audio_muted is False  # opened once Janus is back
    client.force_login(operators["sapa"])
    state = client.get(f"/api/v1/media/conferences/{live.pk}").json()
    assert state["status"] == "down" and state["message"]
    assert state.get("token") is None and state["server"] == ""


def test_the_servers_are_watched_when_no_console_asks(live):
    room = MediaRoom.objects.get(conference=live)
    long_ago = timezone.now() - timedelta(minutes=5)
    MediaRoom.objects.filter(pk=room.pk).update(checked_at=long_ago)
    assert services.servers_watch() == 1  # the conference's rooms were looked at
    room.refresh_from_db()
    assert room.checked_at > long_ago and room.state == RoomState.DOWN


def test_the_host_pages_tiles_must_be_point_ids(live, operators, client):
    client.force_login(operators["host"])
    response = client.get(f"/api/v1/media/conferences/{live.pk}?tiles=12,abc")
    assert response.status_code == 400
    assert "tiles" in str(response.json()), response.json()
    sapa = _points(live)["088"]
    ok = client.get(f"/api/v1/media/conferences/{live.pk}?tiles={sapa.pk}")
    assert ok.status_code == 200


def test_without_janus_configured_the_pane_says_so(settings, conference, operators, client):
    settings.JANUS_URLS = []
    meetings.conference_transition(actor=None, conference=conference, action="start")
    client.force_login(operators["host"])
    state = client.get(f"/api/v1/media/conferences/{conference.pk}").json()
    assert state["status"] == "none"
    assert not MediaRoom.objects.exists()


def _post(client, events, password=None):
    auth = base64.b64encode(f"janus:{password or secret('events')}".encode()).decode()
    return client.post(
        "/media/janus/events/",
        json.dumps(events),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def _joined(room, point, token, handle=77):
    data = {"event": "joined", "room": room.room, "id": point.pk, "token": token}
    return {
        "type": 64,
        "session_id": 5,
        "handle_id": handle,
        "event": {"plugin": "janus.plugin.videoroom", "data": data},
    }


def _webrtc(handle, connection):
    return {"type": 16, "subtype": 6, "handle_id": handle, "event": {"connection": connection}}


def _media(handle, media, receiving):
    return {
        "type": 32,
        "subtype": 1,
        "handle_id": handle,
        "event": {"media": media, "receiving": receiving},
    }


def test_janus_events_drive_presence_and_incidents(live, client):
    room = MediaRoom.objects.get(conference=live)
    sapa = _points(live)["088"]
    token = services.point_token(live.pk, sapa.pk)
    assert _post(client, [_joined(room, sapa, token), _webrtc(77, "webrtcup")]).status_code == 204
    sapa.refresh_from_db()
    assert sapa.state == PointState.ONLINE
    assert MediaPeer.objects.get(point=sapa).up

    _post(client, [_media(77, "video", False)])
    picture = Incident.objects.get(point=sapa, kind=IncidentKind.NO_PICTURE)
    assert picture.automatic and picture.ended_at is None
    _post(client, [_media(77, "video", True)])
    picture.refresh_from_db()
    assert picture.ended_at is not None

    _post(client, [_webrtc(77, "hangup")])
    sapa.refresh_from_db()
    assert sapa.state == PointState.OFFLINE
    lost = Incident.objects.get(point=sapa, kind=IncidentKind.CONNECTION_LOST)
    _post(client, [_webrtc(77, "webrtcup")])
    lost.refresh_from_db()
    assert lost.ended_at is not None


def test_janus_events_need_the_apps_secret(live, client):
    room = MediaRoom.objects.get(conference=live)
    sapa = _points(live)["088"]
    event = _joined(room, sapa, services.point_token(live.pk, sapa.pk))
    assert _post(client, [event], password="guess").status_code == 403
    assert (
        client.post("/media/janus/events/", "[]", content_type="application/json").status_code
        == 403
    )
    assert not MediaPeer.objects.filter(handle=77).exists()


def test_a_joined_event_with_another_points_token_removes_it(live, client, monkeypatch):
    kicked = []
    monkeypatch.setattr(services, "kick_impostor", lambda point: kicked.append(point.pk))
    room = MediaRoom.objects.get(conference=live)
    points = _points(live)
    host, sapa = points["10"], points["088"]
    _post(client, [_joined(room, host, services.point_token(live.pk, sapa.pk))])
    assert kicked == [host.pk]
    assert not MediaPeer.objects.filter(handle=77).exists()


def test_tokens_differ_by_conference_point_and_server():
    servers = ("ws://10.0.0.1:8188", "ws://10.0.0.2:8188")
    tokens = {services.point_token(c, p, s) for c in (1, 2) for p in (1, 2) for s in servers}
    assert len(tokens) == 8


def test_who_may_mute_and_unmute(live, operators, client, dave):
    points = _points(live)
    sapa, batxat = points["088"], points["082"]
    mute = lambda point, muted: client.post(  # noqa: E731
        f"/api/v1/media/points/{point.pk}/mute", {"muted": muted}, content_type="application/json"
    )
    client.force_login(operators["sapa"])
    assert mute(sapa, True).status_code == 200  # a point may close its own microphone
    refused = mute(sapa, False)
    assert refused.status_code == 403  # but not open it: it asks for the floor
    assert refused.json()["error"]["code"] == "forbidden"
    assert mute(batxat, True).status_code == 403  # nor touch another point's
    assert client.post(f"/api/v1/media/conferences/{live.pk}/mute-all").status_code == 403
    client.force_login(dave)
    assert mute(sapa, False).status_code == 403
    client.force_login(operators["host"])
    assert mute(sapa, False).json() == {"point": sapa.pk, "muted": False}
    assert MediaPeer.objects.get(point=sapa).audio_muted is False


def test_a_points_media_test_is_recorded_and_ticks_its_readiness(live, operators, client):
    sapa = _points(live)["088"]
    client.force_login(operators["sapa"])
    url = f"/api/v1/media/points/{sapa.pk}/tests"
    body = {
        "camera": True,
        "microphone": True,
        "frames_received": 120,
        "round_trip_ms": 3.5,
        "packet_loss": 0.0,
    }
    result = client.post(url, body, content_type="application/json").json()
    assert result["passed"] is True
    sapa.refresh_from_db()
    assert sapa.connection_tested
    failed = client.post(url, body | {"frames_received": 0}, content_type="application/json")
    assert failed.json()["passed"] is False
    sapa.refresh_from_db()
    assert not sapa.connection_tested
    client.force_login(operators["batxat"])
    assert client.post(url, body, content_type="application/json").status_code == 403


def test_without_janus_configured_the_consoles_show_a_sentence_not_empty_video(
    settings, conference, operators, client
):
    settings.JANUS_URLS = []
    meetings.conference_transition(actor=None, conference=conference, action="start")
    client.force_login(operators["host"])
    page = client.get(f"/conferences/{conference.pk}/host/").content.decode()
    assert "Âm thanh, hình ảnh" in page and "JANUS_URL" in page
    assert "<video" not in page and "media.js" not in page


def test_with_janus_configured_the_console_carries_the_pane(
    settings, conference, operators, client
):
    settings.JANUS_URLS = ["ws://127.0.0.1:9"]
    client.force_login(operators["host"])
    page = client.get(f"/conferences/{conference.pk}/host/").content.decode()
    assert 'id="media-pane"' in page and "media.js" in page


def test_in_a_large_conference_a_points_media_state_names_only_the_points_it_shows(
    live, operators, client, settings
):
    points = _points(live)
    client.force_login(operators["sapa"])
    everyone = client.get(f"/api/v1/media/conferences/{live.pk}").json()["peers"]
    assert {p["point"] for p in everyone} == {p.pk for p in points.values()}
    settings.LIVE_ALL_POINTS_UP_TO = 2  # the conference has three
    compact = client.get(f"/api/v1/media/conferences/{live.pk}").json()["peers"]
    assert {p["point"] for p in compact} == {points["10"].pk, points["088"].pk}
    meetings.conference_spotlight(actor=None, conference=live, point=points["082"])
    spotlit = client.get(f"/api/v1/media/conferences/{live.pk}").json()
    assert spotlit["spotlight_feed"] == points["082"].pk
    assert points["082"].pk in {p["point"] for p in spotlit["peers"]}
    client.force_login(operators["host"])
    hosts = client.get(f"/api/v1/media/conferences/{live.pk}").json()["peers"]
    assert len(hosts) == 3  # the host's console pages through every point
