"""Database helpers shared by the apps."""

import functools
import time
from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async
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


#: What PostgreSQL or SQLite say when they are too busy to answer now, not broken.
_BUSY = ("couldn't get a connection after", "too many clients already", "database is locked")


def database_busy(exc: BaseException | None) -> bool:
    """`exc` (or what caused it) says the database is overloaded: the pool gave no session within
    DATABASE_POOL_TIMEOUT, PostgreSQL has no connection left, SQLite's lock outlasted its busy
    timeout. The request may succeed if sent again: a 503 with Retry-After, not a 500."""
    while exc is not None:
        if isinstance(exc, (OperationalError, *_psycopg_errors())) and any(
            text in str(exc) for text in _BUSY
        ):
            return True
        exc = exc.__cause__
    return False


def _psycopg_errors() -> tuple:
    try:
        import psycopg
    except ImportError:  # an SQLite-only installation
        return ()
    return (psycopg.OperationalError,)


#: Threads in which the WebSocket side (the live room's consoles) runs its database work.
SOCKET_DB_THREADS = 4
_socket_threads = ThreadPoolExecutor(SOCKET_DB_THREADS, thread_name_prefix="socket-db")


def socket_database(func):
    """Channels' database_sync_to_async (connections closed after each call), in a few threads of
    the WebSocket side's own rather than asgiref's one thread shared by every socket: there every
    console's connect (four database calls) queued behind every other console's work, a forging
    console's refused messages included, and timed out on a busy machine (bench.briefing). Each
    call holds at most one database session (PostgreSQL's pool: see config.http_concurrency).

    On an in-memory SQLite database (the tests') the calls stay in the one shared thread: in its
    shared-cache mode a second writer is refused at once ("database table is locked") instead of
    waiting for the lock as a database file does."""
    spread = database_sync_to_async(func, thread_sensitive=False, executor=_socket_threads)
    shared = database_sync_to_async(func)

    @functools.wraps(func)
    async def call(*args, **kwargs):
        return await (shared if _in_memory_sqlite() else spread)(*args, **kwargs)

    return call


def _in_memory_sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite" and connection.is_in_memory_db()
