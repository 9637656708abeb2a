"""The Vietnamese catalog is complete and the shipped .mo matches it."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def test_every_message_has_a_vietnamese_translation():
    catalog = polib.pofile(str(LOCALE / "vi/LC_MESSAGES/django.po"))
    assert [e.msgid for e in catalog.untranslated_entries()] == []
    assert [e.msgid for e in catalog.fuzzy_entries()] == []


def test_the_compiled_catalog_is_up_to_date():
    source = polib.pofile(str(LOCALE / "vi/LC_MESSAGES/django.po"))
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr
        for e in polib.mofile(str(LOCALE / "vi/LC_MESSAGES/django.mo"))
    }
    stale = [
        e.msgid
        for e in source.translated_entries()
        if compiled.get((e.msgctxt, e.msgid)) != e.msgstr
    ]
    assert stale == [], "run `make messages`"


def test_every_message_in_the_code_is_in_the_catalog(tmp_path):
    """makemessages over a copy of the code finds no message the catalog lacks: a string added
    without `make messages` would otherwise show in English to a Vietnamese user."""
    import shutil
    import subprocess
    import sys

    if shutil.which("xgettext") is None:
        import os

        import pytest

        reason = "xgettext (Debian's gettext) is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    copy = tmp_path / "giaoban"
    shutil.copytree(
        LOCALE.parent, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "tests", "data")
    )
    subprocess.run(
        [sys.executable, "-m", "giaoban", "makemessages", "-l", "vi", "--no-obsolete", "-v", "0"],
        cwd=copy,
        check=True,
        timeout=300,
    )
    catalog = polib.pofile(str(copy / "locale/vi/LC_MESSAGES/django.po"))
    missing = [e.msgid for e in catalog.untranslated_entries() + catalog.fuzzy_entries()]
    assert missing == [], "run `make messages` and translate these"
