"""Headless Debian Chromium, for the browser tests and the guided tour: whether it can run here,
and logging in through the login form."""

import contextlib
import importlib
import re
from pathlib import Path

from giaoban.testing.servers import LOGIN, skip_or_fail

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_missing(*modules: str) -> str | None:
    """Why Chromium cannot be driven here (no browser, no Playwright, none of the other
    `modules`), or None."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (install Debian's chromium package)"
    for module in ("playwright.sync_api", *modules):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            return f"{exc.name} is not installed (pip install -e '.[dev]')"
    return None


def need_browser(*modules: str) -> None:
    """Skip the test where Chromium cannot be driven; under CI=true that is a failure."""
    reason = browser_missing(*modules)
    if reason:
        skip_or_fail(reason)


def log_in(page, username: str, password: str):
    """Log in with the login form of the page's site, and wait until it lets the user in."""
    page.goto(LOGIN)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
    return page


@contextlib.contextmanager
def chromium(*args: str):
    """Debian's Chromium, headless, for the length of the block (`args` added to ours)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *args]
        )
        try:
            yield browser
        finally:
            browser.close()
