"""Vietnamese text at the edges: NFC on the way in, a folded key for search and matching."""

import re
import unicodedata

# Old-style tone placement ("hoà", "Uỷ") and new-style ("hòa", "Ủy") are both correct Vietnamese;
# search treats them as the same word by folding the tone marks away altogether.
_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """Normalize to NFC and collapse runs of whitespace; every stored text goes through here."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


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
    lines = [
        _SPACES.sub(" ", line).strip() for line in unicodedata.normalize("NFC", value).splitlines()
    ]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
