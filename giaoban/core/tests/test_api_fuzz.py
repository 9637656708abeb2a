"""The whole API fuzzed from its own OpenAPI document with every check of schemathesis 4: no
request, valid or not, may make the server fail, and every answer must be what the document
says (its status code, content type and body schema); invalid requests must be refused; an
operation that requires authentication must refuse a request without it.

Requests go through Django's WSGI handler in this process (schemathesis's WSGI transport, so the
checks that send requests of their own, like `ignored_auth`'s probe without the token, reach the
same server), on the Lào Cai demo data, with the token of the administrator and of a district
officer (Sa Pa's). Each operation is tried three ways: valid requests on real objects the user may
see (their report, conference, task…), invalid ones on the same objects, and valid ones with
made-up identifiers. Hypothesis is derandomized, so a run is repeatable; FUZZ_EXAMPLES (default
8) sets the examples per operation and way.
"""

import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from giaoban.core.services import token_create
from giaoban.followup.models import Assignment, Task
from giaoban.followup.selectors import assignments_visible, tasks_visible
from giaoban.meetings.models import BridgePoint
from giaoban.meetings.selectors import conferences_visible
from giaoban.orgs.models import Organization
from giaoban.reporting.selectors import reports_visible

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
ADMINISTRATOR = "quantri"
DISTRICT_OFFICER = "canbo_sapa"

load_all_checks()
#: Every check schemathesis 4 has for an OpenAPI operation's answer. `use_after_free` and
#: `ensure_resource_availability` look at what earlier requests of the same scenario created or
#: deleted: here they run on every answer and find nothing to object to unless the API loses a
#: resource it just created (the stateful test below creates tasks and reads them back).
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
    openapi_checks.positive_data_acceptance,
    openapi_checks.missing_required_header,
    openapi_checks.unsupported_method,
    openapi_checks.use_after_free,
    openapi_checks.ensure_resource_availability,
    openapi_checks.ignored_auth,
]


#: The one check configured. `positive_data_acceptance` expects a request its schema allows to
#: succeed; the API refuses some with a 400 that names a rule no schema states: a report that is
#: approved cannot be submitted again, a task's deadline cannot be past, an assignment is sent back
#: only once reported done, a text may not hold U+0000, an upload must be a real .xlsx/.docx, the
#: media server must be up to remove a point. The check still fails on any other refusal (422,
#: 405…) and on a 5xx.
_CHECKS_CONFIG = {
    "positive_data_acceptance": {
        "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "413", "429"]
    }
}
CONFIG = SchemathesisConfig.from_dict({"checks": _CHECKS_CONFIG})


POSITIVE = SchemathesisConfig.from_dict(
    {"checks": _CHECKS_CONFIG, "generation": {"mode": "positive"}}
)


class _WsgiInTheTest:
    """Django's WSGI handler inside the test's transaction: each request in a savepoint, rolled
    back when it failed (on PostgreSQL a failed statement would spoil every later request)."""

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        statuses = []

        def remember(status, headers, exc_info=None):
            statuses.append(int(status.split()[0]))
            return start_response(status, headers, exc_info)

        with transaction.atomic():
            response = self.handler(environ, remember)
            if statuses and statuses[0] >= 500:
                transaction.set_rollback(True)
        return response


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.API_TOKEN_RATE = "1000000/m"  # the fuzz is one busy program, not an abuse
    # ignored_auth sends a wrong token after every success: the guessing budget is not for it.
    settings.API_TOKEN_FAILURES = "1000000/m"
    settings.ALLOWED_HOSTS = ["*"]  # schemathesis's WSGI client calls itself "localhost"
    cache.clear()
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    # The test's one connection must outlive each request (the test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _real_ids(user) -> dict[str, int]:
    """An object of the demo for each path parameter, among those the user may see."""
    conference = conferences_visible(user=user).order_by("pk").first()
    return {
        "report_id": reports_visible(user=user).order_by("pk").first().pk,
        "conference_id": conference.pk,
        "task_id": tasks_visible(user=user).order_by("pk").first().pk,
        "assignment_id": assignments_visible(user=user).order_by("pk").first().pk,
        "point_id": BridgePoint.objects.filter(conference=conference).order_by("pk").first().pk,
    }


def _schema(app, config=CONFIG):
    from giaoban.api import api

    document = api.get_openapi_schema(path_prefix="/api/v1")
    schema = schemathesis.openapi.from_dict(document, config=config)
    schema.app = app
    return schema


def _fuzz(operation, strategy, token, failures) -> None:
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
        try:
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
        except FailureGroup as group:
            failures[operation.label] = str(group)[:3000]

    run()


def _fuzz_all(username: str) -> dict[str, str]:
    token = token_create(username=username, name="fuzz")[1]
    user = get_user_model().objects.get(username=username)
    real = _real_ids(user)
    failures: dict[str, str] = {}
    operations = [result.ok() for result in _schema(_WsgiInTheTest()).get_all_operations()]
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
            _fuzz(operation, strategy, token, failures)
    return failures


@pytest.mark.parametrize("username", [ADMINISTRATOR, DISTRICT_OFFICER])
def test_every_api_answer_is_the_one_its_document_describes(demo, username):
    failures = _fuzz_all(username)
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())


def test_the_fuzz_sees_real_objects(demo):
    """The valid requests act on the demo's objects, not only on made-up ids."""
    assert Task.objects.exists() and Assignment.objects.exists()
    officer = get_user_model().objects.get(username=DISTRICT_OFFICER)
    assert set(_real_ids(officer)) == {
        "report_id",
        "conference_id",
        "task_id",
        "assignment_id",
        "point_id",
    }


def test_a_created_task_is_there_to_read_and_assign(demo):
    """A stateful run: tasks created through the API, then read and given to more units by
    following the document's links. `ensure_resource_availability` fails if a task the API just
    created answers 404; `use_after_free` if a deleted one were still there (the API deletes
    nothing yet). Each step is checked with every check, as above."""
    token = token_create(username=ADMINISTRATOR, name="fuzz")[1]
    administrator = get_user_model().objects.get(username=ADMINISTRATOR)
    organization = Organization.objects.visible_to(administrator).order_by("pk").first()
    # The tasks' operations only: with all of them a scenario seldom starts by creating one.
    # Valid requests only: the hook below makes each new task valid (invalid ones are above).
    schema = _schema(_WsgiInTheTest(), POSITIVE).include(path_regex="^/api/v1/tasks/")
    seen: list[tuple[str, int]] = []

    @schema.hook
    def map_body(ctx, body):
        # A task the schema allows but the rules refuse (a past deadline, an organization that
        # does not exist) leads nowhere: the scenario needs ones that are created.
        if ctx.operation.label == "POST /api/v1/tasks/":
            return {
                "title": "Việc kiểm thử",
                "deadline": "2099-12-31",
                "assignees": [organization.pk],
                "source_document_number": "125-BC/BDVTU",
                "source_document_date": "2021-10-08",
            }
        return body

    class Scenario(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def after_call(self, response, case):
            super().after_call(response, case)
            seen.append((case.operation.label, response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                checks=CHECKS,
                headers=kwargs.get("headers"),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    Scenario.run(
        settings=settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            stateful_step_count=4,
        )
    )
    # The scenario created tasks and followed the links to them: it tested something.
    assert ("POST /api/v1/tasks/", 201) in seen, sorted(set(seen))
    assert ("GET /api/v1/tasks/{task_id}/", 200) in seen, seen
