"""The host console of a large conference: the counts, the points that need attention and the
page of points it shows, never every point (issue 15: 11 MB at 31,000 points).

Above LIVE_ALL_POINTS_UP_TO points the host's console receives, on connecting and on every
sync, the room (with the counts), the tiles of the points that need attention (at most
ATTENTION_MAX, the most urgent first) and one page of the points in their order, or of those a
search finds. It asks for another page with `{"action": "points_page", "offset", "limit",
"search"}` (limit at most core.limits.LIVE_PAGE_MAX, search at most LIVE_SEARCH_CHARS). A
change then reaches it with only the tiles it holds (page and attention) and those that now
need attention; a change of any other point changes only the counts in the room.

A point needs attention, most urgent first, when it:
0. has the floor, asks for it, or is in the spotlight;
1. has an open incident, or lost its connection (offline: it was online);
2. is not yet connected while the conference is live or starts within SOON.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.errors import InvalidInput
from giaoban.core.limits import LIVE_OFFSET_MAX, LIVE_PAGE_MAX, LIVE_SEARCH_CHARS
from giaoban.core.text import nfc
from giaoban.meetings.models import (
    BridgePoint,
    Conference,
    ConferenceStatus,
    FloorRequest,
    FloorStatus,
    Incident,
    PointState,
)

PAGE_SIZE = 50
ATTENTION_MAX = 100
SOON = timedelta(minutes=30)

NOT_CONNECTED = (PointState.INVITED, PointState.CONFIRMED)


@dataclass(frozen=True)
class HostPage:
    offset: int = 0
    limit: int = PAGE_SIZE
    search: str = ""


def _whole(message: dict, field: str, default: int, low: int, high: int) -> int:
    value = message.get(field, default)
    if type(value) is not int or not low <= value <= high:
        raise InvalidInput(
            {
                field: _("%(field)s must be a whole number from %(low)d to %(high)d.")
                % {"field": field, "low": low, "high": high}
            }
        )
    return value


def page_asked(message: dict) -> HostPage:
    """The page a console asks for, or InvalidInput naming the field out of bounds."""
    search = message.get("search", "")
    if not isinstance(search, str):
        raise InvalidInput({"search": _("search must be text.")})
    search = nfc(search).strip()
    if len(search) > LIVE_SEARCH_CHARS:
        raise InvalidInput(
            {"search": _("search: at most %(limit)d characters.") % {"limit": LIVE_SEARCH_CHARS}}
        )
    return HostPage(
        offset=_whole(message, "offset", 0, 0, LIVE_OFFSET_MAX),
        limit=_whole(message, "limit", PAGE_SIZE, 1, LIVE_PAGE_MAX),
        search=search,
    )


def _points(conference_id: int):
    return BridgePoint.objects.filter(conference_id=conference_id)


def _soon(conference: Conference) -> bool:
    if conference.status == ConferenceStatus.LIVE:
        return True
    return conference.status == ConferenceStatus.PLANNED and (
        conference.scheduled_start - timezone.now() <= SOON
    )


def attention_q(conference: Conference) -> Q:
    """The points that need attention, as one condition on BridgePoint."""
    asking = FloorRequest.objects.filter(
        conference_id=conference.pk, status__in=[FloorStatus.WAITING, FloorStatus.SPEAKING]
    ).values("point_id")
    troubled = Incident.objects.filter(
        point__conference_id=conference.pk, ended_at__isnull=True
    ).values("point_id")
    where = (
        Q(pk__in=asking)
        | Q(pk__in=troubled)
        | Q(state=PointState.OFFLINE)
        | Q(pk=conference.spotlight_id or 0)
    )
    if _soon(conference):
        where |= Q(state__in=NOT_CONNECTED)
    return where & Q(is_host=False)


def attention(conference: Conference) -> tuple[list[int], int]:
    """The ids of the points that need attention, most urgent first, at most ATTENTION_MAX, and
    how many need it in all (a few queries, whatever the size)."""
    needing = _points(conference.pk).filter(attention_q(conference))
    total = needing.count()
    if not total:
        return [], 0
    asking = list(
        FloorRequest.objects.filter(
            conference_id=conference.pk, status__in=[FloorStatus.WAITING, FloorStatus.SPEAKING]
        )
        .order_by("position", "pk")
        .values_list("point_id", flat=True)
    )
    first = [conference.spotlight_id, *asking] if conference.spotlight_id else asking
    troubled = needing.filter(
        Q(state=PointState.OFFLINE) | Q(incidents__ended_at__isnull=True, incidents__isnull=False)
    ).order_by("order", "pk")
    rest = needing.filter(state__in=NOT_CONNECTED).order_by("order", "pk")
    ids: list[int] = []
    for pk in [
        *first,
        *troubled.values_list("pk", flat=True)[:ATTENTION_MAX],
        *rest.values_list("pk", flat=True)[:ATTENTION_MAX],
    ]:
        if pk not in ids:
            ids.append(pk)
    return ids[:ATTENTION_MAX], total


def page_of(conference_id: int, page: HostPage) -> tuple[list[int], int]:
    """The ids of the page's points in their order, and how many the search matches."""
    points = _points(conference_id)
    if page.search:
        from giaoban.meetings.selectors import points_matching

        points = points.filter(points_matching(page.search))
    ids = list(
        points.order_by(*BridgePoint._meta.ordering).values_list("pk", flat=True)[
            page.offset : page.offset + page.limit
        ]
    )
    return ids, points.count()


def host_view(conference_id: int, page: HostPage) -> tuple[dict, set[int]]:
    """The host console's state of a large conference, and the ids of the tiles it holds."""
    from giaoban.meetings.selectors import points_state, room_state

    room = room_state(conference_id)
    room.pop("server_time")
    conference = Conference.objects.get(pk=conference_id)
    urgent, urgent_total = attention(conference)
    shown, matching = page_of(conference_id, page)
    host = list(_points(conference_id).filter(is_host=True).values_list("pk", flat=True))
    held = set(urgent) | set(shown) | set(host)
    view = room | {
        "points_scope": "page",
        "points": points_state(conference_id, held),
        "attention": {"ids": urgent, "total": urgent_total},
        "page": _page_out(page, shown, matching),
    }
    return view, held


def console_state(conference_id: int, role, page: HostPage) -> dict:
    """What this role's console is sent (the API's live state): the whole state, or above
    LIVE_ALL_POINTS_UP_TO points the host's paged view and a point's (or a viewer's) compact
    view, with the server's clock."""
    from giaoban.meetings.live.cache import state_cache
    from giaoban.meetings.selectors import live_state

    host_id = state_cache.compact_host(conference_id)
    if host_id is None:
        return live_state(conference_id)
    if role.is_host:
        view = host_view(conference_id, page)[0]
    else:
        view = state_cache.compact_view(conference_id, host_id, role.point_id or 0)
    return view | {"server_time": timezone.localtime().isoformat()}


def _page_out(page: HostPage, shown: list[int], matching: int) -> dict:
    return {
        "offset": page.offset,
        "limit": page.limit,
        "search": page.search,
        "ids": shown,
        "total": matching,
    }


def page_message(conference_id: int, page: HostPage) -> tuple[dict, set[int]]:
    """The answer to `points_page`: the page's tiles (the attention list stays as it is)."""
    from giaoban.meetings.selectors import points_state

    seq = Conference.objects.filter(pk=conference_id).values_list("seq", flat=True).get()
    shown, matching = page_of(conference_id, page)
    message = {
        "type": "points_page",
        "seq": seq,
        "page": _page_out(page, shown, matching),
        "points": points_state(conference_id, shown),
    }
    return message, set(shown)


def urgent_of(conference: Conference, tiles: list[dict], room: dict) -> list[int]:
    """Of these changed tiles, those that need attention now (checked on the tile and the room,
    with no query): the host's console receives them wherever it has scrolled."""
    asking = {r["point_id"] for r in room.get("queue", [])}
    if room.get("speaking"):
        asking.add(room["speaking"]["point_id"])
    if room.get("spotlight"):
        asking.add(room["spotlight"]["point_id"])
    soon = _soon(conference)
    return [
        t["id"]
        for t in tiles
        if not t["is_host"]
        and (
            t["id"] in asking
            or t["open_incidents"]
            or t["state"] == PointState.OFFLINE
            or (soon and t["state"] in NOT_CONNECTED)
        )
    ]
