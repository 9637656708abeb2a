"""The role homes are tested on the demo scenario itself (Lào Cai, 9 months of 2021), loaded once
per module inside a transaction that is rolled back at the end, so that other tests never see it."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def login(demo, db, client):
    """Log the test client in as a demo user; returns the user."""

    def _login(username):
        user = get_user_model().objects.get(username=username)
        client.force_login(user)
        return user

    return _login


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)
