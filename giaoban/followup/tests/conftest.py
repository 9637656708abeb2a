"""Tasks on the registry's test tree: the provincial board assigns to Sa Pa and Bát Xát (and,
where a test needs them, to seven more district-level boards: nine in all, as in 2021)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.translation import gettext

from giaoban.followup import services
from giaoban.meetings import services as meeting_services
from giaoban.orgs import services as org_services
from giaoban.orgs.models import Level, OrgKind, UnitKind

VN = ZoneInfo("Asia/Ho_Chi_Minh")
GIVEN = datetime(2021, 10, 8, 17, 0, tzinfo=VN)
DEADLINE = date(2021, 12, 31)
SERIES = "giao-ban-dan-van"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _english():
    """Services' messages compared as their English msgids, whatever the Vietnamese catalog says
    (pages are compared with `vi()`, the text a Vietnamese page shows)."""
    with translation.override("en"):
        yield


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def conference_make(organizer, *, title, start: datetime, series=SERIES):
    return meeting_services.conference_create(
        actor=None,
        title=title,
        organizer=organizer,
        kind="nine",
        start=start,
        end=start.replace(hour=start.hour + 3),
        series=series,
    )


@pytest.fixture
def conference(tree):
    return conference_make(
        tree["board"],
        title="Giao ban công tác dân vận 9 tháng năm 2021",
        start=datetime(2021, 10, 8, 14, 0, tzinfo=VN),
    )


@pytest.fixture
def conclusion(conference):
    return meeting_services.conclusion_add(
        actor=None,
        conference=conference,
        text="Tiếp tục tuyên truyền, vận động Nhân dân chủ động tiêm phòng vắc xin.",
    )


def task_make(tree, conclusion, *, leads=None, actor=None, deadline=DEADLINE, **extra):
    return services.task_create(
        actor=actor,
        title=extra.pop("title", conclusion.text),
        assigner=tree["board"],
        deadline=deadline,
        leads=leads or [tree["sapa_board"], tree["batxat_board"]],
        source_conclusion=conclusion,
        created_at=GIVEN,
        **extra,
    )


@pytest.fixture
def task(tree, conclusion):
    return task_make(tree, conclusion)


@pytest.fixture
def sapa(task, tree):
    return task.assignments.get(organization=tree["sapa_board"])


@pytest.fixture
def batxat(task, tree):
    return task.assignments.get(organization=tree["batxat_board"])


@pytest.fixture
def nine_boards(tree):
    """The two districts' boards of the tree and seven more: Lào Cai's nine of 2021."""
    boards = [tree["sapa_board"], tree["batxat_board"]]
    for code, name in [
        ("080", "Thành phố Lào Cai"),
        ("083", "Huyện Mường Khương"),
        ("084", "Huyện Si Ma Cai"),
        ("085", "Huyện Bắc Hà"),
        ("086", "Huyện Bảo Thắng"),
        ("087", "Huyện Bảo Yên"),
        ("089", "Huyện Văn Bàn"),
    ]:
        unit = org_services.unit_create(
            code=code,
            name=name,
            kind=UnitKind.DISTRICT,
            level=Level.DISTRICT,
            parent=tree["laocai"],
        )
        boards.append(
            org_services.organization_create(
                actor=None,
                name=f"Ban Dân vận {name}",
                kind=OrgKind.MOBILIZATION_BOARD,
                unit=unit,
                parent=tree["board"],
            )
        )
    return boards


@pytest.fixture
def with_emails(alice, bob, charlie, dave):
    for user in (alice, bob, charlie, dave):
        user.email = f"{user.username}@example.gov.vn"
        user.save(update_fields=["email"])
    return {"alice": alice, "bob": bob, "charlie": charlie, "dave": dave}
