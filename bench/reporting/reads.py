"""bench.reporting (a): the consolidated reads of the nation, a province and a commune, in the
service and through GET /api/v1/reports/consolidated/ on a real server, in alternation."""

import http.client
import os
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from bench.reporting.common import data_dir, proc_peak_mb
from bench.reporting.dataset import DataSet
from giaoban.core.services import token_create
from giaoban.orgs.models import Unit
from giaoban.reporting import selectors
from giaoban.testing.servers import Served, tail

READS, WARMUP = 200, 3  # per target, of each kind
#: The bench's own server counts each token's requests like any other (the limiter stays on
#: the measured path) but allows this many: the product's default, 600/m, is fewer than the
#: 609 reads (3 targets x (200 + 3 warm-ups)) the bench makes in about a minute, and the API
#: answered them with 429 (issue 15).
BENCH_TOKEN_RATE = "1000000/m"


@dataclass
class Target:
    label: str
    unit: Unit


def targets(data: DataSet) -> list[Target]:
    # The province with most communes in the data set: the heaviest province-level read.
    counts = {}
    for c in data.communes:
        counts[c.parent_id] = counts.get(c.parent_id, 0) + 1
    province = Unit.objects.get(pk=max(counts, key=counts.get))
    return [
        Target("nation", data.nation),
        Target(f"province {province.code} {province.name}", province),
        Target(f"commune {data.communes[0].code} {data.communes[0].name}", data.communes[0]),
    ]


def superuser():
    user = get_user_model().objects.filter(username="bench").first()
    return user or get_user_model().objects.create_superuser("bench", "bench@example.invalid", None)


def _get(conn: http.client.HTTPConnection, path: str, token: str) -> bytes:
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return body


def _ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _paired(service, http) -> tuple[list[float], list[float]]:
    """One service read, then one HTTP read, READS times (after WARMUP of each): on a shared
    machine whose load comes and goes, both kinds meet the same load, so their ratio holds."""
    for _ in range(WARMUP):
        service()
        http()
    pairs = [(_ms(service), _ms(http)) for _ in range(READS)]
    return sorted(s for s, _h in pairs), sorted(h for _s, h in pairs)


def reads(user, data, targets) -> tuple[dict, dict, float | None]:
    """Each target's service and HTTP reads (one keep-alive connection to a real server), and
    the server's peak memory after them. The server's limit per token is BENCH_TOKEN_RATE."""
    _token, raw = token_create(username=user.username, name="bench")
    form, _v = data.forms["year"]
    period = data.periods["year"][-1]
    log = data_dir() / "server.log"
    served = Served({**os.environ, "API_TOKEN_RATE": BENCH_TOKEN_RATE}, log).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)
        service, api = {}, {}
        for t in targets:
            path = (
                f"/api/v1/reports/consolidated/"
                f"?form={form.code}&period={period.pk}&unit={t.unit.code}"
            )
            service[t.label], api[t.label] = _paired(
                lambda t=t: selectors.consolidate(user=user, unit=t.unit, form=form, period=period),
                lambda path=path: _get(conn, path, raw),
            )
        conn.close()
        return service, api, proc_peak_mb(served.process.pid)
    except Exception as exc:
        raise RuntimeError(f"{exc}; server log: {tail(log, 1000)}") from exc
    finally:
        served.stop()
