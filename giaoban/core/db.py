"""Database helpers shared by the apps."""

import functools
import time

from django.db import OperationalError

#: SQLite lets one writer at a time; another thread, worker or process may hold the lock a
#: moment (in shared-cache mode, as in tests, it refuses at once instead of waiting).
LOCK_ATTEMPTS = 60


def retry_locked(work):
    """`work`, tried again while SQLite says the database or a table is locked; any other
    database error is not retried. Keep `work` short: it runs whole each time."""

    @functools.wraps(work)
    def run(*args, **kwargs):
        for attempt in range(LOCK_ATTEMPTS):
            try:
                return work(*args, **kwargs)
            except OperationalError as exc:
                if "locked" not in str(exc) or attempt == LOCK_ATTEMPTS - 1:
                    raise
                time.sleep(min(0.02 * (attempt + 1), 0.25))
        raise AssertionError("unreachable")

    return run
