"""The admin pages of publishing: article drafts and the texts read back."""

from django.contrib import admin

from giaoban.publishing.models import ArticleDraft, RecordFigure, TextImport


@admin.register(ArticleDraft)
class ArticleDraftAdmin(admin.ModelAdmin):
    list_display = ["title", "conference", "revision", "updated_at", "updated_by"]
    readonly_fields = ["revision", "created_by", "created_at", "updated_by", "updated_at"]


class RecordFigureInline(admin.TabularInline):
    model = RecordFigure
    extra = 0


@admin.register(TextImport)
class TextImportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source_name", "created_by", "created_at", "conference"]
    readonly_fields = ["created_by", "created_at", "saved_at"]
    inlines = [RecordFigureInline]
