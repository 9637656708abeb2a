"""bench.reporting (a): the consolidated reads of the nation, a province and a commune, in the
service and through GET /api/v1/reports/consolidated/ on a real server."""

import http.client
import os
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from bench.reporting.common import data_dir, proc_peak_mb, samples
from bench.reporting.dataset import DataSet
from giaoban.core.services import token_create
from giaoban.orgs.models import Unit
from giaoban.reporting import selectors
from giaoban.testing.servers import Served, tail

READ_RUNS, HTTP_RUNS = 200, 200
#: The bench's own server counts each token's requests like any other (the limiter stays on
#: the measured path) but allows this many: the product's default, 600/m, is less than one
#: target's 200 reads and 3 warm-ups a minute times three targets, and answered 429 (issue 15).
BENCH_TOKEN_RATE = "1000000/m"

# (a) Consolidated reads --------------------------------------------------------------------


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


def service_reads(user, data, targets) -> dict[str, list[float]]:
    form, _v = data.forms["year"]
    period = data.periods["year"][-1]
    return {
        t.label: samples(
            lambda t=t: selectors.consolidate(user=user, unit=t.unit, form=form, period=period),
            READ_RUNS,
        )
        for t in targets
    }


def _get(conn: http.client.HTTPConnection, path: str, token: str) -> bytes:
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return body


def http_reads(user, data, targets) -> tuple[dict[str, list[float]], float | None]:
    """The same reads through the API on a real server (one keep-alive connection), and the
    server's peak memory after them. The server's limit per token is BENCH_TOKEN_RATE."""
    _token, raw = token_create(username=user.username, name="bench")
    form, _v = data.forms["year"]
    period = data.periods["year"][-1]
    log = data_dir() / "server.log"
    served = Served({**os.environ, "API_TOKEN_RATE": BENCH_TOKEN_RATE}, log).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)
        results = {}
        for t in targets:
            path = (
                f"/api/v1/reports/consolidated/"
                f"?form={form.code}&period={period.pk}&unit={t.unit.code}"
            )
            results[t.label] = samples(lambda path=path: _get(conn, path, raw), HTTP_RUNS)
        conn.close()
        return results, proc_peak_mb(served.process.pid)
    except Exception as exc:
        raise RuntimeError(f"{exc}; server log: {tail(log, 1000)}") from exc
    finally:
        served.stop()
