"""The live room's one way out: services call `publish` and every connected console receives
the change, numbered, after the transaction commits.

A change message carries the room (status, current item, queue, speaker, attendance totals: a
size that does not grow with the conference) and only the bridge points and agenda items the
change touched. A
broadcast to a thousand consoles therefore costs a few kilobytes each, not the whole list of
points. Every change has its own number (`seq`); a console applies the one after the number it
holds and asks for the whole state (`sync`) when it sees a gap — a missed or failed broadcast
costs one resync, never a wrong screen. A console that connects receives the whole state.
"""

import json
import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

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


def change_message(
    conference_id: int,
    seq: int,
    reason: str,
    point_ids: list[int] | None,
    item_ids: list[int] | None = None,
) -> str:
    from giaoban.meetings.selectors import agenda_state, points_state, room_state

    message = {
        "type": "change",
        "reason": reason,
        "seq": seq,
        "room": room_state(conference_id, agenda=False),
        "points": points_state(conference_id, point_ids) if point_ids != [] else [],
        "items": agenda_state(conference_id, item_ids) if item_ids != [] else [],
    }
    return json.dumps(message, cls=DjangoJSONEncoder)


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
        text = change_message(conference_id, seq, reason, point_ids, item_ids)
        async_to_sync(layer.group_send)(
            group_name(conference_id), {"type": "room.state", "text": text}
        )
    except Exception:  # a broken layer must not undo a committed change; consoles resync
        log.exception("broadcast of conference %s failed", conference_id)


class _StateCache:
    """The whole state of each conference at its current number, read and encoded once for the
    consoles connecting in a crowd: every change bumps the number, so a state read at one number
    stays right until the next. Only the clock is fresh for each console."""

    def __init__(self) -> None:
        self._states: dict[int, tuple[int, dict, str]] = {}  # id -> (seq, state, its JSON)

    def clear(self) -> None:
        """Forget every state (tests, whose databases reuse conference ids)."""
        self._states.clear()

    def _current(self, conference_id: int) -> tuple[int, dict, str]:
        from giaoban.meetings.models import Conference
        from giaoban.meetings.selectors import live_state

        seq = Conference.objects.filter(pk=conference_id).values_list("seq", flat=True).first()
        cached = self._states.get(conference_id)
        if cached is None or cached[0] != seq:
            state = live_state(conference_id)
            state.pop("server_time")
            cached = (state["seq"], state, json.dumps(state, cls=DjangoJSONEncoder))
            self._states[conference_id] = cached
        return cached

    def get(self, conference_id: int) -> dict:
        return self._current(conference_id)[1] | {"server_time": timezone.now().isoformat()}

    def message(self, conference_id: int) -> str:
        """`{"type": "state", "reason": "sync", "state": ...}`, as the consoles receive it."""
        clock = json.dumps(timezone.now().isoformat())
        body = self._current(conference_id)[2]
        return (
            f'{{"type": "state", "reason": "sync", "state": {body[:-1]}, "server_time": {clock}}}}}'
        )


state_cache = _StateCache()
