"""The administrator's view of the background tasks: every run, queued, running, failed or
succeeded, read-only, with the error of a failed one (django-tasks-db's results, shown in
Vietnamese under Operations instead of the package's own English page)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tasks import TaskResultStatus
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from giaoban.ops.models import TaskRun

# "task" and "failed" say other things elsewhere (a follow-up task, a media test not passed).
STATES = {
    TaskResultStatus.READY: _("queued"),
    TaskResultStatus.RUNNING: _("running"),
    TaskResultStatus.FAILED: pgettext_lazy("background task", "failed"),
    TaskResultStatus.SUCCESSFUL: _("succeeded"),
}


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return list(STATES.items())

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


admin.site.unregister(DBTaskResult)


@admin.register(TaskRun)
class TaskRunAdmin(DBTaskResultAdmin):
    list_display = ["task", "state", "enqueued", "started", "finished", "arguments"]
    list_filter = [StateFilter]
    ordering = ["-enqueued_at"]
    fields = ["task", "state", "enqueued", "started", "finished", "arguments", "error"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=pgettext_lazy("background task", "task"), ordering="task_path")
    def task(self, run):
        return run.task_path

    @admin.display(description=_("state"), ordering="status")
    def state(self, run):
        return STATES.get(run.status, run.status)

    @admin.display(description=_("queued at"), ordering="enqueued_at")
    def enqueued(self, run):
        return run.enqueued_at

    @admin.display(description=_("started at"), ordering="started_at")
    def started(self, run):
        return run.started_at

    @admin.display(description=_("finished at"), ordering="finished_at")
    def finished(self, run):
        return run.finished_at

    @admin.display(description=_("arguments"))
    def arguments(self, run):
        return run.args_kwargs

    @admin.display(description=_("error"))
    def error(self, run):
        return format_html("<pre>{}</pre>", run.traceback) if run.traceback else "-"
