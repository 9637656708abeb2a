"""The admin page of the signing certificates: an administrator imports an organization's PKCS#12
file (the "add" form asks for the file and its password) and reads what each certificate says.
The key is never shown, and a certificate is never edited: a new file is a new import."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from giaoban.core.errors import ApplicationError
from giaoban.core.forms import add_errors
from giaoban.documents.certificates import MAX_PKCS12_BYTES, certificate_import
from giaoban.documents.models import SigningCertificate

_SHOWN = [
    "organization",
    "subject",
    "issuer",
    "serial_number",
    "not_before",
    "not_after",
    "fingerprint",
    "imported_at",
    "imported_by",
]


class CertificateImportForm(forms.ModelForm):
    file = forms.FileField(label=_("PKCS#12 file (.p12, .pfx)"))
    password = forms.CharField(
        label=_("Password of the file"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
    )
    actor = None  # the administrator, set by the admin for each request

    class Meta:
        model = SigningCertificate
        fields = ["organization"]

    def clean(self):
        data = super().clean()
        organization, upload = data.get("organization"), data.get("file")
        if organization is not None and upload is not None and not self.errors:
            try:
                self.imported = certificate_import(
                    actor=self.actor,
                    organization=organization,
                    data=upload.read(MAX_PKCS12_BYTES + 1),
                    password=data.get("password") or "",
                )
            except ApplicationError as exc:
                add_errors(self, exc)
        return data


@admin.register(SigningCertificate)
class SigningCertificateAdmin(admin.ModelAdmin):
    list_display = ["organization", "subject", "not_after", "fingerprint", "imported_at"]
    search_fields = ["organization__name", "subject", "fingerprint"]
    raw_id_fields = ["organization"]
    readonly_fields = _SHOWN
    fields = _SHOWN

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        return type("ImportForm", (CertificateImportForm,), {"actor": request.user})

    def get_fields(self, request, obj=None):
        return _SHOWN if obj is not None else ["organization", "file", "password"]

    def get_readonly_fields(self, request, obj=None):
        return _SHOWN if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False  # what a certificate says is the file's; a new file is a new import

    def save_form(self, request, form, change):
        return form.imported  # stored by certificate_import, with its audit entry

    def save_model(self, request, obj, form, change):
        pass  # already stored

    def save_related(self, request, form, formsets, change):
        pass  # a certificate has no related rows
