# ruff: noqa: F811 -- the fixtures are imported from register_support, not a shared conftest.py
"""Making the PDF again once its task gave up (LibreOffice missing or hanging, no certificate yet):
the page says so and offers the button to whoever may issue; the API's POST .../pdf does the same.
Refused, in Vietnamese, for a draft, a document whose PDF exists, and one still being made."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from giaoban.core.errors import ApplicationError, PermissionDenied
from giaoban.core.models import AuditEntry
from giaoban.core.services import token_create
from giaoban.core.tasks import ATTEMPTS
from giaoban.documents import services
from giaoban.documents.models import Document, PdfState
from giaoban.documents.tasks import document_pdf_make
from giaoban.documents.tests.register_support import (  # noqa: F401 (fixtures)
    BRIEFING_DAY,
    _media,
    board,
    draft_for,
    head,
    layout,
    vi,
)
from giaoban.orgs.models import Role
from giaoban.orgs.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(tree):
    return make_user("alice", tree["board"], Role.OFFICER)


@pytest.fixture
def given_up(board, head):
    """An issued notice whose PDF task made its last attempt and gave up: the board has no
    certificate yet, which is found before LibreOffice would run."""
    doc = services.issue(user=None, doc=draft_for(board), signer=head, on=BRIEFING_DAY)
    with pytest.raises(ApplicationError):
        document_pdf_make.call(doc.pk, attempt=ATTEMPTS)
    doc = Document.objects.get(pk=doc.pk)
    assert doc.pdf_state == PdfState.FAILED
    return doc


def _queued() -> list[int]:
    return [r.args_kwargs["args"][0] for r in DBTaskResult.objects.filter(status="READY")]


def test_the_page_says_the_pdf_gave_up_and_the_button_queues_it_again(
    client, alice, given_up, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    page = reverse("documents:document_detail", args=[given_up.pk])
    again = reverse("documents:document_pdf_again", args=[given_up.pk])
    body = client.get(page, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert vi("The signed PDF could not be made; no further attempt is planned.") in body
    assert f'action="{again}"' in body and "csrfmiddlewaretoken" in body

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(again, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 302 and response.url == page
    doc = Document.objects.get(pk=given_up.pk)
    assert (doc.pdf_state, doc.pdf_message) == (PdfState.WAITING, "")
    assert _queued() == [doc.pk]
    entry = AuditEntry.objects.get(action="document.pdf_again")
    assert (entry.before["pdf_state"], entry.after["pdf_state"]) == ("failed", "waiting")
    body = client.get(page).content.decode()
    assert f'action="{again}"' not in body  # being made: no button


def test_it_is_refused_while_the_pdf_is_being_made_and_once_it_exists(given_up):
    services.pdf_again(user=None, doc=given_up)
    with pytest.raises(ApplicationError) as waiting:
        services.pdf_again(user=None, doc=given_up)
    assert waiting.value.code == "conflict"
    Document.objects.filter(pk=given_up.pk).update(pdf_state=PdfState.READY, pdf="1.pdf")
    with pytest.raises(ApplicationError) as made:
        services.pdf_again(user=None, doc=given_up)
    assert made.value.code == "conflict"
    assert given_up.number_text() in made.value.message


def test_a_draft_has_no_pdf_to_make_again(board, client, alice):
    draft = draft_for(board)
    client.force_login(alice)
    url = reverse("documents:document_pdf_again", args=[draft.pk])
    response = client.post(url, HTTP_ACCEPT_LANGUAGE="vi", follow=True)
    message = vi("A draft has no PDF: the signed PDF is made when the document is issued.")
    assert message in response.content.decode()
    assert Document.objects.get(pk=draft.pk).pdf_state == PdfState.NONE


def test_only_whoever_may_issue_may_ask_for_it(tree, client, given_up):
    viewer = make_user("dave", tree["board"], Role.VIEWER)
    with pytest.raises(PermissionDenied):
        services.pdf_again(user=viewer, doc=given_up)
    client.force_login(make_user("charlie", tree["batxat_board"], Role.OFFICER))
    url = reverse("documents:document_pdf_again", args=[given_up.pk])
    assert client.post(url).status_code in (403, 404)
    assert Document.objects.get(pk=given_up.pk).pdf_state == PdfState.FAILED


def test_the_api_queues_the_pdf_again_and_refuses_a_second_time(
    client, alice, given_up, django_capture_on_commit_callbacks
):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=alice.username)[1]}"}
    url = f"/api/v1/documents/{given_up.pk}/pdf"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, **headers)
    assert response.status_code == 200, response.content
    assert (response.json()["pdf_state"], response.json()["pdf_url"]) == ("waiting", None)
    assert _queued() == [given_up.pk]
    again = client.post(url, HTTP_ACCEPT_LANGUAGE="vi", **headers)
    assert again.status_code == 409
    assert again.json()["error"]["message"] == vi(
        "The signed PDF is being made or will be tried again: wait for it."
    )
    assert client.get(url, **headers).status_code == 409  # the GET still says it is not made
