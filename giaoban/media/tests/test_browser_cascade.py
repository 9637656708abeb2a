"""The host in headless Chromium on the origin of a three-server cascade, against a real giaoban
and three real Janus processes: a point's peer on edge 2 (aiortc, in a process of its own with
the token the app issues) decodes the host's camera, and the floor given to a point on edge 1
reaches the host's console."""

import json
import subprocess
import sys

import pytest

from giaoban.media.tests.conftest import start_janus
from giaoban.media.tests.test_browser import FAKE_MEDIA, PUBLISH, WAIT
from giaoban.meetings.tests.test_browser import SEED, _login
from giaoban.testing import servers
from giaoban.testing.browser import chromium, need_browser

SERVERS = """
import sys
import django
django.setup()
from giaoban.media.models import MediaServer
for name, url, region, capacity in [
    ("origin", sys.argv[1], "10", 1), ("edge-1", sys.argv[2], "99", 1),
    ("edge-2", sys.argv[3], "99", 2),
]:
    MediaServer.objects.create(name=name, url=url, public_url=url, region=region, capacity=capacity)
"""

#: The point's console as media.js runs it, told its server, room and token by the app.
STATE = """
import json, sys
import django
django.setup()
from giaoban.media import selectors
from giaoban.meetings.access import Role
from giaoban.meetings.models import BridgePoint
point = BridgePoint.objects.select_related("conference").get(
    conference_id=int(sys.argv[1]), unit__code=sys.argv[2]
)
state = selectors.media_state(conference=point.conference, role=Role("point", point.pk))
print(json.dumps([state["server"], state["room"], point.pk, state["token"], state["host_feed"]]))
"""

WATCH = """
import asyncio, json, sys
import django
django.setup()
from giaoban.testing.media import Subscriber, wait_for

async def main():
    sub = Subscriber(sys.argv[1])
    await sub.subscribe(room=int(sys.argv[2]), feeds=[int(sys.argv[3])], token=sys.argv[4])
    await wait_for(lambda: sub.frames >= 30, timeout=20)
    print(json.dumps({"frames": sub.frames}), flush=True)
    await sub.close()

asyncio.run(main())
"""

FLOOR = """
import sys
import django
django.setup()
from giaoban.meetings import floor
from giaoban.meetings.models import BridgePoint
point = BridgePoint.objects.get(conference_id=int(sys.argv[1]), unit__code=sys.argv[2])
request = floor.floor_request(actor=None, point=point, topic="Tham luận")
floor.floor_grant(actor=None, request=request)
"""


@pytest.fixture
def cascade_server(tmp_path):
    need_browser()
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    env = servers.scratch_env(tmp_path)
    servers.migrate(env)
    janus = {}
    for i, name in enumerate(["origin", "edge-1", "edge-2"]):

        def configure(j, i=i):  # the server's own secrets, and its name in its events
            c = j.config
            low = int(c.rtp_ports.split("-")[0]) + 6000 + i * 300
            c.rtp_ports = f"{low}-{low + 299}"
            servers.run_python(
                env,
                *("-m", "giaoban", "janus_config", str(c.directory)),
                *("--ws-port", str(c.ws_port), "--events-url", c.events_url),
                *("--rtp-ports", c.rtp_ports, "--app-url", c.url),
            )

        janus[name] = start_janus(tmp_path / name, f"{base}/media/janus/events/", configure)
    try:
        servers.run_python(env, "-", *(janus[n].url for n in janus), stdin=SERVERS)
        ids = servers.run_json(env, "-", stdin=SEED)
        with servers.serve(env, tmp_path / "server.log", "--no-worker", port=port) as served:
            yield {"base": base, "log": served.log, "janus": janus, "env": env, **ids}
    finally:
        for process in janus.values():
            process.kill()


def _state(server, unit_code: str) -> list:
    return servers.run_json(server["env"], "-c", STATE, str(server["conference"]), unit_code)


def test_the_host_in_chromium_reaches_edge_2_and_sees_the_floor_from_edge_1(cascade_server):
    from playwright.sync_api import expect

    server = cascade_server
    expect.set_options(timeout=WAIT)
    cid, sapa = server["conference"], server["sapa"]
    with chromium(*FAKE_MEDIA) as browser:
        host = _login(browser, server["base"], "chutri")
        errors = []
        host.on("pageerror", lambda error: errors.append(str(error)))
        host.goto(f"/conferences/{cid}/host/")
        host.click('button[data-action="start"]')
        host.wait_for_function("() => window.giaobanMedia.published()")

        # Bát Xát is placed on edge 2; its peer decodes the host's camera relayed there.
        url, room, _feed, token, host_feed = _state(server, "082")
        assert url == server["janus"]["edge-2"].url
        watched = servers.run_json(
            server["env"], "-c", WATCH, url, str(room), str(host_feed), token, timeout=60
        )
        assert watched["frames"] >= 30

        # Sa Pa, on edge 1, publishes and gets the floor: the host's console shows it.
        url, room, feed, token, _host = _state(server, "088")
        assert url == server["janus"]["edge-1"].url and feed == sapa
        peer = subprocess.Popen(
            [sys.executable, "-c", PUBLISH, url, str(room), str(feed), token],
            env=server["env"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            line = peer.stdout.readline()
            assert line.strip() == "published", line
            servers.run_python(server["env"], "-c", FLOOR, str(cid), "088")
            showing = "(video) => video !== null && video.videoWidth > 0"
            try:
                host.wait_for_function(
                    f"""() => ({showing})(
                        document.querySelector('.media-tile[data-point="{sapa}"] video'))"""
                )
            except Exception as failure:
                raise AssertionError(server["log"].read_text()[-3000:]) from failure
        finally:
            peer.kill()
            peer.wait()
        assert errors == [], json.dumps(errors)
