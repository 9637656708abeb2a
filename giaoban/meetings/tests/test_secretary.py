"""The conference's secretary, who writes the minutes and signs them beside the chair: a name as
typed or a person of the registry, set on the edit form and through the API (also once the
conference ended, as the minutes are finished after it), refused in Vietnamese naming the field."""

import json
from html import escape

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from giaoban.core.errors import ApplicationError, ConcurrentEdit, InvalidInput
from giaoban.core.models import AuditEntry
from giaoban.core.services import token_create
from giaoban.meetings import services

from .test_pages import _edited

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    # A deliberately slow password hash would be most of the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def _set(conference, *, name="", person=None, actor=None):
    return services.conference_secretary_set(
        actor=actor, conference=conference, revision=conference.revision, name=name, person=person
    )


def _post(client, user, conference, body: dict):
    token = token_create(username=user.username)[1]
    return client.post(
        f"/api/v1/conferences/{conference.pk}/secretary",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


# The service ---------------------------------------------------------------------------------


def test_a_name_is_stored_cleaned_and_audited(conference):
    conference = _set(conference, name="  Lê   Thị\u00a0Hoa ")
    assert (conference.secretary_name, conference.secretary) == ("Lê Thị Hoa", None)
    entry = AuditEntry.objects.get(action="conference.secretary")
    assert entry.before["secretary_name"] == "" and entry.after["secretary_name"] == "Lê Thị Hoa"


def test_a_person_of_the_registry_gives_the_name(conference, tree):
    conference = _set(conference, person=tree["toan"])
    assert (conference.secretary_name, conference.secretary) == ("Phan Đăng Toàn", tree["toan"])
    # The same name typed beside the person, in another spelling, is theirs.
    conference = _set(conference, name="phan đăng toàn", person=tree["toan"])
    assert conference.secretary_name == "Phan Đăng Toàn"


def test_a_typed_name_that_is_not_the_chosen_persons_is_refused(conference, tree):
    with pytest.raises(InvalidInput) as refused:
        _set(conference, name="Lê Thị Hoa", person=tree["toan"])
    assert set(refused.value.errors) == {"secretary_name"}
    conference.refresh_from_db()
    assert conference.secretary_name == ""


def test_a_name_longer_than_the_field_is_refused_naming_it(conference):
    with translation.override("vi"), pytest.raises(InvalidInput) as refused:
        _set(conference, name="A" * 121)
    assert refused.value.errors["secretary_name"].startswith("Thư ký")


def test_it_may_be_set_after_the_conference_ended(conference):
    services.conference_transition(actor=None, conference=conference, action="start")
    services.conference_transition(actor=None, conference=conference, action="end")
    conference.refresh_from_db()
    assert _set(conference, name="Lê Thị Hoa").secretary_name == "Lê Thị Hoa"


def test_a_cancelled_conference_has_no_secretary_to_record(conference):
    services.conference_transition(actor=None, conference=conference, action="cancel")
    conference.refresh_from_db()
    with pytest.raises(ApplicationError):
        _set(conference, name="Lê Văn Nam")
    conference.refresh_from_db()
    assert conference.secretary_name == ""


def test_a_stale_revision_is_refused(conference):
    services.conference_secretary_set(
        actor=None, conference=conference, revision=conference.revision, name="Lê Thị Hoa"
    )
    with pytest.raises(ConcurrentEdit):
        services.conference_secretary_set(
            actor=None, conference=conference, revision=1, name="Lê Văn Nam"
        )


# The edit form -----------------------------------------------------------------------------


def test_the_host_records_the_secretary_on_the_edit_form(client, alice, conference, tree):
    client.force_login(alice)
    edit = reverse("meetings:conference_edit", args=[conference.pk])
    page = client.get(edit).content.decode()
    assert 'name="secretary_name"' in page and 'name="secretary"' in page
    response = client.post(edit, _edited(conference, secretary=tree["toan"].pk))
    assert response.status_code == 302
    conference.refresh_from_db()
    assert (conference.secretary_name, conference.secretary) == ("Phan Đăng Toàn", tree["toan"])
    detail = client.get(reverse("meetings:conference_detail", args=[conference.pk]))
    assert "Phan Đăng Toàn" in detail.content.decode()


def test_the_edit_form_refuses_a_name_that_is_not_the_chosen_persons(
    client, alice, conference, tree
):
    client.force_login(alice)
    edit = reverse("meetings:conference_edit", args=[conference.pk])
    data = _edited(conference, secretary=tree["toan"].pk, secretary_name="Lê Thị Hoa")
    response = client.post(edit, data, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    refused = vi(
        "The secretary's name is not that of the person chosen (%(name)s): clear one of the two."
    ) % {"name": "Phan Đăng Toàn"}
    assert escape(refused) in response.content.decode()
    conference.refresh_from_db()
    assert conference.secretary_name == ""


# The API -------------------------------------------------------------------------------------


def test_the_api_records_the_secretary_and_says_so(client, alice, conference, tree):
    response = _post(client, alice, conference, {"person": tree["toan"].pk, "revision": 1})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["secretary"], body["secretary_person"]) == ("Phan Đăng Toàn", tree["toan"].pk)
    assert body["revision"] == 2
    stale = _post(client, alice, conference, {"name": "Lê Thị Hoa", "revision": 1})
    assert stale.status_code == 409


def test_the_api_refuses_a_bridge_point_an_unknown_person_and_a_long_name(
    client, alice, charlie, conference
):
    assert _post(client, charlie, conference, {"name": "X", "revision": 1}).status_code in (
        403,
        404,
    )
    unknown = _post(client, alice, conference, {"person": 999_999, "revision": 1})
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "person"
    long = _post(client, alice, conference, {"name": "A" * 121, "revision": 1})
    assert long.status_code == 400
    conference.refresh_from_db()
    assert conference.secretary_name == ""
