"""Every page of the access walk in headless Chromium at the widths officials use: a 1366 px and
a 1024 px laptop, and a 390 px phone (commune officials use phones). No page scrolls sideways,
the header keeps the user's name whole, and on a laptop the header stays on one line.

The pages and their owners are the access walk's (`ACCESS`, its `world`), served by pytest-django's
live server; downloads (xlsx, docx, PDF) are left out. Viewport screenshots of every page and
width go to test-artifacts/layout/ for a person to look at.
"""

from pathlib import Path

from giaoban.core.tests import test_access_walk as walk
from giaoban.core.tests.test_access_walk import ACCESS, CREATE, LIST, PUBLIC, READ, WRITE
from giaoban.orgs.testing import PASSWORD
from giaoban.testing.browser import chromium, log_in, need_browser

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "layout"
WIDTHS = [1366, 1024, 390]
LAPTOP = 1024  # from this width up the header is one line
PAGE_KINDS = {PUBLIC, LIST, CREATE, READ, WRITE}
#: A name as long as the demo's ("Lãnh đạo Ban Dân vận Tỉnh ủy (lãnh đạo)"), which the header cut.
LONG_NAME = "Cán bộ Ban Dân vận Thị ủy Sa Pa"

# The walk's objects of Sa Pa and its standing users, as fixtures of this module.
world = walk.world
users = walk.users

MEASURE = """() => {
    const who = document.querySelector('.topbar .who');
    const bar = [...document.querySelectorAll('.topbar .bar > *')];
    // One line: every part of the header overlaps every other vertically.
    const boxes = bar.map((node) => node.getBoundingClientRect());
    const oneLine = Math.max(...boxes.map((b) => b.top)) < Math.min(...boxes.map((b) => b.bottom));
    const wide = [...document.querySelectorAll('body *')].filter(
        (node) => node.getBoundingClientRect().right > innerWidth + 1
    ).slice(0, 3).map((node) => node.tagName.toLowerCase() + '.' + node.className);
    return {
        overflow: document.documentElement.scrollWidth > innerWidth,
        wide: wide,
        nameCut: who ? who.scrollWidth > who.clientWidth + 1 : false,
        headerWraps: !oneLine,
    };
}"""


def _pages(world) -> dict[str, list[tuple[str, str]]]:
    """(key, path) of every page the walk reads with GET, by the user who owns it."""
    pages: dict[str, list[tuple[str, str]]] = {}
    for key, route, _pattern in walk._patterns():
        rule = ACCESS.get(key)
        if rule is None or rule.method != "GET" or rule.kind not in PAGE_KINDS:
            continue
        if route.startswith(("api/", "admin/")) or key.startswith("^"):
            continue
        owner = None if rule.kind == PUBLIC else rule.owner
        pages.setdefault(owner, []).append((key, walk._url(key, rule, world)))
    return pages


def _problems(page, key: str, path: str) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        found = page.evaluate(MEASURE)
        if found["overflow"]:
            problems.append(f"{path} ({key}) at {width} px scrolls sideways: {found['wide']}")
        if found["nameCut"]:
            problems.append(f"{path} ({key}) at {width} px cuts the user's name")
        if width >= LAPTOP and found["headerWraps"]:
            problems.append(f"{path} ({key}) at {width} px: the header wraps")
        shot = ARTIFACTS / str(width) / f"{key.replace(':', '-')}.png"
        page.screenshot(path=str(shot))
    return problems


def test_no_page_scrolls_sideways_or_cuts_the_header_at_laptop_and_phone_widths(
    world, users, live_server
):
    need_browser()
    for user in users.values():
        user.first_name = LONG_NAME
        user.save(update_fields=["first_name"])
    for width in WIDTHS:
        (ARTIFACTS / str(width)).mkdir(parents=True, exist_ok=True)
    problems, seen = [], 0
    with chromium() as browser:
        for owner, pages in _pages(world).items():
            context = browser.new_context(base_url=live_server.url, locale="vi-VN")
            page = context.new_page()
            if owner:
                log_in(page, owner, PASSWORD)
            for key, path in pages:
                headers = context.request.get(path).headers
                html = "text/html" in headers.get("content-type", "")
                if not html or "attachment" in headers.get("content-disposition", ""):
                    continue  # a download: no layout
                page.goto(path)
                problems += _problems(page, key, path)
                seen += 1
            context.close()
    assert seen >= 40, f"only {seen} pages walked"
    assert not problems, "\n".join(problems)
