"""The registry's pages as officials see them: the unit tree opens on today, and a unit's page
keeps the data's technical source to administrators."""

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from giaoban.orgs.models import Unit


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_units_page_opens_on_today_even_for_a_unit_that_has_ended(tree, alice):
    # alice's province is the 2021 one, which ended on 30/06/2025.
    response = _client(alice).get(reverse("orgs:unit_tree"))
    assert response.context["day"] == timezone.localdate()
    html = response.content.decode()
    assert timezone.localdate().strftime("%d/%m/%Y") in html
    # Nothing of hers exists today: the page offers her unit's last day.
    assert response.context["home_last_day"].isoformat() == "2025-06-30"
    assert 'href="?on=2025-06-30"' in html


def test_a_unit_that_still_exists_is_offered_no_other_day(tree, eve):
    response = _client(eve).get(reverse("orgs:unit_tree"))
    assert response.context["day"] == timezone.localdate()
    assert response.context["home_last_day"] is None
    assert "Tỉnh Lào Cai" in response.content.decode()


def test_a_units_source_is_for_administrators_only(tree, bob, admin_user):
    Unit.objects.filter(pk=tree["sapa"].pk).update(source="vietnamadminunits 1.0.4 (PyPI)")
    url = reverse("orgs:unit_detail", args=[tree["sapa"].pk])
    assert "vietnamadminunits" not in _client(bob).get(url).content.decode()
    assert "vietnamadminunits" in _client(admin_user).get(url).content.decode()


def test_an_ended_units_page_opens_on_its_last_day(tree, bob):
    # Sa Pa town ended on 30/06/2025: its page shows it as it was, with its ward.
    url = reverse("orgs:unit_detail", args=[tree["sapa"].pk])
    response = _client(bob).get(url)
    assert response.context["day"].isoformat() == "2025-06-30"
    assert response.context["valid"]
    assert "Phường Sa Pa" in response.content.decode()
