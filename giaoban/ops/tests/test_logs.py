"""Structured logs: JSON lines with the request id when LOG_FORMAT=json."""

import json
import logging
import socket
import urllib.request

import pytest
from django.core.exceptions import ImproperlyConfigured

from giaoban.ops import logs
from giaoban.ops.tests.helpers import App


def _record(**extra) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "giaoban.x", "levelname": "INFO", "msg": "Đã lưu %s"})
    record.args = ("báo cáo",)
    record.__dict__.update(extra)
    return record


def test_a_json_line_carries_the_message_the_request_id_and_the_extra_fields():
    token = logs.request_id.set("abc123")
    try:
        record = _record(report_id=7)
        logs.RequestIdFilter().filter(record)
    finally:
        logs.request_id.reset(token)
    line = logs.JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "Đã lưu báo cáo"
    assert entry["time"].endswith("+00:00")
    assert "Đã lưu" in line  # Vietnamese stays readable, not \\u-escaped
    assert entry | {"request_id": "abc123", "report_id": 7, "logger": "giaoban.x"} == entry


def test_a_request_gets_an_id_and_one_log_line(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="giaoban.request"):
        response = client.get("/health/live")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    [record] = [r for r in caplog.records if r.name == "giaoban.request"]
    assert (record.path, record.status, record.method) == ("/health/live", 200, "GET")
    assert record.request_id == request_id


@pytest.mark.parametrize(
    ("given", "kept"),
    [("nginx-0123abcd", True), ("bad id\nwith newline", False), ("x" * 65, False)],
)
def test_an_id_from_the_proxy_is_kept_when_well_formed(client, db, given, kept):
    response = client.get("/health/live", headers={"X-Request-ID": given})
    assert (response["X-Request-ID"] == given) is kept


def test_a_log_format_that_is_neither_text_nor_json_stops_start_up():
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        logs.logging_config("xml")


def test_with_json_every_line_of_the_served_process_is_json_uvicorns_too(tmp_path):
    """uvicorn's own warnings (a malformed request here) go through the same JSON formatter."""
    app = App({"LOG_FORMAT": "json", "GIAOBAN_DATA_DIR": str(tmp_path)}, tmp_path / "serve.log")
    app.start()
    try:
        with socket.create_connection(("127.0.0.1", app.port), timeout=5) as raw:
            raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            raw.recv(1024)
        with urllib.request.urlopen(f"http://127.0.0.1:{app.port}/health/live", timeout=10):
            pass
    finally:
        app.stop()
    lines = [line for line in app.log.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # a line that is not JSON fails here
    loggers = {entry["logger"] for entry in entries}
    assert {"giaoban.serve", "uvicorn.error", "giaoban.request"} <= loggers


def _refused(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied("not yours")


def _urlpatterns():
    from django.urls import path

    from giaoban.urls import urlpatterns as site

    return [path("refused/", _refused), *site]


urlpatterns = _urlpatterns()


@pytest.mark.urls(__name__)
def test_a_refused_page_is_one_log_line_without_a_traceback(client, bob):
    import io

    [console] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    stream, console.stream = console.stream, io.StringIO()
    try:
        client.force_login(bob)
        assert client.get("/refused/").status_code == 403
        assert client.get("/refused/", HTTP_HOST="evil.example").status_code == 400
        written = console.stream.getvalue()
    finally:
        console.stream = stream
    assert "Forbidden (Permission denied): /refused/" in written
    assert "evil.example" in written
    assert "Traceback" not in written
    refusals = [line for line in written.splitlines() if " giaoban.request " not in line]
    assert len(refusals) == 2  # beside the access line each request has anyway
