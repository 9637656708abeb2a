"""The live room's one way out: services call `publish` and every connected console receives the
conference's new state, numbered, after the change is committed.

Each message carries the whole live state (a few kilobytes) rather than a diff: a console that
missed one, or reconnects, is right again with the next one, and can always ask for it (`sync`).
"""

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F

log = logging.getLogger("giaoban.meetings.live")


def group_name(conference_id: int) -> str:
    return f"conference_{conference_id}"


def publish(conference, reason: str) -> None:
    """Number this change and broadcast the state once the transaction commits."""
    from giaoban.meetings.models import Conference

    Conference.objects.filter(pk=conference.pk).update(seq=F("seq") + 1)
    conference_id = conference.pk
    # robust: a failed broadcast must not turn a committed change into an error for its caller.
    transaction.on_commit(lambda: _broadcast(conference_id, reason), robust=True)


def _broadcast(conference_id: int, reason: str) -> None:
    from giaoban.meetings.selectors import live_state

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        state = live_state(conference_id)
        # Encoded once here, not once per console: a broadcast to a thousand consoles would
        # otherwise serialize the same state a thousand times.
        text = json.dumps(
            {"type": "state", "reason": reason, "state": state}, cls=DjangoJSONEncoder
        )
        async_to_sync(layer.group_send)(
            group_name(conference_id), {"type": "room.state", "text": text}
        )
    except Exception:  # a broken layer must not undo a committed change; consoles resync
        log.exception("broadcast of conference %s failed", conference_id)
