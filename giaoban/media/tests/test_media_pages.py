"""The media pane of a large conference (issue 15): the host's console polls every 3 s, so the
server pages its peers: the page it shows, the points it watches wherever the page is (the
host, the floor, the spotlight, those asking for it) and counts for the rest. A point's console
is told what it was before."""

import pytest

from giaoban.media.models import MediaPeer
from giaoban.meetings import floor
from giaoban.meetings import services as meetings
from giaoban.meetings.tests.test_api_scale import large_briefing

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(tree, eve, settings):
    """300 communes live; the host and the first 99 publishing, ten with the microphone open; the
    commune at 200 has the floor, the one at 250 asks for it, the one at 280 is spotlit."""
    settings.JANUS_URLS = []
    settings.LIVE_ALL_POINTS_UP_TO = 200
    conference, ordered = large_briefing(tree, eve)
    MediaPeer.objects.bulk_create(
        MediaPeer(
            point=p,
            server="ws://127.0.0.1:8188",
            up=True,
            audio_muted=not (p.is_host or i < 10),
            receiving_audio=True,
            receiving_video=True,
        )
        for i, p in enumerate(ordered[:100])
    )
    speaking, asking, spotlit = ordered[200], ordered[250], ordered[280]
    request = floor.floor_request(actor=speaking.operator, point=speaking, topic="Tham luận")
    floor.floor_grant(actor=None, request=request)
    floor.floor_request(actor=asking.operator, point=asking, topic="Ý kiến")
    meetings.conference_spotlight(actor=None, conference=conference, point=spotlit)
    return conference, ordered, {"floor": speaking, "asking": asking, "spotlit": spotlit}


def _state(client, user, conference, query=""):
    client.force_login(user)
    return client.get(f"/api/v1/media/conferences/{conference.pk}{query}")


def test_the_hosts_answer_carries_its_page_the_watched_points_and_counts(client, large, eve):
    conference, ordered, who = large
    answer = _state(client, eve, conference, "?offset=16&limit=8").json()
    page = [p.pk for p in ordered[17:25]]  # the host point has its own place
    assert answer["page"] == {"offset": 16, "limit": 8, "ids": page, "total": len(ordered) - 1}
    watched = [ordered[0].pk, who["floor"].pk, who["spotlit"].pk, who["asking"].pk]
    assert answer["watched"] == watched
    in_order = [p.pk for p in ordered if p.pk in {*page, *watched}]
    assert [p["point"] for p in answer["peers"]] == in_order  # the points' order
    assert answer["counts"] == {
        "points": len(ordered),
        "up": 100,
        "muted": len(ordered) - 10,  # the ten open (the host's among them)
        "audio": 100,
        "video": 100,
        "servers": {"ws://127.0.0.1:8188": 100},
    }
    everyone = len(_state(client, eve, conference, "?limit=100").json()["peers"])
    assert everyone == 1 + 100 + 3  # the host, a page of 100 and the three watched off it


def test_the_last_page_holds_what_is_left(client, large, eve):
    conference, ordered, _who = large
    offset = len(ordered) - 1 - 3
    answer = _state(client, eve, conference, f"?offset={offset}&limit=8").json()
    assert answer["page"]["ids"] == [p.pk for p in ordered[-3:]]


def test_a_points_answer_is_unchanged(client, large):
    conference, ordered, who = large
    point = ordered[42]
    answer = _state(client, point.operator, conference).json()
    assert {"page", "watched", "counts"}.isdisjoint(k for k, v in answer.items() if v is not None)
    shown = {ordered[0].pk, point.pk, who["floor"].pk, who["spotlit"].pk}
    assert {p["point"] for p in answer["peers"]} == shown
    # Its own peer as before: publishing, muted.
    own = next(p for p in answer["peers"] if p["point"] == point.pk)
    assert (own["up"], own["muted"]) == (True, True)


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=0", "limit"), ("limit=101", "limit"), ("offset=-1", "offset"), ("offset=x", "offset")],
)
def test_a_page_out_of_bounds_is_refused_naming_the_field(client, large, eve, query, field):
    conference, _ordered, _who = large
    response = _state(client, eve, conference, f"?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"].startswith(f"Giá trị của “{field}” không hợp lệ.")


def test_the_console_no_longer_pages_by_itself(client, large, eve):
    """media.js asks the server for its page (offset and limit) and draws what it sends."""
    from pathlib import Path

    script = (Path(__file__).parents[1] / "static" / "media" / "media.js").read_text()
    assert "?offset=" in script and "state.page.ids" in script
    assert "others.slice(" not in script
