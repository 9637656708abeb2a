"""The admin pages of the follow-up: tasks, assignments, progress, notifications."""

from django.contrib import admin

from giaoban.core.text import fold
from giaoban.followup.models import Assignment, Notification, ProgressReport, Task


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    raw_id_fields = ["organization", "updated_by", "accepted_by"]
    # Statuses change through the services, which check the workflow and record the change.
    readonly_fields = ["status", "accepted_at", "updated_at"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "assigner", "deadline", "priority", "source_conference"]
    list_filter = ["priority"]
    search_fields = ["title", "source_document_number"]
    raw_id_fields = ["assigner", "source_conference", "source_conclusion", "created_by"]
    inlines = [AssignmentInline]

    def save_model(self, request, obj, form, change):
        obj.search_key = fold(obj.title)
        super().save_model(request, obj, form, change)


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ["assignment", "kind", "status", "by", "at", "is_illustrative"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["assignment", "by"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "assignment", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user", "assignment"]
