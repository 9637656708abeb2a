"""The host console of a large conference (issue 15): what it receives on connecting and what
one change costs before it reaches it, at 1,000, 10,000 and 31,000 bridge points (the points
are rows in the database; no console is connected: "simulated").

"Before" is the code the host console ran until issue 15, still in the tree and measured in the
same run on the same rows: `state_cache.message(id)`, the whole state (every point's tile),
which the host received on connecting and on every sync. "After" is `state_cache.host_message`:
the room, the points needing attention and one page (meetings/live/pages.py).

The update: a point off the host's page comes online (`presence`). Before, the change carried
its tile and the host console received it; after, `broadcast.host_texts` (the attention count:
one COUNT) and `host_view` give it the counts only. Timed is the server's work from the change to
the text written to the host's socket, median of RUNS. Prints one JSON line for bench/__main__.
"""

import json
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")

import django

django.setup()

from datetime import UTC, datetime, timedelta  # noqa: E402

from django.core.management import call_command  # noqa: E402

from giaoban.meetings import services  # noqa: E402
from giaoban.meetings.live import broadcast, pages  # noqa: E402
from giaoban.meetings.live.cache import state_cache  # noqa: E402
from giaoban.meetings.models import BridgePoint, Conference, Incident, PointState  # noqa: E402
from giaoban.orgs.models import Level, Organization, OrgKind, Unit, UnitKind  # noqa: E402

NS = [int(n) for n in os.environ.get("BENCH_HOST_NS", "1000,10000,31000").split(",")]
RUNS = 5


def _conference(n: int) -> Conference:
    """A live conference with a host point and n communes' points; 2% lost their connection and
    a few have incidents, the rest online."""
    province = Unit.objects.create(
        code=f"H{n}", name=f"Tỉnh thử {n}", kind=UnitKind.PROVINCE, level=Level.PROVINCE
    )
    province.path = f"/{province.pk}/"
    province.save(update_fields=["path"])
    board = Organization.objects.create(
        name=f"Ban Dân vận thử {n}", kind=OrgKind.MOBILIZATION_BOARD, unit=province
    )
    start = datetime.now(UTC)
    conference = services.conference_create(
        actor=None,
        title=f"Hội nghị trực tuyến ({n} điểm cầu)",
        organizer=board,
        kind="thematic",
        start=start,
        end=start + timedelta(hours=3),
    )
    services.point_add(
        actor=None, conference=conference, unit=province, name="Điểm cầu chính", is_host=True
    )
    units = Unit.objects.bulk_create(
        Unit(
            code=f"{n}-{i:05d}",
            name=f"Xã Thử Nghiệm {i + 1}",
            kind=UnitKind.COMMUNE,
            level=Level.COMMUNE,
            parent=province,
            path=f"/{province.pk}/x{i}/",
        )
        for i in range(n)
    )
    points = BridgePoint.objects.bulk_create(
        BridgePoint(
            conference=conference,
            unit=unit,
            name=f"Điểm cầu xã Thử Nghiệm {i + 1}",
            order=i + 2,
            state=PointState.OFFLINE if i % 50 == 7 else PointState.ONLINE,
        )
        for i, unit in enumerate(units)
    )
    Incident.objects.bulk_create(Incident(point=p, kind="no_sound") for p in points[3:9])
    services.conference_transition(actor=None, conference=conference, action="start")
    return Conference.objects.get(pk=conference.pk)


def _median_ms(work) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = work()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def _update(conference: Conference, point_id: int, paged: bool) -> str:
    """The server's work for one presence change until the host's text: the change built once
    (as `broadcast._broadcast`), then, paged, the host's texts and its view."""
    message = broadcast.change(conference.pk, conference.seq, "presence", [point_id], [])
    if not paged:
        return broadcast.to_json(message)
    texts = broadcast.host_texts(message, conference.pk)
    return broadcast.host_view(texts, {conference.pk})


def _row(n: int) -> list[dict]:
    conference = _conference(n)
    far = BridgePoint.objects.filter(conference=conference).order_by("-order").first()
    # The whole state is cached per change number: timed cold, as the first console meets it.
    before_ms, before = _median_ms(
        lambda: (state_cache.clear(), state_cache.message(conference.pk))[1]
    )
    after_ms, (after, _held) = _median_ms(
        lambda: state_cache.host_message(conference.pk, pages.HostPage())
    )
    old_ms, old_text = _median_ms(lambda: _update(conference, far.pk, paged=False))
    new_ms, new_text = _median_ms(lambda: _update(conference, far.pk, paged=True))
    return [
        {
            "points": f"{n:,}",
            "host console": "before (whole state)",
            "connect bytes": f"{len(before.encode()):,}",
            "connect ms": f"{before_ms:.0f}",
            "update bytes": f"{len(old_text.encode()):,}",
            "update ms": f"{old_ms:.1f}",
        },
        {
            "points": f"{n:,}",
            "host console": "after (counts, attention, a page)",
            "connect bytes": f"{len(after.encode()):,}",
            "connect ms": f"{after_ms:.0f}",
            "update bytes": f"{len(new_text.encode()):,}",
            "update ms": f"{new_ms:.1f}",
        },
    ]


def main() -> None:
    call_command("migrate", verbosity=0)
    from django.conf import settings

    settings.LIVE_ALL_POINTS_UP_TO = 200
    rows = [row for n in NS for row in _row(n)]
    note = (
        "bench.live.host: the host console's connect payload (JSON bytes, before deflate) and the"
        " server's work for one change of a point off its page, median of 5; no console"
        " connected (the points are database rows). 'before' runs the code main had, still in"
        " the tree (state_cache.message), on the same rows in the same run."
    )
    print(json.dumps({"rows": rows, "note": note}))


if __name__ == "__main__":
    main()
