"""Refused console messages: kept in the audit log aggregated, and counted per console.

A refused message may be an attack, so it is audited; but one row per message let a forging
console grow the database without bound (1,000 refused `start` messages, 1,000 rows; 50 frames of
889 KB, 44 MB). One row per (user, conference, reason) now holds the count and the first and last
time, with a sample of the first message cut short; and a console that keeps being refused is
closed (issue 13).
"""

import logging
import time
from collections import deque

from django.db import transaction
from django.utils import timezone

from giaoban.core.audit import audit_record
from giaoban.core.models import AuditEntry
from giaoban.meetings.models import Conference

log = logging.getLogger("giaoban.meetings.live")

#: How much of a refused message the audit row keeps: a few fields, each cut short.
SAMPLE_FIELDS, SAMPLE_CHARS = 12, 200

#: A console refused this many times within WINDOW_S seconds is closed with CLOSE_CODE.
REFUSALS_BEFORE_CLOSE, WINDOW_S, CLOSE_CODE = 20, 10.0, 4429

#: From this many refusals within WINDOW_S, every refusal of the console counts against its
#: client (core/offenders.py), even a rule of the moment: no one clicks that fast.
RAPID_REFUSALS = 5


def _sample(message) -> dict:
    if not isinstance(message, dict):
        return {"frame": str(message)[:SAMPLE_CHARS]}
    fields = list(message.items())[:SAMPLE_FIELDS]
    return {str(k)[:40]: str(v)[:SAMPLE_CHARS] for k, v in fields}


@transaction.atomic
def record_refusal(user, conference_id: int, message, reason: str) -> None:
    """Count one refusal in its (user, conference, reason) row, or start that row."""
    reason = reason[:SAMPLE_CHARS]
    actor = user if getattr(user, "is_authenticated", False) else None
    rows = AuditEntry.objects.select_for_update().filter(
        action="live.refused",
        actor=actor,
        object_type=Conference._meta.label_lower,
        object_id=str(conference_id),
        after__reason=reason,
    )
    now = timezone.now().isoformat()
    entry = rows.order_by("-id").first()
    if entry is not None:
        count = int(entry.after.get("count", 1)) + 1
        entry.after = {**entry.after, "count": count, "last": now}
        entry.save(update_fields=["after"])
        return
    conference = Conference.objects.filter(pk=conference_id).first()
    if conference is None:
        return
    # Logged once per row: a flood must not flood the log either.
    action = message.get("action") if isinstance(message, dict) else None
    log.warning("live room %s refused %.40r from %s: %s", conference_id, action, user, reason)
    after = {"message": _sample(message), "reason": reason, "count": 1, "first": now, "last": now}
    audit_record(actor=user, action="live.refused", instance=conference, after=after)


class RefusalWindow:
    """The times of one console's recent refusals: too many in a short window and it is closed.

    A console of ours is refused now and then (a click that lost a race); one refused twenty
    times in ten seconds is a script."""

    def __init__(self):
        self.times: deque[float] = deque(maxlen=REFUSALS_BEFORE_CLOSE)

    def note(self) -> bool:
        """Count one refusal; True once the console should be closed."""
        now = time.monotonic()
        self.times.append(now)
        full = len(self.times) == REFUSALS_BEFORE_CLOSE
        return full and now - self.times[0] <= WINDOW_S

    def rapid(self) -> bool:
        """Whether the console was refused RAPID_REFUSALS times within WINDOW_S."""
        now = time.monotonic()
        return sum(1 for t in self.times if now - t <= WINDOW_S) >= RAPID_REFUSALS
