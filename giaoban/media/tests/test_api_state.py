"""The media pane's API answer keeps every field the console needs: the schema of the answer
once dropped `test_server` and `janus_token` (not declared), and the console's media test button
stayed disabled."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from giaoban.meetings.demo import TITLE
from giaoban.meetings.models import Conference

pytestmark = pytest.mark.django_db


def test_a_points_console_gets_where_and_how_to_run_its_media_test(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.JANUS_URLS = ["ws://127.0.0.1:8188"]
    settings.JANUS_BROWSER_URL = "ws://127.0.0.1:8188"
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client()
    client.force_login(get_user_model().objects.get(username="diemcau_sapa"))
    conference = Conference.objects.get(title=TITLE)
    answer = client.get(f"/api/v1/media/conferences/{conference.pk}").json()
    assert answer["role"] == "point"
    assert answer["test_server"] == "ws://127.0.0.1:8188"
    assert answer["janus_token"]
    assert answer["token"] is None  # no room until the host opens the conference
