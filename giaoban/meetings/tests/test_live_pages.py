"""The host console of a large conference (issue 15): 2,000 communes invited, the host's console
receives the counts, the points that need attention and one page, bounded in size; it pages and
searches; a change of a point it does not hold reaches it as counts only."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from giaoban.meetings import invitations, services
from giaoban.meetings.live import pages
from giaoban.meetings.live.cache import state_cache
from giaoban.meetings.models import BridgePoint, Incident, PointState
from giaoban.meetings.selectors import live_state
from giaoban.orgs.models import Level

from .test_invitations import communes
from .test_live import APP, Console, _change, _state, in_memory_layer, run  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

N = 2000
#: The room (status, agenda, queue, counts: a size that does not grow with the points) stays
#: under 8 KB here; a tile is about 330 bytes, 400 at most with a long name. The first message
#: holds at most ATTENTION_MAX + PAGE_SIZE tiles, whatever the number of points.
BOUND = 8192 + (pages.ATTENTION_MAX + pages.PAGE_SIZE) * 400


@pytest.fixture
def national(tree, eve, settings):
    """A planned briefing two days ahead with the host point and 2,000 communes; three lost
    their connection and one has an open incident (the points that need attention)."""
    settings.LIVE_ALL_POINTS_UP_TO = 200
    start = timezone.now() + timedelta(days=2)
    conference = services.conference_create(
        actor=None,
        title="Hội nghị trực tuyến toàn quốc",
        organizer=eve.membership.organization,
        kind="thematic",
        start=start,
        end=start + timedelta(hours=3),
    )
    services.point_add(
        actor=None,
        conference=conference,
        unit=tree["laocai_new"],
        name="Điểm cầu Trung ương",
        is_host=True,
    )
    communes(tree["laocai_new"], N)
    invitations.points_invite_level(
        actor=None, conference=conference, parent=tree["laocai_new"], level=Level.COMMUNE
    )
    ordered = list(
        BridgePoint.objects.filter(conference=conference)
        .select_related("operator")
        .order_by(*BridgePoint._meta.ordering)
    )
    lost = [p.pk for p in ordered[1000:1003]]
    BridgePoint.objects.filter(pk__in=lost).update(state=PointState.OFFLINE)
    Incident.objects.create(point=ordered[1500], kind="no_sound")
    return {"conference": conference, "ordered": ordered, "attention": {*lost, ordered[1500].pk}}


def test_the_hosts_first_message_is_bounded_and_holds_the_counts_and_the_attention_list(
    national, eve
):
    conference, ordered = national["conference"], national["ordered"]
    whole = len(json.dumps(live_state(conference.pk), default=str))
    text, held = state_cache.host_message(conference.pk, pages.HostPage())
    assert len(text.encode()) < BOUND < whole / 5, (len(text), whole)
    state = json.loads(text)["state"]
    assert (state["points_total"], state["points_scope"]) == (len(ordered), "page")
    assert set(state["attention"]["ids"]) == national["attention"]
    assert state["attention"]["total"] == 4
    assert state["page"]["ids"] == [p.pk for p in ordered[:50]]
    assert state["page"]["total"] == len(ordered)
    assert {p["id"] for p in state["points"]} == national["attention"] | set(state["page"]["ids"])
    assert held["held"] == {p["id"] for p in state["points"]}


def test_the_host_pages_and_searches_and_bad_pages_are_refused(national, eve):
    conference, ordered = national["conference"], national["ordered"]
    operator = ordered[1450].operator

    async def scenario():
        host = Console(eve, conference.pk)
        point = Console(operator, conference.pk)
        await host.open()
        await point.open()
        try:
            await host.send({"action": "points_page", "offset": 1400, "limit": 100})
            page = await host.until(lambda m: m["type"] == "points_page")
            assert page["page"]["ids"] == [p.pk for p in ordered[1400:1500]]
            assert [p["id"] for p in page["points"]] == page["page"]["ids"]
            # Diacritics and case ignored: the unit's folded name.
            await host.send({"action": "points_page", "search": "thu nghiem x1234"})
            found = await host.until(lambda m: m["type"] == "points_page")
            assert [p["name"] for p in found["points"]] == ["Điểm cầu xã Thử Nghiệm X1234"]
            assert found["page"]["total"] == 1
            for bad, field in [({"limit": 101}, "limit"), ({"search": "x" * 101}, "search")]:
                await host.send({"action": "points_page", **bad})
                refused = await host.until(lambda m: m["type"] == "refused")
                assert field in refused["message"]
            await point.send({"action": "points_page"})
            assert (await point.until(lambda m: m["type"] == "refused"))["action"] == "points_page"
        finally:
            await point.close()
            await host.close()

    run(scenario)


def test_a_change_of_a_point_off_the_hosts_page_sends_only_the_counts(national, eve):
    conference, ordered = national["conference"], national["ordered"]
    far = ordered[1800]

    async def scenario():
        host = Console(eve, conference.pk)
        first = (await host.open())["state"]
        assert far.pk not in {p["id"] for p in first["points"]}
        point = Console(far.operator, conference.pk)
        await point.open()
        try:
            # It comes online: the host's console receives the count, not the tile.
            online = await host.until(_change("presence"))
            assert online["points"] == [] and online["room"]["points_online"] == 1
            await point.send({"action": "readiness", "item": "camera_ready", "done": True})
            ticked = await host.until(_change("point.readiness"))
            assert ticked["points"] == [] and ticked["seq"] == online["seq"] + 1
            # An incident: the point now needs attention, and its tile reaches the host.
            await point.send({"action": "incident_open", "kind": "no_picture"})
            opened = await host.until(_change("incident.opened"))
            assert [p["id"] for p in opened["points"]] == [far.pk]
            assert opened["room"]["attention_total"] == 5
            # Held from now on: its next change comes with its tile.
            await point.send({"action": "readiness", "item": "room_ready", "done": True})
            again = await host.until(_change("point.readiness"))
            assert [p["id"] for p in again["points"]] == [far.pk]
            # A sync gives the paged state again, the point in the attention list.
            await host.send({"action": "sync"})
            synced = (await host.until(_state()))["state"]
            assert far.pk in synced["attention"]["ids"]
        finally:
            await point.close()
            await host.close()

    run(scenario)
