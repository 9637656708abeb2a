"""A word with two senses gets a message context (`pgettext`, `{% translate … context … %}`).

"Minutes" was one msgid for the conference's record (biên bản) and for an agenda item's length
(thời lượng, phút): whichever translation it had, one of the two places said the wrong thing.
No test can tell the senses of an English word apart, so two checks stand guard:

1. A checked list of English words known to carry two senses in this domain: none of them may
   appear in the catalog without a context, so whoever adds one must say which sense it is.
2. The Vietnamese side, whatever the word: a msgid whose translations fall into two senses
   (a duration and a document, a position and a heading, ...) must carry a context on every
   entry. This catches the same bug for a word nobody thought to put on the list.
"""

from collections import defaultdict
from pathlib import Path

import polib

CATALOG = Path(__file__).resolve().parents[2] / "locale/vi/LC_MESSAGES/django.po"

#: English words with two senses here (noun/verb, document/duration, rank/heading, ...).
AMBIGUOUS = {
    "minutes",  # the meeting's record (biên bản) / an item's length (phút)
    "record",  # to note (ghi nhận) / a stored record, a recording
    "report",  # the periodic report (báo cáo) / to report progress
    "point",  # a bridge point (điểm cầu) / a point of an article or a list
    "present",  # at the roll call (có mặt) / to present a report (trình bày)
    "order",  # protocol order (thứ tự) / an order given
    "close",  # to close / near
    "return",  # to send a report back (trả lại) / to go back
    "issue",  # to issue a document (ban hành) / a problem raised (vấn đề)
    "level",  # an administrative level (cấp) / a degree
    "subject",  # a document's summary (trích yếu) / the subject of an action
    "position",  # a post held (chức vụ) / a place in a list
    "title",  # a post (chức vụ) / the name of a conference or an item (tiêu đề)
    "secretary",  # who writes the minutes (thư ký) / a party committee's head (bí thư)
}

#: Senses told apart by the Vietnamese translation.
SENSES = {
    "duration": ("phút", "thời lượng", "giờ"),
    "document": ("biên bản", "văn bản", "thông báo"),
    "post held": ("chức vụ", "chức danh"),
    "heading": ("tiêu đề", "tên "),
}


def _catalog():
    return polib.pofile(str(CATALOG))


def _word(msgid: str) -> str:
    return msgid.strip().rstrip(":").casefold()


def test_no_ambiguous_word_is_translated_without_a_context():
    bare = sorted(
        f"{e.msgid!r} ({', '.join(f'{f}:{n}' for f, n in e.occurrences)})"
        for e in _catalog()
        if _word(e.msgid) in AMBIGUOUS and not e.msgctxt
    )
    assert bare == [], (
        "these words have two senses: give each use a context (pgettext / pgettext_lazy, "
        '{% translate "…" context "…" %}) naming its sense'
    )


def _senses(msgstr: str) -> set[str]:
    text = f"{msgstr.casefold()} "
    return {sense for sense, marks in SENSES.items() if any(m in text for m in marks)}


def test_a_msgid_translated_in_two_senses_has_a_context_on_every_entry():
    """The entries of one word ("minutes", "Minutes", "Minutes" in a context) whose
    translations name different senses are told apart by contexts, not by capitals."""
    by_word = defaultdict(list)
    for entry in _catalog():
        if entry.msgstr:
            by_word[_word(entry.msgid)].append(entry)
    mixed = []
    for word, entries in by_word.items():
        senses = {frozenset(_senses(e.msgstr)) for e in entries} - {frozenset()}
        if len(senses) > 1 and any(not e.msgctxt for e in entries):
            mixed.append(f"{word!r}: {[(e.msgctxt, e.msgstr) for e in entries]}")
    assert mixed == [], "one msgid, two meanings: give each use a context"


def test_the_minutes_button_and_the_agenda_duration_say_different_things():
    entries = {(e.msgctxt, e.msgid): e.msgstr for e in _catalog()}
    assert entries[("meeting record", "Minutes")] == "Biên bản"
    assert "phút" in entries[("duration", "Minutes")]
