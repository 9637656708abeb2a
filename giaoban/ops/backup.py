"""`giaoban backup` / `giaoban restore`: the database and the uploaded files in one archive.

The archive is a .tar.gz holding `database.jsonl` (every row, in Django's portable JSON lines,
read in one snapshot), `media/…` (the uploaded files) and `manifest.json` (format, date, source
database, applied migrations, row counts, and the size and SHA-256 of every other member).
Portable on purpose: a backup of SQLite restores into PostgreSQL and the other way round.

Restore checks the whole archive before touching anything, refuses an installation that already
holds data unless told to replace it, loads every row in one transaction, and only then puts the
files in place.

Both ways stream, so that memory does not grow with the data (measured by bench/backup.py): the
dump writes each model's rows as the database cursor yields them, models ordered so that a
row's foreign keys point at models written before it; the restore reads the dump line by line
and inserts rows in batches of one model (`BATCH`), instead of `loaddata`'s two statements per
row. Foreign keys are checked at commit (SQLite counts violations; PostgreSQL queues one event
per row and key, which at national size would reach gigabytes in the server): on PostgreSQL the
queued checks are run whenever every row loaded so far can be checked, which with the dump's
order is after every batch.
"""

import functools
import hashlib
import json
import shutil
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DataError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.errors import ApplicationError

FORMAT = "giaoban-backup"
VERSION = 1
DATABASE = "database.jsonl"
MANIFEST = "manifest.json"
MEDIA = "media"
#: Rows that are not the installation's data: sessions, lock-out counters, heartbeats, the
#: background tasks' runs.
SKIPPED = {"sessions.session", "ops.heartbeat"}
SKIPPED_APPS = {"axes", "django_tasks_database"}
#: Rows that `migrate` creates in every installation; a restore replaces them with the backup's.
BUILT_IN = {"contenttypes.contenttype", "auth.permission"}
_CHUNK = 1024 * 1024
#: Rows per INSERT batch on restore, and per database round trip on backup.
BATCH = 2000


@dataclass
class Summary:
    objects: Counter = field(default_factory=Counter)
    files: int = 0
    bytes: int = 0


def _label(model) -> str:
    return model._meta.label_lower


def _data_models() -> list:
    return [
        model
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.auto_created
        and _label(model) not in SKIPPED
        and model._meta.app_label not in SKIPPED_APPS
    ]


@functools.cache
def _targets(model) -> set:
    """The data models `model`'s rows point at (foreign keys and many-to-many), itself included
    when it points at itself."""
    fields = [*model._meta.local_concrete_fields, *model._meta.local_many_to_many]
    data = set(_data_models())
    return {f.related_model for f in fields if f.is_relation and f.related_model in data}


def _dump_order(models: list) -> list:
    """`models` with the models a model points at before it (a cycle keeps the given order)."""
    ordered: list = []

    def visit(model, path: set) -> None:
        if model in ordered or model in path:
            return
        path.add(model)
        for target in sorted(_targets(model) - {model}, key=models.index):
            visit(target, path)
        ordered.append(model)

    for model in models:
        visit(model, set())
    return ordered


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


# --- backup ------------------------------------------------------------------------------------


def _dump_database(path: Path) -> Counter:
    """Every row, read in one snapshot so that the rows agree with one another."""
    counts: Counter = Counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            connection.cursor().execute(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
            )
        # On SQLite the transaction itself (BEGIN IMMEDIATE) holds writers off until the end.
        with path.open("w", encoding="utf-8") as out:
            for model in _dump_order(_data_models()):
                rows = model._base_manager.order_by("pk").iterator(chunk_size=BATCH)
                serializers.serialize("jsonl", _counting(rows, counts, _label(model)), stream=out)
    return counts


def _counting(rows, counts: Counter, label: str):
    for row in rows:
        counts[label] += 1
        yield row


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def backup_create(*, target: Path) -> Summary:
    """Write the archive to `target` (through a temporary name: a failed backup leaves none)."""
    target = Path(target)
    summary = Summary()
    media_root = Path(settings.MEDIA_ROOT)
    partial = target.with_name(target.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="giaoban-backup-") as scratch:
        dump = Path(scratch) / DATABASE
        summary.objects = _dump_database(dump)
        members = [{"path": DATABASE, "size": dump.stat().st_size, "sha256": _sha256(dump)}]
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=DATABASE)
            for path in _media_files():
                name = f"{MEDIA}/{path.relative_to(media_root).as_posix()}"
                members.append({"path": name, "size": path.stat().st_size, "sha256": _sha256(path)})
                archive.add(path, arcname=name)
                summary.files += 1
                summary.bytes += path.stat().st_size
            manifest = _manifest(summary.objects, members)
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
    partial.replace(target)
    return summary


def _manifest(objects: Counter, members: list[dict]) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        app_version = version("giaoban")
    except PackageNotFoundError:
        app_version = "unknown"
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "giaoban": app_version,
        "database": connection.vendor,
        "migrations": _applied_migrations(),
        "objects": dict(sorted(objects.items())),
        "members": members,
    }


def _add_bytes(archive: tarfile.TarFile, name: str, text: str) -> None:
    import io

    data = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


# --- restore -----------------------------------------------------------------------------------


class CorruptBackup(ApplicationError):
    pass


def _corrupt(detail: str) -> CorruptBackup:
    return CorruptBackup(
        _(
            "The backup file is damaged or is not a giaoban backup (%(detail)s). "
            "Nothing was changed."
        )
        % {"detail": detail}
    )


def _extract_files(archive: tarfile.TarFile, into: Path) -> None:
    """Regular files only, each inside `into` (Debian 12's Python 3.11.2 predates tarfile's
    extraction filters): a link, a device or a path leaving the directory is refused."""
    for member in archive:
        name = PurePosixPath(member.name)
        if member.isdir():
            continue
        if not member.isfile() or name.is_absolute() or ".." in name.parts:
            raise _corrupt(_("unexpected member: %(name)s") % {"name": member.name})
        target = into.joinpath(*name.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.extractfile(member) as data, target.open("wb") as out:
            shutil.copyfileobj(data, out, _CHUNK)


def _unpack(source: Path, into: Path) -> dict:
    """Extract and check every member against the manifest; return the manifest."""
    try:
        with tarfile.open(source, "r:gz") as archive:
            _extract_files(archive, into)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _corrupt(_("cannot be read: %(error)s") % {"error": exc}) from None
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise _corrupt(_("no readable manifest")) from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise _corrupt(_("unknown format"))
    _check_members(manifest, into)
    return manifest


def _check_members(manifest: dict, into: Path) -> None:
    listed = {member["path"]: member for member in manifest.get("members", [])}
    present = {
        p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file() and p.name
    } - {MANIFEST}
    if DATABASE not in listed:
        raise _corrupt(_("the database is missing"))
    if missing := sorted(set(listed) - present):
        raise _corrupt(_("missing: %(names)s") % {"names": ", ".join(missing[:5])})
    if extra := sorted(present - set(listed)):
        raise _corrupt(_("not in the manifest: %(names)s") % {"names": ", ".join(extra[:5])})
    for name, member in listed.items():
        path = into / name
        if path.stat().st_size != member["size"] or _sha256(path) != member["sha256"]:
            raise _corrupt(_("checksum mismatch: %(name)s") % {"name": name})


def installation_holds_data() -> bool:
    """True when any row beyond what `migrate` creates exists, or any uploaded file."""
    tables = set(connection.introspection.table_names())
    for model in _data_models():
        if _label(model) in BUILT_IN or model._meta.db_table not in tables:
            continue
        if model._base_manager.exists():
            return True
    return bool(_media_files())


def _check_migrations(manifest: dict, *, replace: bool) -> dict[str, list[str]] | None:
    """The per-app migration targets to move an empty installation to before loading, or None
    when it is already there. Refuses a backup made by a newer version of giaoban."""
    executor = MigrationExecutor(connection)
    known = set(executor.loader.graph.nodes)
    wanted = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    if unknown := sorted(wanted - known):
        raise ApplicationError(
            _(
                "This backup was made by a newer version of giaoban (unknown migration "
                "%(migration)s): upgrade giaoban first, then restore."
            )
            % {"migration": ".".join(unknown[0])}
        )
    applied = set(executor.loader.applied_migrations)
    if wanted == applied:
        return None
    if replace:
        raise ApplicationError(
            _(
                "This backup was made at another version of the database schema: restore it "
                "into an empty installation instead of replacing this one."
            )
        )
    return manifest["migrations"]


def _migrate_to(targets: dict[str, list[str]]) -> None:
    """Move the (empty) database to the backup's schema: per app, its last migration in the
    backup, in the graph's order."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    leaves = [
        (app, max(names, key=lambda name, app=app: len(graph.forwards_plan((app, name)))))
        for app, names in targets.items()
    ]
    executor.migrate(leaves)


@transaction.atomic
def _load(dump: Path, *, replace: bool, expected: dict[str, int]) -> None:
    """Every row of `dump`, in one transaction: a failure anywhere leaves nothing written."""
    if replace:
        call_command("flush", interactive=False, verbosity=0)
    # The backup's content types and permissions keep their ids, which its rows point at.
    apps.get_model("auth", "Permission").objects.all().delete()
    apps.get_model("contenttypes", "ContentType").objects.all().delete()
    loaded = _load_rows(dump, expected)
    models = [apps.get_model(label) for label in loaded]
    connection.check_constraints(table_names=[m._meta.db_table for m in models])
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _load_rows(dump: Path, expected: dict[str, int]) -> Counter:
    """Insert the dump's rows in batches of one model; returns the rows inserted per model."""
    checks = _Checks(expected)
    batch: list = []
    with dump.open(encoding="utf-8") as stream:
        for row in serializers.deserialize("jsonl", stream):
            if batch and (len(batch) >= BATCH or type(row.object) is not type(batch[0].object)):
                _insert(batch)
                checks.inserted(batch)
                batch = []
            batch.append(row)
        if batch:
            _insert(batch)
            checks.inserted(batch)
    return checks.loaded


def _insert(batch: list) -> None:
    """One model's deserialized rows, as they are (raw: no `auto_now`, no signals), and their
    many-to-many links."""
    model = type(batch[0].object)
    fields = [f for f in model._meta.local_concrete_fields if not f.generated]
    objects = [row.object for row in batch]
    size = max(1, connection.ops.bulk_batch_size(fields, objects))
    for start in range(0, len(objects), size):
        model._base_manager._insert(objects[start : start + size], fields=fields, raw=True)
    for m2m in model._meta.local_many_to_many:
        through = m2m.remote_field.through
        source, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
        links = [
            through(**{source: row.object.pk, target: pk})
            for row in batch
            for pk in (row.m2m_data or {}).get(m2m.name, [])
        ]
        through._base_manager.bulk_create(links, batch_size=BATCH)


class _Checks:
    """Counts the rows loaded, and on PostgreSQL runs the queued foreign-key checks whenever
    every row loaded so far can be checked: when every model they point at is complete (all
    its rows in the manifest's count are loaded). Checked earlier, a row pointing at one not
    yet loaded would fail; never checked before the commit, the queue grows with the data."""

    def __init__(self, expected: dict[str, int]):
        self.expected = expected
        self.loaded: Counter = Counter()
        self.waiting: set = set()

    def _complete(self, model) -> bool:
        return self.loaded[_label(model)] >= self.expected.get(_label(model), 0)

    def inserted(self, batch: list) -> None:
        model = type(batch[0].object)
        self.loaded[_label(model)] += len(batch)
        self.waiting = {
            m for m in self.waiting | {model} if not all(map(self._complete, _targets(m)))
        }
        if not self.waiting and connection.vendor == "postgresql":
            connection.check_constraints()


def _put_files(staged: Path) -> None:
    """Move the restored files into MEDIA_ROOT; files it held before are kept aside."""
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists() and any(media_root.iterdir()):
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        media_root.rename(media_root.with_name(f"{media_root.name}.before-restore-{stamp}"))
    elif media_root.exists():
        media_root.rmdir()
    media_root.parent.mkdir(parents=True, exist_ok=True)
    if staged.exists():
        shutil.move(str(staged), str(media_root))
    else:
        media_root.mkdir()


def backup_restore(*, source: Path, replace: bool = False) -> dict:
    """Restore the archive at `source`; returns its manifest."""
    source = Path(source)
    if not source.is_file():
        raise ApplicationError(_("No backup file at %(path)s.") % {"path": source})
    # Unpacked beside the data directory: the files then move into place without a copy.
    data_dir = Path(settings.MEDIA_ROOT).parent
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=data_dir) as scratch:
        manifest = _unpack(source, Path(scratch))
        if not replace and installation_holds_data():
            raise ApplicationError(
                _(
                    "This installation already holds data. Restore into an empty installation, "
                    "or give --replace to replace everything it holds with the backup."
                )
            )
        targets = _check_migrations(manifest, replace=replace)
        if targets:
            _migrate_to(targets)
        try:
            _load(Path(scratch) / DATABASE, replace=replace, expected=manifest["objects"])
        except (IntegrityError, DataError, DeserializationError) as exc:
            # Rows that do not fit together (a key pointing nowhere, a row twice, a value too
            # long): the transaction went back; say which, in the user's language.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise _corrupt(
                _("its rows do not fit together: %(error)s") % {"error": first[:300]}
            ) from None
        _put_files(Path(scratch) / MEDIA)
    if targets:
        call_command("migrate", interactive=False, verbosity=0)
    return manifest
