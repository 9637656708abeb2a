"""Tasks and their workflow: one task for several units tracked separately, the status changes
that are allowed and those refused, bad input refused with a message naming the field, and
every change recorded with who, when, before and after."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from giaoban.core.errors import ApplicationError, ConcurrentEdit, InvalidInput
from giaoban.core.models import AuditEntry
from giaoban.core.text import fold
from giaoban.followup import services
from giaoban.followup.models import Assignment, Notification, ProgressReport, Status, Task
from giaoban.meetings.tests.test_documents import pdf_bytes

from .conftest import DEADLINE, GIVEN, task_make

pytestmark = pytest.mark.django_db


def _report(actor, assignment, status, **extra):
    return services.assignment_report(actor=actor, assignment=assignment, status=status, **extra)


# One task, several units -------------------------------------------------------------------


def test_one_task_for_nine_units_makes_nine_assignments_tracked_separately(
    tree, conclusion, nine_boards, alice, bob
):
    task = task_make(tree, conclusion, leads=nine_boards, actor=alice)
    assert task.assignments.count() == 9
    assert set(task.assignments.values_list("status", flat=True)) == {"not_started"}
    sapa = task.assignments.get(organization=tree["sapa_board"])
    _report(bob, sapa, "in_progress", text="Đã triển khai")
    statuses = dict(task.assignments.values_list("organization__unit__code", "status"))
    assert statuses.pop("088") == "in_progress"
    assert set(statuses.values()) == {"not_started"} and len(statuses) == 8


def test_the_source_conference_follows_from_the_conclusion(task, conclusion):
    assert task.source_conference == conclusion.conference
    assert task.source_conclusion == conclusion


def test_a_task_can_come_from_a_directive_document(tree, alice):
    task = services.task_create(
        actor=alice,
        title="Triển khai Chỉ thị về công tác dân vận",
        assigner=tree["board"],
        deadline=date(2099, 12, 31),
        leads=[tree["sapa_board"]],
        coordinating=[tree["batxat_board"]],
        source_document_number="15-CT/TU",
        source_document_date=date(2021, 9, 1),
    )
    roles = dict(task.assignments.values_list("organization__name", "role"))
    assert roles == {
        "Ban Dân vận Thị ủy Sa Pa": "lead",
        "Ban Dân vận Huyện ủy Bát Xát": "coordinating",
    }
    assert task.source_label == "15-CT/TU (01/09/2021)"


def test_more_organizations_can_be_given_the_task_but_not_twice(task, tree, alice):
    added = services.task_assign(
        actor=alice, task=task, organizations=[tree["party"]], role="coordinating"
    )
    assert [a.role for a in added] == ["coordinating"] and task.assignments.count() == 3
    with pytest.raises(InvalidInput, match="Already assigned this task: Ban Dân vận Thị ủy Sa Pa"):
        services.task_assign(actor=alice, task=task, organizations=[tree["sapa_board"]])


def test_text_is_stored_as_nfc(tree, conclusion):
    task = task_make(tree, conclusion, description="Tuye\u0302n truye\u0302\u0300n")
    assert task.description == "Tuyên truyền"


# Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "This field is required."),
        ({"deadline": date(2021, 10, 7)}, "deadline", "before today, 08/10/2021"),
        ({"deadline": None}, "deadline", "Give a deadline."),
        ({"priority": "whenever"}, "priority", "Choose a priority"),
        ({"leads": []}, "leads", "at least one organization"),
        ({"source_conclusion": None}, "source_conference", "Say where the task comes from"),
    ],
)
def test_bad_input_is_refused_naming_the_field(tree, conclusion, changes, field, message):
    args = {
        "actor": None,
        "title": "Nhiệm vụ",
        "assigner": tree["board"],
        "deadline": DEADLINE,
        "leads": [tree["sapa_board"]],
        "source_conclusion": conclusion,
        "created_at": GIVEN,
    } | changes
    with pytest.raises(InvalidInput) as refused:
        services.task_create(**args)
    assert field in refused.value.errors
    assert message in refused.value.errors[field]


def test_a_deadline_before_today_is_refused_for_a_new_task(tree, alice):
    with pytest.raises(InvalidInput) as refused:
        services.task_create(
            actor=alice,
            title="Nhiệm vụ",
            assigner=tree["board"],
            deadline=date(2021, 12, 31),
            leads=[tree["sapa_board"]],
            source_document_number="15-CT/TU",
            source_document_date=date(2021, 9, 1),
        )
    assert "is before today" in refused.value.errors["deadline"]


def test_a_document_needs_both_its_number_and_its_date(tree):
    with pytest.raises(InvalidInput) as refused:
        services.task_create(
            actor=None,
            title="Nhiệm vụ",
            assigner=tree["board"],
            deadline=DEADLINE,
            leads=[tree["sapa_board"]],
            source_document_number="15-CT/TU",
            created_at=GIVEN,
        )
    assert refused.value.errors == {
        "source_document_date": "Give both the number and the date of the document."
    }


def test_an_organization_cannot_lead_and_coordinate_one_task(tree, conclusion):
    with pytest.raises(InvalidInput) as refused:
        task_make(tree, conclusion, coordinating=[tree["sapa_board"]])
    assert "coordinating" in refused.value.errors


def test_a_conclusion_of_another_conference_is_refused(tree, conclusion, conference):
    from .conftest import VN, conference_make

    other = conference_make(
        tree["board"], title="Hội nghị khác", start=GIVEN.replace(month=11, tzinfo=VN)
    )
    with pytest.raises(InvalidInput) as refused:
        task_make(tree, conclusion, source_conference=other)
    assert "source_conclusion" in refused.value.errors


# Allowed moves -----------------------------------------------------------------------------


def test_the_assignee_works_reports_done_and_the_assigner_accepts(sapa, alice, bob):
    _report(bob, sapa, "in_progress", text="Đã tuyên truyền trên loa truyền thanh")
    _report(bob, sapa, "in_progress", text="Đã vận động 1.200 hộ")
    _report(bob, sapa, "reported_done", text="Hoàn thành")
    done = services.assignment_accept(actor=alice, assignment=sapa)
    assert done.status == "done" and done.accepted_by == alice and done.accepted_at
    history = list(done.reports.values_list("kind", "status", "by__username"))
    assert history == [
        ("report", "in_progress", "bob"),
        ("report", "in_progress", "bob"),
        ("report", "reported_done", "bob"),
        ("accepted", "done", "alice"),
    ]


def test_an_assignee_saying_done_reports_it_done_for_acceptance(sapa, bob):
    assert _report(bob, sapa, "done").status == "reported_done"


def test_a_report_sent_back_is_in_progress_again_with_the_reason(sapa, alice, bob):
    _report(bob, sapa, "reported_done")
    back = services.assignment_send_back(
        actor=alice, assignment=sapa, reason="Chưa có số liệu cụ thể"
    )
    assert back.status == "in_progress" and back.sent_back_reason == "Chưa có số liệu cụ thể"
    assert _report(bob, back, "reported_done").status == "reported_done"


def test_cannot_do_needs_a_reason_and_the_assigner_may_send_it_back(sapa, alice, bob):
    cannot = _report(bob, sapa, "cannot_do", reason="Chưa bố trí được kinh phí")
    assert cannot.status == "cannot_do" and cannot.reason == "Chưa bố trí được kinh phí"
    assert cannot.reports.get().text == "Chưa bố trí được kinh phí"
    back = services.assignment_send_back(
        actor=alice, assignment=cannot, reason="Dùng kinh phí 2021"
    )
    assert back.status == "in_progress" and back.reason == ""


def test_the_assignee_may_take_up_a_task_it_said_it_cannot_do(sapa, bob):
    _report(bob, sapa, "cannot_do", reason="Thiếu kinh phí")
    assert _report(bob, sapa, "in_progress", text="Đã có kinh phí").status == "in_progress"


# Refused moves -----------------------------------------------------------------------------


def test_accepting_before_it_is_reported_done_is_refused(sapa, alice, bob):
    with pytest.raises(ApplicationError, match="Only an assignment reported done"):
        services.assignment_accept(actor=alice, assignment=sapa)
    _report(bob, sapa, "in_progress")
    with pytest.raises(ApplicationError, match="this one is in progress"):
        services.assignment_accept(actor=alice, assignment=sapa)


def test_cannot_do_without_a_reason_is_refused(sapa, bob):
    with pytest.raises(InvalidInput) as refused:
        _report(bob, sapa, "cannot_do", reason="   ")
    assert refused.value.errors == {"reason": "Say why the task cannot be done."}
    sapa.refresh_from_db()
    assert sapa.status == "not_started" and not sapa.reports.exists()


def test_sending_back_needs_a_reason(sapa, alice, bob):
    _report(bob, sapa, "reported_done")
    with pytest.raises(InvalidInput, match="Say why the assignment is sent back"):
        services.assignment_send_back(actor=alice, assignment=sapa, reason="")


def test_sending_back_work_in_progress_is_refused(sapa, alice, bob):
    _report(bob, sapa, "in_progress")
    with pytest.raises(ApplicationError, match="Only an assignment reported done or"):
        services.assignment_send_back(actor=alice, assignment=sapa, reason="Lý do")


def test_a_report_waiting_for_acceptance_cannot_be_changed_by_the_assignee(sapa, bob):
    _report(bob, sapa, "reported_done")
    with pytest.raises(ApplicationError, match="waits for Ban Dân vận Tỉnh ủy Lào Cai"):
        _report(bob, sapa, "in_progress")


def test_an_accepted_assignment_is_closed(sapa, alice, bob):
    _report(bob, sapa, "reported_done")
    services.assignment_accept(actor=alice, assignment=sapa)
    for status in ("in_progress", "cannot_do"):
        with pytest.raises(ApplicationError, match="it is closed"):
            _report(bob, sapa, status, reason="x")


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("not_started", "cannot be reported as not started again"),
        ("finished", "“finished” is not a status"),
    ],
)
def test_unknown_or_backward_statuses_are_refused(sapa, bob, status, message):
    with pytest.raises(InvalidInput, match=message):
        _report(bob, sapa, status)


def test_a_too_long_progress_text_is_refused(sapa, bob):
    with pytest.raises(InvalidInput, match="Write at most 2000 characters"):
        _report(bob, sapa, "in_progress", text="x" * 2001)


def test_a_report_on_a_stale_view_is_refused(sapa, bob):
    opened = sapa.revision
    _report(bob, sapa, "in_progress", revision=opened)
    with pytest.raises(ConcurrentEdit):
        _report(bob, sapa, "reported_done", revision=opened)


def test_a_renamed_task_is_searched_by_its_new_title_in_either_spelling(task, alice):
    services.task_update(
        actor=alice, task=task, revision=1, title="Báo cáo Thường trực Thị uỷ", deadline=DEADLINE
    )
    for spelling in ("thị ủy", "THỊ UỶ", "thi uy"):
        assert list(Task.objects.filter(search_key__contains=fold(spelling))) == [task]


def test_a_stale_task_edit_is_refused(task, alice):
    services.task_update(actor=alice, task=task, revision=1, title="Mới", deadline=DEADLINE)
    with pytest.raises(ConcurrentEdit):
        services.task_update(actor=alice, task=task, revision=1, title="Cũ", deadline=DEADLINE)


# Attachments -------------------------------------------------------------------------------


def test_a_report_may_carry_a_pdf(sapa, bob):
    upload = SimpleUploadedFile("bao-cao.pdf", pdf_bytes(), content_type="application/pdf")
    _report(bob, sapa, "in_progress", attachment=upload)
    entry = ProgressReport.objects.get()
    assert entry.attachment_type == "application/pdf" and entry.attachment_name == "bao-cao.pdf"
    assert entry.attachment.name.startswith(f"task-attachments/{sapa.task_id}/")


def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(sapa, bob):
    upload = SimpleUploadedFile(
        "bao-cao.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    with pytest.raises(InvalidInput) as refused:
        _report(bob, sapa, "in_progress", attachment=upload)
    assert "is named like a PDF file" in refused.value.errors["attachment"]
    assert not ProgressReport.objects.exists()
    assert Assignment.objects.get(pk=sapa.pk).status == Status.NOT_STARTED


# The record --------------------------------------------------------------------------------


def test_every_change_is_recorded_with_who_before_and_after(sapa, alice, bob):
    _report(bob, sapa, "reported_done", text="Xong")
    services.assignment_accept(actor=alice, assignment=sapa)
    entries = AuditEntry.objects.filter(object_type="followup.assignment").order_by("at", "id")
    report, accept = list(entries)
    assert (report.actor, report.action) == (bob, "assignment.report")
    assert report.before["status"] == "not_started" and report.after["status"] == "reported_done"
    assert report.after["progress"] == "Xong"
    assert (accept.actor, accept.action) == (alice, "assignment.accept")
    assert accept.before["status"] == "reported_done" and accept.after["status"] == "done"
    task_entries = AuditEntry.objects.filter(object_type="followup.task")
    assert set(task_entries.values_list("action", flat=True)) == {"task.create", "task.assign"}


def test_a_file_over_the_limit_is_refused_before_it_is_read(sapa, bob, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 1024)
    upload = SimpleUploadedFile("lon.pdf", pdf_bytes() + b" " * 2048)
    with pytest.raises(InvalidInput) as refused:
        _report(bob, sapa, "in_progress", text="Kèm tệp", attachment=upload)
    assert "the limit is 0 MB" in refused.value.errors["attachment"]
    assert not ProgressReport.objects.exists()


def test_the_migration_fills_the_search_key_of_existing_tasks(task):
    from django.apps import apps

    from giaoban.core.migration_ops import fill_search_key

    Task.objects.filter(pk=task.pk).update(search_key="")
    fill_search_key("followup", "Task").code(apps, None)
    task.refresh_from_db()
    assert task.search_key == fold(task.title) != ""


# Illustrative marks and the assignee's notices ---------------------------------------------


def test_a_real_report_and_acceptance_end_the_illustrative_mark(sapa, alice, bob):
    """The demo's assignments are marked illustrative; once the unit really reports and the
    assigner really accepts, the assignment shows a real state and no longer says "minh họa"."""
    services.assignment_report(
        actor=bob, assignment=sapa, status="in_progress", is_illustrative=True
    )
    assert Assignment.objects.get(pk=sapa.pk).is_illustrative
    done = _report(bob, sapa, "reported_done", text="Đã hoàn thành")
    assert not done.is_illustrative
    accepted = services.assignment_accept(actor=alice, assignment=done)
    assert not accepted.is_illustrative
    assert not accepted.reports.get(kind="accepted").is_illustrative


def test_an_illustrative_decision_keeps_the_mark_and_tells_nobody(sapa, alice, bob):
    _report(bob, sapa, "reported_done")
    done = services.assignment_accept(actor=alice, assignment=sapa, is_illustrative=True)
    assert done.is_illustrative and not Notification.objects.exists()


def test_the_assignee_is_told_when_its_report_is_accepted_or_sent_back(sapa, alice, bob, dave):
    """Sa Pa's editors (bob) get a notice with the reason; its viewer (dave) and the assigner do
    not: they are those the deadline reminders go to."""
    _report(bob, sapa, "reported_done")
    services.assignment_send_back(actor=alice, assignment=sapa, reason="Chưa có số liệu cụ thể")
    _report(bob, Assignment.objects.get(pk=sapa.pk), "reported_done")
    services.assignment_accept(actor=alice, assignment=Assignment.objects.get(pk=sapa.pk))
    notices = Notification.objects.order_by("pk").values_list("user__username", "kind", "text")
    assert list(notices) == [
        ("bob", "sent_back", "Chưa có số liệu cụ thể"),
        ("bob", "accepted", ""),
    ]


def test_a_sent_back_notice_shows_its_reason_on_the_notifications_page(client, sapa, alice, bob):
    _report(bob, sapa, "reported_done")
    services.assignment_send_back(actor=alice, assignment=sapa, reason="Thiếu biên bản kèm theo")
    client.force_login(bob)
    body = client.get(reverse("followup:notifications")).content.decode()
    assert "Thiếu biên bản kèm theo" in body
