"""The registry's rules: trees across the 2025 reform, designations, search."""

import unicodedata
from datetime import date

import pytest

from giaoban.orgs import selectors, services
from giaoban.orgs.models import Unit

pytestmark = pytest.mark.django_db

IN_2021 = date(2021, 10, 8)
IN_2025 = date(2025, 8, 1)


def test_it_answers_children_of_a_province_in_2021_with_its_district_level(tree, alice):
    children = selectors.unit_children(user=alice, on=IN_2021, parent=tree["laocai"])
    assert [u.name for u in children] == ["Huyện Bát Xát", "Thị xã Sa Pa"]


def test_it_answers_children_of_the_new_province_in_2025_with_communes_only(tree, admin_user):
    children = selectors.unit_children(user=admin_user, on=IN_2025, parent=tree["laocai_new"])
    assert [(u.name, u.level) for u in children] == [("Phường Sa Pa", 3)]


def test_it_resolves_a_repeated_code_at_a_date(tree, admin_user):
    old = selectors.unit_by_code(user=admin_user, code="02893", on=IN_2021)
    new = selectors.unit_by_code(user=admin_user, code="02893", on=IN_2025)
    assert old == tree["sapa_ward"] and new == tree["sapa_new"]


def test_it_shows_no_legacy_province_after_the_reform(tree, admin_user):
    roots = selectors.unit_children(user=admin_user, on=IN_2025)
    assert [u.code for u in roots] == ["15"]


def test_it_keeps_the_lineage_of_a_merged_unit(tree):
    links = selectors.unit_predecessors(unit=tree["laocai_new"])
    assert [link.predecessor for link in links] == [tree["laocai"]]
    assert [link.successor for link in selectors.unit_successors(unit=tree["sapa_ward"])] == [
        tree["sapa_new"]
    ]


def test_it_finds_a_subtree_by_path(tree):
    subtree = Unit.objects.subtree_of(tree["laocai"])
    assert set(subtree) == {
        tree["laocai"],
        tree["sapa"],
        tree["batxat"],
        tree["sapa_ward"],
        tree["batxat_commune"],
    }


def test_it_rebuilds_paths_after_a_move(tree):
    Unit.objects.filter(pk=tree["sapa_ward"].pk).update(parent=tree["batxat"])
    services.units_rebuild_paths()
    assert tree["sapa_ward"] in [u for u in Unit.objects.subtree_of(tree["batxat"])]


def test_it_writes_the_designation_in_protocol_order(tree):
    toan = selectors.person_get(user=_superuser(), pk=tree["toan"].pk)
    assert toan.designation(IN_2021) == "Phan Đăng Toàn - Tỉnh ủy viên, Bí thư Thị ủy"


def test_it_leaves_ended_positions_out_of_the_designation(tree):
    position = tree["toan"].positions.get(title="Tỉnh ủy viên")
    services.position_end(actor=None, position=position, end_date=date(2022, 1, 1))
    toan = selectors.person_get(user=_superuser(), pk=tree["toan"].pk)
    assert toan.designation(IN_2021) == "Phan Đăng Toàn - Tỉnh ủy viên, Bí thư Thị ủy"
    assert toan.designation(date(2023, 1, 1)) == "Phan Đăng Toàn - Bí thư Thị ủy"


def test_it_writes_a_bare_name_for_a_person_without_positions(tree):
    assert tree["batxat_person"].designation() == "Nguyễn Văn Bình"


@pytest.mark.parametrize(
    "query",
    [
        "Phan Đăng Toàn",
        "phan dang toan",
        "PHAN ĐĂNG",
        unicodedata.normalize("NFD", "Đăng Toàn"),
        "tinh uy vien",
        "Tỉnh uỷ viên",  # old tone placement
        "Tỉnh ủy viên",
    ],
)
def test_it_finds_a_person_whatever_the_spelling(tree, alice, query):
    found = selectors.person_search(user=alice, text=query)
    assert tree["toan"] in found


def test_it_finds_units_and_organizations_without_diacritics(tree, alice):
    assert tree["sapa"] in selectors.unit_search(user=alice, text="thi xa sa pa")
    assert tree["sapa_board"] in selectors.organization_search(
        user=alice, text="BAN DAN VAN THI UY"
    )


def test_it_stores_decomposed_input_as_nfc(tree):
    person = services.person_create(
        actor=None, full_name=unicodedata.normalize("NFD", "Vàng Bích Liên"), unit=tree["sapa"]
    )
    person.refresh_from_db()
    assert unicodedata.is_normalized("NFC", person.full_name)
    assert person.full_name == "Vàng Bích Liên"


def test_it_records_who_changed_a_person(tree, bob):
    from giaoban.core.models import AuditEntry

    services.person_update(
        actor=bob,
        person=tree["toan"],
        version=tree["toan"].version,
        full_name="Phan Đăng Toàn",
        unit=tree["sapa"],
        note="Bí thư Thị ủy từ 2020",
    )
    entry = AuditEntry.objects.filter(action="person.update").get()
    assert entry.actor == bob
    assert entry.before["note"] == "" and entry.after["note"] == "Bí thư Thị ủy từ 2020"


def test_it_refuses_a_save_based_on_a_stale_version(tree, bob):
    from giaoban.core.errors import ConcurrentEdit

    stale = tree["toan"].version
    services.person_update(
        actor=bob,
        person=tree["toan"],
        version=stale,
        full_name="Phan Đăng Toàn",
        unit=tree["sapa"],
        note="first",
    )
    with pytest.raises(ConcurrentEdit):
        services.person_update(
            actor=bob,
            person=tree["toan"],
            version=stale,
            full_name="Phan Đăng Toàn",
            unit=tree["sapa"],
            note="second",
        )
    tree["toan"].refresh_from_db()
    assert tree["toan"].note == "first"


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", password="x-correct-42")


def test_it_lists_a_units_organizations_in_protocol_order(tree, alice):
    orgs = selectors.organizations_at(user=alice, unit=tree["laocai"], on=IN_2021)
    assert [o.name for o in orgs] == ["Tỉnh ủy Lào Cai", "Ban Dân vận Tỉnh ủy Lào Cai"]
