"""Reads of the register: each organization's style and `Issuer`, the documents a user may see,
an organization's register by year, series and kind, and who may sign on a day."""

import re
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from giaoban.core.errors import InvalidInput, NotFound
from giaoban.documents.access import document_filter
from giaoban.documents.models import (
    Document,
    DocumentKind,
    IssuerStyle,
    Numbering,
    SystemChoice,
)
from giaoban.documents.paper import Issuer, System
from giaoban.orgs.models import Organization, OrgKind, Position, Unit
from giaoban.orgs.selectors import organization_holders

# The style each kind of organization starts with (the administrator edits it in the admin).
_SYSTEM_OF_KIND = {
    OrgKind.PARTY_COMMITTEE: System.PARTY,
    OrgKind.MOBILIZATION_BOARD: System.PARTY,
    OrgKind.PROPAGANDA_BOARD: System.PARTY,
    OrgKind.PEOPLES_COMMITTEE: System.STATE,
    OrgKind.PEOPLES_COUNCIL: System.STATE,
    OrgKind.FATHERLAND_FRONT: System.FRONT,
    # The socio-political organizations are members of the Front and head their documents like it
    # until the administrator records their own guidance's style.
    OrgKind.FARMERS_UNION: System.FRONT,
    OrgKind.WOMENS_UNION: System.FRONT,
    OrgKind.VETERANS_UNION: System.FRONT,
    OrgKind.LABOUR_FEDERATION: System.FRONT,
    OrgKind.YOUTH_UNION: System.YOUTH,
    OrgKind.OTHER: System.STATE,
}
_UNIT_PREFIXES = ("Thành phố", "Thị xã", "Thị trấn", "Đặc khu", "Tỉnh", "Huyện", "Quận")
_UNIT_PREFIXES += ("Phường", "Xã")
# "Ban Dân vận Tỉnh ủy Lào Cai" = the board's own name + the committee it belongs to.
_BOARD = re.compile(r"^(Ban .+?) ((?:Tỉnh|Thành|Thị|Huyện|Quận|Đảng) [uủỷ]y .+)$", re.IGNORECASE)
_COMMITTEE_SYMBOL = {"tỉnh": "TU", "thành": "TU", "thị": "TU", "huyện": "HU", "quận": "QU"}
_UNION_SYMBOL = {
    OrgKind.FARMERS_UNION: "HND",
    OrgKind.WOMENS_UNION: "HLHPN",
    OrgKind.VETERANS_UNION: "CCB",
    OrgKind.LABOUR_FEDERATION: "LĐLĐ",
}
_BOARD_SYMBOL = {
    "ban dân vận": "BDV",
    "ban tuyên giáo": "BTG",
    "ban tuyên giáo và dân vận": "BTGDV",
}


def place_of(unit: Unit) -> str:
    """ "Lào Cai" for "Tỉnh Lào Cai", "Sa Pa" for "Thị xã Sa Pa": the date line's place name."""
    if unit.short_name:
        return unit.short_name
    for prefix in _UNIT_PREFIXES:
        if unit.name.lower().startswith(prefix.lower() + " "):
            return unit.name[len(prefix) + 1 :]
    return unit.name


def _upper(text: str) -> str:
    return text.upper()


def _committee_symbol(committee_name: str) -> str:
    return _COMMITTEE_SYMBOL.get(committee_name.split(" ", 1)[0].lower(), "ĐU")


def _party_lines(organization: Organization) -> tuple[str, str, str]:
    """(superior, name, symbol) of a Party body. A board: its committee above its name,
    "BDV" + the committee's letters ("BDVTU", "BDVHU"). A committee below the province: the
    provincial Party organization above it ("ĐẢNG BỘ TỈNH LÀO CAI")."""
    if organization.kind == OrgKind.PARTY_COMMITTEE:
        name = organization.name
        symbol = _committee_symbol(name)
        parent_unit = organization.unit.parent
        superior = f"ĐẢNG BỘ {_upper(parent_unit.name)}" if parent_unit else ""
        return superior, _upper(name), symbol
    match = _BOARD.match(organization.name)
    if match is None:
        superior = _upper(organization.parent.name) if organization.parent_id else ""
        return superior, _upper(organization.name), ""
    board, committee = match.groups()
    prefix = _BOARD_SYMBOL.get(board.lower(), "B")
    return _upper(committee), _upper(board), prefix + _committee_symbol(committee)


def _default_lines(organization: Organization, system: str) -> tuple[str, str, str]:
    unit_name = _upper(organization.unit.name)
    if system == System.PARTY:
        return _party_lines(organization)
    if organization.kind == OrgKind.PEOPLES_COMMITTEE:
        return "", f"ỦY BAN NHÂN DÂN {unit_name}", "UBND"
    if organization.kind == OrgKind.PEOPLES_COUNCIL:
        return "", f"HỘI ĐỒNG NHÂN DÂN {unit_name}", "HĐND"
    if organization.kind == OrgKind.FATHERLAND_FRONT:
        return f"ỦY BAN MTTQ VIỆT NAM {unit_name}", "BAN THƯỜNG TRỰC", "MTTQ-BTT"
    if system == System.YOUTH:
        parent = organization.unit.parent
        superior = f"BCH ĐOÀN {_upper(parent.name)}" if parent else ""
        symbol = "HĐTN" if organization.unit.kind == "district" else "TĐTN"
        return superior, f"BCH ĐOÀN {unit_name}", symbol
    if organization.kind in _UNION_SYMBOL:
        superior = _upper(organization.parent.name) if organization.parent_id else ""
        return superior, _upper(organization.name), _UNION_SYMBOL[organization.kind]
    superior = _upper(organization.parent.name) if organization.parent_id else ""
    return superior, _upper(organization.name), ""


def default_style(organization: Organization) -> IssuerStyle:
    """The style an organization starts with, from its kind (not saved)."""
    system = _SYSTEM_OF_KIND.get(organization.kind, System.STATE)
    superior, name, symbol = _default_lines(organization, system)
    return IssuerStyle(
        organization=organization,
        system=system,
        superior=superior,
        name=name,
        symbol=symbol,
        place=place_of(organization.unit),
        numbering=Numbering.TERM if system == System.PARTY else Numbering.YEAR,
    )


def style_of(organization: Organization) -> IssuerStyle:
    """The organization's recorded style, or its default one (not saved)."""
    style = IssuerStyle.objects.filter(organization=organization).first()
    return style or default_style(organization)


def issuer_for(organization: Organization) -> Issuer:
    """The `Issuer` of the organization's documents, for `paper.Paper`."""
    style = style_of(organization)
    return Issuer(
        system=style.system,
        name=style.name,
        superior=style.superior,
        symbol=style.symbol,
        place=style.place,
        full_name=organization.name,
    )


def system_label(system: str) -> str:
    return str(dict(SystemChoice.choices).get(system, system))


# Documents ---------------------------------------------------------------------------------


def documents_visible(*, user) -> QuerySet[Document]:
    ids = Document.objects.filter(document_filter(user)).values("pk")
    return Document.objects.filter(pk__in=ids).select_related(
        "organization__unit", "signer", "replaces"
    )


def registers_visible(*, user) -> QuerySet[Organization]:
    """The organizations whose registers hold a document the user may see, by name."""
    ids = documents_visible(user=user).values("organization_id")
    return Organization.objects.filter(pk__in=ids).select_related("unit").order_by("name")


def document_get(*, user, pk: int) -> Document:
    doc = documents_visible(user=user).filter(pk=pk).first()
    if doc is None:
        raise NotFound(_("No such document, or you may not see it."))
    return doc


def parse_kind(raw: str | None) -> str | None:
    if not raw:
        return None
    kind = raw.strip().upper()
    if kind not in DocumentKind.values:
        raise InvalidInput(
            {"kind": _("Unknown kind of document: choose BC, TB, BB, KH, CV or HD.")}
        )
    return kind


def register(
    *,
    user,
    organization: Organization,
    year: int | None = None,
    kind: str | None = None,
    series: str | None = None,
) -> QuerySet[Document]:
    """An organization's register: issued documents by date and number, then the drafts."""
    rows = documents_visible(user=user).filter(organization=organization)
    if year:
        rows = rows.filter(issued_on__year=year) | rows.filter(
            status="draft", created_at__year=year
        )
    if kind:
        rows = rows.filter(kind=kind)
    if series:
        rows = rows.filter(series=series)
    rows = rows.select_related("replaced_by", "replaces")
    return rows.order_by("status", "-issued_on", "-number", "-created_at")


def register_years(organization: Organization) -> list[int]:
    dates = Document.objects.filter(organization=organization, issued_on__isnull=False).dates(
        "issued_on", "year", order="DESC"
    )
    return [d.year for d in dates]


def register_series(organization: Organization) -> list[str]:
    rows = Document.objects.filter(organization=organization).exclude(series="")
    return sorted(set(rows.values_list("series", flat=True)), reverse=True)


def signers_on(*, organization: Organization, on: date) -> QuerySet[Position]:
    """Who holds a position at the organization on the day: the signer is chosen among them."""
    return organization_holders(organization=organization, on=on)
