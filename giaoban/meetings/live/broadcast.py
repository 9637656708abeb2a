"""The live room's one way out: services call `publish` and every connected console receives
the change, numbered, after the transaction commits.

A change message carries the room (status, current item, queue, speaker, attendance totals: a
size that does not grow with the conference) and only the bridge points and agenda items the
change touched. A
broadcast to a thousand consoles therefore costs a few kilobytes each, not the whole list of
points. Every change has its own number (`seq`); a console applies the one after the number it
holds and asks for the whole state (`sync`) when it sees a gap — a missed or failed broadcast
costs one resync, never a wrong screen. A console that connects receives the whole state.

In a conference of more points than LIVE_ALL_POINTS_UP_TO (a national briefing has tens of
thousands), a point's console receives the compact view: the room (with the points' counts), the
host's tile and its own, never the others'. Each broadcast then also carries that view's texts
(`compact`): the text every point console receives, and each changed point's tile, which the
fan-out splices in for that point's consoles. A viewer's console gets the compact view too.
"""

import json
import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import F

from giaoban.meetings.live.cache import state_cache, to_json

log = logging.getLogger("giaoban.meetings.live")

#: `publish(points=ALL)`: the change may touch every point (the default for callers that don't say).
ALL = None


def group_name(conference_id: int) -> str:
    return f"conference_{conference_id}"


def publish(
    conference,
    reason: str,
    points: Iterable[int] | None = ALL,
    items: Iterable[int] | None = ALL,
) -> None:
    """Number this change and broadcast it once the transaction commits.

    `points` are the ids of the bridge points whose tiles changed and `items` those of the
    agenda items that changed (`()` for none; left out, all are sent)."""
    from giaoban.meetings.models import Conference

    rows = Conference.objects.filter(pk=conference.pk)
    rows.update(seq=F("seq") + 1)
    seq = rows.values_list("seq", flat=True).get()  # the row is locked by the update until commit
    conference_id = conference.pk
    point_ids = None if points is ALL else sorted(set(points))
    item_ids = None if items is ALL else sorted(set(items))
    # robust: a failed broadcast must not turn a committed change into an error for its caller.
    transaction.on_commit(
        lambda: _broadcast(conference_id, seq, reason, point_ids, item_ids), robust=True
    )


def change(
    conference_id: int,
    seq: int,
    reason: str,
    point_ids: list[int] | None,
    item_ids: list[int] | None = None,
) -> dict:
    from giaoban.meetings.selectors import agenda_state, points_state, room_state

    return {
        "type": "change",
        "reason": reason,
        "seq": seq,
        "room": room_state(conference_id, agenda=False),
        "points": points_state(conference_id, point_ids) if point_ids != [] else [],
        "items": agenda_state(conference_id, item_ids) if item_ids != [] else [],
    }


def change_message(*args, **kwargs) -> str:
    return to_json(change(*args, **kwargs))


#: A change touching more points than this sends point consoles no tile of their own but asks
#: them to sync, rather than one text per point in one layer message.
COMPACT_OWN_MAX = 1000


#: Where a console's own tile goes in the compact text (NUL never reaches stored text).
_OWN = json.dumps("\u0000own\u0000")


def compact_texts(message: dict, host_id: int) -> dict:
    """The compact view of a change: `base` for every point console (the host's tile only, if
    it is in the message), and for the consoles of a changed point the same text with its own
    tile put in (`prefix` + `tiles[point id]` + `suffix`): the base is carried once, not once
    per point."""
    host = [p for p in message["points"] if p["id"] == host_id]
    others = [p for p in message["points"] if p["id"] != host_id]
    base = message | {"points": host, "room": message["room"] | {"points_scope": "own"}}
    if len(others) > COMPACT_OWN_MAX:
        return {"base": to_json(base | {"sync": True})}
    texts = {"base": to_json(base)}
    if others:
        marked = to_json(base | {"points": [*host, "\u0000own\u0000"]})
        texts["prefix"], texts["suffix"] = marked.split(_OWN)
        texts["tiles"] = {str(p["id"]): to_json(p) for p in others}
    return texts


def compact_view(compact: dict, point: int) -> str:
    """What the console of `point` (0: a viewer) receives of a broadcast's compact texts."""
    tile = compact.get("tiles", {}).get(str(point))
    return compact["prefix"] + tile + compact["suffix"] if tile else compact["base"]


_TILES = json.dumps("\u0000tiles\u0000")


def host_texts(message: dict, conference_id: int) -> dict:
    """The host consoles' view of a change in a large conference (see pages.py): the room with
    the attention count, and each changed tile apart, for `host_view` to put in those a console
    holds and those that now need attention. A change wider than COMPACT_OWN_MAX asks them to
    sync."""
    from giaoban.meetings.live import pages
    from giaoban.meetings.models import Conference

    conference = Conference.objects.get(pk=conference_id)
    needing = pages.attention_q(conference)
    total = conference.points.filter(needing).count()
    room = message["room"] | {"points_scope": "page", "attention_total": total}
    base = message | {"room": room}
    resync = to_json(base | {"points": [], "sync": True})
    if len(message["points"]) > COMPACT_OWN_MAX:
        return {"resync": resync}
    prefix, suffix = to_json(base | {"points": ["\u0000tiles\u0000"]}).split(_TILES)
    return {
        "resync": resync,
        "prefix": prefix,
        "suffix": suffix,
        "tiles": {str(p["id"]): to_json(p) for p in message["points"]},
        "urgent": pages.urgent_of(conference, message["points"], message["room"]),
    }


def host_view(texts: dict, held: set | None) -> str:
    """What a host console holding the tiles `held` (None: it holds no paged state yet)
    receives of a change; the tiles that now need attention join what it holds."""
    if held is None or "tiles" not in texts:
        return texts["resync"]
    held.update(texts["urgent"])
    chosen = [text for pk, text in texts["tiles"].items() if int(pk) in held]
    return texts["prefix"] + ",".join(chosen) + texts["suffix"]


def _broadcast(
    conference_id: int,
    seq: int,
    reason: str,
    point_ids: list[int] | None,
    item_ids: list[int] | None,
) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        # Encoded once here, not once per console.
        message = change(conference_id, seq, reason, point_ids, item_ids)
        event = {"type": "room.state", "text": to_json(message)}
        host_id = state_cache.compact_host(conference_id, seq)
        if host_id is not None:
            event["compact"] = compact_texts(message, host_id)
            event["host"] = host_texts(message, conference_id)
        async_to_sync(layer.group_send)(group_name(conference_id), event)
    except Exception:  # a broken layer must not undo a committed change; consoles resync
        log.exception("broadcast of conference %s failed", conference_id)


def consoles_close(channels: list[str]) -> None:
    """Once the transaction commits, close these consoles (4403): their user's role changed
    (another operator took the point). They reconnect, if at all, with their new role."""

    def close() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        for channel in channels:
            try:
                async_to_sync(layer.send)(channel, {"type": "console.revoke"})
            except Exception:  # a console already gone
                log.warning("could not close console %s", channel)

    if channels:
        transaction.on_commit(close, robust=True)
