"""The admin pages of the registry: units, organizations, people, positions, memberships."""

from django.contrib import admin

from giaoban.core.text import fold, nfc
from giaoban.orgs import services
from giaoban.orgs.models import Membership, Organization, Person, Position, Unit, UnitLineage


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "level", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "search_key"]
    raw_id_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        obj.name, obj.short_name = nfc(obj.name), nfc(obj.short_name)
        obj.search_key = fold(f"{obj.name} {obj.code}")
        super().save_model(request, obj, form, change)
        # A moved unit drags its subtree along: recompute the paths.
        services.units_rebuild_paths()


@admin.register(UnitLineage)
class UnitLineageAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "kind", "successor", "date"]
    raw_id_fields = ["predecessor", "successor"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "parent", "valid_from", "valid_to", "is_illustrative"]
    list_filter = ["kind", "is_illustrative"]
    search_fields = ["search_key"]
    raw_id_fields = ["unit", "parent"]

    def save_model(self, request, obj, form, change):
        obj.name = nfc(obj.name)
        obj.search_key = fold(obj.name)
        super().save_model(request, obj, form, change)


class PositionInline(admin.TabularInline):
    model = Position
    raw_id_fields = ["organization"]
    exclude = ["search_key"]
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "unit", "is_illustrative"]
    search_fields = ["search_key"]
    raw_id_fields = ["unit"]
    inlines = [PositionInline]

    def save_model(self, request, obj, form, change):
        obj.full_name = nfc(obj.full_name)
        obj.search_key = fold(obj.full_name)
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role"]
    raw_id_fields = ["organization"]
