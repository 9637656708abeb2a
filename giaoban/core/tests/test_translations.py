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
