"""Pages of the two-factor login: the login's second step, enrolment, the account page."""

from base64 import b32encode

import django_otp
import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from giaoban.core import twofactor
from giaoban.core import views as core_views
from giaoban.core.errors import ApplicationError, InvalidInput


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32, strip=True)


class LoginView(core_views.LoginView):
    """The password step; users with two factors continue to the code step, not logged in yet."""

    def form_valid(self, form):
        user = form.get_user()
        enrolled = twofactor.has_two_factor(user)
        if not (enrolled or twofactor.requires_two_factor(user)):
            return super().form_valid(form)
        twofactor.pending_start(self.request, user, self.get_success_url())
        return redirect("two_factor_verify" if enrolled else "two_factor_enroll")


def _log_in(request, user, device):
    next_url = twofactor.pending_next(request)
    if not request.user.is_authenticated:
        auth_login(request, user, backend=user.backend)
    request.session.pop(twofactor.PENDING, None)
    django_otp.login(request, device)
    return next_url


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request):
    user = twofactor.pending_user(request)
    if user is None:
        messages.info(request, _("Enter your user name and password first."))
        return redirect("login")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = twofactor.verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            return redirect(_log_in(request, user, device))
        form.add_error(
            "code", _("The code is wrong or has expired: enter the current one, or wait a moment.")
        )
    return render(request, "registration/two_factor_verify.html", {"form": form})


def _qr(device) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_not_required
@require_http_methods(["GET", "POST"])
def enroll(request):
    user = request.user if request.user.is_authenticated else twofactor.pending_user(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    if twofactor.has_two_factor(user):
        return redirect("two_factor" if request.user.is_authenticated else "two_factor_verify")
    device = twofactor.totp_start(user=user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            codes = twofactor.totp_confirm(user=user, code=form.cleaned_data["code"])
        except InvalidInput as exc:
            form.add_error("code", exc.message)
        else:
            next_url = _log_in(request, user, twofactor.totp_device(user))
            return _codes_page(request, codes, next_url)
    context = {
        "form": form,
        "qr": _qr(device),
        "secret": _grouped(b32encode(device.bin_key).decode()),
        "required": twofactor.requires_two_factor(user),
    }
    return render(request, "registration/two_factor_enroll.html", context)


def _codes_page(request, codes: list[str], next_url: str):
    context = {"codes": codes, "next_url": next_url}
    return render(request, "registration/two_factor_codes.html", context)


@require_http_methods(["GET", "POST"])
def account(request):
    """Status, new recovery codes, turning it off; both changes need a current code."""
    user = request.user
    form = CodeForm(request.POST or None)
    if form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if request.POST.get("action") == "disable":
                twofactor.two_factor_disable(user=user, code=code)
                messages.success(request, _("Two-factor login is turned off."))
                return redirect("two_factor")
            if twofactor.verify(user=user, code=code) is None:
                raise InvalidInput({"code": _("The code is wrong or has expired.")})
            codes = twofactor.recovery_codes_renew(user=user)
            return _codes_page(request, codes, "")
        except ApplicationError as exc:
            form.add_error("code", exc.message)
    context = {
        "form": form,
        "enabled": twofactor.has_two_factor(user),
        "required": twofactor.requires_two_factor(user),
        "codes_left": twofactor.recovery_codes_left(user),
    }
    return render(request, "registration/two_factor.html", context)
