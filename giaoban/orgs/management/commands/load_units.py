"""Load Vietnam's administrative units (and the 2025 lineage) into the registry.

    giaoban load_units --structure legacy|2025 [--province CODE] [--file PATH.csv] [--no-lineage]

A unit is identified by (code, level, valid_from): codes are reused across the 2025 reform (the
new Lào Cai has the old Yên Bái's code 15; most new communes keep the code of one of the old
communes they absorbed), so the same code names different units on different days. Running
the command again updates changed names and creates nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from giaoban.core.text import fold, nfc
from giaoban.orgs import services, unitdata
from giaoban.orgs.models import Level, Unit, UnitKind, UnitLineage
from giaoban.orgs.unitdata import LEGACY, LEGACY_VALID_TO, REFORM_DATE, UnitDataError, UnitRecord

BATCH_SIZE = 500
_UPDATED_FIELDS = ["name", "short_name", "kind", "parent_id", "valid_to", "source", "search_key"]

Identity = tuple[str, int, date | None]


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    links: int = 0


# Parents --------------------------------------------------------------------------------------


class _ParentIndex:
    """Finds a record's parent: same code and valid_from, the nearest level above it."""

    def __init__(self, identities):
        self._levels: dict[tuple[str, date | None], set[int]] = defaultdict(set)
        for code, level, valid_from in identities:
            self._levels[code, valid_from].add(level)

    def parent_of(self, record: UnitRecord) -> Identity | None:
        if not record.parent_code:
            return None
        above = [
            level
            for level in self._levels.get((record.parent_code, record.valid_from), ())
            if level < record.level
        ]
        if not above:
            raise UnitDataError(
                f"không tìm thấy đơn vị cấp trên mã {record.parent_code} của {record.name} "
                f"(cấp trên phải có cấp nhỏ hơn {record.level} và cùng valid_from)",
                line=record.line,
            )
        return (record.parent_code, max(above), record.valid_from)


def province_subtree(items: list[UnitRecord], province: str) -> list[UnitRecord]:
    """The province with code `province` and everything under it, from a list of records."""
    code = unitdata.normalize_province_code(province)
    roots = {r.identity for r in items if r.level == 1 and r.code == code}
    if not roots:
        raise UnitDataError(f"không có tỉnh, thành phố mã {province!r}")
    index = _ParentIndex(r.identity for r in items)
    kept = set(roots)
    for record in sorted(items, key=lambda r: r.level):
        if record.parent_code and index.parent_of(record) in kept:
            kept.add(record.identity)
    return [r for r in items if r.identity in kept]


# Loading --------------------------------------------------------------------------------------


def _normalized(record: UnitRecord) -> UnitRecord:
    if record.kind not in UnitKind.values:
        raise UnitDataError(f"loại đơn vị {record.kind!r} không hợp lệ", line=record.line)
    if record.level not in Level.values:
        raise UnitDataError(f"cấp {record.level!r} không hợp lệ", line=record.line)
    return replace(
        record,
        code=nfc(record.code),
        name=nfc(record.name),
        short_name=nfc(record.short_name),
        parent_code=nfc(record.parent_code),
        source=nfc(record.source),
    )


def _existing_units(items: list[UnitRecord]) -> dict[Identity, Unit]:
    found: dict[Identity, Unit] = {}
    for valid_from in {r.valid_from for r in items}:
        qs = Unit.objects.filter(level__in={r.level for r in items})
        qs = (
            qs.filter(valid_from__isnull=True)
            if valid_from is None
            else qs.filter(valid_from=valid_from)
        )
        for unit in qs.order_by("pk").only(*_UPDATED_FIELDS, "code", "level", "valid_from", "path"):
            found.setdefault((unit.code, unit.level, unit.valid_from), unit)
    return found


def load_records(items: list[UnitRecord], *, lineage: bool = True) -> LoadResult:
    """Write `items` (and, unless told not to, their 2025 lineage) in one transaction.

    Raises UnitDataError, before writing anything, when a record is invalid or its parent
    cannot be found in `items` or among the units already stored.
    """
    items = [_normalized(r) for r in items]
    seen: dict[Identity, UnitRecord] = {}
    for record in items:
        if record.identity in seen:
            raise UnitDataError(
                f"đơn vị mã {record.code} (cấp {record.level}) xuất hiện hai lần", line=record.line
            )
        seen[record.identity] = record

    result = LoadResult()
    with transaction.atomic():
        stored = _existing_units(items)
        index = _ParentIndex([*seen, *stored])
        parents = {r.identity: index.parent_of(r) for r in items}  # validates before any write

        units: dict[Identity, Unit] = dict(stored)
        moved = False
        for level in sorted({r.level for r in items}):
            created, changed = [], []
            for record in (r for r in items if r.level == level):
                parent = units[parents[record.identity]] if parents[record.identity] else None
                values = {
                    "name": record.name,
                    "short_name": record.short_name,
                    "kind": record.kind,
                    "parent_id": parent.pk if parent else None,
                    "valid_to": record.valid_to,
                    "source": record.source,
                    "search_key": fold(f"{record.name} {record.code}"),
                }
                unit = stored.get(record.identity)
                if unit is None:
                    unit = Unit(code=record.code, level=record.level, valid_from=record.valid_from)
                    for name, value in values.items():
                        setattr(unit, name, value)
                    created.append(unit)
                    units[record.identity] = unit
                elif any(getattr(unit, name) != value for name, value in values.items()):
                    moved = moved or unit.parent_id != values["parent_id"]
                    for name, value in values.items():
                        setattr(unit, name, value)
                    changed.append(unit)
                else:
                    result.unchanged += 1
            Unit.objects.bulk_create(created, batch_size=BATCH_SIZE)
            for unit in created:
                parent = (
                    units[parents[(unit.code, unit.level, unit.valid_from)]]
                    if unit.parent_id
                    else None
                )
                unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
            Unit.objects.bulk_update(created, ["path"], batch_size=BATCH_SIZE)
            Unit.objects.bulk_update(changed, _UPDATED_FIELDS, batch_size=BATCH_SIZE)
            result.created += len(created)
            result.updated += len(changed)
        if moved:  # an existing unit changed parent: its whole subtree needs new paths
            services.units_rebuild_paths()
        if lineage:
            result.links = _load_lineage(set(seen))
    _analyze()
    return result


def _analyze() -> None:
    """Fresh planner statistics after a bulk load: with stale ones PostgreSQL expects a handful
    of units under a path and picks slow plans for every subtree query."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE orgs_unit; ANALYZE orgs_unitlineage")


def _load_lineage(loaded: set[Identity]) -> int:
    """Link legacy units to their 2025 successors where both are stored and one was loaded."""
    legacy = {
        (code, level): pk
        for code, level, pk in Unit.objects.filter(
            valid_from__isnull=True, valid_to=LEGACY_VALID_TO
        ).values_list("code", "level", "pk")
    }
    current = {
        (code, level): pk
        for code, level, pk in Unit.objects.filter(valid_from=REFORM_DATE).values_list(
            "code", "level", "pk"
        )
    }
    if not legacy or not current:
        return 0
    existing = set(UnitLineage.objects.values_list("predecessor_id", "successor_id"))
    links = []
    for pair in unitdata.lineage_pairs():
        old = (pair.predecessor_code, pair.predecessor_level)
        new = (pair.successor_code, pair.successor_level)
        if (*old, None) not in loaded and (*new, REFORM_DATE) not in loaded:
            continue
        if old in legacy and new in current and (legacy[old], current[new]) not in existing:
            existing.add((legacy[old], current[new]))
            links.append(
                UnitLineage(
                    predecessor_id=legacy[old],
                    successor_id=current[new],
                    kind=pair.kind,
                    date=pair.date,
                )
            )
    UnitLineage.objects.bulk_create(links, batch_size=BATCH_SIZE)
    return len(links)


# The command ----------------------------------------------------------------------------------


def _structure_mismatch(record: UnitRecord, structure: str) -> str | None:
    if structure == LEGACY and (
        record.valid_from is not None or record.valid_to != LEGACY_VALID_TO
    ):
        return f"cấu trúc legacy cần valid_from trống và valid_to {LEGACY_VALID_TO.isoformat()}"
    if structure != LEGACY and record.valid_from != REFORM_DATE:
        return f"cấu trúc 2025 cần valid_from {REFORM_DATE.isoformat()}"
    return None


class Command(BaseCommand):
    help = (
        "Nạp danh mục đơn vị hành chính từ gói vietnamadminunits (hoặc từ tệp CSV) và các liên "
        "kết kế thừa của cuộc sắp xếp 1/7/2025. Chạy lại không tạo bản trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--structure",
            help="legacy: 63 tỉnh, 3 cấp, đến 30/6/2025; 2025: 34 tỉnh, 2 cấp, từ 1/7/2025",
        )
        parser.add_argument("--province", help="chỉ nạp một tỉnh, theo mã trong cấu trúc đã chọn")
        parser.add_argument(
            "--file",
            help="đọc đơn vị từ tệp CSV (cột: " + ",".join(unitdata.CSV_FIELDS) + ")",
        )
        parser.add_argument(
            "--no-lineage", action="store_true", help="không tạo liên kết kế thừa 2025"
        )

    def handle(self, *args, structure=None, province=None, file=None, no_lineage=False, **opts):
        if structure is None and file is None:
            raise CommandError(
                "Cần chọn --structure legacy (trước 1/7/2025) hoặc --structure 2025, "
                "hoặc chỉ ra tệp bằng --file TỆP.csv."
            )
        if structure is not None and structure not in unitdata.STRUCTURES:
            raise CommandError(
                f"Cấu trúc không hợp lệ: {structure!r}. "
                "Dùng --structure legacy (trước 1/7/2025) hoặc --structure 2025."
            )
        where = f"Tệp {file}" if file else "Dữ liệu"
        try:
            if file:
                items = unitdata.read_csv(file)
                if structure:
                    for record in items:
                        if problem := _structure_mismatch(record, structure):
                            raise UnitDataError(
                                f"đơn vị mã {record.code}: {problem}", line=record.line
                            )
                if province:
                    items = province_subtree(items, province)
            else:
                items = list(unitdata.records(structure, province))
            result = load_records(items, lineage=not no_lineage)
        except UnitDataError as exc:
            if exc.line is not None:
                raise CommandError(f"{where}, dòng {exc.line}: {exc.message}") from None
            message = exc.message if exc.message[:1].isupper() else f"{where}: {exc.message}"
            raise CommandError(message) from None

        details = []
        if result.updated:
            details.append(f"cập nhật {result.updated} đơn vị đã có")
        if result.unchanged:
            details.append(f"{result.unchanged} đơn vị đã có sẵn, không đổi")
        if no_lineage:
            details.append("không tạo liên kết kế thừa theo --no-lineage")
        summary = f"Đã nạp {result.created} đơn vị, {result.links} liên kết kế thừa"
        self.stdout.write(summary + (f" ({'; '.join(details)})." if details else "."))
