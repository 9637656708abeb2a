"""Inviting at national size: the 3,321 communes of the 2025 structure as bridge points of one
conference, each with its operator and two delegates chosen by position (the head of its
mobilization board and the chairman of its Front committee), in one step; then the next
conference of the series copied from it; beside the old way, one point and its delegates at a
time. Prints one JSON line of rows for bench/__main__.py.
"""

import json
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")

import django

django.setup()

from datetime import date, datetime, timedelta  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from giaoban.meetings import invitations, services  # noqa: E402
from giaoban.orgs.models import (  # noqa: E402
    Level,
    Membership,
    Organization,
    OrgKind,
    Person,
    Position,
    Role,
    Unit,
)

RUNS = 3
ONE_BY_ONE = 100  # points invited the old way, then extrapolated
VN = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = datetime(2026, 2, 7, 8, 0, tzinfo=VN)
PICKS = [
    invitations.PositionPick(OrgKind.MOBILIZATION_BOARD),
    invitations.PositionPick(OrgKind.FATHERLAND_FRONT, "Chủ tịch"),
]


def _registry() -> list[Unit]:
    """The 2025 units, and at each commune a board and a Front committee with their heads and
    an operator account."""
    call_command("migrate", verbosity=0)
    call_command("load_units", structure="2025", verbosity=0)
    communes = list(Unit.objects.filter(level=Level.COMMUNE, valid_to__isnull=True))
    orgs = Organization.objects.bulk_create(
        Organization(name=f"{label} {u.name} ({u.code})", kind=kind, unit=u)
        for u in communes
        for kind, label in [
            (OrgKind.MOBILIZATION_BOARD, "Ban Dân vận Đảng ủy"),
            (OrgKind.FATHERLAND_FRONT, "Ủy ban MTTQ Việt Nam"),
        ]
    )
    people = Person.objects.bulk_create(
        Person(full_name=f"Nguyễn Văn {u.code}{k}", unit=u) for u in communes for k in "ab"
    )
    Position.objects.bulk_create(
        Position(person=person, organization=org, title=title, protocol_rank=10)
        for person, org, title in zip(
            people,
            orgs,
            ["Trưởng Ban Dân vận Đảng ủy xã", "Chủ tịch Ủy ban MTTQ Việt Nam xã"] * len(communes),
            strict=True,
        )
    )
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"op_{u.code}") for u in communes
    )
    Membership.objects.bulk_create(
        Membership(user=user, organization=org, role=Role.OPERATOR)
        for user, org in zip(users, orgs[::2], strict=True)
    )
    return communes


def _conference(organizer, n: int, series: str = ""):
    start = DAY + timedelta(days=n)
    return services.conference_create(
        actor=None,
        title=f"Hội nghị trực tuyến toàn quốc {n}",
        organizer=organizer,
        kind="thematic",
        series=series,
        start=start,
        end=start + timedelta(hours=3),
    )


def _timed(work) -> tuple[float, int, object]:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = work()
        elapsed = (time.perf_counter() - start) * 1000
    return elapsed, len(queries), result


def _one_by_one(organizer, communes) -> float:
    """The old way for ONE_BY_ONE communes: point_add and delegate_invite each."""
    conference = _conference(organizer, 99)
    heads = {}
    for position in Position.objects.select_related("organization", "person"):
        heads.setdefault(position.organization.unit_id, []).append(position.person)
    start = time.perf_counter()
    for unit in communes[:ONE_BY_ONE]:
        point = services.point_add(
            actor=None, conference=conference, unit=unit, name=invitations.point_name(unit)
        )
        for person in heads.get(unit.pk, []):
            services.delegate_invite(actor=None, point=point, person=person)
    return (time.perf_counter() - start) * 1000 / ONE_BY_ONE


def main() -> None:
    communes = _registry()
    organizer = Organization.objects.create(
        name="Ban Dân vận Trung ương",
        kind=OrgKind.MOBILIZATION_BOARD,
        unit=Unit.objects.filter(level=Level.PROVINCE, valid_to__isnull=True).first(),
        valid_from=date(2025, 7, 1),
    )
    times, last = [], None
    for run in range(RUNS):
        conference = _conference(organizer, run, series="toan-quoc")
        elapsed, queries, result = _timed(
            lambda c=conference: invitations.points_invite_level(
                actor=None, conference=c, parent=None, level=Level.COMMUNE, picks=PICKS
            )
        )
        times.append(elapsed)
        last = conference
    rows = [
        {
            "operation": f"invite every commune in one step (median of {RUNS})",
            "points": result.points,
            "delegates": result.delegates,
            "queries": queries,
            "ms": f"{statistics.median(times):.0f}",
        }
    ]
    following = _conference(organizer, RUNS, series="toan-quoc")
    elapsed, queries, copied = _timed(
        lambda: invitations.points_copy_from(actor=None, conference=following, source=last)
    )
    rows.append(
        {
            "operation": "copy them into the next conference of the series",
            "points": copied.points,
            "delegates": copied.delegates,
            "queries": queries,
            "ms": f"{elapsed:.0f}",
        }
    )
    per_point = _one_by_one(organizer, communes)
    rows.append(
        {
            "operation": f"the old way, one point at a time ({ONE_BY_ONE} timed, x{len(communes)})",
            "points": len(communes),
            "delegates": 2 * len(communes),
            "queries": "~15 per point",
            "ms": f"{per_point * len(communes):.0f}",
        }
    )
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
