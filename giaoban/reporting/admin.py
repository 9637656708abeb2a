"""The admin pages of periodic reporting: indicators, forms and versions, periods, reports."""

from django.contrib import admin

from giaoban.reporting.models import (
    Deadline,
    FormItem,
    FormSection,
    FormVersion,
    Indicator,
    Period,
    Report,
    ReportForm,
    ReportValue,
    ValidationRule,
)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit_of_measure", "value_type", "aggregation"]
    list_filter = ["value_type", "aggregation"]
    search_fields = ["code", "name"]


class FormVersionInline(admin.TabularInline):
    model = FormVersion
    extra = 0
    fields = [
        "number",
        "period_kind",
        "reporting_kind",
        "reporting_levels",
        "deadline_days",
        "published_at",
    ]
    readonly_fields = fields
    can_delete = False


@admin.register(ReportForm)
class ReportFormAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    inlines = [FormVersionInline]


class FormItemInline(admin.TabularInline):
    model = FormItem
    extra = 0


@admin.register(FormSection)
class FormSectionAdmin(admin.ModelAdmin):
    list_display = ["version", "order", "key", "title", "kind"]
    inlines = [FormItemInline]


class RuleInline(admin.TabularInline):
    model = ValidationRule
    extra = 0


@admin.register(FormVersion)
class FormVersionAdmin(admin.ModelAdmin):
    list_display = ["form", "number", "period_kind", "reporting_kind", "published_at"]
    inlines = [RuleInline]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "year", "number", "start", "end"]
    list_filter = ["kind", "year"]


admin.site.register(Deadline)


class ValueInline(admin.TabularInline):
    model = ReportValue
    extra = 0
    readonly_fields = ["indicator", "number", "flag", "text"]
    can_delete = False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only here: reports change through the workflow, which checks rights and keeps the
    audit log and the consolidation right."""

    list_display = ["organization", "form", "period", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "form", "period"]
    readonly_fields = [f.name for f in Report._meta.fields]
    inlines = [ValueInline]

    def has_add_permission(self, request):
        return False
