"""The page that verifies a signed PDF: any logged-in user uploads one and reads who signed it,
when, whether it changed since, and whether its certificate is trusted. Nothing is stored."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from giaoban.core.errors import ApplicationError
from giaoban.core.forms import add_errors
from giaoban.documents.verification import MAX_VERIFY_BYTES, verify_upload


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("Signed PDF"),
        help_text=_("At most %(limit)d MB. The file is read, never kept.")
        % {"limit": MAX_VERIFY_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


def verify(request):
    form = VerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = verify_upload(form.cleaned_data["file"])
        except ApplicationError as exc:
            add_errors(form, exc)
    return render(request, "documents/verify.html", {"form": form, "result": result})
