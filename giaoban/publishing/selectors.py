"""Reads of the publishing app, scoped like the conferences they belong to."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from giaoban.core.errors import NotFound
from giaoban.core.text import fold
from giaoban.meetings import selectors as meeting_selectors
from giaoban.meetings.access import Role, conference_role
from giaoban.meetings.models import Conference
from giaoban.orgs.models import Organization, Person
from giaoban.orgs.selectors import person_search
from giaoban.publishing.models import ArticleDraft, TextImport

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


def conference_for(*, user, pk: int) -> tuple[Conference, Role]:
    """A conference the user may see, with their role in it."""
    conference = meeting_selectors.conference_get(user=user, pk=pk)
    role = conference_role(user, conference)
    if role is None:
        raise NotFound(_("No such conference, or you may not see it."))
    return conference, role


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
