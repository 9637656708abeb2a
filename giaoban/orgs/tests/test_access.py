"""Who sees what: a district officer cannot read or change another district's records through any
page or endpoint, a viewer cannot change anything, and an anonymous user sees only the
login page."""

import pytest
from django.urls import reverse

from giaoban.core.models import AuditEntry
from giaoban.orgs.models import Organization, Person

pytestmark = pytest.mark.django_db


def _pages(tree):
    """Every registry page of Sa Pa's records, as (name, url)."""
    sapa, org, person = tree["sapa"], tree["sapa_board"], tree["toan"]
    return [
        ("unit", reverse("orgs:unit_detail", args=[sapa.pk])),
        ("organization", reverse("orgs:organization_detail", args=[org.pk])),
        ("organization edit", reverse("orgs:organization_edit", args=[org.pk])),
        ("person", reverse("orgs:person_detail", args=[person.pk])),
        ("person edit", reverse("orgs:person_edit", args=[person.pk])),
        ("position add", reverse("orgs:position_add", args=[person.pk])),
    ]


def test_an_anonymous_user_is_sent_to_the_login_page_from_every_page(client, tree):
    for name, url in [*_pages(tree), ("tree", reverse("orgs:unit_tree")), ("home", "/")]:
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name


def test_the_login_page_is_in_vietnamese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode()


def test_an_officer_reads_every_page_of_their_own_district(client, tree, bob):
    client.force_login(bob)
    for name, url in _pages(tree):
        assert client.get(url).status_code == 200, name


def test_the_province_reads_every_district_below_it(client, tree, alice):
    client.force_login(alice)
    for name, url in _pages(tree):
        assert client.get(url).status_code == 200, name


def test_another_district_can_neither_read_nor_open_the_edit_pages(client, tree, charlie):
    client.force_login(charlie)
    for name, url in _pages(tree):
        assert client.get(url).status_code in (403, 404), name


def test_another_district_cannot_change_a_person_by_posting(client, tree, charlie):
    client.force_login(charlie)
    url = reverse("orgs:person_edit", args=[tree["toan"].pk])
    response = client.post(
        url, {"full_name": "Tên Giả Mạo", "unit": tree["batxat"].pk, "version": 1}
    )
    assert response.status_code in (403, 404)
    assert Person.objects.get(pk=tree["toan"].pk).full_name == "Phan Đăng Toàn"


def test_another_district_cannot_rename_an_organization_by_posting(client, tree, charlie):
    client.force_login(charlie)
    url = reverse("orgs:organization_edit", args=[tree["sapa_board"].pk])
    response = client.post(
        url, {"name": "X", "kind": "other", "unit": tree["batxat"].pk, "version": 1}
    )
    assert response.status_code in (403, 404)
    assert Organization.objects.get(pk=tree["sapa_board"].pk).name == "Ban Dân vận Thị ủy Sa Pa"


def test_an_officer_cannot_move_a_person_into_another_district(client, tree, bob):
    client.force_login(bob)
    url = reverse("orgs:person_edit", args=[tree["toan"].pk])
    response = client.post(
        url, {"full_name": "Phan Đăng Toàn", "unit": tree["batxat"].pk, "version": 1}
    )
    assert response.status_code == 200  # the form again, with the error
    assert Person.objects.get(pk=tree["toan"].pk).unit == tree["sapa"]


def test_another_district_does_not_find_sapa_in_lists_or_search(client, tree, charlie):
    client.force_login(charlie)
    body = client.get(reverse("orgs:person_list"), {"q": "Toàn"}).content.decode()
    assert "Phan Đăng Toàn" not in body
    body = client.get(
        reverse("orgs:unit_tree"), {"q": "Sa Pa", "on": "08/10/2021"}
    ).content.decode()
    assert "Thị xã Sa Pa" not in body


def test_a_viewer_reads_but_cannot_change(client, tree, dave):
    client.force_login(dave)
    assert client.get(reverse("orgs:person_detail", args=[tree["toan"].pk])).status_code == 200
    url = reverse("orgs:person_edit", args=[tree["toan"].pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"full_name": "Đổi Tên", "unit": tree["sapa"].pk, "version": 1})
    assert response.status_code == 403
    assert Person.objects.get(pk=tree["toan"].pk).full_name == "Phan Đăng Toàn"


def test_a_user_without_membership_sees_nothing(client, tree, django_user_model):
    stranger = django_user_model.objects.create_user("stranger", password="correct-horse-42")
    client.force_login(stranger)
    assert client.get(reverse("orgs:person_detail", args=[tree["toan"].pk])).status_code == 404
    assert "Phan Đăng Toàn" not in client.get(reverse("orgs:person_list")).content.decode()


def test_an_officer_edits_a_person_and_the_change_is_audited(client, tree, bob):
    client.force_login(bob)
    url = reverse("orgs:person_edit", args=[tree["toan"].pk])
    response = client.post(
        url,
        {"full_name": "Phan Đăng Toàn", "unit": tree["sapa"].pk, "note": "ghi chú", "version": 1},
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=tree["toan"].pk).note == "ghi chú"
    assert AuditEntry.objects.filter(action="person.update", actor=bob).exists()


def test_the_second_of_two_concurrent_edits_is_refused_and_its_input_kept(client, tree, bob):
    client.force_login(bob)
    url = reverse("orgs:person_edit", args=[tree["toan"].pk])
    base = {"full_name": "Phan Đăng Toàn", "unit": tree["sapa"].pk, "version": 1}
    assert client.post(url, {**base, "note": "lần một"}).status_code == 302
    response = client.post(url, {**base, "note": "lần hai của người khác"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Người khác đã sửa" in body
    assert "lần hai của người khác" in body
    assert Person.objects.get(pk=tree["toan"].pk).note == "lần một"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"full_name": "", "note": ""}, "Trường này là bắt buộc"),
        ({"full_name": "Toàn", "note": ""}, "họ và tên"),
        ({"full_name": "Phan Đăng Toàn", "unit": "999999"}, "Hãy chọn một lựa chọn hợp lệ"),
        ({"full_name": "Phan Đăng Toàn", "note": "x" * 301}, "300"),
    ],
)
def test_bad_input_to_the_person_form_is_refused_with_a_vietnamese_message(
    client, tree, bob, data, message
):
    client.force_login(bob)
    before = Person.objects.count()
    url = reverse("orgs:person_create")
    response = client.post(url, {"unit": tree["sapa"].pk, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Person.objects.count() == before


def test_a_position_with_its_end_before_its_start_is_refused(client, tree, bob):
    client.force_login(bob)
    url = reverse("orgs:position_add", args=[tree["toan"].pk])
    response = client.post(
        url,
        {
            "organization": tree["sapa_party"].pk,
            "title": "Ủy viên",
            "protocol_rank": 5,
            "start_date": "01/10/2021",
            "end_date": "01/01/2021",
        },
    )
    assert "Ngày kết thúc trước ngày bắt đầu" in response.content.decode()
    assert tree["toan"].positions.count() == 2


def test_an_officer_adds_a_position_with_a_vietnamese_date(client, tree, bob):
    client.force_login(bob)
    url = reverse("orgs:position_add", args=[tree["toan"].pk])
    response = client.post(
        url,
        {
            "organization": tree["sapa_party"].pk,
            "title": "Ủy viên BCH",
            "protocol_rank": 5,
            "start_date": "01/10/2020",
        },
    )
    assert response.status_code == 302
    assert tree["toan"].positions.get(title="Ủy viên BCH").start_date.isoformat() == "2020-10-01"


def test_a_bad_date_on_the_tree_page_is_named(client, tree, alice):
    client.force_login(alice)
    body = client.get(reverse("orgs:unit_tree"), {"on": "31/02/2021"}).content.decode()
    assert "không phải là ngày" in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "other"}, "Trường này là bắt buộc"),
        ({"name": "Hội Nông dân", "kind": "guild"}, "Hãy chọn một lựa chọn hợp lệ"),
        ({"name": "Thị ủy Sa Pa", "kind": "party_committee"}, "đã tồn tại"),
        (
            {
                "name": "Hội mới",
                "kind": "other",
                "valid_from": "01/10/2021",
                "valid_to": "1/1/2021",
            },
            "Ngày kết thúc trước ngày bắt đầu",
        ),
        ({"name": "Hội mới", "kind": "other", "valid_from": "2021-13-40"}, "Nhập một ngày hợp lệ"),
    ],
)
def test_bad_input_to_the_organization_form_is_refused_in_vietnamese(
    client, tree, bob, data, message
):
    client.force_login(bob)
    before = list(Organization.objects.values_list("pk", "name", "version"))
    response = client.post(reverse("orgs:organization_create"), {"unit": tree["sapa"].pk, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(Organization.objects.values_list("pk", "name", "version")) == before


def test_an_officer_creates_an_organization_with_nfd_input_stored_as_nfc(client, tree, bob):
    import unicodedata

    client.force_login(bob)
    name = unicodedata.normalize("NFD", "Hội Người cao tuổi thị xã Sa Pa")
    response = client.post(
        reverse("orgs:organization_create"),
        {"unit": tree["sapa"].pk, "name": name, "kind": "other"},
    )
    assert response.status_code == 302
    assert Organization.objects.filter(name="Hội Người cao tuổi thị xã Sa Pa").exists()


def test_ending_a_position_with_a_bad_date_changes_nothing(client, tree, bob):
    client.force_login(bob)
    position = tree["toan"].positions.first()
    response = client.post(
        reverse("orgs:position_end", args=[position.pk]), {"end_date": "hôm qua"}
    )
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.end_date is None
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("dd/mm/yyyy" in m for m in messages)


def test_another_district_cannot_end_a_sapa_position(client, tree, charlie):
    client.force_login(charlie)
    position = tree["toan"].positions.first()
    response = client.post(
        reverse("orgs:position_end", args=[position.pk]), {"end_date": "01/01/2022"}
    )
    assert response.status_code == 403
    position.refresh_from_db()
    assert position.end_date is None


@pytest.mark.django_db
def test_a_subtree_does_not_take_in_units_whose_ids_share_its_prefix():
    """Unit 1 and its siblings 10, 11, 12: "/9/1/" is a prefix of "/9/10/" only without its
    trailing separator, so a filter that dropped it would hand unit 1 its neighbours."""
    from giaoban.orgs import access, services
    from giaoban.orgs.models import Level, OrgKind, Role, Unit, UnitKind
    from giaoban.orgs.testing import make_user

    root = Unit.objects.create(
        pk=9, code="99", name="Tỉnh Thử", kind=UnitKind.PROVINCE, level=Level.PROVINCE, path="/9/"
    )
    units = {
        pk: Unit.objects.create(
            pk=pk,
            code=f"9{pk:02}",
            name=f"Huyện {pk}",
            kind=UnitKind.DISTRICT,
            level=Level.DISTRICT,
            parent=root,
            path=f"/9/{pk}/",
        )
        for pk in (1, 10, 11, 12)
    }
    board = services.organization_create(
        actor=None, name="Ban Dân vận 1", kind=OrgKind.MOBILIZATION_BOARD, unit=units[1]
    )
    officer = make_user("officer_1", board, Role.OFFICER)
    seen = Unit.objects.filter(access.unit_filter(officer, "")).values_list("pk", flat=True)
    assert sorted(seen) == [1]
    assert list(Unit.objects.subtree_of(units[1]).values_list("pk", flat=True)) == [1]
