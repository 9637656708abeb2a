"""Inviting at scale: every commune of the new Lào Cai as a bridge point in one step, with its
operator and its delegates by position as of the conference's day; the next briefing of a series
starting from the last one's points and delegates."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from giaoban.core.errors import InvalidInput, PermissionDenied
from giaoban.core.models import AuditEntry
from giaoban.core.text import fold
from giaoban.meetings import invitations, services
from giaoban.meetings.invitations import PositionPick
from giaoban.meetings.models import BridgePoint, Delegate
from giaoban.orgs.models import (
    Level,
    Membership,
    Organization,
    OrgKind,
    Person,
    Position,
    Role,
    Unit,
    UnitKind,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BOARD_HEAD = PositionPick(OrgKind.MOBILIZATION_BOARD)  # the head: lowest protocol rank
FRONT_HEAD = PositionPick(OrgKind.FATHERLAND_FRONT, "Chủ tịch")


def communes(province: Unit, n: int, *, tag: str = "x", operators: bool = True) -> list[Unit]:
    """n communes under `province`, each with its mobilization board (a head and a deputy), its
    Front committee (a chairman) and, with `operators`, an operator account."""
    units = Unit.objects.bulk_create(
        Unit(
            code=f"{tag}{i:05d}",
            name=f"Xã Thử Nghiệm {tag.upper()}{i + 1}",
            search_key=fold(f"Xã Thử Nghiệm {tag.upper()}{i + 1}"),
            kind=UnitKind.COMMUNE,
            level=Level.COMMUNE,
            parent=province,
            valid_from=date(2025, 7, 1),
        )
        for i in range(n)
    )
    for unit in units:
        unit.path = f"{province.path}{unit.pk}/"
    Unit.objects.bulk_update(units, ["path"])
    boards = Organization.objects.bulk_create(
        Organization(name=f"Ban Dân vận Đảng ủy {u.name}", kind=OrgKind.MOBILIZATION_BOARD, unit=u)
        for u in units
    )
    fronts = Organization.objects.bulk_create(
        Organization(name=f"Ủy ban MTTQ {u.name}", kind=OrgKind.FATHERLAND_FRONT, unit=u)
        for u in units
    )
    people = Person.objects.bulk_create(
        Person(full_name=f"{role} {u.code}", unit=u)
        for u in units
        for role in ("Trưởng", "Phó", "Chủ tịch")
    )
    Position.objects.bulk_create(
        Position(person=people[3 * i + k], organization=org, title=title, protocol_rank=rank)
        for i, (board, front) in enumerate(zip(boards, fronts, strict=True))
        for k, org, title, rank in [
            (0, board, "Trưởng Ban Dân vận Đảng ủy xã", 10),
            (1, board, "Phó Trưởng Ban Dân vận Đảng ủy xã", 20),
            (2, front, "Chủ tịch Ủy ban MTTQ Việt Nam xã", 10),
        ]
    )
    if operators:
        users = get_user_model().objects.bulk_create(
            get_user_model()(username=f"op_{u.code}") for u in units
        )
        Membership.objects.bulk_create(
            Membership(user=user, organization=board, role=Role.OPERATOR)
            for user, board in zip(users, boards, strict=True)
        )
    return units


@pytest.fixture
def briefing(tree, eve):
    """The 2026 briefing of the new Lào Cai, organized by eve's board, hosted at the province."""
    conference = services.conference_create(
        actor=None,
        title="Giao ban công tác dân vận năm 2026",
        organizer=eve.membership.organization,
        kind="monthly",
        series="giao-ban-lao-cai-moi",
        start=datetime(2026, 1, 15, 8, 0, tzinfo=VN),
        end=datetime(2026, 1, 15, 11, 0, tzinfo=VN),
    )
    services.point_add(
        actor=None,
        conference=conference,
        unit=tree["laocai_new"],
        name="Điểm cầu tỉnh Lào Cai",
        is_host=True,
    )
    return conference


def invite(conference, province, actor=None, picks=(BOARD_HEAD, FRONT_HEAD)):
    return invitations.points_invite_level(
        actor=actor, conference=conference, parent=province, level=Level.COMMUNE, picks=picks
    )


def test_it_invites_every_commune_with_its_operator_and_delegates_by_position(tree, eve, briefing):
    made = communes(tree["laocai_new"], 12)
    result = invite(briefing, tree["laocai_new"], actor=eve)
    # 12 new communes and the fixture's Phường Sa Pa (no organizations, no operator)
    assert (result.points, result.delegates, result.without_operator) == (13, 24, 1)
    points = {p.unit_id: p for p in briefing.points.filter(is_host=False)}
    assert len(points) == 13 and tree["sapa_new"].pk in points
    first = points[made[0].pk]
    assert first.name == "Điểm cầu xã Thử Nghiệm X1"
    assert first.operator.username == f"op_{made[0].code}"
    assert list(first.delegates.values_list("designation", flat=True)) == [
        f"Trưởng {made[0].code} - Trưởng Ban Dân vận Đảng ủy xã",
        f"Chủ tịch {made[0].code} - Chủ tịch Ủy ban MTTQ Việt Nam xã",
    ]
    assert sorted(p.order for p in points.values()) == list(range(2, 15))
    entry = AuditEntry.objects.get(action="points.invite", object_id=str(briefing.pk))
    assert entry.actor == eve and entry.after["points"] == 13 and entry.after["delegates"] == 24


def test_a_person_who_left_the_position_before_the_day_is_not_invited(tree, briefing):
    made = communes(tree["laocai_new"], 2)
    head = Position.objects.get(person__full_name=f"Trưởng {made[0].code}")
    head.end_date = date(2025, 12, 31)  # left before the conference's day
    head.save()
    deputy = Position.objects.get(person__full_name=f"Phó {made[0].code}")
    invite(briefing, tree["laocai_new"], picks=[BOARD_HEAD])
    point = briefing.points.get(unit=made[0])
    # The head gone, the mobilization board's head on the day is the deputy (next rank).
    assert [d.person_id for d in point.delegates.all()] == [deputy.person_id]
    assert not Delegate.objects.filter(person=head.person).exists()
    other = briefing.points.get(unit=made[1]).delegates.get()
    assert other.full_name == f"Trưởng {made[1].code}"


def test_inviting_again_adds_only_what_is_missing(tree, briefing):
    communes(tree["laocai_new"], 5)
    invite(briefing, tree["laocai_new"])
    communes(tree["laocai_new"], 2, tag="y")
    again = invite(briefing, tree["laocai_new"])
    assert (again.points, again.delegates, again.already_points) == (2, 4, 6)
    assert briefing.points.count() == 1 + 6 + 2
    third = invite(briefing, tree["laocai_new"])
    assert (third.points, third.delegates, third.already_points) == (0, 0, 8)
    assert Delegate.objects.filter(point__conference=briefing).count() == 14


def test_it_is_refused_for_anyone_but_the_host(tree, briefing, alice, bob):
    communes(tree["laocai_new"], 3)
    for outsider in (alice, bob):
        with pytest.raises(PermissionDenied):
            invite(briefing, tree["laocai_new"], actor=outsider)
    assert briefing.points.count() == 1
    assert not AuditEntry.objects.filter(action="points.invite").exists()


def test_bad_choices_are_refused_naming_what_is_wrong(tree, briefing):
    with pytest.raises(InvalidInput) as level:
        invitations.points_invite_level(
            actor=None, conference=briefing, parent=tree["laocai_new"], level=Level.PROVINCE
        )
    assert "level" in level.value.errors
    with pytest.raises(InvalidInput) as kind:
        invite(briefing, tree["laocai_new"], picks=[PositionPick("no_such_kind")])
    assert "positions" in kind.value.errors
    with pytest.raises(InvalidInput) as gone:
        invite(briefing, tree["laocai"])  # the old province ended on 30/06/2025
    assert "parent" in gone.value.errors
    assert briefing.points.count() == 1


def _queries(conference, province) -> int:
    with CaptureQueriesContext(connection) as queries:
        invite(conference, province)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_communes(
    tree, briefing, django_assert_max_num_queries
):
    """5 communes or 300 (with 600 delegates): the same queries, bounded."""
    communes(tree["laocai_new"], 5)
    small = _queries(briefing, tree["laocai_new"])
    other = services.conference_create(
        actor=None,
        title="Giao ban công tác dân vận tháng 2 năm 2026",
        organizer=briefing.organizer,
        kind="monthly",
        start=datetime(2026, 2, 15, 8, 0, tzinfo=VN),
        end=datetime(2026, 2, 15, 11, 0, tzinfo=VN),
    )
    communes(tree["laocai_new"], 300, tag="y")
    with django_assert_max_num_queries(small):
        result = invite(other, tree["laocai_new"])
    assert (result.points, result.delegates) == (306, 610)
    assert small <= 20


def test_a_conference_of_a_series_starts_from_the_previous_ones_points(tree, eve, briefing):
    made = communes(tree["laocai_new"], 4)
    invite(briefing, tree["laocai_new"])
    services.delegate_add_guest(
        actor=None,
        point=briefing.points.get(unit=made[1]),
        full_name="Lãnh đạo các chi bộ trực thuộc",
    )
    left = Position.objects.get(person__full_name=f"Chủ tịch {made[2].code}")
    left.end_date = date(2026, 1, 31)  # the Front's chairman leaves after January's briefing
    left.save()
    february = services.conference_create(
        actor=None,
        title="Giao ban công tác dân vận tháng 2 năm 2026",
        organizer=briefing.organizer,
        kind="monthly",
        series=briefing.series,
        start=datetime(2026, 2, 12, 8, 0, tzinfo=VN),
        end=datetime(2026, 2, 12, 11, 0, tzinfo=VN),
    )
    assert invitations.conference_previous(february) == briefing
    copied = invitations.points_copy_from(actor=eve, conference=february, source=briefing)
    assert (copied.points, copied.delegates, copied.delegates_left) == (6, 7, 1)
    assert february.points.get(is_host=True).unit == tree["laocai_new"]
    point = february.points.get(unit=made[1])
    assert point.operator.username == f"op_{made[1].code}"
    assert not point.delegates.filter(is_guest=True).exists()
    assert not Delegate.objects.filter(point__conference=february, person=left.person).exists()
    again = invitations.points_copy_from(actor=eve, conference=february, source=briefing)
    assert (again.points, again.already_points) == (0, 6)
    assert BridgePoint.objects.filter(conference=february).count() == 6


def _auth(user) -> dict:
    from giaoban.core.services import token_create

    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=user.username)[1]}"}


def test_the_api_invites_for_the_host_and_refuses_anyone_else(client, tree, eve, bob, briefing):
    communes(tree["laocai_new"], 3)
    url = f"/api/v1/conferences/{briefing.pk}/points/invite"
    body = {
        "parent": tree["laocai_new"].pk,
        "level": 3,
        "positions": [{"kind": "mobilization_board"}, {"kind": "fatherland_front", "title": "Chủ"}],
    }
    refused = client.post(url, body, content_type="application/json", **_auth(bob))
    assert refused.status_code in (403, 404) and briefing.points.count() == 1
    done = client.post(url, body, content_type="application/json", **_auth(eve))
    assert done.status_code == 200, done.content
    assert done.json() == {"points": 4, "delegates": 6, "without_operator": 1, "already_points": 0}
    bad = client.post(url, body | {"level": 1}, content_type="application/json", **_auth(eve))
    assert bad.status_code == 400 and "level" in bad.content.decode()


def test_the_page_invites_the_communes_and_the_record_pages_its_points(client, tree, eve, briefing):
    communes(tree["laocai_new"], 60)
    client.force_login(eve)
    page = client.get(f"/conferences/{briefing.pk}/points/invite/")
    assert page.status_code == 200 and "Tỉnh Lào Cai (15)" in page.content.decode()
    posted = client.post(
        f"/conferences/{briefing.pk}/points/invite/",
        {
            "form": "level",
            "parent": tree["laocai_new"].pk,
            "level": 3,
            "kind_1": "mobilization_board",
        },
    )
    assert posted.status_code == 302 and briefing.points.count() == 62
    record = client.get(f"/conferences/{briefing.pk}/?points_page=2")
    text = record.content.decode()
    assert "(62)" in text and "<strong>Điểm cầu xã Thử Nghiệm X60</strong>" in text
    assert "<strong>Điểm cầu xã Thử Nghiệm X10</strong>" not in text
    assert "points_page=1" in text


def test_a_point_operator_may_not_open_the_invitation_page(client, tree, briefing, bob):
    client.force_login(bob)
    assert client.get(f"/conferences/{briefing.pk}/points/invite/").status_code in (403, 404)


def test_the_api_and_the_page_copy_the_previous_conference_of_the_series(
    client, tree, eve, briefing
):
    communes(tree["laocai_new"], 3)
    invite(briefing, tree["laocai_new"])
    march, april = (
        services.conference_create(
            actor=None,
            title=f"Giao ban công tác dân vận tháng {month} năm 2026",
            organizer=briefing.organizer,
            kind="monthly",
            series=briefing.series if month == 3 else "",
            start=datetime(2026, month, 10, 8, 0, tzinfo=VN),
            end=datetime(2026, month, 10, 11, 0, tzinfo=VN),
        )
        for month in (3, 4)
    )
    copied = client.post(
        f"/api/v1/conferences/{march.pk}/points/copy",
        {},
        content_type="application/json",
        **_auth(eve),
    )
    assert copied.status_code == 200, copied.content
    assert (copied.json()["points"], copied.json()["delegates"]) == (5, 6)
    alone = client.post(
        f"/api/v1/conferences/{april.pk}/points/copy",
        {},
        content_type="application/json",
        **_auth(eve),
    )
    assert alone.status_code == 400 and april.points.count() == 0  # no series, no previous
    client.force_login(eve)
    page = client.get(f"/conferences/{april.pk}/points/invite/")
    assert page.status_code == 200
    posted = client.post(
        f"/conferences/{april.pk}/points/invite/", {"form": "copy", "source": march.pk}
    )
    assert posted.status_code == 302 and april.points.count() == 5


def test_at_scale_the_hosts_point_console_lists_the_points_around_the_one_shown(
    client, tree, eve, briefing, settings
):
    settings.LIVE_ALL_POINTS_UP_TO = 20
    communes(tree["laocai_new"], 120, operators=False)
    invite(briefing, tree["laocai_new"], picks=())
    shown = briefing.points.get(order=60)
    client.force_login(eve)
    page = client.get(f"/conferences/{briefing.pk}/point/?point={shown.pk}").content.decode()
    links = page.count('href="?point=')
    assert links == 1 + 51  # the host point, and 25 on either side of the one shown
    assert f'href="?point={shown.pk}" aria-current="page"' in page
