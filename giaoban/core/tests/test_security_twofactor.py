"""Two-factor login: enrolling from the account page, the code step of the login, recovery codes,
the per-role requirement, and sessions that skipped the second step."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from giaoban.core import twofactor
from giaoban.core.models import AuditEntry
from giaoban.orgs.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The app's code now, or one step later (a code is accepted only once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def _password_step(client, username="bob", next_url=""):
    data = {"username": username, "password": PASSWORD}
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def _enrol(user) -> TOTPDevice:
    device = twofactor.totp_start(user=user)
    twofactor.totp_confirm(user=user, code=_code(device))
    device.refresh_from_db()
    return device


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# Enrolling -------------------------------------------------------------------------------------


def test_a_user_enrols_from_the_account_page_and_gets_recovery_codes(client, bob):
    client.force_login(bob)
    page = client.get(reverse("two_factor")).content.decode()
    assert "Đăng nhập hai lớp đang tắt" in page
    enrol_page = client.get(reverse("two_factor_enroll")).content.decode()
    assert 'src="data:image/svg+xml' in enrol_page  # the QR code, allowed by img-src data:
    device = TOTPDevice.objects.get(user=bob)
    assert not device.confirmed
    response = client.post(reverse("two_factor_enroll"), {"code": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    codes = [token.token for token in StaticToken.objects.filter(device__user=bob)]
    assert len(codes) == twofactor.RECOVERY_CODES
    assert all(code in response.content.decode() for code in codes)
    assert AuditEntry.objects.filter(action="two_factor.enable", actor=bob).exists()
    assert "Đăng nhập hai lớp đang bật" in client.get(reverse("two_factor")).content.decode()


def test_reloading_the_enrol_page_keeps_the_same_secret(client, bob):
    client.force_login(bob)
    first = client.get(reverse("two_factor_enroll")).context["secret"]
    assert client.get(reverse("two_factor_enroll")).context["secret"] == first


def test_a_wrong_code_does_not_turn_it_on(client, bob):
    client.force_login(bob)
    client.get(reverse("two_factor_enroll"))
    response = client.post(reverse("two_factor_enroll"), {"code": "000000"})
    assert response.status_code == 200
    assert "Mã không đúng hoặc đã hết hạn" in response.content.decode()
    assert not twofactor.has_two_factor(bob)


# Logging in ------------------------------------------------------------------------------------


def test_the_password_alone_does_not_log_in_an_enrolled_user(client, bob):
    _enrol(bob)
    response = _password_step(client)
    assert response["Location"] == reverse("two_factor_verify")
    assert not _logged_in(client)
    assert client.get(reverse("orgs:person_list")).status_code == 302


def test_the_right_code_logs_in_and_goes_on_to_the_page_asked_for(client, bob):
    device = _enrol(bob)
    _password_step(client, next_url="/people/")
    response = client.post(reverse("two_factor_verify"), {"code": _code(device, 1)})
    assert response["Location"] == "/people/"
    assert _logged_in(client)
    assert client.get("/people/").status_code == 200


def test_a_wrong_code_is_refused_in_vietnamese(client, bob):
    _enrol(bob)
    _password_step(client)
    response = client.post(reverse("two_factor_verify"), {"code": "123456"})
    assert response.status_code == 200
    assert "Mã không đúng hoặc đã hết hạn" in response.content.decode()
    assert not _logged_in(client)


def test_guessing_codes_is_slowed_down_by_the_device(client, bob):
    device = _enrol(bob)
    _password_step(client)
    client.post(reverse("two_factor_verify"), {"code": "123456"})
    # Right after a failure even the right code waits (django-otp's growing delay).
    client.post(reverse("two_factor_verify"), {"code": _code(device, 1)})
    assert not _logged_in(client)


def test_a_recovery_code_logs_in_once(client, bob):
    _enrol(bob)
    code = StaticToken.objects.filter(device__user=bob).first().token
    _password_step(client)
    client.post(reverse("two_factor_verify"), {"code": code})
    assert _logged_in(client)
    client.post(reverse("logout"))
    _password_step(client)
    client.post(reverse("two_factor_verify"), {"code": code})
    assert not _logged_in(client)
    assert twofactor.recovery_codes_left(bob) == twofactor.RECOVERY_CODES - 1


def test_the_code_step_needs_the_password_step_first(client, bob):
    _enrol(bob)
    response = client.get(reverse("two_factor_verify"))
    assert response["Location"] == reverse("login")


def test_the_password_step_expires(client, bob, monkeypatch):
    device = _enrol(bob)
    _password_step(client)
    later = time.time() + twofactor.PENDING_SECONDS + 1
    monkeypatch.setattr(twofactor.time, "time", lambda: later)
    client.post(reverse("two_factor_verify"), {"code": _code(device, 1)})
    assert not _logged_in(client)


def test_a_user_without_two_factor_logs_in_with_the_password(client, bob):
    _password_step(client)
    assert _logged_in(client)


# Required per role -----------------------------------------------------------------------------


def test_a_role_that_requires_it_enrols_before_the_login_completes(client, bob, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["officer"]
    response = _password_step(client)
    assert response["Location"] == reverse("two_factor_enroll")
    assert not _logged_in(client)
    page = client.get(reverse("two_factor_enroll")).content.decode()
    assert "phải đăng nhập bằng mật khẩu và mã" in page
    device = TOTPDevice.objects.get(user=bob)
    client.post(reverse("two_factor_enroll"), {"code": _code(device)})
    assert _logged_in(client)
    assert client.get(reverse("orgs:person_list")).status_code == 200


def test_a_role_not_listed_is_not_asked(client, bob, dave, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin", "leader"]
    _password_step(client, "dave")
    assert _logged_in(client)


def test_a_session_from_before_the_requirement_is_ended(client, bob, settings):
    client.force_login(bob)
    settings.TWO_FACTOR_REQUIRED_ROLES = ["officer"]
    response = client.get(reverse("orgs:person_list"))
    assert response["Location"] == reverse("login")
    assert not _logged_in(client)


def test_a_session_that_skipped_the_code_is_ended_on_pages_and_the_api(client, bob):
    _enrol(bob)
    client.force_login(bob)  # as another login path would, without the code
    assert client.get("/api/v1/people/").status_code == 401
    assert not _logged_in(client)


def test_it_cannot_be_turned_off_when_the_role_requires_it(client, bob, settings):
    device = _enrol(bob)
    settings.TWO_FACTOR_REQUIRED_ROLES = ["officer"]
    with pytest.raises(twofactor.PermissionDenied):
        twofactor.two_factor_disable(user=bob, code=_code(device, 1))


# The account page ------------------------------------------------------------------------------


def _verified_login(client, user, device):
    _password_step(client, user.username)
    client.post(reverse("two_factor_verify"), {"code": _code(device, 1)})
    assert _logged_in(client)


def test_turning_it_off_needs_a_current_code(client, bob):
    device = _enrol(bob)
    _verified_login(client, bob, device)
    refused = client.post(reverse("two_factor"), {"action": "disable", "code": "999999"})
    assert "Mã không đúng" in refused.content.decode()
    assert twofactor.has_two_factor(bob)
    code = StaticToken.objects.filter(device__user=bob).first().token
    client.post(reverse("two_factor"), {"action": "disable", "code": code})
    assert not twofactor.has_two_factor(bob)
    assert AuditEntry.objects.filter(action="two_factor.disable").exists()


def test_new_recovery_codes_replace_the_old_ones(client, bob):
    device = _enrol(bob)
    old = set(StaticToken.objects.filter(device__user=bob).values_list("token", flat=True))
    _verified_login(client, bob, device)
    first_old = sorted(old)[0]
    response = client.post(reverse("two_factor"), {"action": "codes", "code": first_old})
    new = set(StaticToken.objects.filter(device__user=bob).values_list("token", flat=True))
    assert len(new) == twofactor.RECOVERY_CODES
    assert not new & old
    assert all(code in response.content.decode() for code in new)


def test_the_pages_are_in_vietnamese(client, bob):
    device = _enrol(bob)
    _password_step(client)
    page = client.get(reverse("two_factor_verify")).content.decode()
    assert "Nhập mã gồm sáu chữ số" in page
    client.post(reverse("two_factor_verify"), {"code": _code(device, 1)})
    assert "mã dự phòng" in client.get(reverse("two_factor")).content.decode()


def test_superusers_without_a_membership_can_be_required_too(client, settings):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("quantri", password=PASSWORD)
    settings.TWO_FACTOR_REQUIRED_ROLES = ["superuser"]
    response = _password_step(client, "quantri")
    assert response["Location"] == reverse("two_factor_enroll")
    assert not _logged_in(client)
