"""The embedded channel layer: Channels' in-memory layer, with its housekeeping throttled.

The stock layer sweeps every channel and group member for expired messages on each receive(),
so one broadcast to N consoles costs N×N work (measured: shared/notes/live-room.md). Sweeping at
most once a second keeps expiry working and makes a broadcast linear again.
"""

import time

from channels.layers import InMemoryChannelLayer


class ThrottledInMemoryChannelLayer(InMemoryChannelLayer):
    sweep_every = 1.0  # seconds

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last_sweep = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._last_sweep < self.sweep_every:
            return
        self._last_sweep = now
        super()._clean_expired()
