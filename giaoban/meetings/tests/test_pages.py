"""The conference pages as the province, the bridge points and outsiders use them: the list, a new
conference, the record with the host's forms, the two consoles, and who gets 404 or 403."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from giaoban.core.models import AuditEntry
from giaoban.meetings import services
from giaoban.meetings.models import AgendaItem, Conclusion, Conference, Delegate

pytestmark = pytest.mark.django_db


def vi(message: str) -> str:
    """The message as a Vietnamese page shows it (the catalog's text once it has one)."""
    with translation.override("vi"):
        return gettext(message)


def url(name: str, conference, *args) -> str:
    return reverse(f"meetings:{name}", args=[conference.pk, *args])


# The list ------------------------------------------------------------------------------


def test_it_lists_visible_conferences_newest_first_with_dates_and_status(client, alice, conference):
    later = services.conference_create(
        actor=alice,
        title="Giao ban công tác dân vận năm 2021",
        organizer=conference.organizer,
        kind="yearly",
        start=conference.scheduled_start.replace(month=12),
        end=conference.scheduled_end.replace(month=12),
    )
    client.force_login(alice)
    body = client.get(reverse("meetings:conference_list")).content.decode()
    assert body.index(later.title) < body.index(conference.title)
    assert "08/10/2021 14:00" in body
    assert vi("Planned") in body and "conf-planned" in body


def test_a_user_with_no_relation_sees_no_conference_and_gets_404(client, eve, conference, points):
    client.force_login(eve)
    assert conference.title not in client.get(reverse("meetings:conference_list")).content.decode()
    for name in ("conference_detail", "host_console", "point_console"):
        assert client.get(url(name, conference)).status_code == 404
    response = client.post(url("agenda_add", conference), {"kind": "other", "title": "X"})
    assert response.status_code == 404
    assert client.get(url("point_delegates", conference, points["088"].pk)).status_code == 404


def test_anonymous_users_are_sent_to_login(client, conference):
    response = client.get(url("conference_detail", conference))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# The record --------------------------------------------------------------------------


def test_the_host_side_sees_the_record_with_its_forms(client, alice, conference, points, tree):
    services.delegate_invite(actor=None, point=points["088"], person=tree["toan"])
    client.force_login(alice)
    body = client.get(url("conference_detail", conference)).content.decode()
    assert body.index("Điểm cầu tỉnh Lào Cai") < body.index("Điểm cầu thị xã Sa Pa")
    assert "Hội trường Thị ủy" in body and "op_sapa" in body
    assert "Phan Đăng Toàn - Tỉnh ủy viên, Bí thư Thị ủy" in body
    assert "Báo cáo kết quả công tác dân vận 9 tháng" in body
    assert url("host_console", conference) in body
    assert url("agenda_add", conference) in body


def test_charlie_at_a_bridge_point_district_watches_without_forms_or_consoles(
    client, charlie, conference
):
    client.force_login(charlie)
    response = client.get(url("conference_detail", conference))
    body = response.content.decode()
    assert response.status_code == 200 and conference.title in body
    assert url("agenda_add", conference) not in body
    assert url("host_console", conference) not in body
    assert client.get(url("host_console", conference)).status_code == 403
    assert client.get(url("point_console", conference)).status_code == 403
    response = client.post(url("agenda_add", conference), {"kind": "other", "title": "Xen ngang"})
    assert response.status_code == 403
    assert client.post(url("conference_start", conference)).status_code == 403
    conference.refresh_from_db()
    assert conference.status == "planned" and conference.agenda.count() == 5


def test_a_point_operator_confirms_attendance_from_the_record(
    client, operators, conference, points
):
    client.force_login(operators["sapa"])
    body = client.get(url("conference_detail", conference)).content.decode()
    confirm = url("point_confirm", conference, points["088"].pk)
    assert confirm in body and url("point_console", conference) in body
    assert client.post(confirm).status_code == 302
    points["088"].refresh_from_db()
    assert points["088"].state == "confirmed"
    other = url("point_confirm", conference, points["082"].pk)
    assert client.post(other).status_code == 403


# A new conference --------------------------------------------------------------------


BAD_DATETIME = "Write the date and time as dd/mm/yyyy HH:MM, e.g. 08/10/2021 14:00."


def _new(tree, **changes):
    data = {
        "title": "Giao ban công tác dân vận quý IV năm 2021",
        "kind": "quarterly",
        "organizer": tree["board"].pk,
        "scheduled_start": "10/01/2022 08:00",
        "scheduled_end": "10/01/2022 11:30",
        "chair": tree["toan"].pk,
        "series": "giao-ban-dan-van",
    }
    return data | changes


def test_an_officer_creates_a_conference_typed_the_vietnamese_way(client, alice, tree):
    client.force_login(alice)
    response = client.post(reverse("meetings:conference_create"), _new(tree))
    conference = Conference.objects.get()
    assert response.status_code == 302
    assert response.url == url("conference_detail", conference)
    assert conference.scheduled_start.isoformat() == "2022-01-10T01:00:00+00:00"
    assert conference.chair == tree["toan"] and conference.organizer == tree["board"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scheduled_end": "10/01/2022 07:00"}, "The end is before the start."),
        ({"scheduled_start": "2022-13-45 8h"}, BAD_DATETIME),
        ({"scheduled_end": "31/02/2022 10:00"}, BAD_DATETIME),
    ],
)
def test_bad_input_is_refused_in_vietnamese_kept_on_screen_and_nothing_saved(
    client, alice, tree, changes, message
):
    client.force_login(alice)
    response = client.post(reverse("meetings:conference_create"), _new(tree, **changes))
    body = response.content.decode()
    assert response.status_code == 200
    assert vi(message) in body
    for value in changes.values():
        assert f'value="{value}"' in body
    assert not Conference.objects.exists()


def test_an_organizer_outside_what_the_user_may_edit_is_refused(client, bob, tree):
    client.force_login(bob)
    response = client.post(reverse("meetings:conference_create"), _new(tree))
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Conference.objects.exists()


# Editing a conference's particulars ------------------------------------------------------


def _edited(conference, **changes):
    data = {
        "title": conference.title,
        "kind": conference.kind,
        "scheduled_start": "15/10/2021 08:00",
        "scheduled_end": "15/10/2021 11:00",
        "series": conference.series,
        "revision": conference.revision,
    }
    return data | changes


def test_the_host_side_moves_a_briefing_and_the_log_says_from_when_to_when(
    client, alice, conference
):
    client.force_login(alice)
    form = client.get(url("conference_edit", conference)).content.decode()
    assert 'value="08/10/2021 14:00"' in form and 'name="revision" value="1"' in form
    response = client.post(url("conference_edit", conference), _edited(conference))
    assert response.status_code == 302 and response.url == url("conference_detail", conference)
    conference.refresh_from_db()
    assert conference.scheduled_start.isoformat() == "2021-10-15T01:00:00+00:00"
    assert conference.revision == 2
    entry = AuditEntry.objects.get(action="conference.update")
    assert entry.before["scheduled_start"].startswith("2021-10-08T07:00")
    assert entry.after["scheduled_start"].startswith("2021-10-15T01:00")


def test_an_edit_from_a_page_opened_before_anothers_save_is_refused_and_kept(
    client, alice, conference
):
    client.force_login(alice)
    first = _edited(conference, title="Giao ban dời sang ngày 15/10")
    second = _edited(conference, title="Giao ban dời sang ngày 16/10")
    assert client.post(url("conference_edit", conference), first).status_code == 302
    response = client.post(url("conference_edit", conference), second)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Giao ban dời sang ngày 16/10" in body  # the input is kept
    refused = vi(
        "Someone else changed “%(name)s” after you opened it. Your input is kept below: "
        "reload the page to see their change, then apply yours again."
    ) % {"name": "Giao ban dời sang ngày 15/10"}
    assert refused in body
    conference.refresh_from_db()
    assert conference.title == "Giao ban dời sang ngày 15/10"


def test_an_ended_conference_and_other_users_cannot_be_edited(client, alice, conference, operators):
    client.force_login(operators["sapa"])
    assert client.post(url("conference_edit", conference), _edited(conference)).status_code == 403
    conference.refresh_from_db()
    assert conference.revision == 1
    services.conference_transition(actor=None, conference=conference, action="start")
    services.conference_transition(actor=None, conference=conference, action="end")
    client.force_login(alice)
    response = client.post(url("conference_edit", conference), _edited(conference))
    assert vi("An ended or cancelled conference is part of the record: it is not changed.") in (
        response.content.decode()
    )
    conference.refresh_from_db()
    assert conference.revision == 1


# Correcting points and agenda items ---------------------------------------------------------


def test_the_host_side_renames_a_point_and_a_stale_page_is_refused(
    client, alice, conference, points
):
    sapa = points["088"]
    client.force_login(alice)
    page = client.get(url("point_edit", conference, sapa.pk)).content.decode()
    assert 'value="Điểm cầu thị xã Sa Pa"' in page
    data = {"name": "Điểm cầu Thị ủy Sa Pa", "location": "Hội trường B", "revision": 1}
    assert client.post(url("point_edit", conference, sapa.pk), data).status_code == 302
    sapa.refresh_from_db()
    assert (sapa.name, sapa.location, sapa.operator, sapa.revision) == (
        "Điểm cầu Thị ủy Sa Pa",
        "Hội trường B",
        None,
        2,
    )
    stale = client.post(url("point_edit", conference, sapa.pk), data | {"name": "Tên khác"})
    assert stale.status_code == 200 and "Tên khác" in stale.content.decode()
    sapa.refresh_from_db()
    assert sapa.name == "Điểm cầu Thị ủy Sa Pa"
    assert AuditEntry.objects.filter(action="point.update").count() == 1


def test_a_point_is_removed_before_the_start_only_and_never_the_host(
    client, alice, conference, points
):
    client.force_login(alice)
    batxat, host = points["082"], points["10"]
    assert (
        vi("The removal is recorded in the change log.")
        in client.get(url("point_remove", conference, batxat.pk)).content.decode()
    )
    client.post(url("point_remove", conference, host.pk))
    assert conference.points.filter(pk=host.pk).exists()
    response = client.post(url("point_remove", conference, batxat.pk), follow=True)
    assert vi("The bridge point was removed.") in response.content.decode()
    assert not conference.points.filter(pk=batxat.pk).exists()
    assert AuditEntry.objects.get(action="point.remove").before["name"] == batxat.name
    services.conference_transition(actor=None, conference=conference, action="start")
    sapa = points["088"]
    response = client.post(url("point_remove", conference, sapa.pk), follow=True)
    assert vi("A bridge point can be removed only before the conference starts.") in (
        response.content.decode()
    )
    assert conference.points.filter(pk=sapa.pk).exists()


def test_a_point_with_attendance_on_record_is_not_removed(client, alice, conference, points):
    batxat = points["082"]
    delegate = services.delegate_add_guest(actor=None, point=batxat, full_name="Vàng A Dìn")
    services.rollcall_mark(actor=None, delegate=delegate, attendance="present")  # before the start
    client.force_login(alice)
    response = client.post(url("point_remove", conference, batxat.pk), follow=True)
    assert vi("This point already has attendance on record: it stays in the conference.") in (
        response.content.decode()
    )
    assert conference.points.filter(pk=batxat.pk).exists()


def test_agenda_items_are_corrected_and_an_unopened_one_removed(client, alice, conference):
    client.force_login(alice)
    first, second, third = conference.agenda.order_by("order")[:3]
    data = {
        "kind": "report",
        "title": "Báo cáo kết quả 9 tháng",
        "presenter": "Ban Dân vận",
        "planned_minutes": 25,
        "revision": 1,
    }
    assert client.post(url("agenda_edit", conference, second.pk), data).status_code == 302
    second.refresh_from_db()
    assert (second.title, second.planned_minutes, second.revision) == (data["title"], 25, 2)
    too_long = client.post(
        url("agenda_edit", conference, second.pk), data | {"revision": 2, "planned_minutes": 900}
    )
    assert vi("Planned minutes must be between 1 and 600.") in too_long.content.decode()
    client.post(url("agenda_remove", conference, second.pk))
    assert list(conference.agenda.order_by("order").values_list("pk", "order"))[:2] == [
        (first.pk, 1),
        (third.pk, 2),
    ]
    started = services.conference_transition(actor=None, conference=conference, action="start")
    services.agenda_advance(actor=None, conference=started)
    response = client.post(url("agenda_remove", conference, first.pk), follow=True)
    assert vi("An agenda item that has been opened stays in the record.") in (
        response.content.decode()
    )


def test_a_delegate_not_yet_marked_is_taken_off_by_their_point_or_the_host(
    client, alice, operators, conference, points, tree
):
    sapa, batxat = points["088"], points["082"]
    guest = services.delegate_add_guest(
        actor=None, point=sapa, full_name="Lê Văn Khách", designation="Phóng viên Báo Lào Cai"
    )
    marked = services.delegate_add_guest(actor=None, point=sapa, full_name="Hoàng Thị Có Mặt")
    other = services.delegate_add_guest(actor=None, point=batxat, full_name="Vàng A Dìn")
    client.force_login(operators["sapa"])
    assert client.post(url("delegate_remove", conference, other.pk)).status_code == 403
    response = client.post(url("delegate_remove", conference, guest.pk), follow=True)
    assert vi("The delegate was removed from the list.") in response.content.decode()
    assert not Delegate.objects.filter(pk=guest.pk).exists()
    live = services.conference_transition(actor=None, conference=conference, action="start")
    services.rollcall_mark(actor=None, delegate=marked, attendance="present")
    client.force_login(alice)
    response = client.post(url("delegate_remove", live, marked.pk), follow=True)
    assert vi("The roll call has marked this delegate: they stay in the record.") in (
        response.content.decode()
    )
    assert Delegate.objects.filter(pk=marked.pk).exists()
    client.post(url("delegate_remove", live, other.pk))
    assert not Delegate.objects.filter(pk=other.pk).exists()
    assert AuditEntry.objects.filter(action="delegate.remove").count() == 2


def test_outsiders_cannot_correct_points_or_items(client, charlie, operators, conference, points):
    item = conference.agenda.first()
    for user in (charlie, operators["sapa"]):
        client.force_login(user)
        data = {"name": "X", "revision": 1}
        assert client.post(url("point_edit", conference, points["088"].pk), data).status_code in (
            403,
            404,
        )
        assert client.post(url("agenda_remove", conference, item.pk)).status_code in (403, 404)
    assert conference.agenda.filter(pk=item.pk).exists()
    points["088"].refresh_from_db()
    assert (points["088"].name, points["088"].revision) == ("Điểm cầu thị xã Sa Pa", 1)


def test_viewers_and_operators_may_not_open_the_create_form(client, dave, operators):
    for user in (dave, operators["sapa"]):
        client.force_login(user)
        assert client.get(reverse("meetings:conference_create")).status_code == 403


# The host's forms on the record ----------------------------------------------------------


def test_the_host_adds_a_point_invites_a_delegate_adds_a_guest_an_item_and_a_conclusion(
    client, alice, conference, points, tree, operators
):
    client.force_login(alice)
    response = client.post(
        url("point_add", conference),
        {
            "unit": tree["sapa_ward"].pk,
            "name": "Điểm cầu phường Sa Pa",
            "location": "Nhà văn hóa phường",
            "operator": operators["sapa"].pk,
        },
    )
    assert response.status_code == 302
    assert conference.points.filter(name="Điểm cầu phường Sa Pa", is_host=False).exists()

    search = client.get(url("conference_detail", conference), {"q": "phan dang"})
    assert "Phan Đăng Toàn - Tỉnh ủy viên, Bí thư Thị ủy" in search.content.decode()
    response = client.post(
        url("delegate_invite", conference),
        {"point": points["088"].pk, "person": tree["toan"].pk, "q": "phan dang"},
    )
    assert response.status_code == 302
    assert points["088"].delegates.get().designation.startswith("Phan Đăng Toàn")

    response = client.post(
        url("guest_add", conference),
        {"point": points["082"].pk, "full_name": "Lê Văn Khách", "designation": ""},
    )
    assert response.status_code == 302
    assert Delegate.objects.filter(point=points["082"], is_guest=True).count() == 1

    response = client.post(
        url("agenda_add", conference),
        {"kind": "other", "title": "Bế mạc", "presenter": "", "planned_minutes": "5"},
    )
    assert response.status_code == 302
    assert conference.agenda.order_by("-order").first().title == "Bế mạc"

    response = client.post(url("conclusion_add", conference), {"text": "Tập trung dân vận khéo."})
    assert response.status_code == 302
    assert Conclusion.objects.get().text == "Tập trung dân vận khéo."
    assert "Tập trung dân vận khéo." in client.get(response.url).content.decode()


def test_a_refused_host_form_shows_the_message_and_keeps_the_input(client, alice, conference):
    client.force_login(alice)
    response = client.post(
        url("agenda_add", conference),
        {"kind": "report", "title": "Báo cáo chuyên đề", "planned_minutes": "0"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert vi("Planned minutes must be between 1 and 600.") in body
    assert 'value="Báo cáo chuyên đề"' in body
    assert not AgendaItem.objects.filter(title="Báo cáo chuyên đề").exists()

    response = client.post(
        url("guest_add", conference), {"point": "", "full_name": "Khách", "designation": ""}
    )
    assert response.status_code == 200 and 'value="Khách"' in response.content.decode()


def test_a_second_host_point_is_refused_on_the_form(client, alice, conference, tree):
    client.force_login(alice)
    response = client.post(
        url("point_add", conference),
        {"unit": tree["laocai"].pk, "name": "Điểm cầu thứ hai", "is_host": "on"},
    )
    assert vi("This conference already has a host point.") in response.content.decode()
    assert conference.points.count() == 3


def test_the_host_starts_and_ends_and_a_refused_step_says_why(client, alice, conference):
    client.force_login(alice)
    response = client.post(url("conference_start", conference), follow=True)
    assert response.status_code == 200
    conference.refresh_from_db()
    assert conference.status == "live"
    response = client.post(url("conference_cancel", conference), follow=True)
    body = response.content.decode()
    assert "messages" in body and 'class="error"' in body
    conference.refresh_from_db()
    assert conference.status == "live"
    client.post(url("conference_end", conference))
    conference.refresh_from_db()
    assert conference.status == "ended"


# The consoles -------------------------------------------------------------------------


def test_the_host_console_opens_for_the_host_side_only(client, alice, operators, conference):
    client.force_login(alice)
    response = client.get(url("host_console", conference))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-ws-path="/ws/conferences/{conference.pk}/"' in body
    assert 'data-action="advance"' in body and "meetings/live.js" in body
    assert 'id="live-labels"' in body
    client.force_login(operators["host"])
    assert client.get(url("host_console", conference)).status_code == 200
    client.force_login(operators["sapa"])
    assert client.get(url("host_console", conference)).status_code == 403


def test_a_point_operator_opens_their_own_point_console_with_delegates(
    client, operators, live_conference, points, tree
):
    delegate = services.delegate_invite(actor=None, point=points["088"], person=tree["toan"])
    client.force_login(operators["sapa"])
    response = client.get(url("point_console", live_conference), {"point": points["082"].pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-point="{points["088"].pk}"' in body and 'data-readonly="false"' in body
    assert f'data-delegate="{delegate.pk}"' in body
    assert 'data-readiness="camera_ready"' in body
    # The inputs' limits are the model fields' (the services refuse above them).
    assert 'name="topic" maxlength="300"' in body and 'data-note maxlength="300"' in body


def test_the_point_console_writes_ids_of_five_digits_as_they_are(
    large_ids, client, alice, operators, live_conference, points, tree
):
    # With the thousands separator of Vietnamese numbers, point 12346 was written "12.346": the
    # console's point, its delegates and its switch links all named no point (the host's
    # switch then opened the host point), once a database's ids passed 1000.
    point = points["088"]
    delegate = services.delegate_invite(actor=None, point=point, person=tree["toan"])
    assert point.pk > 10000 and delegate.pk > 10000
    client.force_login(operators["sapa"])
    body = client.get(url("point_console", live_conference)).content.decode()
    assert f'data-point="{point.pk}"' in body and f'data-delegate="{delegate.pk}"' in body
    client.force_login(alice)
    body = client.get(url("point_console", live_conference), {"point": point.pk}).content.decode()
    assert f'data-point="{point.pk}"' in body
    assert f'href="?point={point.pk}" aria-current="page"' in body
    other = points["082"]
    assert f'href="?point={other.pk}"' in body


def test_the_host_sees_a_point_console_read_only(client, alice, conference, points):
    client.force_login(alice)
    response = client.get(url("point_console", conference), {"point": points["088"].pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-readonly="true"' in body and "Điểm cầu thị xã Sa Pa" in body
    response = client.get(url("point_console", conference), {"point": 999999})
    assert response.status_code == 404


def test_the_delegates_endpoint_gives_the_own_point_only(
    client, operators, live_conference, points, tree
):
    delegate = services.delegate_invite(actor=None, point=points["088"], person=tree["toan"])
    services.rollcall_mark(actor=None, delegate=delegate, attendance="present")
    client.force_login(operators["sapa"])
    data = client.get(url("point_delegates", live_conference, points["088"].pk)).json()
    assert data["delegates"][0]["attendance"] == "present"
    assert data["counts"]["present"] == 1
    response = client.get(url("point_delegates", live_conference, points["082"].pk))
    assert response.status_code == 403


def test_the_documents_of_the_agenda_are_linked_on_the_point_console(client, operators, conference):
    from giaoban.meetings.models import Document

    document = Document.objects.create(
        item=conference.agenda.get(order=2),
        file="conference-documents/stored-elsewhere",
        original_name="bao-cao-9-thang.docx",
        content_type="application/octet-stream",
        size=2048,
    )
    client.force_login(operators["sapa"])
    body = client.get(url("point_console", conference)).content.decode()
    assert f'href="/conferences/documents/{document.pk}/"' in body
    assert "bao-cao-9-thang.docx" in body


def test_the_secretary_writes_the_minutes_of_an_item(client, live_conference, alice):
    from django.urls import reverse

    client.force_login(alice)
    item = live_conference.agenda.first()
    url = reverse("meetings:minutes", args=[live_conference.pk])
    response = client.post(
        url, {"item": item.pk, "revision": 0, "text": "Đồng chí chủ trì khai mạc hội nghị"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.minutes == "Đồng chí chủ trì khai mạc hội nghị"
    stale = client.post(url, {"item": item.pk, "revision": 0, "text": "Bản của người thứ hai"})
    body = stale.content.decode()
    assert stale.status_code == 200 and "Bản của người thứ hai" in body and "Người khác" in body
    item.refresh_from_db()
    assert item.minutes == "Đồng chí chủ trì khai mạc hội nghị"


def test_a_point_reads_the_minutes_but_cannot_write_them(client, live_conference, operators):
    from django.urls import reverse

    client.force_login(operators["sapa"])
    url = reverse("meetings:minutes", args=[live_conference.pk])
    assert client.get(url).status_code == 200
    item = live_conference.agenda.first()
    assert client.post(url, {"item": item.pk, "revision": 0, "text": "x"}).status_code == 403


def test_after_the_end_the_record_offers_no_form_to_add_to_it(client, alice, conference, operators):
    detail = url("conference_detail", conference)
    client.force_login(alice)
    assert 'id="point_form"' in client.get(detail).content.decode()
    services.conference_transition(actor=None, conference=conference, action="start")
    services.conference_transition(actor=None, conference=conference, action="end")
    page = client.get(detail).content.decode()
    for form in ("point_form", "invite_form", "guest_form", "agenda_form"):
        assert f'id="{form}"' not in page, form
    assert 'id="conclusion_form"' in page  # the conclusions are often written after the end
    client.force_login(operators["sapa"])
    assert 'id="guest_form"' not in client.get(detail).content.decode()
