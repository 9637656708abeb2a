"""Backup and restore: the demo data and an uploaded document come back whole in an empty
installation (SQLite, and PostgreSQL across backends when one is reachable); a damaged archive
and a non-empty installation are refused without touching anything."""

import hashlib
import io
import json
import re
import shutil
import tarfile

import pytest
from django.core.management import CommandError, call_command

from giaoban.core.errors import ApplicationError
from giaoban.ops import backup
from giaoban.ops.tests.helpers import giaoban, python, scratch_database

DOCUMENT = b"%PDF-1.4\n% giaoban backup test: bao cao 9 thang\n%%EOF\n"

ATTACH = (
    "import django; django.setup(); "
    "from giaoban.ops.tests.test_backup import attach_document; attach_document()"
)
INVENTORY = (
    "import json, django; django.setup(); "
    "from giaoban.ops.tests.test_backup import inventory; print(json.dumps(inventory()))"
)


def attach_document() -> None:
    """Run in a subprocess: attach a document to the demo conference's first agenda item."""
    from django.core.files.base import ContentFile

    from giaoban.meetings.models import AgendaItem, Document

    item = AgendaItem.objects.order_by("conference_id", "order").first()
    document = Document(
        item=item, original_name="Báo cáo 9 tháng.pdf", content_type="application/pdf"
    )
    document.size = len(DOCUMENT)
    document.file.save("upload", ContentFile(DOCUMENT))


def inventory() -> dict:
    """Run in a subprocess: every report, conference and task, and the documents' bytes."""
    from giaoban.followup.models import Assignment, Task
    from giaoban.meetings.models import Conference, Document
    from giaoban.reporting.models import Report, ReportValue

    def rows(queryset, *fields):
        return [list(map(str, row)) for row in queryset.order_by("pk").values_list(*fields)]

    return {
        "reports": rows(Report.objects, "pk", "organization_id", "period_id", "status"),
        "values": ReportValue.objects.count(),
        "conferences": rows(Conference.objects, "pk", "title", "status", "scheduled_start"),
        "tasks": rows(Task.objects, "pk", "title", "deadline"),
        "assignments": rows(Assignment.objects, "pk", "task_id", "organization_id", "status"),
        "documents": [
            [d.original_name, hashlib.sha256(d.file.read()).hexdigest()]
            for d in Document.objects.order_by("pk")
        ],
    }


# Session-scoped: pytest-django runs database tests apart from the others, which would end and
# restart a module-scoped fixture (and load the demo twice).
@pytest.fixture(scope="session")
def empty_sqlite(tmp_path_factory):
    """A migrated, empty SQLite database file, copied by each test that needs one."""
    home = tmp_path_factory.mktemp("template")
    giaoban("migrate", "--noinput", env=_sqlite(home))
    return home / "db.sqlite3"


def _sqlite(home) -> dict:
    return {"GIAOBAN_DATA_DIR": str(home), "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}"}


def _empty_installation(home, template) -> dict:
    home.mkdir(exist_ok=True)
    shutil.copy(template, home / "db.sqlite3")
    return _sqlite(home)


@pytest.fixture(scope="session")
def demo_backup(tmp_path_factory, empty_sqlite):
    """The demo installation (SQLite) with one uploaded document, its inventory and backup."""
    env = _empty_installation(tmp_path_factory.mktemp("source"), empty_sqlite)
    giaoban("demo", env=env)
    python(ATTACH, env=env)
    archive = tmp_path_factory.mktemp("backup") / "backup.tar.gz"
    giaoban("backup", str(archive), env=env)
    return archive, _inventory(env)


def _inventory(env) -> dict:
    return json.loads(python(INVENTORY, env=env).splitlines()[-1])


def _restored_inventory(archive, env, *options) -> dict:
    out = giaoban("restore", *options, str(archive), env=env)
    assert "Đã khôi phục" in out
    return _inventory(env)


def test_it_restores_the_demo_into_an_empty_sqlite_installation(
    demo_backup, empty_sqlite, tmp_path
):
    archive, before = demo_backup
    env = _empty_installation(tmp_path / "home", empty_sqlite)
    after = _restored_inventory(archive, env)
    assert before["reports"] and before["conferences"] and before["tasks"]
    assert before["values"] and before["assignments"]
    assert [sha for _, sha in before["documents"]] == [DOCUMENT_SHA]
    assert after == before

    # A second restore is refused: the installation holds data now. Told to, it replaces
    # everything, and keeps the files it held aside.
    refused = giaoban("restore", str(archive), env=env, ok=False)
    assert "Cài đặt này đã có dữ liệu" in refused
    assert _restored_inventory(archive, env, "--replace") == before
    assert list((tmp_path / "home").glob("media.before-restore-*"))


def test_it_crosses_from_sqlite_to_postgresql_and_back(
    demo_backup, empty_sqlite, postgres_server, tmp_path
):
    """Into a PostgreSQL database that has not even been migrated; then PostgreSQL's own
    backup into an empty SQLite installation."""
    archive, before = demo_backup
    with scratch_database(postgres_server, "giaoban_ops_restore") as url:
        env = {"GIAOBAN_DATA_DIR": str(tmp_path / "pg"), "DATABASE_URL": url}
        assert _restored_inventory(archive, env) == before
        again = tmp_path / "from-postgresql.tar.gz"
        giaoban("backup", str(again), env=env)
    env = _empty_installation(tmp_path / "sqlite", empty_sqlite)
    assert _restored_inventory(again, env) == before


def test_it_refuses_an_installation_that_holds_data(demo_backup, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive, _ = demo_backup
    with pytest.raises(ApplicationError, match="Cài đặt này đã có dữ liệu"):
        backup.backup_restore(source=archive)
    assert list(tmp_path.iterdir()) == []  # the unpacked copy is gone too


def _rewritten(archive, tmp_path, change) -> str:
    """A copy of the archive with one member's bytes changed by `change`."""
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("media/"):
                data = change(data)
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return damaged


@pytest.mark.parametrize(
    "damage",
    [
        lambda archive, tmp: _rewritten(archive, tmp, lambda b: b.replace(b"9", b"8")),
        lambda archive, tmp: _truncated(archive, tmp),
        lambda archive, tmp: _rewritten(archive, tmp, lambda b: b + b"x"),
        lambda archive, tmp: _with_member(archive, tmp, "../outside.txt"),
        lambda archive, tmp: _with_member(archive, tmp, "/etc/giaoban-test"),
    ],
    ids=[
        "a changed byte",
        "a truncated archive",
        "a longer file",
        "a path leaving the directory",
        "an absolute path",
    ],
)
def test_it_refuses_a_damaged_archive_and_changes_nothing(
    demo_backup, settings, tmp_path, damage, db
):
    archive, _ = demo_backup
    damaged = damage(archive, tmp_path)
    home = tmp_path / "home"
    (home / "media").mkdir(parents=True)
    settings.MEDIA_ROOT = home / "media"
    with pytest.raises(ApplicationError) as refused:
        backup.backup_restore(source=damaged)
    assert refused.value.message.startswith("Tệp sao lưu bị hỏng")
    assert refused.value.message.endswith("Không có gì bị thay đổi.")
    assert [p.name for p in home.rglob("*")] == ["media"]
    assert not backup.installation_holds_data()


def _with_member(archive, tmp_path, name: str):
    """A copy of the archive with one more member named `name`."""
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(bad, "w:gz") as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member))
        info = tarfile.TarInfo(name)
        info.size = 4
        target.addfile(info, io.BytesIO(b"evil"))
    return bad


def _truncated(archive, tmp_path) -> str:
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    return cut


DOCUMENT_SHA = hashlib.sha256(DOCUMENT).hexdigest()


def test_the_manifest_lists_every_member_with_its_checksum(demo_backup):
    archive, _ = demo_backup
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile(backup.MANIFEST))
        names = {m.name for m in opened.getmembers()} - {backup.MANIFEST}
        for member in manifest["members"]:
            data = opened.extractfile(member["path"]).read()
            assert hashlib.sha256(data).hexdigest() == member["sha256"]
    assert {m["path"] for m in manifest["members"]} == names
    assert manifest["objects"]["reporting.report"] > 0
    assert "sessions.session" not in manifest["objects"]


def test_the_command_refuses_to_overwrite_a_file(tmp_path, db):
    existing = tmp_path / "x.tar.gz"
    existing.write_bytes(b"")
    with pytest.raises(CommandError, match="đã tồn tại"):
        call_command("backup", str(existing))


def test_restore_names_a_missing_file(tmp_path, db):
    with pytest.raises(CommandError, match="Không có tệp sao lưu"):
        call_command("restore", str(tmp_path / "none.tar.gz"))


@pytest.mark.django_db(transaction=True)
def test_rows_that_do_not_fit_together_are_refused_in_vietnamese_and_nothing_changes(
    tree, tmp_path, monkeypatch
):
    from django.db import IntegrityError

    archive = tmp_path / "sao-luu.tar.gz"
    call_command("backup", str(archive))
    before = _snapshot()

    def broken(dump, expected):
        _people(tree["sapa"], 3)  # written, then rolled back with the rest
        raise IntegrityError('insert on table "orgs_person" violates foreign key constraint')

    monkeypatch.setattr(backup, "_load_rows", broken)
    with pytest.raises(CommandError, match="bị hỏng") as refused:
        call_command("restore", "--replace", str(archive))
    assert "orgs_person" in str(refused.value)
    assert _snapshot() == before


# --- the streaming load ------------------------------------------------------------------------


def _people(unit, count: int) -> None:
    from giaoban.orgs.models import Person

    Person.objects.bulk_create(
        Person(full_name=f"Người thử {i}", unit=unit, search_key=f"nguoi thu {i}")
        for i in range(count)
    )


def _snapshot() -> dict:
    from django.contrib.auth import get_user_model

    from giaoban.orgs.models import Person, Unit

    return {
        "people": list(Person.objects.order_by("pk").values_list("pk", "full_name", "unit_id")),
        "units": list(Unit.objects.order_by("pk").values_list("pk", "parent_id", "path")),
        "groups": list(
            get_user_model().objects.order_by("pk").values_list("username", "groups__name")
        ),
    }


@pytest.fixture
def batches(monkeypatch):
    """Restore in batches of 50 rows; yields the (model, rows) of every batch inserted."""
    seen = []
    insert = backup._insert

    def recording(batch):
        seen.append((backup._label(type(batch[0].object)), len(batch)))
        insert(batch)

    monkeypatch.setattr(backup, "BATCH", 50)
    monkeypatch.setattr(backup, "_insert", recording)
    return seen


# Transactional: the backup reads in a transaction of its own (REPEATABLE READ on PostgreSQL).
@pytest.mark.django_db(transaction=True)
def test_it_restores_many_rows_in_bounded_batches(tree, alice, batches, settings, tmp_path):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MEDIA_ROOT = tmp_path / "media"
    _people(tree["sapa"], 320)
    alice.groups.add(Group.objects.create(name="Cán bộ tỉnh"))  # a many-to-many link
    before = _snapshot()
    archive = tmp_path / "many.tar.gz"
    backup.backup_create(target=archive)

    with CaptureQueriesContext(connection) as queries:
        backup.backup_restore(source=archive, replace=True)

    assert _snapshot() == before
    people = [rows for label, rows in batches if label == "orgs.person"]
    assert sum(people) == len(before["people"]) and len(people) >= 7
    assert max(rows for _, rows in batches) <= 50
    if connection.vendor == "postgresql":
        # The foreign keys are checked along the way, not all queued until the commit.
        checks = [q for q in queries if q["sql"] == "SET CONSTRAINTS ALL IMMEDIATE"]
        assert len(checks) > len(people)


def _damaged_dump(path, damage) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    people = [i for i, line in enumerate(lines) if '"model": "orgs.person"' in line]
    middle = people[len(people) * 2 // 3]
    lines[middle : middle + 1] = damage(lines[middle])
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("damage", "refused_by_the_insert"),
    [
        (lambda line: [re.sub(r'"unit": \d+', '"unit": 987654321', line)], False),
        (lambda line: [line, line], True),
    ],
    ids=["a row pointing at no unit", "a row twice"],
)
def test_a_failure_in_the_middle_leaves_nothing_written(
    tree, batches, tmp_path, damage, refused_by_the_insert
):
    from django.db import IntegrityError, connection

    _people(tree["sapa"], 320)
    before = _snapshot()
    dump = tmp_path / backup.DATABASE
    counts = backup._dump_database(dump)
    _damaged_dump(dump, damage)

    with pytest.raises(IntegrityError):
        backup._load(dump, replace=True, expected=counts)

    # The installation it was to replace is as it was: the flush went back with the rows.
    assert _snapshot() == before
    people = [rows for label, rows in batches if label == "orgs.person"]
    total = len(before["people"])
    if connection.vendor == "sqlite" and not refused_by_the_insert:
        # SQLite checks foreign keys once, after the last row (connection.check_constraints).
        assert people == [50] * (total // 50) + [total % 50]
    else:
        # Refused in the batch holding the damaged row (two thirds in), the rows after it never
        # sent: a UNIQUE violation by the INSERT itself; on PostgreSQL a foreign key too, by the
        # check run after each batch whose targets are all loaded.
        assert people == [50] * (total * 2 // 3 // 50 + 1)


def test_the_dump_writes_the_rows_a_row_points_at_before_it():
    order = backup._dump_order(backup._data_models())
    assert sorted(map(backup._label, order)) == sorted(map(backup._label, backup._data_models()))
    for i, model in enumerate(order):
        later = {t for t in backup._targets(model) - {model} if order.index(t) > i}
        # Only a cycle may point forward: the conference's current item is one of its items.
        assert all(model in backup._targets(t) for t in later), (model, later)
