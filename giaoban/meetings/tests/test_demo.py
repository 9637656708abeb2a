"""The conference of 8 October 2021, as the scenario article gives it."""

import pytest
from django.core.management import call_command

from giaoban.meetings.demo import TITLE
from giaoban.meetings.models import Conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Conference.objects.get(title=TITLE)


def test_it_links_the_provincial_host_and_nine_district_level_points(conference):
    points = list(conference.points.order_by("-is_host", "order"))
    assert len(points) == 10 and points[0].is_host and points[0].name == "Điểm cầu tỉnh Lào Cai"
    assert "Điểm cầu thị xã Sa Pa" in [p.name for p in points]
    assert all(p.operator for p in points)


def test_it_is_chaired_by_vu_xuan_cuong_and_reviews_the_nine_month_report(conference):
    assert conference.chair.full_name == "Vũ Xuân Cường"
    assert str(conference.period) == "9 tháng năm 2021" and conference.report_form.code == "dan-van"
    assert conference.scheduled_start.date().isoformat() == "2021-10-08"


def test_sapas_delegates_are_exactly_the_articles(conference):
    sapa = conference.points.get(name="Điểm cầu thị xã Sa Pa")
    assert [d.designation for d in sapa.delegates.order_by("order")] == [
        "Phan Đăng Toàn - Tỉnh ủy viên, Bí thư Thị ủy, Chủ tịch HĐND thị xã",
        "Lê Mạnh Hảo - Uỷ viên BTV, Phó Chủ tịch Thường trực HĐND thị xã",
        "Phùng Mạnh Khang - Uỷ viên BTV, Trưởng Ban Tuyên giáo Thị uỷ, "
        "Giám đốc Trung tâm Chính trị thị xã",
        "Vàng Bích Liên - Uỷ viên BTV, Trưởng Ban Dân vận Thị uỷ",
        "Lãnh đạo MTTQ và các tổ chức chính trị - xã hội thị xã",
        "Lãnh đạo các chi, đảng bộ trực thuộc Thị uỷ",
    ]


def test_its_agenda_is_the_one_the_article_implies(conference):
    assert list(conference.agenda.values_list("kind", flat=True)) == [
        "opening",
        "report",
        "contributions",
        "direction",
        "conclusion",
    ]


def test_loading_twice_makes_one_conference(conference):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Conference.objects.filter(title=TITLE).count() == 1 and conference.points.count() == 10


def test_the_2026_briefing_links_the_new_lao_cai_and_its_99_wards_and_communes(conference):
    from giaoban.meetings.demo import TITLE_2026

    briefing = Conference.objects.get(title=TITLE_2026)
    host = briefing.points.get(is_host=True)
    assert (host.unit.code, host.operator.username) == ("15", "diemcau_tinh_2026")
    communes = briefing.points.filter(is_host=False).select_related("unit")
    assert communes.count() == 99
    assert all(p.unit.parent_id == host.unit_id and p.unit.level == 3 for p in communes)
    assert briefing.scheduled_start.year == 2026 and briefing.agenda.count() == 4
