"""One search across units, organizations, people, conferences and tasks: case, diacritics and
tone placement ignored, and only what the user may see."""

import pytest

from giaoban.home import selectors
from giaoban.meetings.demo import TITLE

from .conftest import vi

SAPA_MEMBERS_OF_THE_STANDING_COMMITTEE = {"Lê Mạnh Hảo", "Phùng Mạnh Khang", "Vàng Bích Liên"}


def _people(found) -> set[str]:
    return {p.full_name for p in found.people}


@pytest.mark.parametrize("query", ["Uỷ viên BTV", "Ủy viên BTV", "uy vien btv", "UỶ VIÊN btv"])
def test_old_and_new_tone_placement_and_no_accents_find_the_same_people(login, query):
    user = login("canbo_sapa")
    found = selectors.search(user=user, text=query)
    assert _people(found) == SAPA_MEMBERS_OF_THE_STANDING_COMMITTEE


def test_decomposed_input_finds_the_same(login):
    import unicodedata

    user = login("canbo_sapa")
    found = selectors.search(user=user, text=unicodedata.normalize("NFD", "Ủy viên BTV"))
    assert _people(found) == SAPA_MEMBERS_OF_THE_STANDING_COMMITTEE


def test_organizations_with_uy_in_either_spelling(login):
    user = login("lanhdao_tinh")
    old = {o.name for o in selectors.search(user=user, text="Thị uỷ Sa Pa").organizations}
    new = {o.name for o in selectors.search(user=user, text="Thị ủy Sa Pa").organizations}
    bare = {o.name for o in selectors.search(user=user, text="thi uy sa pa").organizations}
    assert "Thị ủy Sa Pa" in old and old == new == bare


def test_conferences_and_tasks_are_found_without_accents(login):
    user = login("canbo_batxat")
    found = selectors.search(user=user, text="giao ban cong tac dan van 9 thang")
    assert [c.title for c in found.conferences] == [TITLE]
    tasks = selectors.search(user=user, text="mo hinh dan van kheo").tasks
    assert [t.title for t in tasks] == ["Đẩy mạnh xây dựng các mô hình dân vận khéo."]


def test_units_are_found_by_name_without_accents(login):
    user = login("lanhdao_tinh")
    names = {u.name for u in selectors.search(user=user, text="bat xat").units}
    assert "Huyện Bát Xát" in names


def test_search_hides_what_the_user_may_not_see(login):
    user = login("canbo_batxat")
    found = selectors.search(user=user, text="sa pa")
    assert found.people == [] and found.organizations == []
    assert all(u.path.startswith(user.membership.organization.unit.path) for u in found.units)
    assert _people(selectors.search(user=user, text="uy vien btv")) == set()


def test_another_province_sees_nothing_of_lao_cai_2021(demo, db, eve):
    found = selectors.search(user=eve, text="giao ban")
    assert found.conferences == [] and found.tasks == []
    assert selectors.search(user=eve, text="Vàng Bích Liên").people == []


def test_the_search_page_lists_results_by_kind(login, client):
    login("canbo_sapa")
    html = client.get("/search/", {"q": "Uỷ viên"}).content.decode()
    assert "Vàng Bích Liên - Uỷ viên BTV, Trưởng Ban Dân vận Thị uỷ" in html
    assert vi("People") in html


def test_one_letter_asks_for_more(login, client):
    login("canbo_sapa")
    response = client.get("/search/", {"q": "a"})
    assert response.context["found"] is None
    assert vi("Type at least two letters.") in response.content.decode()


def test_the_search_needs_a_login(demo, db, client):
    assert client.get("/search/", {"q": "sa pa"}).status_code == 302


def test_the_api_searches_the_same_way_with_a_token(login, client):
    user = login("canbo_sapa")
    client.logout()
    from giaoban.core.services import token_create

    _token, secret = token_create(username=user.username)
    response = client.get(
        "/api/v1/search", {"q": "Ủy viên BTV"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    people = {hit["label"].split(" - ")[0] for hit in response.json()["results"]}
    assert people == SAPA_MEMBERS_OF_THE_STANDING_COMMITTEE


def test_the_api_search_needs_authentication(demo, db, client):
    assert client.get("/api/v1/search", {"q": "sa pa"}).status_code == 401
