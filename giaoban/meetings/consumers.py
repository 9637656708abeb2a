"""The live room's WebSocket: authenticate, join the conference's group, relay.

Kept thin on purpose: who may do what is decided in commands.py and the services; the state
clients render comes from selectors.live_state.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from giaoban.core.errors import ApplicationError
from giaoban.meetings import commands, live, services
from giaoban.meetings.access import conference_role
from giaoban.meetings.models import Conference
from giaoban.meetings.presence import announcer, heartbeats


@database_sync_to_async
def _role_for(user, conference_id):
    conference = Conference.objects.filter(pk=conference_id).first()
    return conference_role(user, conference) if conference else None


@database_sync_to_async
def _state(conference_id):
    return live.state_cache.get(conference_id)


async def _touch(channel, conference_id) -> int:
    """Note this console as alive and return the room's number as this process knows it. Most
    pings need no database and are answered on the event loop; about one ping in 3 s per
    process writes the batch (see presence.py)."""
    seq, batch = heartbeats.note(channel=channel, conference_id=conference_id)
    if seq is None or batch is not None:
        seq = await database_sync_to_async(heartbeats.settle)(batch, conference_id)
    return seq


@database_sync_to_async
def _run(user, role, conference_id, message):
    try:
        commands.run(user, role, conference_id, message)
    except ApplicationError as exc:
        if isinstance(exc, commands.Refused) or exc.code == "forbidden":
            commands.record_refusal(user, conference_id, message, exc.message)
        return exc.message
    return None


class ConferenceConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.conference_id = int(self.scope["url_route"]["kwargs"]["conference_id"])
        self.user = self.scope.get("user")
        self.role = await _role_for(self.user, self.conference_id) if self.user else None
        if self.role is None:
            # Accept, then close with 4403: a browser sees the code (a refused handshake looks
            # like a network failure) and the console stops retrying.
            await self.accept()
            await self.close(code=4403)
            return
        self.group = live.group_name(self.conference_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        if self.role.point_id:
            came_online = await database_sync_to_async(services.console_connected)(
                point_id=self.role.point_id, channel=self.channel_name
            )
            if came_online:
                announcer.add(self.conference_id, [self.role.point_id])
        await self.send_json({"type": "hello", "role": self.role.kind, "point": self.role.point_id})
        await self.send_json(
            {"type": "state", "reason": "sync", "state": await _state(self.conference_id)}
        )

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if getattr(self, "role", None) and self.role.point_id:
            heartbeats.forget(self.channel_name)
            gone = await database_sync_to_async(services.console_disconnected)(
                channel=self.channel_name
            )
            announcer.add(self.conference_id, gone)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        action = content.get("action")
        if action in ("ping", "sync"):
            await self._ping(content, force=action == "sync")
            return
        error = await _run(self.user, self.role, self.conference_id, content)
        if error:
            await self.send_json({"type": "refused", "action": action, "message": error})

    async def _ping(self, content, force: bool):
        """Keep this console counted as present, and resend the whole state if it is behind (it
        missed a change: a lost broadcast, or a gap it noticed and asked about with `sync`)."""
        seq = await _touch(self.channel_name, self.conference_id)
        held = content.get("seq")
        if force or not isinstance(held, int) or held < seq:
            await self.send_json(
                {"type": "state", "reason": "sync", "state": await _state(self.conference_id)}
            )
        else:
            await self.send_json({"type": "pong", "seq": seq})

    async def dispatch(self, message):
        # A broadcast touches no database: skip Channels' per-message close of old database
        # connections, a thread hop that was a quarter of the fan-out time.
        # Nor does a console's message by itself (pings are answered from memory); the database
        # work it leads to runs through database_sync_to_async, which closes old connections.
        kind = message.get("type")
        if kind == "room.state":
            await self.room_state(message)
            return
        if kind == "websocket.receive":
            await self.websocket_receive(message)
            return
        await super().dispatch(message)

    async def room_state(self, event):
        await self.send(text_data=event["text"])
