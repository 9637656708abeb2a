"""The live room's fan-out inside one process: one channel per conference per process.

Channels' usual pattern gives every console its own channel in the conference's group, so a
broadcast to N consoles is N messages through the channel layer, N wake-ups and N dispatches;
on this machine that alone kept a thousand consoles above 400 ms (shared/notes/live-room.md).
Here each process joins the group once, with one channel of its own, and writes each message it
receives straight to the sockets of its consoles of that conference. With Redis, a broadcast is
one message per process; in memory, one message in all.
"""

import asyncio
import logging
from dataclasses import dataclass, field

from channels.layers import get_channel_layer

log = logging.getLogger("giaoban.meetings.fanout")


@dataclass
class _Room:
    conference_id: int
    channel: str
    consoles: set = field(default_factory=set)
    pump: asyncio.Task | None = None


class LocalFanout:
    def __init__(self) -> None:
        # Keyed by event loop too: tests run each scenario on a loop of its own.
        self._rooms: dict[tuple[int, int], _Room] = {}

    async def join(self, conference_id: int, console) -> None:
        """Deliver the conference's broadcasts to `console` (its `send(text_data=...)`)."""
        from giaoban.meetings.live.broadcast import group_name

        layer = get_channel_layer()
        key = (id(asyncio.get_running_loop()), conference_id)
        room = self._rooms.get(key)
        if room is None:
            room = _Room(conference_id, await layer.new_channel())
            self._rooms[key] = room
            room.pump = asyncio.get_running_loop().create_task(self._pump(layer, room))
        room.consoles.add(console)
        # Also renews the membership, which a layer expires after its group_expiry.
        await layer.group_add(group_name(conference_id), room.channel)

    async def leave(self, conference_id: int, console) -> None:
        from giaoban.meetings.live.broadcast import group_name

        key = (id(asyncio.get_running_loop()), conference_id)
        room = self._rooms.get(key)
        if room is None:
            return
        room.consoles.discard(console)
        if not room.consoles:
            del self._rooms[key]
            room.pump.cancel()
            await get_channel_layer().group_discard(group_name(conference_id), room.channel)

    async def _pump(self, layer, room: _Room) -> None:
        while True:
            try:
                message = await layer.receive(room.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # a lost Redis connection: try again shortly, consoles resync
                log.exception("receiving the broadcasts of conference %s", room.conference_id)
                await asyncio.sleep(1)
                continue
            text = message.get("text")
            if text is None:
                continue
            compact, host = message.get("compact"), message.get("host")
            for console in list(room.consoles):
                try:
                    await console.send(text_data=_view(text, compact, console, host))
                except Exception:  # closed meanwhile: its disconnect will remove it
                    room.consoles.discard(console)

    def consoles(self, conference_id: int) -> int:
        """How many consoles of this conference this process serves (on the current loop)."""
        room = self._rooms.get((id(asyncio.get_running_loop()), conference_id))
        return len(room.consoles) if room else 0


def _view(text: str, compact: dict | None, console, host: dict | None = None) -> str:
    """What `console` receives of a broadcast: all of it, or, in a large conference, for a
    point's or a viewer's console the compact view (see broadcast.compact_texts), for the
    host's the tiles it holds (broadcast.host_view)."""
    from giaoban.meetings.live.broadcast import compact_view, host_view

    point = getattr(console, "live_point", None)
    if host is not None and point is None:
        return host_view(host, getattr(console, "host_ids", None))
    if compact is None or point is None:
        return text
    return compact_view(compact, point)


#: One per process.
fanout = LocalFanout()
