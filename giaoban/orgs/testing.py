"""Helpers for tests of every app: users placed in the registry."""

from django.contrib.auth import get_user_model

from giaoban.orgs import services

PASSWORD = "correct-horse-42"


def make_user(username: str, organization, role: str):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    services.membership_set(user=user, organization=organization, role=role)
    return user
