"""The registry API: tokens, scoping, and JSON errors in Vietnamese (English on request)."""

import unicodedata

import pytest
from django.core.management import call_command

from giaoban.core.models import ApiToken
from giaoban.core.services import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob_token(bob):
    return token_create(username="bob")[1]


@pytest.fixture
def charlie_token(charlie):
    return token_create(username="charlie")[1]


def _get(client, url, token=None, **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get(url, **headers)


def test_it_lists_children_of_a_unit_on_a_date(client, tree, alice):
    token = token_create(username="alice")[1]
    response = _get(client, "/api/v1/units/?parent=10&on=2021-10-08", token)
    assert response.status_code == 200
    assert response.json() == [
        {"code": "082", "name": "Huyện Bát Xát", "kind": "district", "level": 2, "parent": "10"},
        {"code": "088", "name": "Thị xã Sa Pa", "kind": "town", "level": 2, "parent": "10"},
    ]


def test_it_lists_the_callers_top_unit_without_a_parent(client, tree, bob_token):
    response = _get(client, "/api/v1/units/?on=2021-10-08", bob_token)
    assert [u["code"] for u in response.json()] == ["088"]


def test_it_answers_the_2025_structure_on_a_2025_date(client, tree, admin_user):
    client.force_login(admin_user)
    response = client.get("/api/v1/units/?parent=15&on=2025-08-01")
    assert response.json() == [
        {"code": "02893", "name": "Phường Sa Pa", "kind": "ward", "level": 3, "parent": "15"}
    ]


def test_it_searches_people_with_designations(client, tree, bob_token):
    query = unicodedata.normalize("NFD", "dang toàn")
    response = _get(client, f"/api/v1/people/?q={query}&on=2021-10-08", bob_token)
    assert response.status_code == 200
    [person] = response.json()
    assert person["designation"] == "Phan Đăng Toàn - Tỉnh ủy viên, Bí thư Thị ủy"
    assert [p["title"] for p in person["positions"]] == ["Tỉnh ủy viên", "Bí thư Thị ủy"]


def test_another_district_gets_nothing_of_sapa(client, tree, charlie_token):
    assert _get(client, "/api/v1/people/?q=Toàn", charlie_token).json() == []
    response = _get(client, "/api/v1/units/?parent=088&on=2021-10-08", charlie_token)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_without_credentials_the_api_answers_401_in_vietnamese(client, tree):
    response = client.get("/api/v1/people/")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthenticated"
    assert "đăng nhập" in error["message"]


def test_it_answers_in_english_when_asked(client, tree):
    response = client.get("/api/v1/people/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"].startswith("Log in")


def test_a_forged_or_revoked_token_is_refused(client, tree, bob_token):
    assert _get(client, "/api/v1/people/", "gb_forged").status_code == 401
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert _get(client, "/api/v1/people/", bob_token).status_code == 401


def test_a_bad_date_is_a_400_naming_the_field(client, tree, bob_token):
    response = _get(client, "/api/v1/units/?on=08/13/2021", bob_token)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "on"
    assert "không phải là ngày" in error["message"]


def test_an_unknown_api_path_is_a_json_404(client, tree, bob_token):
    response = _get(client, "/api/v1/nothing-here/", bob_token)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_openapi_document_and_docs_are_served_without_a_cdn(client, tree, bob):
    client.force_login(bob)
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/units/" in document["paths"]
    assert "/api/v1/people/" in document["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in docs
    assert "cdn." not in docs


def test_the_token_command_prints_a_token_that_works(client, tree, bob, capsys):
    call_command("token", "create", "bob")
    raw = capsys.readouterr().out.strip()
    assert _get(client, "/api/v1/people/?q=toan", raw).status_code == 200


def test_the_token_command_refuses_an_unknown_user(tree):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nobody"):
        call_command("token", "create", "nobody")
