"""The media side of the conference's life: the room follows the conference, the microphones
follow the speaker queue. Each runs after the meetings transaction commits and never fails it.
The recordings of an ended conference are converted by a background task (tasks.py)."""

import logging

from django.db import transaction

from giaoban.core.db import retry_locked
from giaoban.media import pool, services

log = logging.getLogger("giaoban.media")


def _after_commit(work, *args) -> None:
    if not pool.configured():
        return

    def run():
        try:
            retry_locked(work)(*args)
        except Exception:  # Janus trouble is recorded on the room; never the caller's problem
            log.exception("media follow-up %s failed", work.__name__)

    transaction.on_commit(run, robust=True)


def _open(conference):
    services.room_open(conference=conference)


def _close(conference):
    services.room_close(conference=conference)


def _floor(conference):
    services.floor_applied(conference=conference)


def conference_went_live(sender, conference, **kwargs):
    _after_commit(_open, conference)


def conference_ended(sender, conference, **kwargs):
    _after_commit(_close, conference)


def floor_changed(sender, request, **kwargs):
    _after_commit(_floor, request.conference)
