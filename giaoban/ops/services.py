"""Writes of the operations side: a job loop says it is alive."""

import logging
import os
import socket

from django.db import DatabaseError
from django.utils import timezone

from giaoban.ops.models import Heartbeat

log = logging.getLogger("giaoban.ops")


def heartbeat_beat(*, loop: str, ok: bool) -> None:
    """Record that `loop` on this machine has just run. Never raises: a heartbeat that cannot be
    written is itself the signal (the readiness check sees it go stale)."""
    key = f"{loop}@{socket.gethostname()}"
    try:
        Heartbeat.objects.update_or_create(
            key=key, defaults={"beat_at": timezone.now(), "ok": ok, "pid": os.getpid()}
        )
    except DatabaseError:
        log.warning("heartbeat of %s could not be written", key, exc_info=True)
