"""POST /api/v1/publishing/read with an uploaded file (multipart), refused in Vietnamese when the
file is too large, of another type, not UTF-8 text or empty, like the page's upload; and the
endpoint's two request bodies in the OpenAPI schema."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from giaoban.core.services import token_create
from giaoban.publishing import services
from giaoban.publishing.tests.test_pages import vi
from giaoban.publishing.tests.test_reader import SCENARIO
from giaoban.publishing.tests.test_services import _docx_bytes

pytestmark = pytest.mark.django_db
URL = "/api/v1/publishing/read"


@pytest.fixture
def bearer(leader):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=leader.username)[1]}"}


def _upload(client, bearer, name: str, data: bytes, **extra):
    file = SimpleUploadedFile(name, data)
    return client.post(URL, {"file": file, **extra}, HTTP_ACCEPT_LANGUAGE="vi", **bearer)


def test_an_uploaded_docx_reads_like_the_text(client, bearer):
    response = _upload(client, bearer, "bai.docx", _docx_bytes(SCENARIO))
    assert response.status_code == 200
    as_text = services.read_text(SCENARIO)
    assert response.json()["persons"] == as_text["persons"]
    assert response.json()["bridge_points"] == 9


def test_an_uploaded_txt_is_read_with_its_numbers_in_words(client, bearer):
    text = "Ban Dân vận tổ chức hội nghị với chín điểm cầu.\nVận động hai mươi lăm hộ."
    response = _upload(client, bearer, "bai.txt", text.encode("utf-8"))
    assert response.status_code == 200
    record = response.json()
    assert record["bridge_points"] == 9
    assert [(f["value"], f["unit"]) for f in record["figures"]] == [(25, "hộ")]


def test_the_file_wins_over_a_text_sent_with_it(client, bearer):
    response = _upload(client, bearer, "bai.txt", SCENARIO.encode("utf-8"), text="Chín hộ.")
    assert response.json()["date"] == "2021-10-08"


def test_a_multipart_text_without_a_file_is_read(client, bearer):
    response = client.post(URL, {"text": SCENARIO}, **bearer)
    assert response.status_code == 200 and response.json()["bridge_points"] == 9


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "bai.txt",
            b"x" * (services.MAX_UPLOAD_BYTES + 1),
            "The file is too large: at most %(mb)d MB.",
        ),
        ("bai.pdf", b"%PDF-1.4", "Upload a .docx or .txt file."),
        ("bai", b"Lao Cai", "Upload a .docx or .txt file."),
        ("bai.docx", b"not a zip", "This file is not a Word document (.docx)."),
        (
            "bai.txt",
            "Lào Cai".encode("cp1258"),
            "The file is not text in Unicode (UTF-8): save it again as UTF-8 and upload it.",
        ),
    ],
)
def test_a_bad_file_is_refused_in_vietnamese(client, bearer, name, data, message):
    response = _upload(client, bearer, name, data)
    assert response.status_code == 400
    error = response.json()["error"]
    expected = vi(message) % {"mb": 5} if "%(mb)d" in message else vi(message)
    assert (error["code"], error["field"], error["message"]) == ("invalid", "file", expected)
    assert error["message"] != message  # in Vietnamese, not the English msgid


@pytest.mark.parametrize(
    "payload",
    [
        {"file": SimpleUploadedFile("bai.txt", b"")},
        {"file": SimpleUploadedFile("bai.txt", b"  \n \n")},
        {"text": "   "},
        {},
    ],
    ids=["empty-file", "blank-file", "blank-text", "nothing"],
)
def test_an_empty_upload_is_refused_in_vietnamese(client, bearer, payload):
    response = client.post(URL, payload, HTTP_ACCEPT_LANGUAGE="vi", **bearer)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == vi("The text is empty: paste an article or upload a file.")


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"text": 3}', "{}"])
def test_a_json_body_without_a_text_is_refused(client, bearer, body):
    response = client.post(URL, body, content_type="application/json", **bearer)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "text"


def test_an_upload_needs_a_login(client, db):
    response = client.post(URL, {"file": SimpleUploadedFile("bai.txt", b"x")})
    assert response.status_code == 401


def test_the_schema_documents_both_bodies_and_the_refusals(client, leader):
    client.force_login(leader)
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    operation = schema["paths"][URL]["post"]
    content = operation["requestBody"]["content"]
    assert content["application/json"]["schema"]["required"] == ["text"]
    upload = content["multipart/form-data"]["schema"]["properties"]["file"]
    assert upload["format"] == "binary" and ".docx or .txt" in upload["description"]
    assert "400" in operation["responses"] and "200" in operation["responses"]
