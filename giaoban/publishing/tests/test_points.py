"""The bridge points a text names, put at the unit of the registry their name names (one unit of
the organizer's province, valid on the conference's day), else at the organizer's unit with a
note on the review page."""

from datetime import date

import pytest
from django.urls import reverse

from giaoban.meetings.models import BridgePoint
from giaoban.orgs.models import Organization, Unit
from giaoban.publishing import selectors, services
from giaoban.publishing.reader import read
from giaoban.publishing.tests.test_pages import vi
from giaoban.publishing.tests.test_services import _review

pytestmark = pytest.mark.django_db

TEXT = """Chiều 08/10/2021, Ban Dân vận Tỉnh ủy tổ chức hội nghị giao ban với chín điểm cầu.
Dự và chỉ đạo tại điểm cầu tỉnh Lào Cai có đồng chí Vũ Xuân Cường - Phó Bí thư Thường trực Tỉnh ủy.
Dự tại điểm cầu huyện Bát Xát có đồng chí Hoàng Quốc Khánh - Bí thư Huyện ủy Bát Xát.
Dự tại điểm cầu Sa Pa có đồng chí Vàng Bích Liên - Trưởng Ban Dân vận Thị ủy.
Dự tại điểm cầu xã Nậm Không Có có đồng chí Lò Văn Minh - Chủ tịch UBND xã."""


@pytest.fixture
def board(demo):
    return Organization.objects.get(name="Ban Dân vận Tỉnh ủy Lào Cai")


def _place(leader, board, place, day=date(2021, 10, 8)):
    return selectors.point_place(user=leader, place=place, organizer=board, day=day)


def test_the_text_names_the_points_it_is_read_for():
    points = [p["point"] for p in read(TEXT)["persons"]]
    assert points == ["tỉnh Lào Cai", "huyện Bát Xát", "Sa Pa", "xã Nậm Không Có"]


@pytest.mark.parametrize(
    ("place", "unit"),
    [
        ("huyện Bát Xát", "Huyện Bát Xát"),
        ("Huyện Bát Xát", "Huyện Bát Xát"),
        ("huyen bat xat", None),  # no capitals: no unit named
        ("thị xã Sa Pa", "Thị xã Sa Pa"),
        ("trụ sở UBND huyện Bảo Thắng", "Huyện Bảo Thắng"),
        ("thị trấn Bát Xát", "Thị trấn Bát Xát"),  # not the district of the same name
    ],
)
def test_a_point_goes_to_the_one_unit_its_name_names(leader, board, place, unit):
    found = _place(leader, board, place)
    assert (found.unit.name if found.unit else None) == unit


def test_an_ambiguous_name_leaves_the_point_at_the_organizers_unit(leader, board):
    found = _place(leader, board, "Sa Pa")  # the town and the ward
    assert found.unit is None
    assert {u.name for u in found.candidates} >= {"Thị xã Sa Pa", "Phường Sa Pa"}


def test_an_unknown_name_leaves_it_there_too(leader, board):
    found = _place(leader, board, "xã Nậm Không Có")
    assert found.unit is None and found.candidates == []


def test_only_units_valid_on_the_day_match(leader, board):
    assert _place(leader, board, "huyện Bát Xát", day=date(2025, 8, 1)).unit is None


def test_only_units_of_the_organizers_province_match(leader, board):
    elsewhere = Unit.objects.exclude(path__startswith=board.unit.path).filter(name="Phường Sa Pa")
    assert elsewhere.exists()  # the new Lào Cai's ward, from 1 July 2025
    found = _place(leader, board, "phường Sa Pa", day=date(2025, 8, 1))
    assert found.unit is None and found.candidates == []


def test_saving_puts_each_point_at_its_unit(demo, leader, board):
    item = services.text_import(actor=leader, text=TEXT)
    conference = services.text_import_save(actor=leader, item=item, review=_review(board, {}))
    points = BridgePoint.objects.filter(conference=conference).order_by("order")
    units = {p.name: p.unit.name for p in points}
    assert list(units.items())[:4] == [
        ("Điểm cầu tỉnh Lào Cai", board.unit.name),
        ("Điểm cầu huyện Bát Xát", "Huyện Bát Xát"),
        ("Điểm cầu Sa Pa", board.unit.name),
        ("Điểm cầu xã Nậm Không Có", board.unit.name),
    ]
    # "với chín điểm cầu": the other six are the province's districts that have no point yet.
    assert points.filter(is_host=False).count() == 9
    others = [p.unit for p in points[4:]]
    assert all(u.parent == board.unit for u in others)
    assert "Huyện Bát Xát" not in {u.name for u in others}


def test_the_review_page_says_in_vietnamese_where_each_point_goes(client, demo, leader):
    client.force_login(leader)
    item = services.text_import(actor=leader, text=TEXT)
    page = client.get(reverse("publishing:review", args=[item.pk]), HTTP_ACCEPT_LANGUAGE="vi")
    html = page.content.decode()
    assert "Huyện Bát Xát" in html
    several = vi(
        "Several units of the registry match (%(units)s): the point is kept at the "
        "organizer's unit."
    )
    assert several.split("(")[0] in html and "Phường Sa Pa" in html
    none = vi(
        "No unit of the registry matches this name in the organizer's province: the point is "
        "kept at the organizer's unit."
    )
    assert none in html.replace("&#x27;", "'")
    assert several != (
        "Several units of the registry match (%(units)s): the point is kept at the "
        "organizer's unit."
    )
