"""What the publishing app keeps: the editable news article of a conference, and the texts read
back into draft records with the figures they carried."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from giaoban.meetings.models import Conference

_USER = settings.AUTH_USER_MODEL


class ArticleDraft(models.Model):
    """The news article of a conference, drafted from its record and then edited by hand."""

    conference = models.OneToOneField(
        Conference, verbose_name=_("conference"), related_name="+", on_delete=models.CASCADE
    )
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=300)
    body = models.TextField(_("text"), help_text=_("One paragraph per line."))
    # Saving from a page opened at an older revision is refused (optimistic locking).
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(_USER, null=True, related_name="+", on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(_USER, null=True, related_name="+", on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("article draft")
        verbose_name_plural = _("article drafts")

    def __str__(self):
        return self.title

    @property
    def paragraphs(self) -> list[str]:
        return [line for line in self.body.splitlines() if line.strip()]


class TextImport(models.Model):
    """An article or report pasted or uploaded, the draft record read from it, and the
    conference it was saved as once reviewed."""

    source_name = models.CharField(_("file name"), max_length=255, blank=True)
    text = models.TextField(_("text"))
    record = models.JSONField(_("draft record"))
    created_by = models.ForeignKey(_USER, null=True, related_name="+", on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    conference = models.ForeignKey(
        Conference,
        verbose_name=_("saved as conference"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    saved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("text read back")
        verbose_name_plural = _("texts read back")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.record.get("title") or self.source_name or f"#{self.pk}"


class RecordFigure(models.Model):
    """A figure a text gave, kept with the conference it was saved as."""

    text_import = models.ForeignKey(TextImport, related_name="figures", on_delete=models.CASCADE)
    conference = models.ForeignKey(
        Conference, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("as written"), max_length=500)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=60)
    subject = models.CharField(_("what it counts"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        ordering = ["text_import", "order"]

    def __str__(self):
        return self.text
