"""What the operations side keeps in the database: the job workers' heartbeats."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last sign of life of one job loop (`giaoban worker`, or the thread of `giaoban serve`)
    on one machine; /health/ready reads the freshest."""

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
