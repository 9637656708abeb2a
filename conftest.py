"""Standing test users, as in the style guide: alice at the province, bob at Sa Pa, charlie at
Bát Xát (another district), dave a viewer at Sa Pa, and a small
Lào Cai tree across the 2025 reform."""

import os
import subprocess
from datetime import date

import pytest

from giaoban.orgs import services
from giaoban.orgs.models import Level, OrgKind, Role, UnitKind
from giaoban.orgs.testing import make_user

LEGACY_END = date(2025, 6, 30)
REFORM = date(2025, 7, 1)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database of this run's own on a shared server (test_<name>_<pid>): two runs on one
    machine (two checkouts, CI and a developer) never drop each other's database."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_{os.getpid()}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Production hashing is slow on purpose; tests create many users and logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_live_room_memory():
    # The live room keeps per-process memory keyed by conference id (the whole state per change
    # number, pings); test databases reuse ids, so every test starts with it empty.
    from giaoban.meetings.live.cache import state_cache
    from giaoban.meetings.live.presence import heartbeats

    state_cache.clear()
    heartbeats.reset()


@pytest.fixture(autouse=True)
def _fresh_refusal_scores():
    # Clients refused too often wait (core/offenders.py); a test's refusals are not the next's.
    from giaoban.core.offenders import offenders

    offenders.clear()


@pytest.fixture(autouse=True)
def _fresh_media_pool_memory():
    # The pages' list of media servers is kept 10 s per process; a test's servers are not the
    # next test's.
    from giaoban.media import pool

    pool.forget()


@pytest.fixture
def large_ids(db):
    """Rows created after this fixture get ids of five digits (12346 on), as in a database that
    has lived a while: a page must write such an id as it is, never as a number to read ("12.346",
    the Vietnamese thousands). Ask for it first, before the fixtures whose rows it concerns. Tests
    on an in-memory SQLite otherwise only ever see small ids, since each test's rollback takes
    the counters back (PostgreSQL's sequences are not rolled back: there, ids pass 1000 only
    after enough tests, in the full run)."""
    from django.apps import apps
    from django.db import connection

    start = 12345
    with connection.cursor() as cursor:
        for model in apps.get_models():
            meta = model._meta
            if (
                not meta.managed
                or meta.proxy
                or not meta.pk.get_internal_type().endswith("AutoField")
            ):
                continue
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(s::regclass, GREATEST(%s, nextval(s::regclass))) "
                    "FROM pg_get_serial_sequence(%s, %s) AS s",
                    [start, meta.db_table, meta.pk.column],
                )
            else:  # SQLite's AUTOINCREMENT counters
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s",
                    [start, meta.db_table],
                )
                if cursor.rowcount == 0:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                        [meta.db_table, start],
                    )


@pytest.fixture
def tree(db):
    """Lào Cai (10) with Sa Pa town and Bát Xát district and a commune each, until 30/06/2025;
    the new Lào Cai (15) from 01/07/2025 with one merged commune."""
    u = services.unit_create
    t = {}
    t["laocai"] = u(
        code="10",
        name="Tỉnh Lào Cai",
        kind=UnitKind.PROVINCE,
        level=Level.PROVINCE,
        valid_to=LEGACY_END,
    )
    t["sapa"] = u(
        code="088",
        name="Thị xã Sa Pa",
        kind=UnitKind.TOWN,
        level=Level.DISTRICT,
        parent=t["laocai"],
        valid_to=LEGACY_END,
    )
    t["batxat"] = u(
        code="082",
        name="Huyện Bát Xát",
        kind=UnitKind.DISTRICT,
        level=Level.DISTRICT,
        parent=t["laocai"],
        valid_to=LEGACY_END,
    )
    t["sapa_ward"] = u(
        code="02893",
        name="Phường Sa Pa",
        kind=UnitKind.WARD,
        level=Level.COMMUNE,
        parent=t["sapa"],
        valid_to=LEGACY_END,
    )
    t["batxat_commune"] = u(
        code="02695",
        name="Xã Bản Qua",
        kind=UnitKind.COMMUNE,
        level=Level.COMMUNE,
        parent=t["batxat"],
        valid_to=LEGACY_END,
    )
    t["laocai_new"] = u(
        code="15",
        name="Tỉnh Lào Cai",
        kind=UnitKind.PROVINCE,
        level=Level.PROVINCE,
        valid_from=REFORM,
    )
    t["sapa_new"] = u(
        code="02893",
        name="Phường Sa Pa",
        kind=UnitKind.WARD,
        level=Level.COMMUNE,
        parent=t["laocai_new"],
        valid_from=REFORM,
    )
    services.lineage_add(
        predecessor=t["sapa_ward"], successor=t["sapa_new"], kind="merged", day=REFORM
    )
    services.lineage_add(
        predecessor=t["laocai"], successor=t["laocai_new"], kind="merged", day=REFORM
    )
    o = services.organization_create
    t["board"] = o(
        actor=None,
        name="Ban Dân vận Tỉnh ủy Lào Cai",
        kind=OrgKind.MOBILIZATION_BOARD,
        unit=t["laocai"],
    )
    t["party"] = o(
        actor=None, name="Tỉnh ủy Lào Cai", kind=OrgKind.PARTY_COMMITTEE, unit=t["laocai"]
    )
    t["sapa_board"] = o(
        actor=None,
        name="Ban Dân vận Thị ủy Sa Pa",
        kind=OrgKind.MOBILIZATION_BOARD,
        unit=t["sapa"],
        parent=t["board"],
    )
    t["sapa_party"] = o(
        actor=None, name="Thị ủy Sa Pa", kind=OrgKind.PARTY_COMMITTEE, unit=t["sapa"]
    )
    t["batxat_board"] = o(
        actor=None,
        name="Ban Dân vận Huyện ủy Bát Xát",
        kind=OrgKind.MOBILIZATION_BOARD,
        unit=t["batxat"],
        parent=t["board"],
    )
    p = services.person_create
    t["toan"] = p(actor=None, full_name="Phan Đăng Toàn", unit=t["sapa"])
    services.position_add(
        actor=None,
        person=t["toan"],
        organization=t["party"],
        title="Tỉnh ủy viên",
        protocol_rank=10,
    )
    services.position_add(
        actor=None,
        person=t["toan"],
        organization=t["sapa_party"],
        title="Bí thư Thị ủy",
        protocol_rank=20,
    )
    t["batxat_person"] = p(actor=None, full_name="Nguyễn Văn Bình", unit=t["batxat"])
    return t


@pytest.fixture
def alice(tree):
    """Officer of the provincial mobilization board."""
    return make_user("alice", tree["board"], Role.OFFICER)


@pytest.fixture
def bob(tree):
    """Officer of Sa Pa's mobilization board."""
    return make_user("bob", tree["sapa_board"], Role.OFFICER)


@pytest.fixture
def charlie(tree):
    """Officer of Bát Xát's mobilization board: another district, no access to Sa Pa."""
    return make_user("charlie", tree["batxat_board"], Role.OFFICER)


@pytest.fixture
def dave(tree):
    """A viewer at Sa Pa: may read, not change."""
    return make_user("dave", tree["sapa_board"], Role.VIEWER)


@pytest.fixture
def eve(tree):
    """An officer of the new (2025) province: no relation at all to 2021's records."""
    org = services.organization_create(
        actor=None,
        name="Ban Dân vận Tỉnh ủy Lào Cai (từ 2025)",
        kind=OrgKind.MOBILIZATION_BOARD,
        unit=tree["laocai_new"],
    )
    return make_user("eve", org, Role.OFFICER)


#: Modules that start servers of their own (a browser, Janus, nginx, a PostgreSQL and a Redis of
#: their own): the database under test changes nothing for them, so `make test` runs them in its
#: SQLite pass only (`-m "not once"` in the PostgreSQL pass).
ONCE = {
    "giaoban/core/tests/test_layout_browser.py",
    "giaoban/core/tests/test_security_browser.py",
    "giaoban/ops/tests/test_tour.py",
    "giaoban/media/tests/test_browser.py",
    "giaoban/media/tests/test_faults.py",
    "giaoban/ops/tests/test_deploy.py",
    "giaoban/ops/tests/test_faults.py",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.split("::")[0] in ONCE:
            item.add_marker(pytest.mark.once)
    _deselect_postgres_only(config, items)


def _deselect_postgres_only(config, items) -> None:
    """A test of what only PostgreSQL does (two writers racing on a row lock) is left out of a
    SQLite run, as deselected, not skipped: under CI nothing may skip, and `make test` runs it in
    its PostgreSQL pass."""
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    dropped = [item for item in items if item.get_closest_marker("postgres_only")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]


#: What the tests that skip outside CI need from Debian (browser, media, fan-out, deployment,
#: fault and PDF tests), for the command that would run them.
TEST_PACKAGES = [
    "chromium",
    "janus",
    "janus-tools",
    "libjs-janus-gateway",
    "libjs-webrtc-adapter",
    "redis-server",
    "nginx",
    "postgresql",
    "libreoffice-writer-nogui",  # the documents' PDFs (giaoban/documents/pdf.py)
    "fonts-liberation2",
    "fonts-liberation",
]


def pytest_terminal_summary(terminalreporter):
    """A run with skips ends by naming them and the command that installs what they lacked: a
    skip scrolled past is a test nobody knows did not run."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    terminalreporter.section(f"{len(skipped)} skipped: what did not run, and why")
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        terminalreporter.write_line(f"{report.nodeid}: {str(reason).removeprefix('Skipped: ')}")
    command = _install_command(TEST_PACKAGES)
    if command:
        terminalreporter.write_line(f"To run them, install what this machine lacks: {command}")
        terminalreporter.write_line("then run `make test` again.")


def _install_command(packages: list[str]) -> str:
    script = os.path.join(os.path.dirname(__file__), "scripts", "debian-packages.sh")
    result = subprocess.run(
        ["bash", script, "--print", *packages], capture_output=True, text=True, check=False
    )
    return result.stdout.strip()
