"""The admin pages of the register: each organization's document style (system, issuing-body
lines, symbol, place, numbering and the committee's terms of office), and the documents, read
only (a document changes through the services, which number, lock and audit it); the signing
certificates are `certificate_admin`'s."""

from django.contrib import admin

from giaoban.documents import certificate_admin  # noqa: F401 (registers its pages)
from giaoban.documents.models import Document, IssuerStyle, Term


class TermInline(admin.TabularInline):
    model = Term
    extra = 1


@admin.register(IssuerStyle)
class IssuerStyleAdmin(admin.ModelAdmin):
    list_display = ["organization", "system", "superior", "name", "symbol", "place", "numbering"]
    list_filter = ["system", "numbering"]
    search_fields = ["organization__name", "name", "symbol"]
    raw_id_fields = ["organization"]
    inlines = [TermInline]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "kind", "status", "issued_on", "signer_name"]
    list_filter = ["status", "kind"]
    search_fields = ["summary", "organization__name", "signer_name"]
    date_hierarchy = "issued_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
