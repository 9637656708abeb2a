"""Login, logout, password change, and the lock-out after repeated failed logins."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _login(client, password):
    return client.post(reverse("login"), {"username": "bob", "password": password})


def test_it_logs_in_and_lands_on_the_home_of_their_role(client, bob):
    response = _login(client, "correct-horse-42")
    assert response.status_code == 302
    landed = client.get(response.url, follow=True)
    assert landed.request["PATH_INFO"] == reverse("home")
    assert "home/officer.html" in [t.name for t in landed.templates]


def test_a_wrong_password_is_refused_in_vietnamese(client, bob):
    response = _login(client, "wrong")
    assert response.status_code == 200
    assert "tên đăng nhập và mật khẩu" in response.content.decode().lower()


def test_it_locks_the_account_after_five_failed_logins(client, bob, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong")
    response = _login(client, "correct-horse-42")
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_logs_out_with_a_post(client, bob):
    client.force_login(bob)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("orgs:unit_tree")).status_code == 302


def test_it_changes_the_password(client, bob):
    client.force_login(bob)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct-horse-42",
            "new_password1": "a-new-long-pass-2021",
            "new_password2": "a-new-long-pass-2021",
        },
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.check_password("a-new-long-pass-2021")


def test_it_refuses_a_password_change_with_the_wrong_old_password(client, bob):
    client.force_login(bob)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "nope",
            "new_password1": "a-new-long-pass-2021",
            "new_password2": "a-new-long-pass-2021",
        },
    )
    assert response.status_code == 200
    bob.refresh_from_db()
    assert bob.check_password("correct-horse-42")
