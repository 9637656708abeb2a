"""The whole live state of each conference at its current change number, read and encoded once
per process for the consoles that connect or resync in a crowd (and the compact view's room)."""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone


def to_json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder)


class _StateCache:
    """The whole state of each conference at its current number, read and encoded once for the
    consoles connecting in a crowd: every change bumps the number, so a state read at one number
    stays right until the next. Only the clock is fresh for each console."""

    def __init__(self) -> None:
        self._states: dict[int, tuple[int, dict, str]] = {}  # id -> (seq, state, its JSON)
        self._compact_rooms: dict[int, tuple[int, dict]] = {}  # id -> (seq, room + host tile)
        self._hosts: dict[int, tuple] = {}  # id -> ((seq, the limit), compact_host)

    def clear(self) -> None:
        """Forget every state (tests, whose databases reuse conference ids)."""
        self._states.clear()
        self._compact_rooms.clear()
        self._hosts.clear()

    def _current(self, conference_id: int) -> tuple[int, dict, str]:
        from giaoban.meetings.models import Conference
        from giaoban.meetings.selectors import live_state

        seq = Conference.objects.filter(pk=conference_id).values_list("seq", flat=True).first()
        cached = self._states.get(conference_id)
        if cached is None or cached[0] != seq:
            state = live_state(conference_id)
            state.pop("server_time")
            cached = (state["seq"], state, to_json(state))
            self._states[conference_id] = cached
        return cached

    def get(self, conference_id: int) -> dict:
        return self._current(conference_id)[1] | {"server_time": timezone.now().isoformat()}

    def message(self, conference_id: int, point_id: int | None = None) -> str:
        """`{"type": "state", "reason": "sync", "state": ...}`, as the consoles receive it; for
        the console of point `point_id`, the compact view when the conference is that large."""
        host_id = self.compact_host(conference_id) if point_id is not None else None
        if host_id is None:
            body = self._current(conference_id)[2]
        else:
            body = self._compact(conference_id, host_id, point_id)
        clock = json.dumps(timezone.now().isoformat())
        return (
            f'{{"type": "state", "reason": "sync", "state": {body[:-1]}, "server_time": {clock}}}}}'
        )

    def host_message(self, conference_id: int, page) -> tuple[str, dict | None]:
        """The state for a host's console: the whole state, or in a large conference the
        paged view (live/pages.py) with what it holds: {"held": ids, "page": the page's ids}."""
        if self.compact_host(conference_id) is None:
            return self.message(conference_id), None
        from giaoban.meetings.live.pages import host_view

        view, held = host_view(conference_id, page)
        clock = json.dumps(timezone.now().isoformat())
        body = to_json(view)
        head = '{"type": "state", "reason": "sync", "state": '
        text = f'{head}{body[:-1]}, "server_time": {clock}}}}}'
        return text, {"held": held, "page": set(view["page"]["ids"])}

    def compact_host(self, conference_id: int, seq: int | None = None) -> int | None:
        """selectors.compact_host, counted once per change number per process (points are
        added and removed by changes): not on every console's connect, sync or media poll."""
        from giaoban.meetings.models import Conference
        from giaoban.meetings.selectors import compact_host

        if seq is None:
            seq = Conference.objects.filter(pk=conference_id).values_list("seq", flat=True).first()
        key = (seq, settings.LIVE_ALL_POINTS_UP_TO)
        cached = self._hosts.get(conference_id)
        if cached is None or cached[0] != key:
            cached = (key, compact_host(conference_id))
            self._hosts[conference_id] = cached
        return cached[1]

    def _compact(self, conference_id: int, host_id: int, point_id: int) -> str:
        return to_json(self.compact_view(conference_id, host_id, point_id))

    def compact_view(self, conference_id: int, host_id: int, point_id: int) -> dict:
        """The room and the host's tile, read once per change number (never every point's), and
        this point's own tile."""
        from giaoban.meetings.models import Conference
        from giaoban.meetings.selectors import points_state, room_state

        seq = Conference.objects.filter(pk=conference_id).values_list("seq", flat=True).first()
        cached = self._compact_rooms.get(conference_id)
        if cached is None or cached[0] != seq:
            room = room_state(conference_id)
            room.pop("server_time")
            room = room | {"points_scope": "own", "points": points_state(conference_id, [host_id])}
            cached = (room["seq"], room)
            self._compact_rooms[conference_id] = cached
        room = cached[1]
        own = points_state(conference_id, [point_id]) if point_id not in (0, host_id) else []
        return room | {"points": room["points"] + own}


state_cache = _StateCache()
