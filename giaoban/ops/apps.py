"""The operations app's configuration: the scheduler's own periodic work is connected here."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "giaoban.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self):
        # Django 6: from django.tasks.signals import task_finished
        from django_tasks.signals import task_finished

        from giaoban.core.tasks import periodic_add
        from giaoban.ops import tasks, worker

        task_finished.connect(worker.task_finished, dispatch_uid="ops.worker.task_finished")
        periodic_add(tasks.task_runs_prune, every=tasks.PRUNE_EVERY)
