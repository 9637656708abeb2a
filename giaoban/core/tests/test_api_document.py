"""The OpenAPI document tells the truth: every operation lists its error codes with the one
ErrorOut schema, no two schemas share a name (one would replace the other), and a program reads
the document with its Bearer token. Requests the document does not describe are refused: a body
of the wrong JSON type, a body too large, an id out of the database's range."""

import json

import pytest
from django.test import Client

from giaoban.api import api
from giaoban.core.services import token_create

pytestmark = pytest.mark.django_db

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


def _document() -> dict:
    """As /openapi.json serves it (status codes as strings)."""
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))


def _operations():
    for path, methods in _document()["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=user.username)[1]}"}


def test_every_operation_documents_its_errors_with_the_one_error_schema():
    seen = 0
    for path, method, operation in _operations():
        responses = operation["responses"]
        assert {"400", "401", "429", "500"} <= set(responses), f"{method} {path}"
        if "{" in path:  # a record named in the path may not exist, or not for this user
            assert "404" in responses, f"{method} {path}"
        for code, answer in responses.items():
            if not code.startswith("2"):
                schema = answer["content"]["application/json"]["schema"]
                assert schema == ERROR_REF, f"{method} {path} {code}"
        seen += 1
    assert seen > 25
    detail = _document()["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message"}
    assert {"field", "fields"} <= set(detail["properties"])


def test_every_success_has_a_schema():
    for path, method, operation in _operations():
        [ok] = [code for code in operation["responses"] if code.startswith("2")]
        content = operation["responses"][ok]["content"]
        # JSON, or a file with its own type (a .docx, a PDF) described as binary
        schemas = [media["schema"] for media in content.values()]
        assert schemas and all(schemas), f"{method} {path}"


def test_no_two_schemas_of_the_api_share_a_name():
    """django-ninja names a component by its class: the reader's PersonOut once replaced the
    registry's in /people/'s description (`name` and strings for `full_name` and objects)."""
    from ninja import Schema

    seen: dict[str, str] = {}
    for cls in _all_subclasses(Schema):
        if cls.__module__.startswith("giaoban.") and cls.__module__.endswith("api"):
            where = f"{cls.__module__}.{cls.__qualname__}"
            assert seen.setdefault(cls.__name__, where) == where, (seen[cls.__name__], where)
    people = _document()["components"]["schemas"]["PersonOut"]
    assert {"id", "full_name", "designation", "unit", "positions"} == set(people["required"])
    assert people["properties"]["positions"]["items"] == {
        "$ref": "#/components/schemas/PositionOut"
    }


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_path_ids_are_bounded_as_the_database_holds_them():
    for path, method, operation in _operations():
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                schema = parameter["schema"]
                assert schema["exclusiveMinimum"] == 0, f"{method} {path}"
                assert schema["maximum"] == 2**63 - 1, f"{method} {path}"


@pytest.mark.parametrize("url", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_a_program_reads_the_document_with_its_token(url, alice):
    response = Client().get(url, **_auth(alice))
    assert response.status_code == 200
    if url.endswith(".json"):
        assert response.json()["info"]["title"] == "giaoban API"


def test_the_document_refuses_a_program_without_a_good_token(alice):
    client = Client()
    wrong = client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer gb_wrong")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "unauthenticated"
    # Without a token it is a person's browser: the login page, as everywhere else.
    for url in ("/api/v1/openapi.json", "/api/v1/docs"):
        page = client.get(url)
        assert page.status_code == 302 and "/login" in page["Location"]


def test_a_logged_in_person_reads_the_document(client, alice):
    client.force_login(alice)
    assert client.get("/api/v1/openapi.json").status_code == 200


@pytest.mark.parametrize("report_id", ["0", "-1", str(2**63)])
def test_a_path_id_out_of_range_is_a_400_naming_it(client, alice, report_id):
    response = client.get(f"/api/v1/reports/{report_id}/", **_auth(alice))
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "report_id"


def test_a_body_too_large_to_read_is_a_413(client, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/api/v1/publishing/read",
        {"text": "Hội nghị " * 200},
        content_type="application/json",
        **_auth(alice),
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
