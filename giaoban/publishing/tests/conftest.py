"""The demo's conference of 8 October 2021 (the scenario article's), and its host's leader."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from giaoban.meetings.demo import TITLE
from giaoban.meetings.models import Conference


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _english():
    """Messages compared as their English msgids; pages check the Vietnamese text themselves."""
    with translation.override("en"):
        yield


@pytest.fixture
def demo(db):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Conference.objects.get(title=TITLE)


@pytest.fixture
def leader(demo):
    """Leader of the provincial mobilization board: the host of the demo conference."""
    return get_user_model().objects.get(username="lanhdao_tinh")


@pytest.fixture
def sapa_officer(demo):
    """Officer at Sa Pa: sees the conference (Sa Pa is a bridge point) but does not host it."""
    return get_user_model().objects.get(username="canbo_sapa")
