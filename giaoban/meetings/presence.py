"""Consoles' heartbeats, noted in this process's memory and written to the database in batches.

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

from channels.db import database_sync_to_async
from django.utils import timezone

from giaoban.meetings import services
from giaoban.meetings.models import Conference, Connection

COALESCE_S = 0.25  # seconds; presence changes within this window go out as one change
FLUSH_EVERY = 3.0  # seconds; a console is counted gone after services.SILENT_AFTER (9 s)
_CHUNK = 500  # channels per UPDATE, well under every database's limit on parameters


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
            services.presence_sweep(conference_id=conference_id)
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
            await database_sync_to_async(services.presence_publish)(
                conference_id=key[1], point_ids=ids
            )


#: One of each per process, shared by every console it serves.
heartbeats = Heartbeats()
announcer = Announcer()
