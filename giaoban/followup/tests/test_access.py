"""Who sees and does what: each unit sees its own assignments and those of its subtree; only the
assignee's own editors report, only the assigner's editors accept and send back; viewers read;
an outsider sees nothing, in the services, the pages and the API alike."""

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext

from giaoban.core.errors import InvalidInput, NotFound, PermissionDenied
from giaoban.core.services import token_create
from giaoban.followup import selectors, services
from giaoban.testing.refusals import refused

pytestmark = pytest.mark.django_db


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=user.username)[1]}"}


def _post(client, user, path, data=None):
    return client.post(
        f"/api/v1{path}",
        data=json.dumps(data or {}),
        content_type="application/json",
        **_auth(user),
    )


def _codes(user):
    return sorted(
        selectors.assignments_visible(user=user).values_list("organization__unit__code", flat=True)
    )


# Seeing ------------------------------------------------------------------------------------


def test_the_province_sees_every_assignment_and_a_district_only_its_own(
    task, alice, bob, charlie, dave
):
    assert _codes(alice) == ["082", "088"]
    assert _codes(bob) == _codes(dave) == ["088"]
    assert _codes(charlie) == ["082"]


def test_charlie_cannot_see_sapas_assignment(sapa, charlie):
    with refused(NotFound, gettext("No such assignment, or you may not see it.")):
        selectors.assignment_get(user=charlie, pk=sapa.pk)


def test_an_outsider_sees_nothing(task, sapa, eve):
    assert _codes(eve) == [] and not selectors.tasks_visible(user=eve).exists()
    with refused(NotFound, gettext("No such task, or you may not see it.")):
        selectors.task_get(user=eve, pk=task.pk)


def test_a_superuser_sees_everything(task):
    root = get_user_model().objects.create_superuser("root", password="x")
    assert _codes(root) == ["082", "088"]


def test_a_district_sees_the_tasks_it_assigned_to_its_communes(tree, bob, charlie):
    task = services.task_create(
        actor=bob,
        title="Nhiệm vụ của thị xã",
        assigner=tree["sapa_board"],
        deadline=date(2099, 1, 1),
        leads=[tree["sapa_party"]],
        source_document_number="01-KH/BDV",
        source_document_date=date(2021, 10, 10),
    )
    assert selectors.task_get(user=bob, pk=task.pk) == task
    with refused(NotFound, gettext("No such task, or you may not see it.")):
        selectors.task_get(user=charlie, pk=task.pk)


# Doing -------------------------------------------------------------------------------------


OWN_ONLY = "Only %(org)s may report on its own assignment."


def test_an_assignee_reports_only_on_its_own_assignment(sapa, batxat, bob, charlie):
    with pytest.raises(PermissionDenied, match="Only Ban Dân vận Thị ủy Sa Pa may report"):
        services.assignment_report(actor=charlie, assignment=sapa, status="in_progress")
    with refused(PermissionDenied, gettext(OWN_ONLY) % {"org": batxat.organization.name}):
        services.assignment_report(actor=bob, assignment=batxat, status="in_progress")


def test_the_province_does_not_report_for_a_district(sapa, alice):
    with refused(PermissionDenied, gettext(OWN_ONLY) % {"org": sapa.organization.name}):
        services.assignment_report(actor=alice, assignment=sapa, status="in_progress")


def test_a_viewer_cannot_report(sapa, dave):
    with refused(PermissionDenied, gettext(OWN_ONLY) % {"org": sapa.organization.name}):
        services.assignment_report(actor=dave, assignment=sapa, status="in_progress")


def test_the_assignee_cannot_accept_its_own_work(sapa, bob):
    services.assignment_report(actor=bob, assignment=sapa, status="done")
    with pytest.raises(PermissionDenied, match="Only Ban Dân vận Tỉnh ủy Lào Cai"):
        services.assignment_accept(actor=bob, assignment=sapa)
    assigner = gettext("Only %(org)s, which assigned the task, may do this.")
    with refused(PermissionDenied, assigner % {"org": sapa.task.assigner.name}):
        services.assignment_send_back(actor=bob, assignment=sapa, reason="Tự trả lại")


def test_a_district_cannot_assign_for_the_province(tree, conclusion, bob):
    from .conftest import task_make

    with pytest.raises(PermissionDenied, match="Only the editors of Ban Dân vận Tỉnh ủy"):
        task_make(tree, conclusion, actor=bob)


def test_a_district_cannot_give_tasks_outside_its_subtree(tree, bob):
    with pytest.raises(
        InvalidInput, match="You may not assign tasks to Ban Dân vận Huyện ủy Bát Xát"
    ):
        services.task_create(
            actor=bob,
            title="Nhiệm vụ",
            assigner=tree["sapa_board"],
            deadline=date(2099, 1, 1),
            leads=[tree["batxat_board"]],
            source_document_number="01-KH/BDV",
            source_document_date=date(2021, 10, 10),
        )


def test_a_conference_the_assigner_cannot_see_is_no_source(tree, conclusion, bob):
    with pytest.raises(InvalidInput) as refused:
        services.task_create(
            actor=bob,
            title="Nhiệm vụ",
            assigner=tree["sapa_board"],
            deadline=date(2099, 1, 1),
            leads=[tree["sapa_party"]],
            source_conclusion=conclusion,
        )
    assert "source_conference" in refused.value.errors


# Pages -------------------------------------------------------------------------------------


def test_pages_show_an_outsider_nothing(client, task, sapa, eve):
    client.force_login(eve)
    assert client.get(reverse("followup:task_detail", args=[task.pk])).status_code == 404
    body = client.get(reverse("followup:overdue")).content.decode()
    assert task.title not in body
    report = reverse("followup:assignment_report", args=[sapa.pk])
    assert client.post(report, {f"a{sapa.pk}-status": "in_progress"}).status_code == 404


def test_charlie_does_not_see_sapa_on_the_task_page(client, task, charlie):
    client.force_login(charlie)
    body = client.get(reverse("followup:task_detail", args=[task.pk])).content.decode()
    assert "Ban Dân vận Huyện ủy Bát Xát" in body and "Ban Dân vận Thị ủy Sa Pa" not in body


def test_a_viewer_gets_403_when_reporting_through_the_page(client, sapa, dave):
    client.force_login(dave)
    body = client.get(reverse("followup:task_detail", args=[sapa.task_id])).content.decode()
    assert "assignment_report" not in body and f"/tasks/assignments/{sapa.pk}/report/" not in body
    response = client.post(
        reverse("followup:assignment_report", args=[sapa.pk]),
        {f"a{sapa.pk}-status": "in_progress", f"a{sapa.pk}-revision": sapa.revision},
    )
    assert response.status_code == 403


def test_a_viewer_may_not_open_the_new_task_form(client, dave):
    client.force_login(dave)
    assert client.get(reverse("followup:task_create")).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, task):
    response = client.get(reverse("followup:my_tasks"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# API ---------------------------------------------------------------------------------------


def test_the_api_scopes_the_list(client, task, alice, charlie, eve):
    codes = [row["unit"] for row in client.get("/api/v1/tasks/", **_auth(alice)).json()]
    assert codes == ["082", "088"]
    assert [r["unit"] for r in client.get("/api/v1/tasks/", **_auth(charlie)).json()] == ["082"]
    assert client.get("/api/v1/tasks/", **_auth(eve)).json() == []


def test_the_api_hides_what_the_caller_may_not_see(client, task, sapa, charlie, eve):
    response = _post(client, charlie, f"/assignments/{sapa.pk}/progress", {"status": "in_progress"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/tasks/{task.pk}/", **_auth(eve)).status_code == 404


def test_the_api_forbids_what_the_caller_may_see_but_not_do(client, sapa, bob, dave):
    response = _post(client, dave, f"/assignments/{sapa.pk}/progress", {"status": "in_progress"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    _post(client, bob, f"/assignments/{sapa.pk}/progress", {"status": "done"})
    assert _post(client, bob, f"/assignments/{sapa.pk}/accept").status_code == 403


def test_the_api_needs_a_login(client, task):
    assert client.get("/api/v1/tasks/").status_code == 401


def test_a_superuser_sees_but_does_not_report_for_a_unit(sapa):
    root = get_user_model().objects.create_superuser("root", password="x")
    assert selectors.assignment_get(user=root, pk=sapa.pk) == sapa
    with refused(PermissionDenied, gettext(OWN_ONLY) % {"org": sapa.organization.name}):
        services.assignment_report(actor=root, assignment=sapa, status="in_progress")
