"""Two headless Chromiums against a real giaoban and a real Janus: Sa Pa's console publishes a
fake camera, the host's console decodes its frames (framesDecoded from getStats), and the host's
tile shows the point's media up."""

import re
import subprocess
import sys
import time

import pytest
from django.utils import translation
from django.utils.translation import gettext

from giaoban.media.tests.conftest import start_janus
from giaoban.meetings.tests.test_browser import ARTIFACTS, SEED, _login
from giaoban.testing import servers
from giaoban.testing.browser import chromium, need_browser

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
    need_browser()
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    env = servers.scratch_env(tmp_path)
    servers.migrate(env)

    def configure(janus):  # as `make demo` does: the server's own secrets
        c = janus.config
        servers.run_python(
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
    try:
        env["JANUS_URL"] = janus.url
        ids = servers.run_json(env, "-", stdin=SEED)
        with servers.serve(env, tmp_path / "server.log", "--no-worker", port=port) as served:
            yield {"base": base, "log": served.log, "janus": janus, "env": env, **ids}
    finally:
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
from giaoban.testing.media import Publisher

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
    room, feed, token = servers.run_json(
        server["env"], "-c", ROOM_AND_TOKEN, str(server["conference"]), unit_code
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


def _the_microphone_follows_the_chair(point, tile) -> None:
    """A muted point's console does not even send its microphone; the chair opens it from the
    tile and the console follows the live room's word at once."""
    from playwright.sync_api import expect

    assert point.evaluate("() => window.giaobanMedia.microphoneSending()") is False
    tile.locator('[data-act="toggle"]').click()
    expect(point.locator('[data-media="mic"]')).to_have_class(re.compile("mic-open"))
    point.wait_for_function("() => window.giaobanMedia.microphoneSending()")
    tile.locator('[data-act="toggle"]').click()
    expect(point.locator('[data-media="mic"]')).to_have_class(re.compile("mic-closed"))
    point.wait_for_function("() => !window.giaobanMedia.microphoneSending()")


def _frames_shown(page, selector: str) -> int:
    """The frames a <video> of the media pane showed, once there are some or WAIT has passed:
    a black element shows none."""
    deadline = time.monotonic() + WAIT / 1000
    frames = 0
    while time.monotonic() < deadline:
        frames = page.evaluate("(s) => window.giaobanMedia.framesShown(s)", selector)
        if frames > 0:
            break
        page.wait_for_timeout(250)
    return frames


def _the_media_test_ticks_readiness(point, cid) -> None:
    """Before the start: Sa Pa's media test, recorded, ticks its readiness."""
    from playwright.sync_api import expect

    point.goto(f"/conferences/{cid}/point/")
    point.click('[data-media-action="test"]')
    passed = vi(
        "Test passed: %(frames)s frames came back, round trip %(rtt)s ms, loss %(loss)s%%."
    ).split("%")[0]
    expect(point.locator('[data-media="test-result"]')).to_contain_text(passed)
    # The loss the Vietnamese way: "0,0 %", not "0.0%".
    expect(point.locator('[data-media="test-result"]')).to_contain_text(re.compile(r"\d+,\d %\.$"))
    expect(point.locator('input[data-readiness="connection_tested"]')).to_be_checked()


def _a_second_console_shows_the_point_too(point, cid) -> None:
    """A second console of Sa Pa (another tab): the first publishes the camera, and this one
    shows Sa Pa's picture from the server instead of a black preview."""
    again = point.context.new_page()
    again.goto(f"/conferences/{cid}/point/")
    assert _frames_shown(again, '[data-media="self"]') > 0
    again.close()


def _the_point_sees_itself_with_the_floor(host, point) -> None:
    """Sa Pa gets the floor: the large place on its own console shows its own camera."""
    from playwright.sync_api import expect

    point.fill("#floor-topic", "Dân vận khéo")
    point.click('[data-live="floor-form"] button[type=submit]')
    host.locator('[data-live="queue"] button[data-action="grant"]').click()
    expect(point.locator('[data-media="floor-name"]')).to_contain_text("Sa Pa")
    assert _frames_shown(point, '[data-media="floor"]') > 0
    host.click('[data-live="speaking"] button[data-action="finish"]')
    expect(point.locator('[data-media="floor-name"]')).to_have_text(vi("Nobody has the floor."))


def test_the_host_console_decodes_the_point_consoles_camera(server):
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT)
    cid, sapa = server["conference"], server["sapa"]
    with chromium(*FAKE_MEDIA) as browser:
        host = _login(browser, server["base"], "chutri")
        point = _login(browser, server["base"], "op_sapa")
        errors, console = [], []
        for page in (host, point):
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: console.append(message.text))
        _the_media_test_ticks_readiness(point, cid)

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
        # And the point sees the host (the chair's camera), the one stream it receives,
        # and itself: its own camera in its preview.
        assert _frames_decoded(point) > 0
        assert _frames_shown(point, '[data-media="self"]') > 0
        assert _frames_shown(host, '[data-media="self"]') > 0
        _a_second_console_shows_the_point_too(point, cid)
        ARTIFACTS.mkdir(exist_ok=True)
        host.screenshot(path=str(ARTIFACTS / "media-host-console.png"), full_page=True)
        point.screenshot(path=str(ARTIFACTS / "media-point-console.png"), full_page=True)

        _the_microphone_follows_the_chair(point, tile)

        _the_point_sees_itself_with_the_floor(host, point)

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

            # The chair puts Bát Xát in the spotlight from the live room's tile: Sa Pa's
            # console shows it in the large place beside the host's (nobody has the floor).
            host.click(f'.tile[data-point="{feed}"] button[data-action="spotlight"]')
            expect(point.locator('[data-media="floor-name"]')).to_contain_text(
                vi("In the spotlight")
            )
            point.wait_for_function(
                f"""() => ({showing})(document.querySelector('[data-media="floor"]'))"""
            )
            expect(point.locator('[data-live="spotlight"]')).to_be_visible()
        finally:
            elsewhere.kill()
            elsewhere.wait()

        # Janus dies: the live room stays connected, the pane says so; Janus comes back:
        # the room is recreated and both consoles publish and receive again by themselves.
        server["janus"].kill()
        expect(point.locator('[data-media="status"]')).to_have_text(vi(UNREACHABLE))
        expect(point.locator('[data-live="connection"]')).to_have_attribute("data-state", "open")
        server["janus"].start()
        point.wait_for_function("() => window.giaobanMedia.published()")
        assert _frames_decoded(host) > 0
        assert errors == []
