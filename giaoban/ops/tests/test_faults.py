"""Fault tests on a PostgreSQL cluster and a Redis of the test's own, stopped and restarted
under two running app processes: nothing is lost and nothing is applied twice.

- the database restarts while the app serves;
- Redis is lost (killed, its data gone) and comes back;
- a console's connection is cut in the middle of a change;
- a worker is killed in the middle of its job.
"""

import asyncio
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from giaoban.ops.tests.helpers import (
    ROOT,
    App,
    PostgresCluster,
    RedisServer,
    base_env,
    giaoban,
    python,
)
from giaoban.testing.live_scenario import PREPARE, console, until


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Own PostgreSQL and Redis, the live conference of the fan-out test, two app processes."""
    home = tmp_path_factory.mktemp("faults")
    postgres = PostgresCluster().init()
    redis = RedisServer(home).start()
    env = {
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url,
        "GIAOBAN_DATA_DIR": str(home / "var"),
    }
    apps = []
    try:
        giaoban("migrate", "--noinput", env=env)
        room = json.loads(python(PREPARE, env=env).strip().splitlines()[-1])
        python(MORE_ITEMS % room["conference"], env=env)
        # The token is alone on its line (stdout); the prefix note goes to stderr, with it here.
        created = giaoban("token", "create", "op_host", env=env)
        token = re.search(r"^gb_\S+$", created, re.MULTILINE).group(0)
        for name in "ab":
            apps.append(App(env, home / f"app-{name}.log", "--no-worker").start())
        yield {
            "postgres": postgres,
            "redis": redis,
            "env": env,
            "apps": apps,
            "token": token,
            "home": home,
            **room,
        }
    finally:
        for app in apps:
            app.stop()
        redis.kill()
        postgres.remove()


#: The fan-out test's conference has two agenda items; these tests advance further.
MORE_ITEMS = """
import django; django.setup()
from giaoban.meetings import services
from giaoban.meetings.models import Conference
conference = Conference.objects.get(pk=%d)
for title in ("Tham luận", "Phát biểu chỉ đạo", "Kết luận"):
    services.agenda_add(actor=None, conference=conference, kind="other", title=title)
"""


def _http(port: int, path: str, *, token: str | None = None, body: dict | None = None):
    """(status, JSON answer) from one app process."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _state(stack, app: int = 0) -> dict:
    status, answer = _http(
        stack["apps"][app].port,
        f"/api/v1/conferences/{stack['conference']}/state",
        token=stack["token"],
    )
    assert status == 200, answer
    return answer


def _act(stack, app: int, action: dict) -> tuple[int, dict]:
    return _http(
        stack["apps"][app].port,
        f"/api/v1/conferences/{stack['conference']}/actions",
        token=stack["token"],
        body=action,
    )


def _connect(port: int, conference_id: int, session: str):
    return console(f"http://127.0.0.1:{port}", conference_id, session)


def test_the_database_restarts_while_the_app_serves(stack):
    before = _state(stack, 0)
    _state(stack, 1)  # both processes hold connections to the old server

    stack["postgres"].stop()
    status, answer = _http(stack["apps"][0].port, "/health/ready")
    assert status == 503
    assert answer["checks"]["database"]["status"] == "failing"
    assert _http(stack["apps"][0].port, "/health/live") == (200, {"status": "ok"})
    stack["postgres"].start()

    # The very first requests after the restart are answered: no stale connection is used.
    for app in (0, 1, 0, 1):
        assert _state(stack, app)["seq"] == before["seq"]
    assert _http(stack["apps"][1].port, "/health/ready")[0] == 200
    status, answer = _act(stack, 1, {"action": "advance"})
    assert status == 200, answer
    after = _state(stack, 0)
    assert after["seq"] == before["seq"] + 1
    assert after["current_item"]["title"] == "Khai mạc"


def test_redis_lost_and_back(stack):
    conference = stack["conference"]
    start = _state(stack)

    async def scenario():
        point = await _connect(stack["apps"][1].port, conference, stack["point_session"])
        await until(point, lambda m: m["type"] == "state")

        stack["redis"].kill()
        # A change while Redis is away is made and kept; only its broadcast is lost.
        status, answer = _act(stack, 0, {"action": "advance"})
        assert status == 200, answer
        status, ready = _http(stack["apps"][0].port, "/health/ready")
        assert (status, ready["checks"]["redis"]["status"]) == (503, "failing")

        stack["redis"].start()  # empty: every group membership is gone
        # The console, as the real one does, pings with its number or reconnects when dropped,
        # and is brought up to date.
        point = await _resync(point, conference, stack)
        # A change made on the other process after Redis is back reaches it by broadcast.
        status, answer = _act(stack, 0, {"action": "advance"})
        assert status == 200, answer
        change = await until(
            point, lambda m: m["type"] == "change" and m["reason"] == "agenda.advanced"
        )
        await point.close()
        return change

    change = asyncio.run(scenario())
    # Each advance applied once: two items further, and the console shows what the server has.
    final = _state(stack, 1)
    assert final["current_item"]["order"] == start["current_item"]["order"] + 2
    assert change["room"]["current_item"] == final["current_item"]


async def _resync(point, conference, stack):
    from websockets.exceptions import ConnectionClosed

    seq = _state(stack)["seq"]
    try:
        await point.send(json.dumps({"action": "ping", "seq": -1}))
        state = await until(point, lambda m: m["type"] == "state")
    except ConnectionClosed:
        point = await _connect(stack["apps"][1].port, conference, stack["point_session"])
        state = await until(point, lambda m: m["type"] == "state")
    assert state["state"]["seq"] >= seq  # it holds the change made while Redis was away
    return point


def test_a_console_cut_in_the_middle_of_a_change(stack):
    conference = stack["conference"]

    async def scenario():
        host = await _connect(stack["apps"][0].port, conference, stack["host_session"])
        await until(host, lambda m: m["type"] == "state")
        point = await _connect(stack["apps"][1].port, conference, stack["point_session"])
        await until(point, lambda m: m["type"] == "state")
        await point.send(json.dumps({"action": "request_floor", "topic": "Tảo hôn"}))
        point.transport.abort()  # the network dies: no closing handshake

        # Not knowing whether it went through, the console reconnects and sends it again.
        point = await _connect(stack["apps"][1].port, conference, stack["point_session"])
        await until(point, lambda m: m["type"] == "state")
        await point.send(json.dumps({"action": "request_floor", "topic": "Tảo hôn"}))
        answer = await until(point, lambda m: m["type"] in ("change", "refused"))
        await point.close()
        requested = await until(
            host, lambda m: m["type"] == "change" and m["reason"] == "floor.requested"
        )
        await host.close()
        return answer, requested

    answer, requested = asyncio.run(scenario())
    assert answer["type"] in ("change", "refused")
    waiting = [r for r in _state(stack)["queue"] if r["point_id"] == stack["point"]]
    assert [r["topic"] for r in waiting] == ["Tảo hôn"]  # once, not twice
    assert requested["room"]["queue"] == _state(stack)["queue"]


REMINDERS = 12

PREPARE_REMINDERS = f"""
import django; django.setup()
from datetime import date, timedelta
from django.utils import timezone
from giaoban.followup import services
from giaoban.orgs import services as orgs
from giaoban.orgs.models import Level, OrgKind, Role, Unit, UnitKind
from giaoban.orgs.testing import make_user
province = Unit.objects.get(code="10")
board = orgs.organization_create(
    actor=None, name="Ban Dân vận (nhắc việc)", kind=OrgKind.MOBILIZATION_BOARD, unit=province
)
leads = []
for n in range({REMINDERS}):
    org = orgs.organization_create(
        actor=None, name=f"Hội Nông dân {{n}}", kind=OrgKind.FARMERS_UNION, unit=province
    )
    user = make_user(f"nhacviec{{n}}", org, Role.OFFICER)
    user.email = f"nhacviec{{n}}@example.gov.vn"
    user.save()
    leads.append(org)
services.task_create(
    actor=None, title="Báo cáo kết quả vận động", assigner=board,
    deadline=timezone.localdate() + timedelta(days=1), leads=leads,
    source_document_number="123-CV/BDV", source_document_date=date(2021, 10, 9),
)
"""


def test_a_worker_killed_in_the_middle_of_its_job(stack, tmp_path):
    env = stack["env"]
    python(PREPARE_REMINDERS, env=env)
    mailbox = tmp_path / "mailbox"
    mailbox.touch()
    hanging = base_env(
        env
        | {
            "EMAIL_BACKEND": "giaoban.ops.tests.mailbox.HangingBackend",
            "MAILBOX": str(mailbox),
            "MAILBOX_HANG_AFTER": "3",
        }
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "giaoban", "worker", "--once"],
        env=hanging,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    until = time.monotonic() + 60
    while not (tmp_path / "mailbox.hanging").exists() and worker.poll() is None:
        assert time.monotonic() < until, "the worker did not reach its fourth e-mail"
        time.sleep(0.05)
    worker.kill()  # SIGKILL while the fourth e-mail is in flight: no cleanup of any kind
    worker.wait()
    sent_before = len(mailbox.read_text().splitlines())
    assert sent_before == 3

    python(EXPIRE_CLAIMS, env=env)
    giaoban(
        "worker",
        "--once",
        env=env
        | {"EMAIL_BACKEND": "giaoban.ops.tests.mailbox.FileBackend", "MAILBOX": str(mailbox)},
    )
    recipients = [line.split("\t")[0] for line in mailbox.read_text().splitlines()]
    assert sorted(recipients) == sorted(f"nhacviec{n}@example.gov.vn" for n in range(REMINDERS))
    counted = python(COUNT_NOTIFICATIONS, env=env).split()
    assert counted == [str(REMINDERS), str(REMINDERS)]


#: The claims of the killed worker run out (after followup.services.EMAIL_CLAIM); here, at once.
EXPIRE_CLAIMS = """
import django; django.setup()
from django.utils import timezone
from giaoban.followup import services
from giaoban.followup.models import Notification
Notification.objects.filter(emailed_at__isnull=True, email_claimed_at__isnull=False).update(
    email_claimed_at=timezone.now() - services.EMAIL_CLAIM * 2
)
"""

COUNT_NOTIFICATIONS = """
import django; django.setup()
from giaoban.followup.models import Notification
rows = Notification.objects.filter(user__username__startswith="nhacviec")
print(rows.count(), rows.filter(emailed_at__isnull=False).count())
"""
