"""The guided tour's screenshots (docs/tour.md): the demo scenario loaded into a fresh
installation, served by a real `giaoban serve`, photographed by headless Debian Chromium at a
laptop's and a phone's width, then reduced to a small palette so that the PNGs stay small.

Nothing is taken by hand: `giaoban tour docs/tour` (or `make tour`) writes every file again.
"""

import contextlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from giaoban.testing import servers
from giaoban.testing.browser import browser_missing as chromium_missing
from giaoban.testing.browser import chromium, log_in

DEVICES = {
    "laptop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
LAPTOP_MAX_HEIGHT = 1500  # a laptop shot shows the page down to here, not an endless scroll
COLOURS = 96  # the palette of the saved PNGs: the pages are flat colours and text
WAIT = 15_000  # ms for one page or one on-screen condition
DEMO_PASSWORD = "giaoban2021"


class TourError(RuntimeError):
    """The tour could not be taken (no browser, the server did not start, a page failed)."""


@dataclass(frozen=True)
class Shot:
    name: str  # file name, without .png
    user: str | None  # demo login, or None for the login page
    path: str  # may name {conference}, {sapa_report} and {sapa}
    expect: str  # text the page must show, or the tour stops: a picture of the wrong page is worse
    device: str = "laptop"
    ready: str = ""  # a CSS selector that must be visible before the picture is taken


CONSOLE_OPEN = '[data-live="connection"][data-state="open"]'

SHOTS = [
    Shot("01-dang-nhap", None, "/accounts/login/", "Đăng nhập"),
    Shot("02-lanh-dao-trang-chu", "lanhdao_tinh", "/", "Huyện Văn Bàn"),
    Shot("03-lanh-dao-trang-chu-dien-thoai", "lanhdao_tinh", "/", "Giao ban", "phone"),
    Shot("04-tong-hop", "lanhdao_tinh", "/reports/consolidated/", "Thị xã Sa Pa"),
    Shot("05-can-bo-trang-chu", "canbo_sapa", "/", "Điểm cầu thị xã Sa Pa"),
    Shot("06-can-bo-trang-chu-dien-thoai", "canbo_sapa", "/", "Báo cáo", "phone"),
    Shot("07-bao-cao-sa-pa", "canbo_sapa", "/reports/{sapa_report}/", "2.255"),
    Shot("08-nhiem-vu", "canbo_sapa", "/tasks/mine/", "dân vận khéo"),
    Shot("09-hoi-nghi", "lanhdao_tinh", "/conferences/{conference}/", "Vàng Bích Liên"),
    Shot(
        "10-dieu-hanh",
        "lanhdao_tinh",
        "/conferences/{conference}/host/",
        "Điểm cầu huyện Văn Bàn",
        ready=CONSOLE_OPEN,
    ),
    Shot("11-diem-cau-trang-chu", "diemcau_sapa", "/", "Phòng họp trực tuyến Thị xã Sa Pa"),
    Shot("12-diem-cau-trang-chu-dien-thoai", "diemcau_sapa", "/", "Giao ban", "phone"),
    Shot(
        "13-diem-cau",
        "diemcau_sapa",
        "/conferences/{conference}/point/",
        "Phan Đăng Toàn",
        ready=CONSOLE_OPEN,
    ),
    Shot("14-tim-kiem", "canbo_sapa", "/search/?q=uy+vien", "Vàng Bích Liên"),
    Shot("15-tim-kiem-dien-thoai", "canbo_sapa", "/search/?q=uy+vien", "Lê Mạnh Hảo", "phone"),
    Shot("16-don-vi", "canbo_sapa", "/units/{sapa}/", "Hội Nông dân thị xã Sa Pa"),
]

# Runs in the tour's own installation: the ids the tour's paths need.
IDS = """
import json
import django

django.setup()
from giaoban.meetings.demo import TITLE
from giaoban.meetings.models import Conference
from giaoban.orgs.models import Unit
from giaoban.reporting.models import Report

conference = Conference.objects.get(title=TITLE)
report = Report.objects.get(unit__code="088", period__year=2021)
sapa = Unit.objects.get(code="088", valid_to__isnull=False)
print(json.dumps({"conference": conference.pk, "sapa_report": report.pk, "sapa": sapa.pk}))
"""


def browser_missing() -> str | None:
    """Why the tour cannot run here, or None."""
    return chromium_missing("PIL")


def take(out_dir: Path, *, log: Callable[[str], None] = print) -> list[Path]:
    """Every screenshot of SHOTS into `out_dir`, from a fresh demo installation."""
    reason = browser_missing()
    if reason:
        raise TourError(reason)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="giaoban-tour-") as data_dir,
            demo_site(Path(data_dir), log=log) as (base, ids),
        ):
            return _photograph(base, ids, out_dir, log)
    except servers.ServerError as exc:
        raise TourError(str(exc)) from exc


@contextlib.contextmanager
def demo_site(data_dir: Path, *, log: Callable[[str], None] = lambda message: None):
    """A fresh installation in `data_dir` with the demo scenario, served for the length of the
    block by one process without Redis or media; yields its address and the ids of IDS."""
    env = servers.scratch_env(data_dir)
    log("Loading the demo scenario into a fresh installation…")
    servers.migrate(env)
    servers.run_python(env, "-m", "giaoban", "demo", timeout=300)
    ids = servers.run_json(env, "-", stdin=IDS)
    with servers.serve(env, data_dir / "server.log", "--no-worker") as served:
        yield served.base, ids


def _photograph(base: str, ids: dict, out_dir: Path, log) -> list[Path]:
    written = []
    with chromium() as browser:
        pages: dict[tuple, object] = {}
        for shot in SHOTS:
            key = (shot.user, shot.device)
            if key not in pages:
                pages[key] = _page(browser, base, shot)
            path = out_dir / f"{shot.name}.png"
            _shoot(pages[key], shot, ids, path)
            written.append(path)
            log(f"  {path} ({path.stat().st_size // 1024} KB)")
        _check_keyboard(pages[("lanhdao_tinh", "laptop")])
    return written


def _page(browser, base: str, shot: Shot):
    context = browser.new_context(
        base_url=base, viewport=DEVICES[shot.device], device_scale_factor=1, locale="vi-VN"
    )
    page = context.new_page()
    page.set_default_timeout(WAIT)
    if shot.user:
        log_in(page, shot.user, DEMO_PASSWORD)
    return page


def _shoot(page, shot: Shot, ids: dict, path: Path) -> None:
    response = page.goto(shot.path.format(**ids))
    if response is None or response.status != 200:
        status = response.status if response else "no answer"
        raise TourError(f"{shot.path} as {shot.user}: {status}")
    if shot.ready:
        page.wait_for_selector(shot.ready, state="attached")
    _wait_for_text(page, shot)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    if shot.device == "laptop":
        height = min(page.evaluate("document.documentElement.scrollHeight"), LAPTOP_MAX_HEIGHT)
        clip = {"x": 0, "y": 0, "width": DEVICES["laptop"]["width"], "height": height}
        page.screenshot(path=str(path), full_page=True, clip=clip)
    else:
        page.screenshot(path=str(path))
    _shrink(path)


def _check_keyboard(page) -> None:
    """The first Tab shows the skip link, and Enter on it moves the focus to the main content."""
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    box = skip.bounding_box()
    focused = page.evaluate("document.activeElement.classList.contains('skip-link')")
    if not (focused and box and box["y"] >= 0):
        raise TourError("the first Tab does not show the skip link")
    page.keyboard.press("Enter")
    if page.evaluate("document.activeElement.id") != "content":
        raise TourError("the skip link does not move the focus to the main content")


def _wait_for_text(page, shot: Shot) -> None:
    """Live consoles draw their tiles after the first state arrives: wait for the text."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.locator("main").get_by_text(shot.expect).first.wait_for(state="visible")
    except PlaywrightTimeout as exc:
        raise TourError(f"{shot.path} as {shot.user} does not show “{shot.expect}”") from exc


def _shrink(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=COLOURS, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
