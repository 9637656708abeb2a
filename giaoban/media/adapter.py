"""The one place that speaks to Janus: an asyncio client of its WebSocket API.

Everything else in giaoban calls these coroutines and never sees Janus's JSON. A `JanusClient` is
one WebSocket; `session()` creates a Janus session kept alive every 25 s; `Handle.request()` sends
a plugin message and returns its answer (waiting through the `ack` when the plugin answers
asynchronously). Failures raise `JanusUnavailable` (no server) or `JanusError` (a refusal, with
Janus's code and reason).
"""

import asyncio
import contextlib
import itertools
import json
import logging
import secrets

import websockets

from giaoban.media.janus_conf import secret

log = logging.getLogger("giaoban.media.adapter")

KEEPALIVE = 25.0  # Janus drops a session after 60 s of silence
TIMEOUT = 10.0


class JanusError(Exception):
    def __init__(self, code: int, reason: str):
        super().__init__(f"Janus error {code}: {reason}")
        self.code, self.reason = code, reason


class JanusUnavailable(JanusError):
    def __init__(self, reason: str):
        super().__init__(0, reason)


class JanusClient:
    """One WebSocket to one Janus server; requests are matched to answers by transaction."""

    def __init__(self, url: str, *, timeout: float = TIMEOUT, token: str | None = None):
        """With `token` the client speaks as a browser does (browser_token); without, as the
        app, with the API secret of the configuration janus_conf writes."""
        self.url, self.timeout = url, timeout
        self.credential = {"token": token} if token else {"apisecret": secret("api-secret")}
        self._ws = None
        self._reader = None
        self._pending: dict[str, tuple[asyncio.Future, bool]] = {}
        self._handles: dict[int, Handle] = {}
        self._counter = itertools.count(1)
        self.closed = asyncio.Event()

    async def __aenter__(self):
        await self.connect()
        return self

    async def __aexit__(self, *exc):
        await self.close()

    async def connect(self) -> None:
        try:
            self._ws = await asyncio.wait_for(
                websockets.connect(
                    self.url,
                    subprotocols=["janus-protocol"],
                    max_size=None,
                    ping_interval=None,
                    open_timeout=self.timeout,
                ),
                self.timeout,
            )
        except (TimeoutError, OSError, websockets.WebSocketException) as exc:
            raise JanusUnavailable(f"{self.url}: {exc}") from exc
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        self._fail_pending("closed")

    def _fail_pending(self, reason: str) -> None:
        self.closed.set()
        for future, _ in self._pending.values():
            if not future.done():
                future.set_exception(JanusUnavailable(reason))
        self._pending.clear()
        for handle in self._handles.values():
            handle.events.put_nowait({"janus": "gone"})

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                self._dispatch(json.loads(raw))
        except (websockets.WebSocketException, OSError) as exc:
            log.info("Janus connection %s lost: %s", self.url, exc)
        finally:
            self._fail_pending("connection to Janus lost")

    def _dispatch(self, message: dict) -> None:
        kind = message.get("janus")
        entry = self._pending.get(message.get("transaction", ""))
        if entry is not None and (kind != "ack" or entry[1]):
            future, _ = self._pending.pop(message["transaction"])
            if not future.done():
                future.set_result(message)
            return
        if kind == "ack":
            return
        handle = self._handles.get(message.get("sender"))
        if handle is not None:
            handle.events.put_nowait(message)

    async def send(self, body: dict, *, ack_is_answer: bool = False) -> dict:
        """Send one request and return Janus's answer, raising JanusError on a refusal."""
        if self._ws is None or self.closed.is_set():
            raise JanusUnavailable("not connected")
        transaction = f"{next(self._counter)}-{secrets.token_hex(4)}"
        future = asyncio.get_running_loop().create_future()
        self._pending[transaction] = (future, ack_is_answer)
        try:
            await self._ws.send(json.dumps(body | self.credential | {"transaction": transaction}))
        except websockets.WebSocketException as exc:
            self._pending.pop(transaction, None)
            raise JanusUnavailable(str(exc)) from exc
        try:
            answer = await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            self._pending.pop(transaction, None)
            raise JanusUnavailable("Janus did not answer in time") from None
        if answer.get("janus") == "error":
            error = answer.get("error", {})
            raise JanusError(error.get("code", 0), error.get("reason", ""))
        return answer

    async def info(self) -> dict:
        return await self.send({"janus": "info"})

    async def session(self) -> "Session":
        answer = await self.send({"janus": "create"})
        session = Session(self, answer["data"]["id"])
        session.start_keepalive()
        return session


class Session:
    def __init__(self, client: JanusClient, session_id: int):
        self.client, self.id = client, session_id
        self._keepalive = None

    def start_keepalive(self) -> None:
        self._keepalive = asyncio.create_task(self._keep_alive())

    async def _keep_alive(self) -> None:
        with contextlib.suppress(JanusError, asyncio.CancelledError):
            while True:
                await asyncio.sleep(KEEPALIVE)
                await self.send({"janus": "keepalive"}, ack_is_answer=True)

    async def send(self, body: dict, **kwargs) -> dict:
        return await self.client.send(body | {"session_id": self.id}, **kwargs)

    async def attach(self, plugin: str = "janus.plugin.videoroom", opaque_id: str = "") -> "Handle":
        body = {"janus": "attach", "plugin": plugin}
        if opaque_id:
            body["opaque_id"] = opaque_id
        answer = await self.send(body)
        handle = Handle(self, answer["data"]["id"])
        self.client._handles[handle.id] = handle
        return handle

    async def destroy(self) -> None:
        if self._keepalive:
            self._keepalive.cancel()
        with contextlib.suppress(JanusError):
            await self.send({"janus": "destroy"})


class Handle:
    def __init__(self, session: Session, handle_id: int):
        self.session, self.id = session, handle_id
        self.events: asyncio.Queue = asyncio.Queue()

    async def request(self, body: dict, jsep: dict | None = None) -> tuple[dict, dict | None]:
        """A plugin message; returns (plugin data, jsep). A plugin-level error raises."""
        message = {"janus": "message", "handle_id": self.id, "body": body}
        if jsep:
            message["jsep"] = jsep
        answer = await self.session.send(message)
        data = answer.get("plugindata", {}).get("data", {})
        if "error_code" in data or "error" in data:
            raise JanusError(data.get("error_code", 0), data.get("error", ""))
        return data, answer.get("jsep")

    async def next_event(self, timeout: float = TIMEOUT, **match) -> dict:
        """The next asynchronous message on this handle matching `match` (e.g. janus="webrtcup")."""
        async with asyncio.timeout(timeout):
            while True:
                event = await self.events.get()
                if event.get("janus") == "gone":
                    raise JanusUnavailable("connection to Janus lost")
                if all(event.get(k) == v for k, v in match.items()):
                    return event

    async def detach(self) -> None:
        with contextlib.suppress(JanusError):
            await self.session.send({"janus": "detach", "handle_id": self.id})


class VideoRoom:
    """The VideoRoom requests the app makes as the room's owner (create, moderate, kick...)."""

    def __init__(self, handle: Handle, admin_key: str):
        self.handle, self.admin_key = handle, admin_key

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, url: str, admin_key: str, timeout: float = TIMEOUT):
        async with JanusClient(url, timeout=timeout) as client:
            session = await client.session()
            try:
                yield cls(await session.attach(), admin_key)
            finally:
                await session.destroy()

    async def _do(self, request: str, **fields) -> dict:
        data, _ = await self.handle.request({"request": request} | fields)
        return data

    async def create(
        self,
        room: int,
        *,
        secret: str,
        tokens: list[str],
        description: str,
        publishers: int,
        record_dir: str | None = None,
    ) -> None:
        fields = dict(
            room=room,
            admin_key=self.admin_key,
            description=description[:120],
            secret=secret,
            is_private=True,
            allowed=tokens,
            publishers=publishers,
            bitrate=512_000,
            fir_freq=10,
            audiocodec="opus",
            videocodec="vp8",
            audiolevel_event=True,
            audio_active_packets=50,
            audio_level_average=40,
            notify_joining=True,
            permanent=False,
        )
        if record_dir:  # every publisher recorded by the server; clients cannot switch it off
            fields |= {"rec_dir": record_dir, "record": True, "lock_record": True}
        await self._do("create", **fields)

    async def exists(self, room: int) -> bool:
        return bool((await self._do("exists", room=room)).get("exists"))

    async def destroy(self, room: int, secret: str) -> None:
        await self._do("destroy", room=room, secret=secret)

    async def participants(self, room: int) -> list[dict]:
        return (await self._do("listparticipants", room=room)).get("participants", [])

    async def allow(self, room: int, secret: str, tokens: list[str], action: str = "add") -> None:
        await self._do("allowed", room=room, secret=secret, action=action, allowed=tokens)

    async def moderate(self, room: int, secret: str, feed: int, mid: str, mute: bool) -> None:
        await self._do("moderate", room=room, secret=secret, id=feed, mid=mid, mute=mute)

    async def kick(self, room: int, secret: str, feed: int) -> None:
        await self._do("kick", room=room, secret=secret, id=feed)

    async def record(self, room: int, secret: str, on: bool) -> None:
        await self._do("enable_recording", room=room, secret=secret, record=on)

    # The cascade (VideoRoom's remote publishers, Janus >= 1.1): a publisher of this server is
    # forwarded as plain RTP to a room of another server, where it is an ordinary feed.

    async def add_remote_publisher(
        self, room: int, secret: str, feed: int, display: str, streams: list[dict]
    ) -> tuple[int, int]:
        """Make room a place for feed `feed` published elsewhere; returns the (RTP, RTCP)
        ports Janus opened for it. `streams` in the source's mindex order."""
        data = await self._do(
            "add_remote_publisher",
            room=room,
            secret=secret,
            id=feed,
            display=display[:100],
            streams=[
                {
                    "type": s["type"],
                    "mindex": i,
                    "mid": str(i),
                    "codec": s.get("codec") or ("opus" if s["type"] == "audio" else "vp8"),
                }
                for i, s in enumerate(streams)
            ],
        )
        return data["port"], data["rtcp_port"]

    async def remove_remote_publisher(self, room: int, secret: str, feed: int) -> None:
        await self._do("remove_remote_publisher", room=room, secret=secret, id=feed)

    async def publish_remotely(
        self, room: int, secret: str, feed: int, remote_id: str, host: str, port: int, rtcp: int
    ) -> None:
        await self._do(
            "publish_remotely",
            room=room,
            secret=secret,
            admin_key=self.admin_key,
            publisher_id=feed,
            remote_id=remote_id,
            host=host,
            port=port,
            rtcp_port=rtcp,
        )

    async def unpublish_remotely(self, room: int, secret: str, feed: int, remote_id: str) -> None:
        await self._do(
            "unpublish_remotely",
            room=room,
            secret=secret,
            admin_key=self.admin_key,
            publisher_id=feed,
            remote_id=remote_id,
        )


async def publish(
    handle: Handle, *, room: int, feed: int, token: str, display: str, offer: dict
) -> dict:
    """Join a room as publisher `feed` and publish `offer`; returns Janus's answer (jsep)."""
    await handle.request(
        {
            "request": "join",
            "ptype": "publisher",
            "room": room,
            "id": feed,
            "display": display,
            "token": token,
        }
    )
    _, jsep = await handle.request({"request": "publish", "audio": True, "video": True}, offer)
    return jsep


async def subscribe(
    handle: Handle, *, room: int, feeds: list[int], token: str, private_id: int | None = None
) -> dict:
    """Join as subscriber of `feeds`; returns Janus's offer, to be answered with `start`."""
    body = {
        "request": "join",
        "ptype": "subscriber",
        "room": room,
        "token": token,
        "streams": [{"feed": f} for f in feeds],
    }
    if private_id:
        body["private_id"] = private_id
    _, jsep = await handle.request(body)
    return jsep


async def start(handle: Handle, answer: dict) -> None:
    await handle.request({"request": "start"}, answer)
