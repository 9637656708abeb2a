"""A briefing on the registry's test tree: the province hosts, Sa Pa and Bát Xát are bridge points,
each with an operator; Phan Đăng Toàn is a delegate at Sa Pa."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from giaoban.meetings import services
from giaoban.orgs.models import Role
from giaoban.orgs.testing import make_user

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def operators(tree):
    return {
        "host": make_user("op_host", tree["board"], Role.OPERATOR),
        "sapa": make_user("op_sapa", tree["sapa_board"], Role.OPERATOR),
        "batxat": make_user("op_batxat", tree["batxat_board"], Role.OPERATOR),
    }


@pytest.fixture
def conference(tree, operators):
    conference = services.conference_create(
        actor=None,
        title="Giao ban công tác dân vận 9 tháng năm 2021",
        organizer=tree["board"],
        kind="nine",
        start=datetime(2021, 10, 8, 14, 0, tzinfo=VN),
        end=datetime(2021, 10, 8, 17, 0, tzinfo=VN),
        series="giao-ban-dan-van",
    )
    services.point_add(
        actor=None,
        conference=conference,
        unit=tree["laocai"],
        name="Điểm cầu tỉnh Lào Cai",
        is_host=True,
        operator=operators["host"],
    )
    services.point_add(
        actor=None,
        conference=conference,
        unit=tree["sapa"],
        name="Điểm cầu thị xã Sa Pa",
        location="Hội trường Thị ủy",
        operator=operators["sapa"],
    )
    services.point_add(
        actor=None,
        conference=conference,
        unit=tree["batxat"],
        name="Điểm cầu huyện Bát Xát",
        operator=operators["batxat"],
    )
    for kind, title in [
        ("opening", "Khai mạc"),
        ("report", "Báo cáo kết quả công tác dân vận 9 tháng"),
        ("contributions", "Tham luận, ý kiến"),
        ("direction", "Phát biểu chỉ đạo"),
        ("conclusion", "Kết luận"),
    ]:
        services.agenda_add(actor=None, conference=conference, kind=kind, title=title)
    return conference


@pytest.fixture
def points(conference):
    return {p.unit.code: p for p in conference.points.select_related("unit")}


@pytest.fixture
def live_conference(conference):
    return services.conference_transition(actor=None, conference=conference, action="start")
