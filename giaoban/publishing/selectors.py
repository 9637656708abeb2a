"""Reads of the publishing app, scoped like the conferences they belong to."""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from giaoban.core.errors import NotFound
from giaoban.core.text import fold
from giaoban.meetings import selectors as meeting_selectors
from giaoban.meetings.models import Conference
from giaoban.orgs.models import Organization, Person, Unit
from giaoban.orgs.selectors import person_search, unit_search
from giaoban.publishing.models import ArticleDraft, TextImport
from giaoban.publishing.vietnamese import SYLLABLE

# Abbreviations as officials write them, spelt out for matching a position with the registry.
_ABBREVIATIONS = {
    "btv": "ban thuong vu",
    "bch": "ban chap hanh",
    "hdnd": "hoi dong nhan dan",
    "ubnd": "uy ban nhan dan",
    "mttq": "mat tran to quoc",
    "tw": "trung uong",
    "tp": "thanh pho",
    "tx": "thi xa",
    "uv": "uy vien",
}


def article_of(conference: Conference) -> ArticleDraft | None:
    return ArticleDraft.objects.filter(conference=conference).first()


def imports_visible(*, user) -> QuerySet[TextImport]:
    items = TextImport.objects.select_related("conference", "created_by")
    return items if user.is_superuser else items.filter(created_by=user)


def import_get(*, user, pk: int) -> TextImport:
    item = imports_visible(user=user).filter(pk=pk).first()
    if item is None:
        raise NotFound(_("No such text, or you may not see it."))
    return item


def spelt_out(text: str) -> str:
    """A folded position, abbreviations spelt out: "Uỷ viên BTV" → "uy vien ban thuong vu"."""
    return " ".join(_ABBREVIATIONS.get(word, word) for word in fold(text).split())


def person_candidates(*, user, name: str, positions: list[str], limit: int = 5) -> list[Person]:
    """People of the registry by the same name (ignoring case, diacritics and tone placement),
    those sharing the most positions first."""
    folded = fold(name)
    found = [
        p for p in person_search(user=user, text=name, limit=50) if fold(p.full_name) == folded
    ]
    wanted = {spelt_out(p) for p in positions}

    def shared(person: Person) -> int:
        return len(wanted & {spelt_out(pos.title) for pos in person.positions.all()})

    return sorted(found, key=lambda p: (-shared(p), p.full_name, p.pk))[:limit]


def organizer_candidates(*, user, text: str | None) -> QuerySet[Organization]:
    editable = Organization.objects.editable_by(user).select_related("unit").order_by("name")
    if not text:
        return editable
    return editable.filter(search_key__contains=fold(text)) or editable


def guess_kind(title: str) -> str:
    """The kind of briefing a title names: "… 9 tháng …" is a 9-month briefing."""
    folded = fold(title or "")
    for needle, kind in (
        ("9 thang", "nine"),
        ("6 thang", "half"),
        ("quy ", "quarterly"),
        ("thang ", "monthly"),
        ("nam ", "yearly"),
    ):
        if needle in folded and (
            "giao ban" in folded or "so ket" in folded or "tong ket" in folded
        ):
            return kind
    return "thematic"


def guess_times(text: str) -> tuple[str, str]:
    """Morning or afternoon as the lead says ("Chiều 08/10/2021"); the hours are only a default
    for the user to correct."""
    lead = fold(text[:800])
    return ("14:00", "17:00") if "chieu " in lead else ("08:00", "11:30")


# Where the bridge points named in a text are ------------------------------------------------

# "huyện Bát Xát", "thị xã Sa Pa", "xã Trịnh Tường": a kind of unit, then its capitalised name.
_UNIT_NAMED = re.compile(
    rf"(?<!\w)(?:[Tt]ỉnh|[Tt]hành phố|[Hh]uyện|[Tt]hị xã|[Qq]uận|[Xx]ã|[Pp]hường|[Tt]hị trấn)"
    rf"(?: {SYLLABLE}){{1,4}}"
)
_CAPITALISED = re.compile(rf"{SYLLABLE}(?: {SYLLABLE})+")


@dataclass
class PointPlace:
    """A bridge point the text names, and the unit of the registry it is put at: the one unit
    that matches the name, else (`unit` None) the organizer's."""

    place: str
    unit: Unit | None = None
    candidates: list[Unit] = field(default_factory=list)


def unit_named_in(place: str) -> str | None:
    """The unit a point's name names: "huyện Bát Xát" in "điểm cầu huyện Bát Xát", "Sa Pa"."""
    named = _UNIT_NAMED.search(place) or _CAPITALISED.search(place)
    return named.group() if named else None


def _province_prefix(unit: Unit) -> str:
    return "/" + unit.path.strip("/").split("/")[0] + "/"


def point_place(*, user, place: str, organizer: Organization, day: date) -> PointPlace:
    """The unit of the organizer's province, valid on the day, that a point's name names, found
    with the registry's search (case, diacritics and tone placement ignored): an exact name wins
    over a name that only contains it; none or several leave the point at the organizer's unit."""
    name = unit_named_in(place)
    if not name:
        return PointPlace(place)
    prefix = _province_prefix(organizer.unit)
    found = [u for u in unit_search(user=user, text=name, on=day) if u.path.startswith(prefix)]
    exact = [u for u in found if fold(u.name) == fold(name)]
    candidates = exact or found
    unit = candidates[0] if len(candidates) == 1 else None
    return PointPlace(place, unit, candidates)


def point_places(*, user, record: dict, organizer: Organization, day: date) -> list[PointPlace]:
    """Each bridge point the text names beyond the host point, in order of first mention."""
    seen = {"", record.get("host_point") or ""}
    places = []
    for person in record.get("persons", []):
        place = person.get("point") or ""
        if place not in seen:
            seen.add(place)
            places.append(point_place(user=user, place=place, organizer=organizer, day=day))
    return places


def likely_duplicates(*, user, organizer: Organization, day: date) -> list[Conference]:
    """Conferences of the same organizer on the same day: a text read back is often about a
    briefing already recorded."""
    return list(
        meeting_selectors.conferences_visible(user=user)
        .filter(organizer=organizer, scheduled_start__date=day)
        .order_by("scheduled_start", "pk")
    )


_DIRECTING = re.compile(r"chi dao|chu tri")


def chair_index(text: str, record: dict) -> int | None:
    """The person the text names as directing or chairing ("Dự và chỉ đạo … có đồng chí X",
    "Phát biểu chỉ đạo, đồng chí X", "chủ trì"): the first one named in such a sentence."""
    names = [fold(person["name"]) for person in record.get("persons", [])]
    for sentence in re.split(r"(?<=[.;\n])", text):
        folded = fold(sentence)
        if not _DIRECTING.search(folded):
            continue
        found = [(folded.find(name), i) for i, name in enumerate(names) if name in folded]
        if found:
            return min(found)[1]
    return None
