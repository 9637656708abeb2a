"""Strict parsers for the environment variables that configure giaoban.

A bad value stops start-up with a message naming the variable: a typo in a
deployment must not silently fall back to a default.
"""

import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no"
    )


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",")]
    if not all(items):
        raise ImproperlyConfigured(
            f"{name}={raw!r} has an empty item: write a comma-separated list"
        )
    return items


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int = 2**31) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={value} is outside {minimum}..{maximum}")
    return value


def env_choices(name: str, default: list[str], allowed: set[str]) -> list[str]:
    """A comma-separated list whose every item is one of `allowed`."""
    items = env_list(name, default)
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise ImproperlyConfigured(
            f"{name} has unknown item(s) {', '.join(unknown)}: use {', '.join(sorted(allowed))}"
        )
    return items


def env_rate(name: str, default: str) -> str:
    """A rate limit such as 10/m: a count per s, m, h or d."""
    raw = os.environ.get(name, default).strip()
    count, _, period = raw.partition("/")
    if not (count.isdigit() and int(count) > 0 and period in {"s", "m", "h", "d"}):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a rate: write a count per s, m, h or d, e.g. 10/m"
        )
    return raw


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """A comma-separated list of addresses or networks (127.0.0.1, 10.0.0.0/8, ::1); none if unset.

    No wildcard: trusting every sender would let any client choose its own address.
    """
    items = env_list(name, [])
    try:
        return [ipaddress.ip_network(item, strict=True) for item in items]
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r}: {exc}; write addresses or networks, e.g. 127.0.0.1"
        ) from None


def data_dir(base_dir: Path) -> Path:
    path = Path(os.environ.get("GIAOBAN_DATA_DIR") or base_dir / "var").resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"GIAOBAN_DATA_DIR={str(path)!r} cannot be created: {exc}"
        ) from None
    return path


def database(data: Path) -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{data / 'giaoban.sqlite3'}"
    scheme = urlparse(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {scheme!r} is not supported: use sqlite:///PATH or postgres://..."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from None
    if scheme != "sqlite":
        config.setdefault("OPTIONS", {})["pool"] = postgres_pool()
        config["CONN_HEALTH_CHECKS"] = True  # with a pool: each session checked at checkout
    else:
        # WAL lets the live room read while a report is being saved.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
            # One writer at a time: the others wait for the lock (SQLite's busy timeout). The
            # default 5 s was passed on a busy machine and a report save answered 500 "database
            # is locked" (bench.briefing), and ten officers issuing documents at once were
            # refused twice in 100 (bench.documents_issue); a wait this long is still shorter
            # than a browser's.
            "timeout": SQLITE_BUSY_TIMEOUT_S,
        }
    return config


#: Seconds an SQLite write waits for another's lock before "database is locked".
SQLITE_BUSY_TIMEOUT_S = 30


def http_concurrency(database: dict) -> int:
    """HTTP_CONCURRENCY: how many HTTP requests run Django's code at once (core/admission.py).

    Each holds a database session while it runs. With PostgreSQL's pool the default leaves six
    of DATABASE_POOL_MAX for the rest of the process: the WebSocket side's threads
    (core.db.SOCKET_DB_THREADS, 4), Channels' own for the sockets' logins, and the task worker;
    a larger value is refused: requests past the pool would wait DATABASE_POOL_TIMEOUT and fail,
    where waiting in the admission queue costs nothing.
    """
    pool = database.get("OPTIONS", {}).get("pool")
    most = max(1, pool["max_size"] - 6) if pool else 1000
    value = env_int("HTTP_CONCURRENCY", min(8, most), minimum=1, maximum=1000)
    if value > most:
        raise ImproperlyConfigured(
            f"HTTP_CONCURRENCY={value} leaves too few of DATABASE_POOL_MAX={pool['max_size']} "
            f"sessions for the live room and the worker: use at most {most}"
        )
    return value


def postgres_pool() -> dict:
    """psycopg's connection pool, shared by the threads of one process (Django 5.1+).

    Under ASGI each request runs its synchronous part in a thread of its own, so a connection
    kept per thread (CONN_MAX_AGE) is never reused: every request opened a PostgreSQL session,
    about half of an API read's time (issue 15, bench.reporting). The pool keeps sessions open
    between requests. Two rules keep an outage honest: a session is checked before it is handed
    out (CONN_HEALTH_CHECKS: Django passes the pool its `check`), so the first request after
    PostgreSQL restarts gets a fresh session, not a dead one; and a request waits at most
    DATABASE_POOL_TIMEOUT seconds (default 5) for a session, then fails as an unreachable
    database does (`/health/ready` answers 503), never hanging.
    """
    return {
        "min_size": env_int("DATABASE_POOL_MIN", 2, minimum=0, maximum=1000),
        "max_size": env_int("DATABASE_POOL_MAX", 20, minimum=1, maximum=1000),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "5")),
        # psycopg_pool retries a failed connection with a doubling delay for 5 minutes: after a
        # restart the next try could come long after PostgreSQL is back. Giving up after 2 s
        # leaves the next request to try again at once (`_maybe_grow_pool`).
        "reconnect_timeout": 2.0,
    }


def url_or_none(name: str, schemes: set[str]) -> str | None:
    raw = os.environ.get(name)
    if not raw:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes or not parsed.hostname:
        wanted = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name}={raw!r} is not a URL with scheme {wanted}")
    return raw


def url_list(name: str, schemes: set[str]) -> list[str]:
    """JANUS_URL may name several servers, comma-separated."""
    raw = os.environ.get(name)
    if not raw:
        return []
    urls = env_list(name, [])
    for url in urls:
        parsed = urlparse(url)
        if parsed.scheme not in schemes or not parsed.hostname:
            wanted = ", ".join(sorted(schemes))
            raise ImproperlyConfigured(f"{name} item {url!r} is not a URL with scheme {wanted}")
    return urls


def secret_key(data: Path) -> str:
    """SECRET_KEY from the environment, else generated once and kept in the data directory."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env is not None:
        if len(from_env) < 32:
            raise ImproperlyConfigured("SECRET_KEY is shorter than 32 characters")
        return from_env
    path = data / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # kept from an earlier start, or written by a sibling process just now
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()
