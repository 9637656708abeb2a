"""The deployment recipe of docs/deploy.md brought up on loopback: PostgreSQL, Redis, two app
processes and the job worker behind nginx with deploy/nginx/giaoban.conf (TLS, static files,
upload limit, WebSockets), and a live room served across both processes.
"""

import asyncio
import json
import os
import re
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from giaoban.ops.tests.helpers import (
    ROOT,
    App,
    Nginx,
    base_env,
    giaoban,
    render_site,
    scratch_database,
    self_signed_certificate,
)
from giaoban.testing import live_scenario
from giaoban.testing.live_scenario import console, until
from giaoban.testing.servers import free_port, run_json, skip_or_fail, stop, wait_until_up

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=TLS), _NoRedirect())


def _get(url: str, headers: dict | None = None, data: bytes | None = None):
    """(status, headers, body) without following redirects or raising on errors."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with _opener.open(request, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, postgres_server):
    from giaoban.ops.tests.helpers import RedisServer

    home = tmp_path_factory.mktemp("deploy")
    redis = RedisServer(home).start()
    https, http = free_port(), free_port()
    started: list = []
    with scratch_database(postgres_server, "giaoban_ops_deploy") as database_url:
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            "GIAOBAN_DATA_DIR": str(home / "var"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{https}",
            "HTTPS": "true",
            "LOG_FORMAT": "json",
            "REMINDER_INTERVAL": "3600",
        }
        try:
            # The recipe's commands, in its order.
            giaoban("migrate", "--noinput", env=env)
            giaoban("collectstatic", "--noinput", env=env)
            room = run_json(base_env(env), "-c", live_scenario.PREPARE)
            janus_port = free_port()
            env_apps = env | _janus(env, home, janus_port, https, started)
            apps = [App(env_apps, home / f"app-{name}.log", "--no-worker") for name in "ab"]
            for app in apps:
                started.append(app.start())
            worker = subprocess.Popen(
                [sys.executable, "-m", "giaoban", "worker"],
                env=base_env(env_apps),
                stdout=(home / "worker.log").open("w"),
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
            cert, key = self_signed_certificate(home)
            site = render_site(
                {
                    "server 127.0.0.1:8001;": f"server 127.0.0.1:{apps[0].port};",
                    "server 127.0.0.1:8002;": f"server 127.0.0.1:{apps[1].port};",
                    "server 127.0.0.1:8188;": f"server 127.0.0.1:{janus_port};",
                    "listen 80;\n    listen [::]:80;": f"listen 127.0.0.1:{http};",
                    "listen 443 ssl http2;\n    listen [::]:443 ssl http2;": (
                        f"listen 127.0.0.1:{https} ssl http2;"
                    ),
                    "/etc/ssl/giaoban/fullchain.pem": str(cert),
                    "/etc/ssl/giaoban/privkey.pem": str(key),
                    "/srv/giaoban/var/static/": f"{home / 'var' / 'static'}/",
                    # Test only: which app process took the WebSocket.
                    "proxy_send_timeout 1h;\n    }\n\n    # Browsers": (
                        "proxy_send_timeout 1h;\n"
                        "        add_header X-Upstream $upstream_addr always;\n    }\n\n"
                        "    # Browsers"
                    ),
                }
            )
            nginx = Nginx(home / "nginx", site)
            nginx.test_config()
            started.append(nginx.start(https))
            yield {
                "https": f"https://127.0.0.1:{https}",
                "http": f"http://127.0.0.1:{http}",
                "apps": apps,
                "home": home,
                "worker": worker,
                "env": env_apps,
                **room,
            }
        finally:
            for server in reversed(started):
                server.stop()
            if "worker" in locals():
                stop(worker)
            redis.kill()


class _Janus:
    def __init__(self, process):
        self.process = process

    def stop(self):
        stop(self.process)


def _janus(env: dict, home: Path, port: int, https: int, started: list) -> dict:
    """Janus from the configuration `giaoban janus_config` writes, when Janus is installed."""
    from giaoban.media.janus_conf import janus_binary

    if janus_binary() is None:
        return {}
    directory = home / "janus"
    events = "http://127.0.0.1:1/media/janus/events/"  # no events needed here
    command = giaoban(
        "janus_config", str(directory), "--ws-port", str(port), "--events-url", events,
        "--print-command", env=env,
    ).split()  # fmt: skip
    log = (home / "janus.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    started.append(_Janus(process))
    wait_until_up(port, process, home / "janus.log")
    return {
        "JANUS_URL": f"ws://127.0.0.1:{port}",
        "JANUS_BROWSER_URL": f"wss://127.0.0.1:{https}/janus/",
    }


def _ready_once_the_worker_beat(url: str) -> tuple[int, dict]:
    """The worker beats after its first run, which may still be going when the test starts."""
    until = time.monotonic() + 30
    while True:
        status, _, body = _get(url + "/health/ready")
        answer = json.loads(body)
        if answer["checks"]["worker"]["status"] != "missing" or time.monotonic() > until:
            return status, answer
        time.sleep(0.2)


def test_readiness_through_nginx_sees_postgresql_redis_and_the_worker(deployment):
    status, answer = _ready_once_the_worker_beat(deployment["https"])
    assert status == 200, answer
    checks = answer["checks"]
    assert checks["database"] == checks["database"] | {"status": "ok", "vendor": "postgresql"}
    assert checks["redis"]["status"] == "ok"
    assert checks["worker"]["status"] == "ok"  # the worker's first run beat at start
    if "JANUS_URL" in deployment["env"]:
        [server] = checks["janus"]["servers"]
        assert server["status"] == "ok" and server["version"]
    assert answer["status"] == "ok"
    status, _, body = _get(deployment["https"] + "/health/live")
    assert (status, json.loads(body)) == (200, {"status": "ok"})


def test_plain_http_is_sent_to_https(deployment):
    status, headers, _ = _get(deployment["http"] + "/accounts/login/")
    assert status == 301
    assert headers["Location"].startswith("https://")


def test_nginx_serves_the_collected_static_files_itself(deployment):
    files = sorted((deployment["home"] / "var" / "static").rglob("*.css"))
    assert files
    relative = files[0].relative_to(deployment["home"] / "var" / "static").as_posix()
    status, headers, body = _get(f"{deployment['https']}/static/{relative}")
    assert status == 200
    assert body == files[0].read_bytes()
    assert "X-Request-ID" not in headers  # the app stamps every answer; this one is nginx's


def test_pages_come_from_the_app_with_nginx_request_id_in_its_json_logs(deployment):
    status, headers, _ = _get(deployment["https"] + "/accounts/login/")
    assert status == 200
    assert "Strict-Transport-Security" in headers  # HTTPS=true behind X-Forwarded-Proto
    request_id = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id
    logged = [
        json.loads(line)
        for app in deployment["apps"]
        for line in app.log.read_text().splitlines()
        if line.startswith("{")
    ]
    [line] = [entry for entry in logged if entry.get("request_id") == request_id]
    assert line | {"path": "/accounts/login/", "status": 200} == line


def test_nginx_refuses_an_upload_over_its_limit(deployment):
    status, _, _ = _get(
        deployment["https"] + "/accounts/login/",
        data=b"x" * (26 * 1024 * 1024),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert status == 413


def _console(url: str, conference_id: int, session: str):
    return console(url, conference_id, session, ssl=TLS if url.startswith("https") else None)


def test_a_live_room_through_nginx_spans_both_app_processes(deployment):
    conference_id = deployment["conference"]
    ports = [app.port for app in deployment["apps"]]

    async def scenario():
        async with _console(
            deployment["https"], conference_id, deployment["point_session"]
        ) as point:
            upstream = point.response.headers["X-Upstream"]
            behind_nginx = int(upstream.rsplit(":", 1)[1])
            [other] = [port for port in ports if port != behind_nginx]
            await until(point, lambda m: m["type"] == "state")

            # The host acts on the other process, straight on its port; the point asks for
            # the floor back through nginx.
            other_url = f"http://127.0.0.1:{other}"
            async with _console(other_url, conference_id, deployment["host_session"]) as host:
                await until(host, lambda m: m["type"] == "state")
                await live_scenario.advance_and_ask_the_floor(host, point)

    asyncio.run(scenario())


def test_the_shipped_systemd_units_are_valid(tmp_path):
    """systemd-analyze verify on the units, with their paths pointed at this checkout."""
    analyze = "/usr/bin/systemd-analyze"
    if not os.path.exists(analyze):
        pytest.skip("systemd-analyze is not installed")  # not a service the suite needs
    binary = str(Path(sys.executable).with_name("giaoban"))
    for unit in (ROOT / "deploy" / "systemd").iterdir():
        text = unit.read_text().replace("/srv/giaoban/venv/bin/giaoban", binary)
        (tmp_path / unit.name).write_text(text)
    units = sorted(str(p) for p in tmp_path.iterdir() if not p.name.endswith("@.service"))
    units.append(str(tmp_path / "giaoban@8001.service"))
    (tmp_path / "giaoban@8001.service").write_text((tmp_path / "giaoban@.service").read_text())
    result = subprocess.run([analyze, "verify", *units], capture_output=True, text=True, timeout=60)
    problems = [
        line
        for line in result.stderr.splitlines()
        # The machine running the tests has no giaoban user and no Debian janus/postgresql
        # units to point at: those are the installation's, not the files'.
        if line.strip() and not re.search(r"giaoban\.env|No such file|not found|User", line)
    ]
    assert result.returncode == 0, result.stderr
    assert not problems, result.stderr


def test_browsers_reach_janus_through_nginx(deployment):
    from websockets.sync.client import connect

    if "JANUS_URL" not in deployment["env"]:
        skip_or_fail("Janus is not installed (apt-get install janus)")
    url = deployment["env"]["JANUS_BROWSER_URL"]
    with connect(url, subprotocols=["janus-protocol"], ssl=TLS, open_timeout=15) as janus:
        janus.send(json.dumps({"janus": "info", "transaction": "deploy-test"}))
        answer = json.loads(janus.recv(timeout=15))
    assert (answer["janus"], answer["transaction"]) == ("server_info", "deploy-test")
