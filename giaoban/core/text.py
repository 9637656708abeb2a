"""Vietnamese text at the edges: NFC on the way in, a folded key for search and matching."""

import re
import unicodedata

# Old-style tone placement ("hoà", "Uỷ") and new-style ("hòa", "Ủy") are both correct Vietnamese;
# search treats them as the same word by folding the tone marks away altogether.
_SPACES = re.compile(r"\s+")

# What no stored text keeps (issue 13): control characters (Word refuses them in a document, so
# one of them made minutes.docx fail for everyone; PostgreSQL refuses U+0000), lone surrogates and
# U+FFFE/U+FFFF (not encodable, not XML), and the invisible characters that make a name read
# differently from what it holds: bidirectional overrides and isolates, zero-width characters.
# Line breaks and tabs are kept: nfc turns them into spaces, nfc_text keeps the line breaks.
_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
_CONTROLS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ud800-\\udfff\\ufffe\\uffff"
_UNSAFE = re.compile(f"[{_CONTROLS}{_INVISIBLE}]")


def printable(value: str) -> str:
    """The text without the characters no document may hold (line breaks and tabs stay): for
    what is written out of texts stored before these were refused."""
    return _UNSAFE.sub("", value)


def nfc(value: str) -> str:
    """Normalize to NFC, drop control and invisible characters and collapse runs of whitespace:
    every stored single-line text (names, titles, topics) goes through here."""
    return _SPACES.sub(" ", printable(unicodedata.normalize("NFC", value))).strip()


def fold(value: str) -> str:
    """A search key: lower case, no diacritics, đ as d, single spaces.

    "Ủy viên", "Uỷ viên", "uy vien" and the NFD spelling of either all fold to "uy vien".
    """
    decomposed = unicodedata.normalize("NFD", value.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.replace("đ", "d")).strip()


_BLANK_RUNS = re.compile(r"\n{3,}")


def nfc_text(value: str) -> str:
    """NFC for multi-line text (narratives, minutes, notes): spaces tidied within each line, the
    line breaks kept, at most one empty line in a row."""
    value = printable(unicodedata.normalize("NFC", value))
    lines = [_SPACES.sub(" ", line).strip() for line in value.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
