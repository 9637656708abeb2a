"""Two-factor login with an authenticator app (TOTP, django-otp) and one-time recovery codes.

A user with a confirmed TOTP device is not logged in by the password alone: the login page keeps
them "pending" in the session and the second step logs them in once the code is right. Roles
listed in TWO_FACTOR_REQUIRED_ROLES must enrol before their first login completes.
"""

import time
from collections.abc import Callable

import django_otp
from django.conf import settings
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from giaoban.core.audit import audit_record
from giaoban.core.db import socket_database
from giaoban.core.errors import InvalidInput, PermissionDenied

PENDING = "giaoban_2fa_pending"
PENDING_SECONDS = 300
RECOVERY_CODES = 10


# Who needs it ---------------------------------------------------------------------------------


def _nobody(user) -> bool:
    return False


#: Whose role requires two factors: a rule of the user registry, which knows the roles
#: (`orgs.access.requires_two_factor`, handed here by the orgs app when it loads), so that core
#: depends on no domain app.
_required_rule: Callable[[object], bool] = _nobody


def required_rule_set(rule: Callable[[object], bool]) -> None:
    global _required_rule
    _required_rule = rule


def requires_two_factor(user) -> bool:
    return _required_rule(user)


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Enrolment ------------------------------------------------------------------------------------


def totp_start(*, user) -> TOTPDevice:
    """The unconfirmed device whose secret the user is scanning (the same one on reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="giaoban", confirmed=False)


def _clean(code: str) -> str:
    return "".join((code or "").split()).lower()


@transaction.atomic
def totp_confirm(*, user, code: str) -> list[str]:
    """Confirm the device being enrolled with a code from the app; returns new recovery codes."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_clean(code)):
        raise InvalidInput({"code": _("The code is wrong or has expired: enter the current one.")})
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="two_factor.enable", instance=device)
    return recovery_codes_renew(user=user)


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(actor=user, action="two_factor.recovery_codes", instance=device)
    return codes


def verify(*, user, code: str):
    """The device that accepts the code (the app's six digits or a recovery code), else None.

    Each device counts its own failures and makes the user wait longer after each one
    (django-otp's throttling), so codes cannot be guessed.
    """
    code = _clean(code)
    kind = TOTPDevice if code.isdigit() else StaticDevice
    with transaction.atomic():
        for device in kind.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


@transaction.atomic
def two_factor_disable(*, user, code: str) -> None:
    if requires_two_factor(user):
        raise PermissionDenied(
            _("Your role must log in with two factors: it cannot be turned off.")
        )
    if verify(user=user, code=code) is None:
        raise InvalidInput({"code": _("The code is wrong or has expired: enter the current one.")})
    for device in TOTPDevice.objects.filter(user=user):
        audit_record(actor=user, action="two_factor.disable", instance=device)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


# The pending login ----------------------------------------------------------------------------


def pending_start(request, user, next_url: str) -> None:
    request.session[PENDING] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "at": int(time.time()),
    }


def pending_user(request):
    """The user who gave the right password in the last few minutes, or None."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def pending_next(request) -> str:
    next_url = (request.session.get(PENDING) or {}).get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return next_url if safe else reverse(settings.LOGIN_REDIRECT_URL)


# The guard ------------------------------------------------------------------------------------


class TwoFactorMiddleware:
    """Ends a session that skipped the second step, and sends Django admin's own login page
    (which knows nothing of the second step) to the site's login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == reverse("admin:login"):
            return self._admin_login(request)
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and (has_two_factor(user) or requires_two_factor(user))
        ):
            # A session from before two factors were required, or from another login path.
            logout(request)
            if request.path_info.startswith("/api/"):
                return self.get_response(request)
            return redirect(settings.LOGIN_URL)
        return self.get_response(request)

    @staticmethod
    def _admin_login(request):
        if request.user.is_authenticated and request.user.is_staff:
            return redirect("admin:index")
        if request.user.is_authenticated:
            raise DjangoPermissionDenied(_("The administration is for administrators only."))
        query = request.GET.urlencode() or f"next={reverse('admin:index')}"
        return redirect(f"{reverse('login')}?{query}")


class TwoFactorWebSocketGuard:
    """The live room's side of the guard: a session that skipped the code step is anonymous
    there (its HTTP requests end it; a WebSocket never passes through Django's middleware)."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        if user is not None and user.is_authenticated and not await _passed(scope, user):
            scope = {**scope, "user": AnonymousUser()}
        return await self.inner(scope, receive, send)


@socket_database
def _passed(scope, user) -> bool:
    device_id = scope["session"].get(django_otp.DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(device_id) if device_id else None
    if device is not None and device.user_id == user.pk:
        return True
    return not (has_two_factor(user) or requires_two_factor(user))
