"""The task pages as the province and the districts use them: my tasks, the tasks we assigned by
unit and status, a unit's board, overdue, one task with its forms, a new task typed the
Vietnamese way, the .xlsx export and the notifications in the header."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from giaoban.followup import services
from giaoban.followup.models import Assignment, Status, Task
from giaoban.meetings.tests.test_documents import pdf_bytes

from .conftest import task_make, vi

pytestmark = pytest.mark.django_db


def vi_label(status: str) -> str:
    with translation.override("vi"):
        return str(Status(status).label)


def _get(client, user, name, *args, **query):
    client.force_login(user)
    response = client.get(reverse(f"followup:{name}", args=args), query)
    assert response.status_code == 200
    return response.content.decode()


def _report_form(assignment, **fields):
    prefix = f"a{assignment.pk}"
    data = {f"{prefix}-revision": assignment.revision, f"{prefix}-status": "in_progress"}
    return data | {f"{prefix}-{name}": value for name, value in fields.items()}


# Lists -------------------------------------------------------------------------------------


def test_my_tasks_are_my_organizations_assignments(client, task, bob, charlie):
    body = _get(client, bob, "my_tasks")
    assert task.title in body and "31/12/2021" in body
    assert "Ban Dân vận Huyện ủy Bát Xát" not in body


def test_my_tasks_filter_by_status(client, task, sapa, bob):
    services.assignment_report(actor=bob, assignment=sapa, status="in_progress")
    assert task.title in _get(client, bob, "my_tasks", status="in_progress")
    assert task.title not in _get(client, bob, "my_tasks", status="done")


def test_the_tasks_we_assigned_are_counted_by_unit_and_status(client, task, sapa, alice, bob):
    services.assignment_report(actor=bob, assignment=sapa, status="in_progress")
    body = _get(client, alice, "assigned")
    assert "Ban Dân vận Thị ủy Sa Pa" in body and "Ban Dân vận Huyện ủy Bát Xát" in body
    assert body.index("Ban Dân vận Huyện ủy Bát Xát") < body.index("Ban Dân vận Thị ủy Sa Pa")


def test_a_units_board_has_a_column_per_status(client, task, sapa, tree, alice, bob):
    services.assignment_report(actor=bob, assignment=sapa, status="cannot_do", reason="Thiếu")
    body = _get(client, alice, "unit_board", tree["sapa"].pk)
    labels = {s: vi_label(s) for s in Status.values}
    assert all(label in body for label in labels.values())
    assert body.index(labels["cannot_do"]) < body.index(task.title)


def test_overdue_lists_what_is_late_across_the_subtree(client, task, alice):
    body = _get(client, alice, "overdue")
    assert body.count(task.title) == 2  # Sa Pa's and Bát Xát's, both past 31/12/2021


# One task ----------------------------------------------------------------------------------


def test_the_assignee_reports_through_the_page(client, sapa, bob):
    client.force_login(bob)
    url = reverse("followup:assignment_report", args=[sapa.pk])
    response = client.post(url, _report_form(sapa, text="Đã triển khai đến 18 xã"))
    assert response.status_code == 302
    sapa.refresh_from_db()
    assert sapa.status == "in_progress" and sapa.progress == "Đã triển khai đến 18 xã"


def test_a_refused_report_is_shown_with_its_message_and_the_input_kept(client, sapa, bob):
    client.force_login(bob)
    url = reverse("followup:assignment_report", args=[sapa.pk])
    response = client.post(
        url, _report_form(sapa, status="cannot_do", text="Chúng tôi đã cố gắng", reason="")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert vi("Say why the task cannot be done.") in body and "Chúng tôi đã cố gắng" in body


def test_a_report_on_a_page_opened_before_someone_elses_is_refused(client, sapa, bob):
    stale = _report_form(sapa, text="Cũ")
    services.assignment_report(actor=bob, assignment=sapa, status="in_progress", text="Mới")
    client.force_login(bob)
    response = client.post(reverse("followup:assignment_report", args=[sapa.pk]), stale)
    assert response.status_code == 400
    assert Assignment.objects.get(pk=sapa.pk).progress == "Mới"


def test_a_report_with_a_file_and_its_download(client, sapa, bob, charlie):
    client.force_login(bob)
    data = _report_form(sapa) | {
        f"a{sapa.pk}-attachment": SimpleUploadedFile("ket-qua.pdf", pdf_bytes())
    }
    client.post(reverse("followup:assignment_report", args=[sapa.pk]), data)
    entry = sapa.reports.get()
    response = client.get(reverse("followup:attachment_download", args=[entry.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "ket-qua.pdf" in response["Content-Disposition"]
    client.force_login(charlie)
    assert client.get(reverse("followup:attachment_download", args=[entry.pk])).status_code == 404


def test_the_assigner_accepts_and_sends_back_through_the_page(
    client, sapa, batxat, alice, bob, charlie
):
    services.assignment_report(actor=bob, assignment=sapa, status="done")
    services.assignment_report(actor=charlie, assignment=batxat, status="done")
    body = _get(client, alice, "task_detail", sapa.task_id)
    assert reverse("followup:assignment_accept", args=[sapa.pk]) in body
    client.post(reverse("followup:assignment_accept", args=[sapa.pk]))
    refused = client.post(
        reverse("followup:assignment_send_back", args=[batxat.pk]),
        {f"a{batxat.pk}-revision": batxat.revision + 1, f"a{batxat.pk}-reason": ""},
    )
    assert refused.status_code == 400
    client.post(
        reverse("followup:assignment_send_back", args=[batxat.pk]),
        {f"a{batxat.pk}-revision": batxat.revision + 1, f"a{batxat.pk}-reason": "Thiếu số liệu"},
    )
    statuses = dict(Assignment.objects.values_list("organization__unit__code", "status"))
    assert statuses == {"088": "done", "082": "in_progress"}


def test_the_assigner_gives_the_task_to_more_organizations(client, task, tree, alice):
    client.force_login(alice)
    client.post(
        reverse("followup:task_assign", args=[task.pk]),
        {"assign-organizations": [tree["party"].pk], "assign-role": "coordinating"},
    )
    assert task.assignments.filter(organization=tree["party"], role="coordinating").exists()


# A new task --------------------------------------------------------------------------------


def _new(tree, conclusion, **changes):
    data = {
        "title": "Vận động Nhân dân tiêm vắc xin",
        "assigner": tree["board"].pk,
        "deadline": "31/12/2099",
        "priority": "high",
        "source_conclusion": conclusion.pk,
        "leads": [tree["sapa_board"].pk, tree["batxat_board"].pk],
    }
    return data | changes


def test_an_officer_assigns_a_task_typed_the_vietnamese_way(client, tree, conclusion, alice):
    client.force_login(alice)
    form = client.get(reverse("followup:task_create"), {"conclusion": conclusion.pk})
    assert conclusion.text in form.content.decode()
    response = client.post(reverse("followup:task_create"), _new(tree, conclusion))
    task = Task.objects.get()
    assert response.status_code == 302 and response.url == f"/tasks/{task.pk}/"
    assert task.deadline == date(2099, 12, 31) and task.assignments.count() == 2
    assert task.source_conference == conclusion.conference and task.created_by == alice


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deadline": "2099-12-31"}, "Write the date as dd/mm/yyyy, e.g. 31/12/2021."),
        ({"deadline": "31/02/2099"}, "Write the date as dd/mm/yyyy, e.g. 31/12/2021."),
        ({"deadline": "31/12/2020"}, "The deadline %(deadline)s is before today, %(today)s."),
        ({"leads": []}, "Choose at least one organization to lead the task."),
    ],
)
def test_bad_input_on_the_form_is_shown_beside_the_field(
    client, tree, conclusion, alice, changes, message
):
    client.force_login(alice)
    response = client.post(reverse("followup:task_create"), _new(tree, conclusion, **changes))
    assert response.status_code == 400
    assert vi(message).split("%")[0] in response.content.decode()
    assert not Task.objects.exists()


# Export ------------------------------------------------------------------------------------


def test_the_export_holds_the_list_and_no_formula_from_user_text(
    client, tree, conclusion, alice, bob
):
    task = task_make(tree, conclusion, title='=HYPERLINK("http://x","bấm")')
    sapa = task.assignments.get(organization=tree["sapa_board"])
    services.assignment_report(actor=bob, assignment=sapa, status="in_progress", text="+1+2")
    client.force_login(alice)
    response = client.get(reverse("followup:export_xlsx"), {"list": "overdue"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert [r[7] for r in rows] == ["082", "088"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert rows[1][1] == '\'=HYPERLINK("http://x","bấm")' and rows[1][11] == "'+1+2"
    assert rows[1][9] == "Đang thực hiện" and rows[1][10] == "Có"


def test_the_export_of_a_unit_needs_a_unit_the_user_sees(client, task, tree, charlie):
    client.force_login(charlie)
    url = reverse("followup:export_xlsx")
    assert client.get(url, {"list": "unit", "unit": tree["sapa"].pk}).status_code == 404
    assert client.get(url, {"list": "unit", "unit": tree["batxat"].pk}).status_code == 200


# Notifications -----------------------------------------------------------------------------


def test_the_header_counts_unread_notifications_and_reading_clears_them(client, task, bob):
    services.reminders_send(today=date(2022, 1, 3))
    body = _get(client, bob, "my_tasks")
    assert reverse("followup:notifications") in body and '<span class="badge warn">1</span>' in body
    page = _get(client, bob, "notifications")
    assert task.title in page
    client.post(reverse("followup:notifications"))
    assert '<span class="badge warn">1</span>' not in _get(client, bob, "my_tasks")
