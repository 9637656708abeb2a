"""The whole API fuzzed from its own OpenAPI document (schemathesis): no request, valid or not,
may make the server fail (5xx).

Requests go through Django's test client in this process, on the Lào Cai demo data, with the
token of the demo's provincial officer (canbo_tinh). Each operation is tried three ways: valid
requests on real objects (the demo's report, conference, task…), invalid ones on the same
objects, and valid ones with made-up identifiers. Hypothesis is derandomized, so a run is
repeatable; FUZZ_EXAMPLES (default 8) sets the examples per operation and way.
"""

import json
import os
import traceback
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from giaoban.core.services import token_create
from giaoban.followup.models import Assignment, Task
from giaoban.meetings.models import BridgePoint, Conference
from giaoban.reporting.models import Report

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
OFFICER = "canbo_tinh"


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.API_TOKEN_RATE = "1000000/m"  # the fuzz is one busy program, not an abuse
    cache.clear()
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _real_ids() -> dict[str, int]:
    """An object of the demo for each path parameter, in the officer's province."""
    return {
        "report_id": Report.objects.order_by("pk").first().pk,
        "conference_id": Conference.objects.order_by("pk").first().pk,
        "task_id": Task.objects.order_by("pk").first().pk,
        "assignment_id": Assignment.objects.order_by("pk").first().pk,
        "point_id": BridgePoint.objects.order_by("pk").first().pk,
    }


def _schema():
    from giaoban.api import api

    return schemathesis.openapi.from_dict(api.get_openapi_schema())


def _files(parts) -> dict:
    """requests-style multipart parts as the test client's data: files and plain fields."""
    data = {}
    for name, (filename, content, *_type) in parts:
        if filename is None:
            data[name] = content.decode("latin-1") if isinstance(content, bytes) else str(content)
        else:
            raw = content if isinstance(content, bytes) else str(content).encode()
            data[name] = SimpleUploadedFile(filename, raw)
    return data


def _send(client: Client, kwargs: dict, token: str):
    """The case's request through the test client, with the officer's token only."""
    url = urlsplit(kwargs["url"]).path
    params = kwargs.get("params") or {}
    if params:
        url += "?" + urlencode(params, doseq=True)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    method = kwargs["method"].lower()
    if "json" in kwargs:
        body = json.dumps(kwargs["json"])
        return client.generic(method.upper(), url, body, "application/json", **headers)
    form = kwargs.get("data") if isinstance(kwargs.get("data"), dict) else {}
    if kwargs.get("files") or form:
        return client.post(url, {**form, **_files(kwargs.get("files") or [])}, **headers)
    body = kwargs.get("data") or b""
    content_type = (kwargs.get("headers") or {}).get("Content-Type", "application/octet-stream")
    return client.generic(method.upper(), url, body, content_type, **headers)


def _fuzz(operation, strategy, client, token, failures) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        if failures.get(operation.label):
            return  # one failure per operation is enough to report
        kwargs = case.as_transport_kwargs(base_url="http://testserver")
        try:
            with transaction.atomic():  # a failed request must not spoil the next ones
                response = _send(client, kwargs, token)
        except Exception as exc:  # the test client re-raises the view's exception: a 500
            failures[operation.label] = f"{_request(kwargs)}\n    {_where(exc)}"
            return
        if response.status_code >= 500:
            failures[operation.label] = f"{_request(kwargs)} -> {response.status_code}"

    run()


def _where(exc: Exception) -> str:
    """The project's deepest frame and the error: enough to find the bug."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/giaoban/" in f.filename]
    place = f"{frames[-1].filename.split('/giaoban/')[-1]}:{frames[-1].lineno}" if frames else "?"
    return f"giaoban/{place}: {type(exc).__name__}: {exc}"


def _request(kwargs: dict) -> str:
    body = kwargs.get("json", kwargs.get("files", kwargs.get("data", "")))
    return f"{kwargs['method']} {kwargs['url']} {kwargs.get('params') or ''} {body!r:.300}"


def test_no_api_request_makes_the_server_fail(demo):
    token = token_create(username=OFFICER, name="fuzz")[1]
    client = Client()
    real = _real_ids()
    failures: dict[str, str] = {}
    operations = [result.ok() for result in _schema().get_all_operations()]
    assert len(operations) > 25, "the OpenAPI document lost its operations"
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        ids = {name: real[name] for name in names if name in real}
        ways = [
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=ids),
            operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=ids),
            operation.as_strategy(GenerationMode.POSITIVE),
        ]
        for strategy in ways:
            _fuzz(operation, strategy, client, token, failures)
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
