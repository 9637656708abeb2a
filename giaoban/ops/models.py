"""What the operations side keeps in the database: the task workers' heartbeats, and the view of
the background tasks' runs (django-tasks-db's results) shown in the admin."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult


class Heartbeat(models.Model):
    """The last sign of life of the task workers (`giaoban worker`, the thread of `giaoban serve`)
    on one machine, written after each task they run; /health/ready reads the freshest."""

    key = models.CharField(_("worker"), max_length=200, unique=True)
    beat_at = models.DateTimeField(_("last seen"), default=timezone.now)
    ok = models.BooleanField(_("last run succeeded"), default=True)
    pid = models.PositiveIntegerField(_("process id"), default=0)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-beat_at"]

    def __str__(self):
        return self.key


class TaskRun(DBTaskResult):
    """One run of a background task (queued, running, failed or succeeded), as django-tasks-db
    stores it: a proxy, so that the admin shows it in Vietnamese under Operations."""

    class Meta:
        proxy = True
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
