"""Units, organizations, people and positions: the registry everything else points at."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from giaoban.core.text import fold


def valid_on(on: date, prefix: str = "") -> Q:
    """Records whose validity dates include `on` (open ends count as valid)."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": on})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province level")
    DISTRICT = 2, _("District level")
    COMMUNE = 3, _("Commune level")
    VILLAGE = 4, _("Village")


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    TOWN = "town", _("Town")
    DISTRICT = "district", _("District")
    URBAN_DISTRICT = "urban_district", _("Urban district")
    WARD = "ward", _("Ward")
    COMMUNE = "commune", _("Commune")
    TOWNSHIP = "township", _("Township")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    VILLAGE = "village", _("Village")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    LEADER = "leader", _("Leader")
    OFFICER = "officer", _("Officer")
    OPERATOR = "operator", _("Bridge-point operator")
    VIEWER = "viewer", _("Viewer")


#: Roles that may change the registry within their subtree.
EDITOR_ROLES = {Role.ADMIN, Role.LEADER, Role.OFFICER}


class UnitQuerySet(models.QuerySet):
    def on(self, day: date):
        return self.filter(valid_on(day))

    def subtree_of(self, unit: "Unit", *, include_self: bool = True):
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def visible_to(self, user):
        from giaoban.orgs.access import unit_filter

        return self.filter(unit_filter(user, ""))

    def search(self, text: str):
        return self.filter(search_key__contains=fold(text))


class Unit(models.Model):
    """An administrative unit as it existed between two dates.

    A unit that was merged, split or renamed ends (valid_to) and its successors begin; the
    lineage rows say which became which, so figures can be compared across a reform.
    """

    code = models.CharField(_("official code"), max_length=20, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    level = models.PositiveSmallIntegerField(
        pgettext_lazy("administrative level", "level"), choices=Level.choices
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        related_name="children",
        on_delete=models.PROTECT,
    )
    # Materialized path of primary keys ("/3/41/"): a subtree is one indexed prefix match.
    path = models.CharField(max_length=255, editable=False, default="")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    search_key = models.CharField(max_length=200, editable=False, db_index=True, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["level", "code"]
        indexes = [
            models.Index(fields=["path"], name="orgs_unit_path", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["parent", "code"], name="orgs_unit_parent_code"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="orgs_unit_valid_range",
            )
        ]

    def __str__(self):
        return self.name

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def ancestors(self) -> list["Unit"]:
        """From the root down to the parent, in one query."""
        ids = [int(pk) for pk in self.path.strip("/").split("/")[:-1] if pk]
        by_id = Unit.objects.in_bulk(ids)
        return [by_id[pk] for pk in ids if pk in by_id]


class LineageKind(models.TextChoices):
    MERGED = "merged", _("merged into")
    SPLIT = "split", _("split into")
    RENAMED = "renamed", _("renamed to")
    RECLASSIFIED = "reclassified", _("reclassified as")


class UnitLineage(models.Model):
    """`predecessor` became (part of) `successor` on `date`."""

    predecessor = models.ForeignKey(
        Unit,
        verbose_name=_("predecessor"),
        related_name="successor_links",
        on_delete=models.CASCADE,
    )
    successor = models.ForeignKey(
        Unit,
        verbose_name=_("successor"),
        related_name="predecessor_links",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LineageKind.choices)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("unit lineage")
        verbose_name_plural = _("unit lineage")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="orgs_lineage_unique")
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor} ({self.date:%d/%m/%Y})"


class OrgKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    MOBILIZATION_BOARD = "mobilization_board", _("Mobilization board")
    PROPAGANDA_BOARD = "propaganda_board", _("Propaganda board")
    FATHERLAND_FRONT = "fatherland_front", _("Fatherland Front")
    FARMERS_UNION = "farmers_union", _("Farmers' union")
    WOMENS_UNION = "womens_union", _("Women's union")
    YOUTH_UNION = "youth_union", _("Youth union")
    VETERANS_UNION = "veterans_union", _("Veterans' union")
    LABOUR_FEDERATION = "labour_federation", _("Labour federation")
    PEOPLES_COUNCIL = "peoples_council", _("People's council")
    PEOPLES_COMMITTEE = "peoples_committee", _("People's committee")
    OTHER = "other", _("Other")


#: The order in which officials list the organizations of a unit.
ORG_KIND_ORDER = [
    OrgKind.PARTY_COMMITTEE,
    OrgKind.PEOPLES_COUNCIL,
    OrgKind.PEOPLES_COMMITTEE,
    OrgKind.MOBILIZATION_BOARD,
    OrgKind.PROPAGANDA_BOARD,
    OrgKind.FATHERLAND_FRONT,
    OrgKind.FARMERS_UNION,
    OrgKind.WOMENS_UNION,
    OrgKind.YOUTH_UNION,
    OrgKind.VETERANS_UNION,
    OrgKind.LABOUR_FEDERATION,
    OrgKind.OTHER,
]


class OrganizationQuerySet(models.QuerySet):
    def on(self, day: date):
        return self.filter(valid_on(day))

    def visible_to(self, user):
        from giaoban.orgs.access import unit_filter

        return self.filter(unit_filter(user, "unit__"))

    def editable_by(self, user):
        from giaoban.orgs.access import edit_filter

        return self.filter(edit_filter(user, "unit__"))

    def search(self, text: str):
        return self.filter(search_key__contains=fold(text))


class Organization(models.Model):
    """A body at a unit: a party committee, a mobilization board, the Front, a union, a council.

    Names are data: when boards merge (e.g. into "Ban Tuyên giáo và Dân vận" in 2025) the old
    organization ends and a new one begins, with no change of code.
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=OrgKind.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), related_name="organizations", on_delete=models.PROTECT
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("superior organization"),
        null=True,
        blank=True,
        related_name="children",
        on_delete=models.PROTECT,
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative"), default=False, help_text=_("Demo data that no source gives.")
    )
    search_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["unit__level", "unit__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="orgs_organization_unique_name")
        ]

    def __str__(self):
        return self.name


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        from giaoban.orgs.access import unit_filter

        return self.filter(unit_filter(user, "unit__"))

    def editable_by(self, user):
        from giaoban.orgs.access import edit_filter

        return self.filter(edit_filter(user, "unit__"))

    def search(self, text: str):
        return self.filter(search_key__contains=fold(text))


class Person(models.Model):
    """A person in the registry, registered at a unit (which decides who may see them)."""

    full_name = models.CharField(_("full name"), max_length=120)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), related_name="people", on_delete=models.PROTECT
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative"), default=False, help_text=_("Demo data that no source gives.")
    )
    search_key = models.CharField(max_length=300, editable=False, db_index=True, default="")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "id"]

    def __str__(self):
        return self.full_name

    def positions_on(self, day: date | None = None) -> list["Position"]:
        """Positions held on `day` (today when None), in protocol order; uses prefetched rows."""
        from django.utils import timezone

        day = day or timezone.localdate()
        held = [p for p in self.positions.all() if p.is_held_on(day)]
        return sorted(held, key=lambda p: (p.protocol_rank, p.pk))

    def designation(self, day: date | None = None) -> str:
        """The person as an article names them: "Phan Đăng Toàn - Tỉnh ủy viên, Bí thư Thị ủy"."""
        titles = [p.title for p in self.positions_on(day)]
        return f"{self.full_name} - {', '.join(titles)}" if titles else self.full_name


class Position(models.Model):
    """A title a person holds at an organization, between two dates, with its protocol rank."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), related_name="positions", on_delete=models.CASCADE
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        related_name="positions",
        on_delete=models.PROTECT,
    )
    title = models.CharField(
        pgettext_lazy("position", "title"),
        max_length=200,
        help_text=_("As it is written after the name, e.g. “Bí thư Thị ủy”."),
    )
    protocol_rank = models.PositiveSmallIntegerField(
        _("protocol rank"), default=100, help_text=_("Lower comes first in protocol order.")
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    is_illustrative = models.BooleanField(_("illustrative"), default=False)
    search_key = models.CharField(max_length=200, editable=False, default="")

    class Meta:
        verbose_name = pgettext_lazy("held by a person", "position")
        verbose_name_plural = _("positions")
        ordering = ["protocol_rank", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="orgs_position_date_range",
            )
        ]

    def __str__(self):
        return f"{self.person} - {self.title}"

    def is_held_on(self, day: date) -> bool:
        return (self.start_date is None or self.start_date <= day) and (
            self.end_date is None or day <= self.end_date
        )


class Membership(models.Model):
    """A user's place in the registry: the organization they work for and their role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="membership",
        on_delete=models.CASCADE,
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        related_name="members",
        on_delete=models.PROTECT,
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.organization})"
