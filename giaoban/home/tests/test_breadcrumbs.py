"""Breadcrumbs along the unit tree show the units the user may open, down to the page's unit."""

import re

from giaoban.orgs.models import Person


def _trail(html: str) -> list[str]:
    nav = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    return re.findall(r">([^<>]+)</(?:a|span)>", nav)


def test_a_person_page_shows_the_tree_down_to_their_unit(login, client):
    login("lanhdao_tinh")
    person = Person.objects.get(full_name="Vàng Bích Liên")
    html = client.get(f"/people/{person.pk}/").content.decode()
    assert _trail(html)[1:] == ["Tỉnh Lào Cai", "Thị xã Sa Pa"]


def test_units_above_the_users_own_are_left_out(login, client):
    login("canbo_sapa")
    person = Person.objects.get(full_name="Vàng Bích Liên")
    html = client.get(f"/people/{person.pk}/").content.decode()
    assert _trail(html)[1:] == ["Thị xã Sa Pa"]
