"""Structured logs: one JSON object per line when LOG_FORMAT=json, each carrying the id of the
request it belongs to (nginx's $request_id when behind it, else one made here)."""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.core.exceptions import ImproperlyConfigured

request_id: ContextVar[str] = ContextVar("request_id", default="")

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
#: LogRecord attributes that are not "extra" fields.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", ""):
            entry["request_id"] = record.request_id
        entry |= {
            key: value
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_")
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdMiddleware:
    """Gives each request an id (kept from X-Request-ID when well-formed), returns it in the
    X-Request-ID header, and logs one line per request on the `giaoban.request` logger."""

    log = logging.getLogger("giaoban.request")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if _VALID_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            self.log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_id.reset(token)


def _user_id(request) -> int | None:
    try:
        user = request.user  # already read by the login check; no query here
        return user.pk if user.is_authenticated else None
    except Exception:  # a log line must not turn into an error
        return None


class RefusalFilter(logging.Filter):
    """A refused request (403, 400: a status below 500) is one line: Django attaches the
    exception's traceback (about 4 KB) to its record, which says nothing a refusal needs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def logging_config(log_format: str) -> dict:
    """Django's LOGGING for LOG_FORMAT `text` (the default) or `json`."""
    if log_format not in ("text", "json"):
        raise ImproperlyConfigured(f"LOG_FORMAT={log_format!r} is not one of: text, json")
    formatter = (
        {"()": "giaoban.ops.logs.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "giaoban.ops.logs.RequestIdFilter"},
            "refusal": {"()": "giaoban.ops.logs.RefusalFilter"},
        },
        "formatters": {"main": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "main",
                "filters": ["request_id", "refusal"],
            }
        },
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {"giaoban": {"level": "INFO"}},
    }
