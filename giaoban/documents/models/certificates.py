"""The certificate and key each issuing organization signs its PDFs with.

The administrator imports a PKCS#12 file per organization (`giaoban.documents.certificates`); the
key is kept only encrypted (`encrypted_key`, a Fernet token under a key derived from DOCUMENT_KEY
or SECRET_KEY) and is never shown again. The newest import of an organization is the one it signs
with; older ones stay, for the record of what signed what.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from giaoban.orgs.models import Organization

__all__ = ["SigningCertificate"]


class SigningCertificateQuerySet(models.QuerySet):
    def usable(self, organization: Organization, moment=None):
        """The organization's certificates valid at `moment` (now), newest import first."""
        moment = moment or timezone.now()
        return self.filter(
            organization=organization, not_before__lte=moment, not_after__gte=moment
        ).order_by("-imported_at", "-pk")


class SigningCertificate(models.Model):
    """One imported PKCS#12: what it says, for display, and its key, encrypted."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        related_name="signing_certificates",
        on_delete=models.PROTECT,
    )
    subject = models.CharField(_("certificate subject"), max_length=500)
    issuer = models.CharField(_("certificate issuer"), max_length=500)
    serial_number = models.CharField(_("serial number"), max_length=100)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid to"))
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=100, db_index=True)
    certificate = models.TextField(_("certificate (PEM)"))
    chain = models.TextField(_("other certificates in the file (PEM)"), blank=True, default="")
    encrypted_key = models.BinaryField(_("private key, encrypted"), editable=False)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now, editable=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    objects = SigningCertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("signing certificate")
        verbose_name_plural = _("signing certificates")
        ordering = ["organization", "-imported_at"]

    def __str__(self):
        return f"{self.organization}: {self.subject}"
