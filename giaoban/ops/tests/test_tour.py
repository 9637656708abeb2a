"""`giaoban tour` takes every screenshot of the guided tour from the demo data, in a real browser
at a laptop's and a phone's width, and docs/tour.md shows exactly those pictures."""

import os
import re
import struct
from pathlib import Path

import pytest
from django.core.management import call_command

from giaoban.ops import tour

DOCS = Path(__file__).resolve().parents[3] / "docs"


def _size(png: Path) -> tuple[int, int]:
    data = png.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
    return struct.unpack(">II", data[16:24])


def _need_browser():
    reason = tour.browser_missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI takes the tour, but {reason}.")
        pytest.skip(reason)


def test_docs_tour_shows_every_screenshot_the_command_takes():
    linked = re.findall(r"\]\(tour/([\w-]+)\.png\)", (DOCS / "tour.md").read_text())
    assert linked == [shot.name for shot in tour.SHOTS]


def test_the_tour_command_takes_every_screenshot(tmp_path):
    _need_browser()
    call_command("tour", str(tmp_path), stdout=open(os.devnull, "w"))  # noqa: SIM115
    for shot in tour.SHOTS:
        png = tmp_path / f"{shot.name}.png"
        width, height = _size(png)
        assert width == tour.DEVICES[shot.device]["width"], shot.name
        if shot.device == "phone":
            assert height == tour.DEVICES["phone"]["height"], shot.name
        else:
            assert 400 <= height <= tour.LAPTOP_MAX_HEIGHT, shot.name
        assert png.stat().st_size < 200_000, f"{shot.name} is too large for the docs"
