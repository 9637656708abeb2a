"""Measuring the reader against the labelled set in tests/data (and tests/data/heldout).

Persons match by name; positions as (name, position) pairs; "persons with positions" needs the
name and the whole list of positions; figures match by (value, unit). Names and positions compare
in one spelling and ignoring case ("Trưởng Ban" is "Trưởng ban"), never ignoring diacritics.
"""

import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from giaoban.core.text import fold
from giaoban.publishing.reader import read
from giaoban.publishing.vietnamese import prepare

DATA = Path(__file__).resolve().parent / "tests" / "data"
DEVELOPMENT = DATA
HELD_OUT = DATA / "heldout"


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    def add(self, expected: list, found: list) -> None:
        want, got = Counter(expected), Counter(found)
        hit = sum((want & got).values())
        self.true_positive += hit
        self.false_positive += sum(got.values()) - hit
        self.false_negative += sum(want.values()) - hit

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positive + self.false_negative
        return self.true_positive / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def key(text: str | None) -> str:
    return prepare(text or "").lower()


def _persons(record: dict) -> list[str]:
    return [key(p["name"]) for p in record["persons"]]


def _positions(record: dict) -> list[tuple[str, str]]:
    return [(key(p["name"]), key(pos)) for p in record["persons"] for pos in p["positions"]]


def _entries(record: dict) -> list[tuple]:
    return [(key(p["name"]), tuple(key(pos) for pos in p["positions"])) for p in record["persons"]]


def _figures(record: dict) -> list[tuple[Decimal, str]]:
    return [(Decimal(str(f["value"])).normalize(), key(f["unit"])) for f in record["figures"]]


MEASURES = {
    "persons": _persons,
    "positions": _positions,
    "persons with positions": _entries,
    "figures": _figures,
}
FIELDS = ["date", "organizer", "title", "bridge_points", "host_point"]


def labelled(folder: Path) -> list[tuple[Path, dict]]:
    return [
        (path, json.loads(path.with_suffix(".json").read_text(encoding="utf-8")))
        for path in sorted(folder.glob("*.txt"))
    ]


def _same_field(name: str, expected, found) -> bool:
    if name in ("organizer", "title", "host_point"):
        return fold(expected or "") == fold(found or "")
    return expected == found


def evaluate(folder: Path) -> dict:
    """Scores of the reader on every labelled text of a folder, and what it got wrong."""
    scores = {name: Score() for name in MEASURES}
    fields = Counter()
    subjects = Counter()
    misses = []
    items = labelled(folder)
    for path, expected in items:
        found = read(path.read_text(encoding="utf-8"))
        for name, extract in MEASURES.items():
            want, got = extract(expected), extract(found)
            scores[name].add(want, got)
            if Counter(want) != Counter(got):
                misses.append(
                    (path.name, name, sorted(set(want) - set(got)), sorted(set(got) - set(want)))
                )
        for name in FIELDS:
            fields[name] += _same_field(name, expected.get(name), found.get(name))
        want_subjects = {
            (f["value"], key(f["unit"])): key(f.get("subject")) for f in expected["figures"]
        }
        for figure in found["figures"]:
            wanted = want_subjects.get((figure["value"], key(figure["unit"])))
            if wanted is not None:
                subjects["matched"] += 1
                subjects["same"] += wanted == key(figure["subject"])
    return {
        "texts": len(items),
        "scores": scores,
        "fields": fields,
        "subjects": subjects,
        "misses": misses,
    }
