"""The live room's WebSocket: authenticate, join the conference's group, relay.

Kept thin on purpose: who may do what is decided in commands.py and the services; the state
clients render comes from selectors.live_state.
"""

import json
import logging

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db import OperationalError
from django.utils.translation import gettext as _

from giaoban.core import offenders
from giaoban.core.admission import busy_message
from giaoban.core.db import database_busy, socket_database
from giaoban.core.errors import ApplicationError
from giaoban.meetings.access import conference_role
from giaoban.meetings.live import commands, pages, presence
from giaoban.meetings.live.cache import state_cache
from giaoban.meetings.live.fanout import fanout
from giaoban.meetings.live.pages import HostPage
from giaoban.meetings.live.presence import announcer, heartbeats
from giaoban.meetings.live.refusals import CLOSE_CODE, RefusalWindow, record_refusal
from giaoban.meetings.models import Conference

log = logging.getLogger("giaoban.meetings.live")


@socket_database
def _role_for(user, conference_id):
    conference = Conference.objects.filter(pk=conference_id).first()
    return conference_role(user, conference) if conference else None


@socket_database
def _state(conference_id, point_id=None) -> str:
    return state_cache.message(conference_id, point_id)


@socket_database
def _host_state(conference_id, page):
    return state_cache.host_message(conference_id, page)


async def _touch(channel, conference_id) -> int:
    """Note this console as alive and return the room's number as this process knows it. Most
    pings need no database and are answered on the event loop; about one ping in 3 s per
    process writes the batch (see presence.py)."""
    seq, batch = heartbeats.note(channel=channel, conference_id=conference_id)
    if seq is None or batch is not None:
        seq = await socket_database(heartbeats.settle)(batch, conference_id)
    return seq


#: A console's messages are a few hundred bytes, the longest text field 500 characters; only a
#: host's reorder of a very large queue comes near a few kilobytes. A bigger frame is refused
#: before it is parsed (issue 13: 889 KB frames); uvicorn closes a frame above 4 x this many bytes
#: itself (serve.py's ws_max_size).
MAX_FRAME_CHARS = 65536


@socket_database
def _run(user, role, conference_id, message) -> tuple[str, bool] | None:
    """Carry out a console's command; if refused, the reason and whether the refusal is an
    offence (a permission or a forgery, audited) rather than a rule of the moment."""
    try:
        commands.run(user, role, conference_id, message)
    except OperationalError as exc:
        if not database_busy(exc):
            raise
        return busy_message(), False  # nothing was done: the console may send it again
    except ApplicationError as exc:
        if isinstance(exc, commands.Refused) or exc.code == "forbidden":
            record_refusal(user, conference_id, message, exc.message)
            return exc.message, True
        return exc.message, False  # a rule of the moment (a click that lost a race)
    return None


def _parse(text_data) -> tuple[dict | None, str | None]:
    """The frame as a message, or the reason it is refused: not text, too large, not JSON (or
    nested too deep to parse), not an object."""
    if text_data is None:
        return None, _("The live room takes text messages only.")
    if len(text_data) > MAX_FRAME_CHARS:
        return None, _("The message is too large (at most %(limit)d characters).") % {
            "limit": MAX_FRAME_CHARS
        }
    try:
        content = json.loads(text_data)
    except (ValueError, RecursionError):
        return None, _("The message is not valid JSON.")
    if not isinstance(content, dict):
        return None, _("The message must be a JSON object.")
    return content, None


#: The close code of a frame above uvicorn's ws_max_size (serve.py). Such a close, or one for
#: too many refusals (4429), counts as this many refusals of the client (core/offenders.py).
FRAME_TOO_LARGE, CLOSED_WEIGHT = 1009, 5

#: WebSocket's "Try Again Later": the database was too busy to open the console in time; the
#: console reconnects after its back-off, as after any close but 4403.
BUSY_CLOSE_CODE = 1013


class ConferenceConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        try:
            await self._connect()
        except OperationalError as exc:
            if not database_busy(exc):
                raise
            log.warning("%s: console not opened, database busy: %s", self.scope["path"], exc)
            if not getattr(self, "accepted", False):
                await self.accept()
            await self.close(code=BUSY_CLOSE_CODE)

    async def _connect(self):
        self.conference_id = int(self.scope["url_route"]["kwargs"]["conference_id"])
        self.user = self.scope.get("user")
        self.role = await _role_for(self.user, self.conference_id) if self.user else None
        if self.role is None:
            # Accept, then close with 4403: a browser sees the code (a refused handshake looks
            # like a network failure) and the console stops retrying; a client that reconnects
            # anyway is a script, refused each time (core/offenders.py).
            offenders.refused(self.scope)
            await self.accept()
            await self.close(code=4403)
            return
        await self.accept()
        self.accepted = True
        await self.send_json({"type": "hello", "role": self.role.kind, "point": self.role.point_id})
        # A point's console may receive the compact view (see broadcast.py), and a viewer's too,
        # without a tile of its own (0); the host's never.
        views = {"point": self.role.point_id, "viewer": 0}
        self.live_point = views.get(self.role.kind)
        # Joined before the state is read: a change made meanwhile is in the state or follows it.
        await fanout.join(self.conference_id, self)
        self.joined = True
        if self.role.point_id:
            came_online = await socket_database(presence.console_connected)(
                point_id=self.role.point_id, channel=self.channel_name
            )
            if came_online:
                announcer.add(self.conference_id, [self.role.point_id])
        await self._send_state()

    async def _send_state(self) -> None:
        """The whole state (a point's: compact in a large conference); a host's console in a
        large conference gets its paged view and keeps the ids of the tiles it holds."""
        if self.live_point is not None:
            await self.send(text_data=await _state(self.conference_id, self.live_point))
            return
        text, held = await _host_state(self.conference_id, getattr(self, "host_page", HostPage()))
        self.host_ids = held and held["held"]
        self.page_ids = held["page"] if held else set()
        await self.send(text_data=text)

    async def _points_page(self, content) -> None:
        """Another page of the points, or those a search finds (the host's console only)."""
        if self.live_point is not None:
            await self._refused("points_page", _("Only the host's console pages the points."))
            return
        try:
            page = pages.page_asked(content)
        except ApplicationError as exc:
            await self._refused("points_page", exc.message)
            return
        self.host_page = page
        message, shown = await socket_database(pages.page_message)(self.conference_id, page)
        if getattr(self, "host_ids", None) is not None:
            self.host_ids = (self.host_ids - self.page_ids) | shown
            self.page_ids = shown
        await self.send_json(message)

    async def disconnect(self, code):
        if code == FRAME_TOO_LARGE:
            # uvicorn closed the socket for a frame above its ws_max_size: no console of ours
            # sends one, so it counts as several refusals of the client.
            offenders.refused(self.scope, weight=CLOSED_WEIGHT)
        if getattr(self, "joined", False):
            await fanout.leave(self.conference_id, self)
        if getattr(self, "role", None) and self.role.point_id:
            heartbeats.forget(self.channel_name)
            gone = await socket_database(presence.console_disconnected)(channel=self.channel_name)
            announcer.add(self.conference_id, gone)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Channels' JSON consumer parses any frame, and a malformed one ended the socket with
        "Exception in ASGI application": here its size and shape are checked first and a bad
        frame is refused like a forbidden message."""
        content, error = _parse(text_data)
        if error:
            await socket_database(record_refusal)(
                self.user, self.conference_id, {"frame": (text_data or "")[:200]}, error
            )
            await self._refused(None, error)
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        action = content.get("action")
        if action in ("ping", "sync"):
            await self._ping(content, force=action == "sync")
            return
        if action == "points_page":
            await self._points_page(content)
            return
        refusal = await _run(self.user, self.role, self.conference_id, content)
        if refusal:
            message, offence = refusal
            await self._refused(action if isinstance(action, str) else None, message, offence)

    async def _refused(self, action: str | None, message: str, offence: bool = True) -> None:
        """Answer a refusal to this console alone, close a console that keeps sending them, and
        count an offence (a forgery, a malformed frame) or a close against the client: past
        its threshold, this console's next frames wait unread (core/offenders.py). A rule of
        the moment (the conference not live, a request already granted) counts only when the
        console is refused faster than anyone clicks: a busy host's console is never slowed
        for the races of a briefing."""
        await self.send_json(
            {"type": "refused", "action": action and action[:40], "message": message}
        )
        if not hasattr(self, "refusals"):
            self.refusals = RefusalWindow()
        if self.refusals.note():
            await self.close(code=CLOSE_CODE)
            await offenders.hold(offenders.refused(self.scope, weight=CLOSED_WEIGHT))
        elif offence or self.refusals.rapid():
            await offenders.hold(offenders.refused(self.scope))

    async def _ping(self, content, force: bool):
        """Keep this console counted as present, and resend the whole state if it is behind (it
        missed a change: a lost broadcast, or a gap it noticed and asked about with `sync`)."""
        seq = await _touch(self.channel_name, self.conference_id)
        held = content.get("seq")
        if force or not isinstance(held, int) or held < seq:
            await self._send_state()
        else:
            await self.send_json({"type": "pong", "seq": seq})

    async def console_revoke(self, event):
        """The point's operator changed (see broadcast.consoles_close): this console may no longer
        act for it."""
        await self.close(code=4403)

    async def dispatch(self, message):
        # A console's message touches no database by itself (pings are answered from memory):
        # skip Channels' per-message close of old database connections, a hop to the database
        # thread. The work it leads to runs through socket_database, which closes them.
        # Broadcasts do not come this way at all: see fanout.py.
        if message.get("type") == "websocket.receive":
            await self.websocket_receive(message)
            return
        await super().dispatch(message)
