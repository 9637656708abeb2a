"""Two headless Chromiums against a real giaoban and a real Janus: Sa Pa's console publishes a
fake camera, the host's console decodes its frames (framesDecoded from getStats), and the host's
tile shows the point's media up."""

import json
import os
import re
import subprocess
import sys
import time

import pytest
from django.utils import translation
from django.utils.translation import gettext

from giaoban.media.tests.conftest import start_janus
from giaoban.meetings.tests.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    SEED,
    _free_port,
    _login,
    _need_browser,
    _run,
    _wait_until_up,
)

FAKE_MEDIA = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
WAIT = 20_000
UNREACHABLE = (
    "The media server is not reachable. The conference goes on; audio and video come "
    "back by themselves."
)


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


@pytest.fixture
def server(tmp_path):
    _need_browser()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env |= {
        "GIAOBAN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'giaoban.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "giaoban.settings",
        "PYTHONUNBUFFERED": "1",
    }
    _run(env, "-m", "giaoban", "migrate", "--noinput", "-v", "0")

    def configure(janus):  # as `make demo` does: the server's own secrets
        c = janus.config
        _run(
            env,
            "-m",
            "giaoban",
            "janus_config",
            str(c.directory),
            "--ws-port",
            str(c.ws_port),
            "--events-url",
            c.events_url,
            "--rtp-ports",
            c.rtp_ports,
        )

    janus = start_janus(tmp_path / "janus", f"{base}/media/janus/events/", configure)
    env["JANUS_URL"] = janus.url
    ids = json.loads(_run(env, "-", stdin=SEED).strip().splitlines()[-1])
    log = tmp_path / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "giaoban", "serve", "--port", str(port), "--no-worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(base, process, log, time.monotonic() + 30)
        yield {"base": base, "log": log, "janus": janus, "env": env, **ids}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        janus.kill()


ROOM_AND_TOKEN = """
import json, sys
import django
django.setup()
from giaoban.media.models import MediaRoom
from giaoban.media.services import point_token
from giaoban.meetings.models import BridgePoint
conference = int(sys.argv[1])
point = BridgePoint.objects.get(conference_id=conference, unit__code=sys.argv[2])
room = MediaRoom.objects.get(conference_id=conference)
print(json.dumps([room.room, point.pk, point_token(conference, point.pk)]))
"""

PUBLISH = """
import asyncio, sys
import django
django.setup()
from giaoban.media.testing import Publisher

async def main():
    publisher = Publisher(sys.argv[1])
    await publisher.publish(room=int(sys.argv[2]), feed=int(sys.argv[3]), token=sys.argv[4])
    print("published", flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def _publish_without_a_browser(server, unit_code: str) -> tuple[int, subprocess.Popen]:
    """The point of `unit_code` publishes bars and a tone from an aiortc peer, with the token
    the app issues for it."""
    room, feed, token = json.loads(
        _run(server["env"], "-c", ROOM_AND_TOKEN, str(server["conference"]), unit_code)
        .strip()
        .splitlines()[-1]
    )
    peer = subprocess.Popen(
        [sys.executable, "-c", PUBLISH, server["janus"].url, str(room), str(feed), token],
        env=server["env"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = peer.stdout.readline()
    assert line.strip() == "published", line + peer.stdout.read() if peer.poll() else line
    return feed, peer


def _frames_decoded(page) -> int:
    """The frames the page's subscriber decoded, once there are some or WAIT has passed.

    wait_for_function would take the Promise that getStats gives for a truthy answer, so the
    count is asked for until it is above zero.
    """
    deadline = time.monotonic() + WAIT / 1000
    frames = 0
    while time.monotonic() < deadline:
        frames = page.evaluate("() => window.giaobanMedia.framesDecoded()")
        if frames > 0:
            break
        page.wait_for_timeout(250)
    return frames


def test_the_host_console_decodes_the_point_consoles_camera(server):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT)
    cid, sapa = server["conference"], server["sapa"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + FAKE_MEDIA
        )
        try:
            host = _login(browser, server["base"], "chutri")
            point = _login(browser, server["base"], "op_sapa")
            errors, console = [], []
            for page in (host, point):
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.on("console", lambda message: console.append(message.text))
            # Before the start: Sa Pa's media test, recorded, ticks its readiness.
            point.goto(f"/conferences/{cid}/point/")
            point.click('[data-media-action="test"]')
            passed = vi(
                "Test passed: %(frames)s frames came back, round trip %(rtt)s ms, loss %(loss)s%%."
            ).split("%")[0]
            expect(point.locator('[data-media="test-result"]')).to_contain_text(passed)
            expect(point.locator('input[data-readiness="connection_tested"]')).to_be_checked()

            host.goto(f"/conferences/{cid}/host/")
            host.click('button[data-action="start"]')
            expect(point.locator('[data-media="mic"]')).to_have_class(re.compile("mic-closed"))
            tile = host.locator(f'.media-tile[data-point="{sapa}"]')
            try:
                expect(tile).not_to_have_class(re.compile(r"\bdown\b"))
            except AssertionError as failure:
                status = point.locator('[data-media="status"]').text_content()
                log = server["log"].read_text()[-3000:]
                raise AssertionError(f"{status} {console[-20:]} {log}") from failure
            assert _frames_decoded(host) > 0
            # And the point sees the host (the chair's camera), the one stream it receives.
            assert _frames_decoded(point) > 0
            ARTIFACTS.mkdir(exist_ok=True)
            host.screenshot(path=str(ARTIFACTS / "media-host-console.png"), full_page=True)
            point.screenshot(path=str(ARTIFACTS / "media-point-console.png"), full_page=True)

            # A muted point's console does not even send its microphone; the chair opens it
            # from the tile and the console follows the live room's word at once.
            assert point.evaluate("() => window.giaobanMedia.microphoneSending()") is False
            tile.locator('[data-act="toggle"]').click()
            expect(point.locator('[data-media="mic"]')).to_have_class(re.compile("mic-open"))
            point.wait_for_function("() => window.giaobanMedia.microphoneSending()")
            tile.locator('[data-act="toggle"]').click()
            expect(point.locator('[data-media="mic"]')).to_have_class(re.compile("mic-closed"))
            point.wait_for_function("() => !window.giaobanMedia.microphoneSending()")

            # Bát Xát comes up (from a peer without a browser): its stream joins the host's
            # subscription, which is updated, not made anew, so Sa Pa's picture does not stop.
            handles = host.evaluate("() => window.giaobanMedia.subscriberHandles()")
            feed, elsewhere = _publish_without_a_browser(server, "082")
            try:
                showing = "(video) => video !== null && video.videoWidth > 0"
                host.wait_for_function(
                    f"""() => ({showing})(
                        document.querySelector('.media-tile[data-point="{feed}"] video'))"""
                )
                assert host.evaluate("() => window.giaobanMedia.subscriberHandles()") == handles
                sapa_video = f'.media-tile[data-point="{sapa}"] video'
                assert host.eval_on_selector(sapa_video, "video => video.videoWidth") > 0
            finally:
                elsewhere.kill()
                elsewhere.wait()

            # Janus dies: the live room stays connected, the pane says so; Janus comes back:
            # the room is recreated and both consoles publish and receive again by themselves.
            server["janus"].kill()
            expect(point.locator('[data-media="status"]')).to_have_text(vi(UNREACHABLE))
            expect(point.locator('[data-live="connection"]')).to_have_attribute(
                "data-state", "open"
            )
            server["janus"].start()
            point.wait_for_function("() => window.giaobanMedia.published()")
            assert _frames_decoded(host) > 0
            assert errors == []
        finally:
            browser.close()
