"""One conference across three Janus servers on loopback: the origin (the host's) and two edges,
each started by the test on free ports. The host publishes on the origin, Sa Pa is placed on
edge 1 and Bát Xát on edge 2; the streams everyone receives are relayed between the servers by
VideoRoom's remote publishers. aiortc plays the host and the points."""

import asyncio
import re
import time

import pytest

from giaoban.media import adapter, selectors, services
from giaoban.media.models import MediaPeer, MediaRelay, MediaRoom, MediaServer, RoomState
from giaoban.media.tests.conftest import start_janus, wait_until
from giaoban.meetings import floor
from giaoban.meetings import services as meetings
from giaoban.meetings.access import Role
from giaoban.meetings.models import Incident, IncidentKind
from giaoban.testing.media import Publisher, Subscriber, bars_match, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

LOUD = 1000  # RMS of the 440 Hz tone after Opus is ~8000; silence is 0
#: How long a moved point may take to decode the host again (a bound for waiting, not a speed).
MOVED_BOUND = 30.0


@pytest.fixture
def three_janus(live_server, tmp_path, settings, db_turns):
    """Origin, edge 1, edge 2: each its own configuration, RTP port range and name."""
    settings.DATA_DIR = tmp_path
    settings.JANUS_URLS = []  # the pool is the table
    settings.JANUS_BROWSER_URL = ""
    events = f"{live_server.url}/media/janus/events/"
    servers = {}
    for i, name in enumerate(["origin", "edge-1", "edge-2"]):

        def configure(janus, i=i):
            low = janus.config.rtp_ports.split("-")[0]
            base = int(low) + 3000 + i * 300  # three servers never share an RTP port
            janus.config.rtp_ports = f"{base}-{base + 299}"
            janus.config.write()

        servers[name] = start_janus(tmp_path / name, events, configure=configure)
    # The origin serves Lào Cai (the host's province) but holds one point; the edges serve
    # another region, so Lào Cai's other points go by load: Sa Pa to edge 1, Bát Xát to edge 2.
    for name, region, capacity in [("origin", "10", 1), ("edge-1", "99", 1), ("edge-2", "99", 2)]:
        url = servers[name].url
        MediaServer.objects.create(
            name=name, url=url, public_url=url, region=region, capacity=capacity
        )
    yield servers
    for server in servers.values():
        server.kill()


@pytest.fixture
def cascade(three_janus, conference, operators):
    conference = meetings.conference_transition(actor=None, conference=conference, action="start")
    points = {p.unit.code: p for p in conference.points.select_related("unit")}
    return conference, points["10"], points["088"], points["082"]


def _console(conference, point, operator):
    """What the point's console is told: its server, room and token (media.js follows it)."""
    role = Role("host") if point.is_host else Role("point", point.pk)
    state = selectors.media_state(conference=conference, role=role)
    assert state["status"] == "up", state["message"]
    return state


def _publish(aio, conference, point, noise=False):
    state = _console(conference, point, None)
    pub = Publisher(state["server"], noise=noise)
    aio.run(pub.publish(room=state["room"], feed=point.pk, token=state["token"]))
    assert wait_until(
        lambda: MediaPeer.objects.filter(point=point, up=True).exclude(streams=[]).exists()
    ), "Janus's events did not arrive"
    return pub


def _subscribe(aio, conference, point, feed):
    state = _console(conference, point, None)
    sub = Subscriber(state["server"])
    aio.run(sub.subscribe(room=state["room"], feeds=[feed], token=state["token"]))
    return sub


def _relayed(point, *servers) -> bool:
    targets = set(MediaRelay.objects.filter(point=point).values_list("target", flat=True))
    return set(servers) <= targets


async def _packets(sub: Subscriber, kind: str) -> int:
    stats = await sub.pc.getStats()
    return sum(
        s.packetsReceived for s in stats.values() if s.type == "inbound-rtp" and s.kind == kind
    )


def _close(aio, *peers):
    for peer in peers:
        aio.run(peer.close())


def test_points_are_placed_by_region_then_load(cascade, three_janus):
    conference, host, sapa, batxat = cascade
    urls = {name: j.url for name, j in three_janus.items()}
    placed = dict(MediaPeer.objects.values_list("point_id", "server"))
    assert placed == {host.pk: urls["origin"], sapa.pk: urls["edge-1"], batxat.pk: urls["edge-2"]}
    rooms = dict(MediaRoom.objects.filter(conference=conference).values_list("server", "role"))
    assert rooms == {urls["origin"]: "origin", urls["edge-1"]: "edge", urls["edge-2"]: "edge"}
    assert set(MediaRoom.objects.values_list("state", flat=True)) == {RoomState.UP}
    # Each console is told its own server; the host console sees every point's placement.
    assert _console(conference, sapa, None)["server"] == urls["edge-1"]
    assert _console(conference, host, None)["server"] == urls["origin"]
    tiles = {p["point"]: p["server"] for p in _console(conference, host, None)["peers"]}
    assert tiles == {host.pk: "origin", sapa.pk: "edge-1", batxat.pk: "edge-2"}
    # The host console subscribes on the origin only to what is there: Sa Pa is not relayed.
    here = {p["point"]: p["here"] for p in _console(conference, host, None)["peers"]}
    assert here == {host.pk: True, sapa.pk: False, batxat.pk: False}


def test_a_point_on_edge_2_decodes_the_hosts_picture(cascade, three_janus, aio):
    conference, host, _sapa, batxat = cascade
    pub = _publish(aio, conference, host)
    sub = None
    try:
        assert wait_until(lambda: _relayed(host, three_janus["edge-2"].url))
        sub = _subscribe(aio, conference, batxat, host.pk)
        assert aio.run(wait_for(lambda: sub.frames >= 30 and sub.picture is not None))
        assert bars_match(sub.picture), "edge 2 does not show the host's picture"
    finally:
        _close(aio, *[p for p in (sub, pub) if p])


def test_the_floor_on_edge_1_reaches_edge_2_and_the_host(cascade, three_janus, aio, operators):
    conference, host, sapa, batxat = cascade
    pubs = [_publish(aio, conference, host), _publish(aio, conference, sapa)]
    subs = []
    try:
        request = floor.floor_request(actor=operators["sapa"], point=sapa, topic="Tham luận")
        floor.floor_grant(actor=None, request=request)
        origin, edge2 = three_janus["origin"].url, three_janus["edge-2"].url
        assert wait_until(lambda: _relayed(sapa, origin, edge2)), "the floor was not relayed"
        subs = [
            _subscribe(aio, conference, host, sapa.pk),
            _subscribe(aio, conference, batxat, sapa.pk),
        ]
        loud_from = time.monotonic() + 0.3
        for sub in subs:  # Sa Pa seen and heard on the origin and on edge 2
            assert aio.run(wait_for(lambda s=sub: s.frames >= 30 and s.picture is not None))
            assert bars_match(sub.picture)
            assert aio.run(wait_for(lambda s=sub: s.energy_since(loud_from) > LOUD, timeout=10))

        floor.floor_finish(actor=None, request=request)  # its relays stop with the turn
        assert wait_until(lambda: not MediaRelay.objects.filter(point=sapa).exists())
    finally:
        _close(aio, *subs, *pubs)


def test_a_muted_point_on_an_edge_sends_no_audio_to_the_origin(cascade, three_janus, aio):
    conference, host, sapa, _batxat = cascade
    pub = _publish(aio, conference, sapa)
    sub = None
    try:
        # In the spotlight (no floor): its picture goes up to the origin, its microphone is
        # closed by edge 1, before the relay.
        meetings.conference_spotlight(actor=None, conference=conference, point=sapa)
        services.room_check(conference=conference, force=True)  # what a console's poll does
        assert wait_until(lambda: _relayed(sapa, three_janus["origin"].url))
        sub = _subscribe(aio, conference, host, sapa.pk)
        assert aio.run(wait_for(lambda: sub.frames >= 30))
        aio.run(asyncio.sleep(2))
        assert aio.run(_packets(sub, "video")) > 50
        assert aio.run(_packets(sub, "audio")) == 0, "a muted point's audio reached the origin"

        services.point_mute(actor=None, point=sapa, muted=False)  # the chair opens it
        assert aio.run(_wait_packets(sub, "audio", 25)), "the opened point is not heard"
    finally:
        _close(aio, *[p for p in (sub, pub) if p])


async def _wait_packets(sub, kind, count, timeout=10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await _packets(sub, kind) >= count:
            return True
        await asyncio.sleep(0.2)
    return False


def test_the_tokens_of_one_server_are_refused_by_another(cascade, three_janus, aio):
    conference, _host, sapa, _batxat = cascade
    own = _console(conference, sapa, None)
    for name in ("origin", "edge-2"):
        pub = Publisher(three_janus[name].url)
        try:
            with pytest.raises(adapter.JanusError, match=r"433|Unauthorized"):
                aio.run(pub.publish(room=own["room"], feed=sapa.pk, token=own["token"]))
        finally:
            aio.run(pub.close())
    pub = _publish(aio, conference, sapa)  # and on its own server it is let in
    _close(aio, pub)


def test_an_edge_lost_moves_its_points_and_they_see_the_host_again(
    cascade, three_janus, aio, operators
):
    conference, host, sapa, _batxat = cascade
    edge1, edge2 = three_janus["edge-1"], three_janus["edge-2"]
    peers = [_publish(aio, conference, host, noise=True), _publish(aio, conference, sapa)]
    try:
        # Sa Pa has the floor: its copy is on edge 2 too, where it is about to be moved.
        request = floor.floor_request(actor=operators["sapa"], point=sapa, topic="Tham luận")
        floor.floor_grant(actor=None, request=request)
        assert wait_until(lambda: _relayed(sapa, edge2.url))
        assert wait_until(lambda: _relayed(host, edge1.url))
        sub = _subscribe(aio, conference, sapa, host.pk)
        peers.append(sub)
        assert aio.run(wait_for(lambda: sub.frames >= 10))

        edge1.kill()
        services.room_check(conference=conference, force=True)  # every console's poll does it
        assert MediaPeer.objects.get(point=sapa).server == edge2.url
        assert not MediaRoom.objects.filter(conference=conference, server=edge1.url).exists()
        lost = Incident.objects.get(point=sapa, kind=IncidentKind.CONNECTION_LOST)
        assert "edge-1" in lost.action_taken and "edge-2" in lost.action_taken

        # Its console reconnects by itself (media.js: a new server in the state) and publishes
        # and subscribes there; the host reaches edge 2 already.
        moved_at = time.monotonic()
        _close(aio, *peers[1:])
        peers[1:] = [_publish(aio, conference, sapa)]  # its id is free on edge 2 again
        assert wait_until(lambda: _relayed(host, edge2.url))
        from_edge2 = MediaRelay.objects.filter(point=sapa, source=edge2.url)
        assert wait_until(lambda: from_edge2.filter(target=three_janus["origin"].url).exists())
        sub = _subscribe(aio, conference, sapa, host.pk)
        peers.append(sub)
        bound = MOVED_BOUND - (time.monotonic() - moved_at)
        assert aio.run(wait_for(lambda: sub.frames >= 10, timeout=bound), timeout=bound + 5)
        assert wait_until(lambda: Incident.objects.get(pk=lost.pk).ended_at is not None)
        closed = Incident.objects.get(pk=lost.pk)  # what happened, and for how long
        assert closed.action_taken.startswith(lost.action_taken)
        added = closed.action_taken[len(lost.action_taken) :]  # "Without picture for N s."
        assert re.search(r"\d+", added), closed.action_taken
    finally:
        _close(aio, *peers)


def test_the_origin_lost_is_an_incident_for_the_host_saying_what_to_do(cascade, three_janus):
    conference, host, _sapa, _batxat = cascade
    three_janus["origin"].kill()
    services.room_check(conference=conference, force=True)
    incident = Incident.objects.get(point=host, kind=IncidentKind.CONNECTION_LOST)
    assert "origin" in incident.action_taken and "Janus" in incident.action_taken
    # The edges keep their points: only the origin's room is down.
    states = dict(MediaRoom.objects.values_list("role", "state"))
    assert states["origin"] == RoomState.DOWN


def test_the_host_consoles_page_comes_up_to_the_origin_only(cascade, three_janus, aio):
    conference, _host, sapa, _batxat = cascade
    pub = _publish(aio, conference, sapa)  # muted, no floor, no spotlight: relayed nowhere
    sub = None
    try:
        assert not MediaRelay.objects.filter(point=sapa).exists()
        state = selectors.media_state(conference=conference, role=Role("host"), tiles=[sapa.pk])
        assert MediaRelay.objects.filter(point=sapa).count() == 1  # to the origin, not edge 2
        assert _relayed(sapa, three_janus["origin"].url)
        assert {p["point"]: p["here"] for p in state["peers"]}[sapa.pk] is True
        sub = Subscriber(state["server"])
        aio.run(sub.subscribe(room=state["room"], feeds=[sapa.pk], token=state["token"]))
        assert aio.run(wait_for(lambda: sub.frames >= 30 and sub.picture is not None))
        assert bars_match(sub.picture), "the host's tile does not show Sa Pa"
        selectors.media_state(conference=conference, role=Role("host"), tiles=[])  # page turned
        assert not MediaRelay.objects.filter(point=sapa).exists()
    finally:
        _close(aio, *[p for p in (sub, pub) if p])
