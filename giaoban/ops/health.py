"""Health checks: each returns a small dict with `status` ("ok", "failing", "stale",
"missing", "unknown" or "off") and nothing secret. Each is cheap and bounded by a short
timeout, so that a load balancer may call /health/ready every few seconds.
"""

import json
import logging
import time
import urllib.request
from datetime import timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import gettext as _

log = logging.getLogger("giaoban.ops.health")

#: Seconds any one check may take.
TIMEOUT = 2.0
#: Janus answers are kept this long per process: a media server is not probed on every call.
JANUS_CACHE_SECONDS = 10
_janus_cache: dict[str, tuple[float, dict]] = {}


def _failing(exc: BaseException, check: str) -> dict:
    # The details (host names, user names) go to the log, not to an anonymous caller.
    log.warning("health check %s failing: %s", check, exc)
    return {"status": "failing", "error": type(exc).__name__}


def database() -> dict:
    """A database session within TIMEOUT and `SELECT 1` on it. With PostgreSQL's pool the
    session is borrowed from the pool with that timeout (a request waits up to
    DATABASE_POOL_TIMEOUT): a pool whose sessions are all busy, or a database that does not
    answer, makes the process unready, with the reason and the pool's figures."""
    started = time.monotonic()
    pool = _pool()
    try:
        if pool is not None:
            _pool_select(pool)
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except (DatabaseError, *_pool_errors()) as exc:
        # The broken connection must not serve the next request of this thread.
        connection.close_if_unusable_or_obsolete()
        failing = _failing(exc, "database") | {"vendor": connection.vendor}
        return failing | _reason(exc, pool)
    return {"status": "ok", "vendor": connection.vendor, "ms": _ms(started)}


def _pool():
    """PostgreSQL's connection pool (config.postgres_pool), or None (SQLite, no pool)."""
    if not connection.settings_dict.get("OPTIONS", {}).get("pool"):
        return None
    return connection.pool


def _pool_errors() -> tuple:
    """psycopg's own errors (a pool timeout among them): the pool is used without Django's
    wrapper, which turns them into DatabaseError."""
    try:
        import psycopg
    except ImportError:  # SQLite only: psycopg is not needed
        return ()
    return (psycopg.Error,)


def _pool_select(pool) -> None:
    pool.open()  # Django opens it on the first request; this may be the first
    with pool.connection(timeout=TIMEOUT) as session:
        session.execute("SELECT 1").fetchone()


def _reason(exc: BaseException, pool) -> dict:
    """Why no session could be had, for the operator (no host or user name in it)."""
    if exc.__class__.__name__ in ("PoolTimeout", "TooManyRequests"):
        stats = pool.get_stats()
        figures = {
            "size": stats.get("pool_size", 0),
            "available": stats.get("pool_available", 0),
            "waiting": stats.get("requests_waiting", 0),
            "max": pool.max_size,
        }
        reason = _(
            "No database connection within %(seconds)s s: the pool's connections are all in "
            "use, or the database does not answer."
        ) % {"seconds": f"{TIMEOUT:g}"}
        return {"reason": reason, "pool": figures}
    return {"reason": _("The database does not answer.")}


def redis() -> dict:
    if not settings.REDIS_URL:
        return {"status": "off"}
    import redis as redis_py

    started = time.monotonic()
    try:
        client = redis_py.Redis.from_url(
            settings.REDIS_URL, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
        )
        try:
            client.ping()
        finally:
            client.close()
    except redis_py.RedisError as exc:
        return _failing(exc, "redis")
    return {"status": "ok", "ms": _ms(started)}


def janus() -> dict:
    if not settings.JANUS_URLS:
        return {"status": "off"}
    servers = [_janus_cached(url) for url in settings.JANUS_URLS]
    ok = sum(server["status"] == "ok" for server in servers)
    status = "ok" if ok == len(servers) else "failing"
    return {"status": status, "servers": servers}


def _janus_cached(url: str) -> dict:
    now = time.monotonic()
    kept = _janus_cache.get(url)
    if kept and now - kept[0] < JANUS_CACHE_SECONDS:
        return kept[1]
    result = {"server": _public(url)} | _janus_info(url)
    _janus_cache[url] = (now, result)
    return result


def _janus_info(url: str) -> dict:
    """Janus's `info` request, over its WebSocket or its HTTP transport."""
    started = time.monotonic()
    try:
        if urlparse(url).scheme in ("ws", "wss"):
            answer = _janus_info_ws(url)
        else:
            with urllib.request.urlopen(url.rstrip("/") + "/info", timeout=TIMEOUT) as response:
                answer = json.loads(response.read())
    except Exception as exc:  # any failure of a remote server is "failing"
        return _failing(exc, "janus")
    if answer.get("janus") != "server_info":
        return {"status": "failing", "error": f"unexpected answer {answer.get('janus')!r}"}
    return {"status": "ok", "version": answer.get("version_string", ""), "ms": _ms(started)}


def _janus_info_ws(url: str) -> dict:
    from websockets.sync.client import connect

    with connect(url, subprotocols=["janus-protocol"], open_timeout=TIMEOUT) as socket_:
        socket_.send(json.dumps({"janus": "info", "transaction": "health"}))
        return json.loads(socket_.recv(timeout=TIMEOUT))


def worker() -> dict:
    """The freshest heartbeat of a job loop. Stale after two missed runs."""
    from giaoban.ops.models import Heartbeat

    try:
        beat = Heartbeat.objects.order_by("-beat_at").first()
    except DatabaseError as exc:
        connection.close_if_unusable_or_obsolete()
        return _failing(exc, "worker")
    if beat is None:
        return {"status": "missing"}
    age = timezone.now() - beat.beat_at
    limit = timedelta(seconds=2 * settings.REMINDER_INTERVAL + 60)
    status = "ok" if age <= limit and beat.ok else ("stale" if age > limit else "failing")
    return {"status": status, "worker": beat.key, "age_seconds": int(age.total_seconds())}


def readiness() -> tuple[bool, dict]:
    """Ready when this process can serve: its database and, when configured, Redis. Janus and
    the job worker are reported (overall "degraded") but do not take the process out of a
    load balancer: every process shares them, so removing one would not help."""
    checks = {"database": database(), "redis": redis(), "janus": janus()}
    # Without a database session the worker's heartbeat cannot be read: asking again would
    # wait the pool's timeout a second time.
    checks["worker"] = worker() if checks["database"]["status"] == "ok" else {"status": "unknown"}
    ready = all(checks[name]["status"] in ("ok", "off") for name in ("database", "redis"))
    healthy = ready and all(c["status"] in ("ok", "off") for c in checks.values())
    status = "ok" if healthy else ("degraded" if ready else "failing")
    return ready, {"status": status, "checks": checks}


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _public(url: str) -> str:
    """The URL without any user or password in it."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{host}{port}{parsed.path}"
