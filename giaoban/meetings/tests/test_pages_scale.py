"""The conference page of a large briefing (issue 15): its forms never list thousands of points,
and the host still picks any point: the search of the bridge points (the unit's name, case and
diacritics ignored) lists the points found, and the forms offer those."""

import re

import pytest

from giaoban.core.text import fold
from giaoban.meetings.models import Delegate
from giaoban.orgs.models import Person

from .test_api_scale import large_briefing

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(tree, eve):
    found = large_briefing(tree, eve, 120, live=False)
    people = list(Person.objects.filter(search_key=""))  # bulk-created: found by their names
    for person in people:
        person.search_key = fold(person.full_name)
    Person.objects.bulk_update(people, ["search_key"])
    return found


def _options(page: str, form_id: str) -> list[str]:
    """The values of the point select of the form in the card `form_id`."""
    card = page.split(f'id="{form_id}"', 1)[1].split("</section>", 1)[0]
    select = card.split('name="point"', 1)[1].split("</select>", 1)[0]
    return [v for v in re.findall(r'<option value="(\d*)"', select) if v]


def test_the_forms_offer_the_page_not_every_point(client, large, eve):
    conference, ordered = large
    client.force_login(eve)
    page = client.get(f"/conferences/{conference.pk}/?q=chu tich").content.decode()
    offered = _options(page, "invite_form")
    assert offered == [str(p.pk) for p in ordered[:50]]  # the host point and the first page
    assert _options(page, "guest_form") == offered
    assert "Điểm cầu xã Thử Nghiệm X110" not in page


def test_the_host_finds_a_point_off_the_first_page_and_invites_a_delegate_there(client, large, eve):
    conference, ordered = large
    far = next(p for p in ordered if p.name == "Điểm cầu xã Thử Nghiệm X110")
    assert far not in ordered[:50]
    client.force_login(eve)
    found = client.get(f"/conferences/{conference.pk}/", {"points_q": "thu nghiem x110"})
    page = found.content.decode()
    assert "1 điểm cầu" in page and "<strong>Điểm cầu xã Thử Nghiệm X110</strong>" in page
    assert _options(page, "guest_form") == [str(ordered[0].pk), str(far.pk)]
    # The person's search keeps the points' search: the invite form offers the point found.
    person = Person.objects.get(full_name=f"Chủ tịch {far.unit.code}")
    both = client.get(
        f"/conferences/{conference.pk}/", {"points_q": "thu nghiem x110", "q": person.full_name}
    ).content.decode()
    assert str(far.pk) in _options(both, "invite_form")
    invited = client.post(
        f"/conferences/{conference.pk}/delegates/invite/",
        {"point": far.pk, "person": person.pk, "q": person.full_name},
    )
    assert invited.status_code == 302
    assert Delegate.objects.filter(point=far, person=person).exists()
    guest = client.post(
        f"/conferences/{conference.pk}/delegates/guest/",
        {"point": far.pk, "full_name": "Lê Văn Khách", "designation": ""},
    )
    assert guest.status_code == 302
    assert Delegate.objects.filter(point=far, is_guest=True, full_name="Lê Văn Khách").exists()


def test_a_refused_form_offers_the_point_it_chose_not_every_point(client, large, eve):
    conference, ordered = large
    far = ordered[100]
    client.force_login(eve)
    refused = client.post(
        f"/conferences/{conference.pk}/delegates/guest/",
        {"point": far.pk, "full_name": "", "designation": ""},
    )
    page = refused.content.decode()
    assert refused.status_code == 200
    offered = _options(page, "guest_form")
    assert str(far.pk) in offered and len(offered) == 51
    assert f'<option value="{far.pk}" selected>' in page


def test_the_pager_keeps_the_search(client, large, eve):
    conference, _ordered = large
    client.force_login(eve)
    page = client.get(f"/conferences/{conference.pk}/", {"points_q": "thu nghiem"}).content
    assert "points_page=2&amp;points_q=thu%20nghiem" in page.decode()


def _unit_options(page: str) -> list[str]:
    card = page.split('id="point_form"', 1)[1].split("</section>", 1)[0]
    select = card.split('name="unit"', 1)[1].split("</select>", 1)[0]
    return [v for v in re.findall(r'<option value="(\d*)"', select) if v]


def test_the_add_point_form_offers_the_units_a_search_finds_not_thousands(
    client, large, eve, monkeypatch
):
    from giaoban.meetings import views

    conference, ordered = large
    monkeypatch.setattr(views, "POINT_UNITS_OFFERED", 5)  # the country's communes, in small
    client.force_login(eve)
    page = client.get(f"/conferences/{conference.pk}/").content.decode()
    assert _unit_options(page) == []  # too many to list: the form asks for a search
    assert 'name="units_q"' in page and "đơn vị có thể đặt điểm cầu" in page
    far = ordered[100].unit
    found = client.get(f"/conferences/{conference.pk}/", {"units_q": far.name.upper()})
    page = found.content.decode()
    assert str(far.pk) in _unit_options(page) and len(_unit_options(page)) <= 5
    assert "đơn vị tìm thấy" in page
