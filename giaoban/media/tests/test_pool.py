"""The servers as a pool, without Janus: which servers there are, where the origin is, where
each point goes (its region first, then the conference's own servers, then load)."""

import pytest

from giaoban.media import cascade, pool
from giaoban.media.models import MediaPeer, MediaServer

pytestmark = pytest.mark.django_db


def _server(name, region, capacity, enabled=True):
    return MediaServer.objects.create(
        name=name,
        url=f"ws://{name}.internal:8188",
        public_url=f"wss://{name}.example.vn/janus",
        region=region,
        capacity=capacity,
        enabled=enabled,
    )


def test_janus_url_is_the_pool_while_the_table_is_empty(settings, conference):
    settings.JANUS_URLS = ["ws://127.0.0.1:8188", "ws://127.0.0.1:8189"]
    settings.JANUS_BROWSER_URL = "wss://giaoban.example.vn/janus"
    assert [s.url for s in pool.servers()] == settings.JANUS_URLS
    assert {s.public_url for s in pool.servers()} == {"wss://giaoban.example.vn/janus"}
    host = conference.points.get(is_host=True)
    # As before the pool: the whole conference on JANUS_URL[id % n].
    assert pool.choose_origin(conference, host) == settings.JANUS_URLS[conference.pk % 2]
    placed = cascade.place_all(conference, settings.JANUS_URLS[conference.pk % 2])
    assert list(placed) == [settings.JANUS_URLS[conference.pk % 2]]

    _server("hn", "01", 10)  # once servers are listed, they are the pool
    assert [s.url for s in pool.servers()] == ["ws://hn.internal:8188"]


def test_a_point_goes_to_its_region_then_the_conferences_servers_then_load(conference, points):
    _server("ha-noi", "01", 10)
    lao_cai = _server("lao-cai", "10, 15", 1)
    spare = _server("spare", "", 5)
    _server("off", "10", 100, enabled=False)
    host, sapa, batxat = points["10"], points["088"], points["082"]
    assert pool.region_of(sapa) == "10"  # a district's province

    origin = pool.choose_origin(conference, host)
    assert origin == lao_cai.url  # the host's region
    cascade.place_all(conference, origin)
    placed = dict(MediaPeer.objects.values_list("point_id", "server"))
    # Lào Cai's server is full with the host: Sa Pa opens the least loaded edge (ha-noi and
    # spare are both empty: the first by name), and Bát Xát fills that edge before another.
    assert placed == {host.pk: lao_cai.url, sapa.pk: "ws://ha-noi.internal:8188"} | {
        batxat.pk: "ws://ha-noi.internal:8188"
    }
    assert spare.url not in placed.values()
    assert MediaPeer.objects.get(point=host).audio_muted is False  # the host starts open
    assert MediaPeer.objects.get(point=sapa).audio_muted is True


def test_points_of_a_lost_server_go_elsewhere(conference, points):
    a, b, c = _server("a", "10", 2), _server("b", "", 5), _server("c", "", 5)
    cascade.place_all(conference, a.url)
    placed = dict(MediaPeer.objects.values_list("point_id", "server"))
    assert placed == {points["10"].pk: a.url, points["088"].pk: a.url, points["082"].pk: b.url}
    moved = cascade.place_all(conference, a.url, avoid={b.url})  # b stopped answering
    assert moved == {c.url: [points["082"].pk]}, "only the lost server's points move"
    assert MediaPeer.objects.get(point=points["088"]).server == a.url


def test_the_listed_servers_are_in_the_pages_connect_src(client, settings):
    settings.JANUS_URLS = []
    settings.JANUS_BROWSER_URL = ""
    _server("lao-cai", "10", 10)
    pool.forget()
    csp = client.get("/accounts/login/").headers["Content-Security-Policy"]
    assert "wss://lao-cai.example.vn/janus" in csp
