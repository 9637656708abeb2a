"""bench.live's baseline: a bare `websockets` server sending giaoban's change message to the
same consoles, so that giaoban's fan-out is measured against what the library alone does on the
same machine in the same run.

`python -m bench.live --bare PORT TEXTS` serves ws://127.0.0.1:PORT/ in one process, without
Django: every console receives a hello and the text a point's console receives on connecting
(taken from the room, TEXTS: a JSON file written by `start`). When a console sends
{"action": "advance"}, the next agenda item becomes current and every open console receives
giaoban's "next agenda item" change with that item and the next seq, encoded once and written
to each socket (`websockets.broadcast`, per-connection permessage-deflate as uvicorn's
websockets does, 12-bit window and memLevel 5 by default). A ping is answered with a pong.
Nothing is authenticated, stored or counted: that is the point of a baseline.
"""

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path

from bench.live import ROOT

_HELLO = json.dumps({"type": "hello", "role": "operator", "point": 0})


class _Room:
    """The items still to come and the change message, advanced one item at a time."""

    def __init__(self, texts: dict):
        self.connect = texts["connect"]
        self.change = json.loads(texts["change"])
        self.items = list(texts["items"])
        self.seq = self.change["seq"] - 1
        self.consoles: set = set()

    def advance(self) -> str | None:
        """The change making the next item current, encoded; None past the last item."""
        if not self.items:
            return None
        self.seq += 1
        # The item as giaoban's room carries it: the shape of the message's first agenda item
        # ("id" first, where the clients look for it), with the next item's id.
        current = {**self.change["items"][0], "id": self.items.pop(0)}
        room = self.change["room"] | {"current_item": current}
        return json.dumps(self.change | {"seq": self.seq, "room": room})


async def _serve(port: int, texts: dict) -> None:
    from websockets.asyncio.server import broadcast, serve

    room = _Room(texts)

    async def console(ws) -> None:
        await ws.send(_HELLO)
        await ws.send(room.connect)
        room.consoles.add(ws)
        try:
            async for text in ws:
                action = json.loads(text).get("action")
                if action == "advance":
                    message = room.advance()
                    if message:
                        broadcast(room.consoles, message)
                elif action == "ping":
                    await ws.send(json.dumps({"type": "pong", "seq": room.seq}))
        finally:
            room.consoles.discard(ws)

    async with serve(console, "127.0.0.1", port, compression="deflate", max_size=2**20):
        await asyncio.Future()  # until killed


def main(port: str, texts_path: str) -> None:
    """The server process: `python -m bench.live --bare PORT TEXTS`."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    asyncio.run(_serve(int(port), json.loads(Path(texts_path).read_text())))


def start(texts: dict, items: list[int], logs: Path, name: str) -> list:
    """The bare server, started and answering; [(process, port)] as server.start gives."""
    from giaoban.testing.servers import free_port, wait_until_up

    port = free_port()
    texts_path = logs / f"bare-{name}.json"
    texts_path.write_text(json.dumps({**texts, "items": items}))
    log = logs / f"server-{name}-0.log"
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.live", "--bare", str(port), str(texts_path)],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    wait_until_up(port, process, log)
    return [(process, port)]
