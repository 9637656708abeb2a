"""The Lào Cai 2021 scenario: everyone the article names, exactly as it names them, loaded once."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from giaoban.orgs.models import Organization, Person, Position, Unit, UnitLineage

pytestmark = pytest.mark.django_db

BRIEFING = date(2021, 10, 8)

ARTICLE_DESIGNATIONS = {
    "Vũ Xuân Cường": "Vũ Xuân Cường - Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh",
    "Phan Đăng Toàn": "Phan Đăng Toàn - Tỉnh ủy viên, Bí thư Thị ủy, Chủ tịch HĐND thị xã",
    "Lê Mạnh Hảo": "Lê Mạnh Hảo - Uỷ viên BTV, Phó Chủ tịch Thường trực HĐND thị xã",
    "Phùng Mạnh Khang": "Phùng Mạnh Khang - Uỷ viên BTV, Trưởng Ban Tuyên giáo Thị uỷ, "
    "Giám đốc Trung tâm Chính trị thị xã",
    "Vàng Bích Liên": "Vàng Bích Liên - Uỷ viên BTV, Trưởng Ban Dân vận Thị uỷ",
}


def _counts():
    models = [Unit, UnitLineage, Organization, Person, Position, get_user_model()]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def demo(capsys):
    call_command("demo")
    return capsys.readouterr().out


def test_it_loads_lao_cai_with_its_nine_district_level_units(demo):
    province = Unit.objects.on(BRIEFING).get(code="10")
    names = sorted(u.short_name for u in Unit.objects.on(BRIEFING).filter(parent=province))
    assert names == sorted(
        [
            "Lào Cai",
            "Sa Pa",
            "Bát Xát",
            "Mường Khương",
            "Si Ma Cai",
            "Bắc Hà",
            "Bảo Thắng",
            "Bảo Yên",
            "Văn Bàn",
        ]
    )
    assert Unit.objects.subtree_of(province).filter(level=3).count() > 100


def test_it_writes_every_person_of_the_article_as_the_article_does(demo):
    for name, designation in ARTICLE_DESIGNATIONS.items():
        assert Person.objects.get(full_name=name).designation(BRIEFING) == designation


def test_it_has_the_mobilization_boards_of_the_province_and_the_nine_districts(demo):
    boards = Organization.objects.filter(kind="mobilization_board")
    # The 2021 province's board, and the new Lào Cai's (2025: merged with propaganda's).
    assert set(boards.filter(unit__level=1).values_list("name", flat=True)) == {
        "Ban Dân vận Tỉnh ủy Lào Cai",
        "Ban Tuyên giáo và Dân vận Tỉnh ủy Lào Cai",
    }
    assert boards.filter(unit__level=2).count() == 9
    assert boards.get(unit__code="088").name == "Ban Dân vận Thị ủy Sa Pa"


def test_it_has_the_front_and_the_socio_political_organizations_of_sapa(demo):
    kinds = set(Organization.objects.filter(unit__code="088").values_list("kind", flat=True))
    assert {
        "fatherland_front",
        "farmers_union",
        "womens_union",
        "youth_union",
        "veterans_union",
    } <= kinds


def test_it_marks_what_the_article_does_not_give_as_illustrative(demo):
    assert Organization.objects.get(name="Ban Dân vận Huyện ủy Bát Xát").is_illustrative
    assert not Organization.objects.get(name="Ban Dân vận Thị ủy Sa Pa").is_illustrative


def test_it_prints_the_demo_logins(demo):
    for login in ["lanhdao_tinh", "canbo_tinh", "canbo_sapa", "canbo_batxat", "quantri"]:
        assert login in demo
    assert "giaoban2021" in demo


def test_its_users_work_where_the_scenario_says(demo, client):
    client.login  # noqa: B018 — logins go through axes, so log in as a browser would
    response = client.post(
        "/accounts/login/", {"username": "canbo_sapa", "password": "giaoban2021"}
    )
    assert response.status_code == 302
    # The page opens on today, when Sa Pa town no longer exists, and offers its last day.
    today = client.get("/units/").content.decode()
    assert 'href="?on=2025-06-30"' in today
    body = client.get("/units/?on=2025-06-30").content.decode()
    assert "Thị xã Sa Pa" in body
    assert "Huyện Bát Xát" not in body


def test_loading_it_twice_duplicates_nothing(demo):
    before = _counts()
    call_command("demo")
    assert _counts() == before


def test_it_carries_lao_cai_across_the_2025_reform(demo):
    after = date(2025, 8, 1)
    new_province = Unit.objects.on(after).get(code="15")
    assert set(
        Unit.objects.on(after).filter(parent=new_province).values_list("level", flat=True)
    ) == {3}
    assert not Unit.objects.on(after).filter(code="10").exists()
    phan_si_pang = Unit.objects.on(BRIEFING).get(code="03006")
    [link] = UnitLineage.objects.filter(predecessor=phan_si_pang)
    assert link.successor.name == "Phường Sa Pa" and link.date == date(2025, 7, 1)
