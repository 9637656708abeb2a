"""Presence: which consoles are open, so which bridge points are online.

Consoles' heartbeats are noted in this process's memory and written to the database in batches.

A console pings every 3 s: a thousand consoles would be more than 300 writes a second if each
ping were one. Each process instead notes pings in memory and, at most every FLUSH_EVERY seconds
(on the first ping after that), marks them seen with one UPDATE and sweeps the conferences they
belong to for consoles gone silent — those of a process that died, or of a line that dropped
without saying goodbye. It also reads each of those conferences' change number then, so that a
ping is answered without a query.
"""

import asyncio
import threading
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from giaoban.core.db import socket_database
from giaoban.meetings.live import broadcast
from giaoban.meetings.models import Conference, Connection
from giaoban.meetings.services import point_presence

COALESCE_S = 0.25  # seconds; presence changes within this window go out as one change
FLUSH_EVERY = 3.0  # seconds; a console is counted gone after SILENT_AFTER (9 s)
_CHUNK = 500  # channels per UPDATE, well under every database's limit on parameters


#: A console pings every few seconds; one silent for longer is taken as gone.
SILENT_AFTER = timedelta(seconds=9)


def console_connected(*, point_id: int, channel: str) -> bool:
    """Count a console as open; True if its point just came online. The caller announces it
    (`presence_publish`), so that a crowd of consoles connecting makes one broadcast."""
    Connection.objects.update_or_create(
        channel=channel, defaults={"point_id": point_id, "seen_at": timezone.now()}
    )
    return point_presence(point_id=point_id, online=True, publish=False)


def console_disconnected(*, channel: str) -> list[int]:
    """Forget a closed console; the points it leaves without any console go offline (returned,
    for the caller to announce)."""
    point_ids = list(Connection.objects.filter(channel=channel).values_list("point_id", flat=True))
    Connection.objects.filter(channel=channel).delete()
    return _gone_offline(point_ids)


def _gone_offline(point_ids) -> list[int]:
    """Of these points, those left without any open console, taken offline (unannounced)."""
    return [
        point_id
        for point_id in point_ids
        if not Connection.objects.filter(point_id=point_id).exists()
        and point_presence(point_id=point_id, online=False, publish=False)
    ]


@transaction.atomic
def presence_publish(*, conference_id: int, point_ids) -> None:
    """Announce the points whose presence changed, in one change."""
    conference = Conference.objects.get(pk=conference_id)
    broadcast.publish(conference, "presence", points=point_ids, items=())


def presence_sweep(*, conference_id: int) -> None:
    """Points whose every console fell silent (a cable pulled, a laptop closed) go offline: a
    dead connection does not always say goodbye."""
    stale = Connection.objects.filter(
        point__conference_id=conference_id, seen_at__lt=timezone.now() - SILENT_AFTER
    )
    point_ids = set(stale.values_list("point_id", flat=True))
    stale.delete()
    gone = _gone_offline(point_ids)
    if gone:
        presence_publish(conference_id=conference_id, point_ids=gone)


class Heartbeats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget everything (tests, whose databases reuse conference ids)."""
        self._pinged: dict[str, int] = {}  # channel -> conference id, since the last flush
        self._seq: dict[int, int] = {}  # conference id -> change number at the last flush
        self._flushed_at = float("-inf")

    def beat(self, *, channel: str, conference_id: int) -> int:
        """Note a console's ping; flush when due. Returns the conference's change number as this
        process last read it: a console holding an older one has missed a change."""
        seq, batch = self.note(channel=channel, conference_id=conference_id)
        if seq is None or batch is not None:
            seq = self.settle(batch, conference_id)
        return seq

    def note(self, *, channel: str, conference_id: int) -> tuple[int | None, dict | None]:
        """The part of a ping that needs no database, safe to call on the event loop: the number
        last read (None if never), and the pings to write if a flush is due (then call
        `settle` in a database thread)."""
        with self._lock:
            self._pinged[channel] = conference_id
            now = time.monotonic()
            batch = None
            if now - self._flushed_at >= FLUSH_EVERY:
                self._flushed_at, batch, self._pinged = now, self._pinged, {}
        return self._seq.get(conference_id), batch

    def settle(self, batch: dict | None, conference_id: int) -> int:
        if batch:
            self.flush(batch)
        seq = self._seq.get(conference_id)
        if seq is None:
            seq = self._seq[conference_id] = _seq_of(conference_id)
        return seq

    def flush(self, batch: dict[str, int]) -> None:
        channels = list(batch)
        now = timezone.now()
        for start in range(0, len(channels), _CHUNK):
            Connection.objects.filter(channel__in=channels[start : start + _CHUNK]).update(
                seen_at=now
            )
        for conference_id in set(batch.values()):
            presence_sweep(conference_id=conference_id)
            self._seq[conference_id] = _seq_of(conference_id)

    def forget(self, channel: str) -> None:
        with self._lock:
            self._pinged.pop(channel, None)


def _seq_of(conference_id: int) -> int:
    return Conference.objects.filter(pk=conference_id).values_list("seq", flat=True).first() or 0


class Announcer:
    """Points that came online or went offline, announced together after COALESCE_S.

    When a room opens, hundreds of consoles connect within seconds; one change each would send
    every console already there one message per newcomer. Gathered, a crowd of N costs a few
    changes, each carrying the points that moved. The database is written at once (the
    attendance log keeps the exact times); only the broadcast waits."""

    def __init__(self) -> None:
        self._pending: dict[tuple[int, int], set[int]] = {}  # (loop, conference) -> point ids

    def add(self, conference_id: int, point_ids) -> None:
        if not point_ids:
            return
        loop = asyncio.get_running_loop()
        key = (id(loop), conference_id)
        if key not in self._pending:
            self._pending[key] = set()
            loop.call_later(COALESCE_S, lambda: loop.create_task(self._flush(key)))
        self._pending[key].update(point_ids)

    async def _flush(self, key: tuple[int, int]) -> None:
        ids = self._pending.pop(key, set())
        if ids:
            await socket_database(presence_publish)(conference_id=key[1], point_ids=ids)


#: One of each per process, shared by every console it serves.
heartbeats = Heartbeats()
announcer = Announcer()
