"""Vietnam's administrative units as plain records, read from the `vietnamadminunits` package.

Two structures are available:

* ``legacy``: 63 provinces, 696 district-level units and ~10,000 communes, the three-level
  structure that ended on 30 June 2025 (``valid_to`` 2025-06-30, no ``valid_from``);
* ``2025``: 34 provinces and 3,321 communes, the two-level structure from 1 July 2025
  (``valid_from`` 2025-07-01); communes stay at level 3 with a province as parent.

`lineage_pairs` says which legacy unit became (part of) which 2025 unit. Records can also be
read from and written to CSV (`read_csv`, `write_csv`) so that a fixed list, such as the demo's
Lào Cai of 2021, can ship with the code.

This module does not touch Django: kinds and levels are the plain values of
`giaoban.orgs.models.UnitKind` and `Level`; `load_units` writes the records to the database.

    python -m giaoban.orgs.unitdata export-laocai [PATH]   # regenerate data/laocai-2021.csv
    python -m giaoban.orgs.unitdata check                  # counts and oddities in the data
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import IO

PACKAGE = "vietnamadminunits"
LEGACY = "legacy"
Y2025 = "2025"
STRUCTURES = (LEGACY, Y2025)

#: The last day of the three-level structure and the first day of the two-level one.
LEGACY_VALID_TO = date(2025, 6, 30)
REFORM_DATE = date(2025, 7, 1)

# Values of giaoban.orgs.models.UnitKind / Level (kept as strings so no Django set-up is needed).
PROVINCE, CITY, TOWN, DISTRICT, URBAN_DISTRICT = (
    "province",
    "city",
    "town",
    "district",
    "urban_district",
)
WARD, COMMUNE, TOWNSHIP, SPECIAL_ZONE, VILLAGE = (
    "ward",
    "commune",
    "township",
    "special_zone",
    "village",
)
KINDS = {
    PROVINCE,
    CITY,
    TOWN,
    DISTRICT,
    URBAN_DISTRICT,
    WARD,
    COMMUNE,
    TOWNSHIP,
    SPECIAL_ZONE,
    VILLAGE,
}
LEVELS = {1, 2, 3, 4}
MERGED, SPLIT = "merged", "split"

# The type word that starts each official name, per level; longest first so that matching the
# start of a name never stops at a shorter word.
PROVINCE_TYPES = {"Thành phố": CITY, "Tỉnh": PROVINCE}
DISTRICT_TYPES = {"Thành phố": CITY, "Thị xã": TOWN, "Huyện": DISTRICT, "Quận": URBAN_DISTRICT}
COMMUNE_TYPES = {"Thị trấn": TOWNSHIP, "Đặc khu": SPECIAL_ZONE, "Phường": WARD, "Xã": COMMUNE}

CSV_FIELDS = [
    "code",
    "name",
    "short_name",
    "kind",
    "level",
    "parent_code",
    "valid_from",
    "valid_to",
    "source",
]
LAOCAI_LEGACY_CODE = "10"
LAOCAI_CSV = Path(__file__).resolve().parent / "data" / "laocai-2021.csv"


class UnitDataError(ValueError):
    """Bad input data; `line` is the 1-based line of the CSV file when there is one."""

    def __init__(self, message: str, *, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name: str
    short_name: str
    kind: str
    level: int
    parent_code: str
    valid_from: date | None
    valid_to: date | None
    source: str
    #: Line of the CSV file the record came from (not part of the record's value).
    line: int | None = field(default=None, compare=False, repr=False)

    @property
    def identity(self) -> tuple[str, int, date | None]:
        """What tells units apart in the registry: the same code is reused across reforms."""
        return (self.code, self.level, self.valid_from)


@dataclass(frozen=True)
class LineagePair:
    """The legacy unit (code, level) became (part of) the 2025 unit (code, level) on `date`."""

    predecessor_code: str
    predecessor_level: int
    successor_code: str
    successor_level: int
    kind: str
    date: date = REFORM_DATE


# Reading the package --------------------------------------------------------------------------


def package_version() -> str:
    return metadata.version(PACKAGE)


def _data_dir() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).resolve().parent / "data"


def dataset_path() -> Path:
    return _data_dir() / "dataset.db"


def converter_path() -> Path:
    return _data_dir() / "converter_2025.json"


def _rows(sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(f"{dataset_path().as_uri()}?mode=ro", uri=True)
    try:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@cache
def _converter() -> dict:
    with converter_path().open(encoding="utf-8") as fh:
        return json.load(fh)


def source_label(structure: str) -> str:
    when = "trước 1/7/2025" if structure == LEGACY else "từ 1/7/2025"
    table = "admin_units_legacy" if structure == LEGACY else "admin_units"
    return f"{PACKAGE} {package_version()} (PyPI), {table}, {when}"


def _typed(name: str, declared: str | None, types: dict[str, str]) -> tuple[str, str, str]:
    """(kind, name, short name) for an official name such as "Huyện Bát Xát".

    The type word that starts the name wins over the package's type column, which disagrees
    with it for a handful of rows (e.g. "Thị trấn Ngọc Lặc" typed "Xã"); the word is written in
    its usual case ("Thành Phố Bắc Kạn" becomes "Thành phố Bắc Kạn").
    """
    for word, kind in sorted(types.items(), key=lambda item: -len(item[0])):
        if name.casefold().startswith(word.casefold() + " "):
            rest = name[len(word) :].strip()
            # "Phường 5", "Quận 1": a number alone is no name.
            return kind, f"{word} {rest}", (f"{word} {rest}" if rest.isdigit() else rest)
    if declared in types:
        return types[declared], name, name
    raise UnitDataError(f"Không xác định được loại đơn vị của “{name}” (loại ghi: {declared!r})")


def type_conflicts() -> list[tuple[str, str, str, str]]:
    """Rows whose name starts with a type word other than the type column: (table, code, name,
    declared type). The name is trusted; listed so that a person can check."""
    found = []
    for table, level_types, column, code_column, name_column in (
        ("admin_units_legacy", DISTRICT_TYPES, "districtType", "districtCode", "district"),
        ("admin_units_legacy", COMMUNE_TYPES, "wardType", "wardCode", "ward"),
        ("admin_units", COMMUNE_TYPES, "wardType", "wardCode", "ward"),
    ):
        sql = f"SELECT DISTINCT {code_column}, {name_column}, {column} FROM {table}"
        for code, name, declared in _rows(sql):
            if name is None:
                continue
            kind, _name, _short = _typed(name, declared, level_types)
            if declared and level_types.get(declared) != kind:
                found.append((table, code, name, declared))
    return found


def provinces(structure: str) -> dict[str, str]:
    """Province code -> name in one structure."""
    table = _table(structure)
    rows = _rows(f"SELECT DISTINCT provinceCode, province FROM {table} ORDER BY provinceCode")
    return {row["provinceCode"]: row["province"] for row in rows}


def _table(structure: str) -> str:
    if structure == LEGACY:
        return "admin_units_legacy"
    if structure == Y2025:
        return "admin_units"
    raise UnitDataError(
        f"Cấu trúc không hợp lệ: {structure!r}. Dùng “legacy” (trước 1/7/2025) hoặc “2025”."
    )


def normalize_province_code(code: str) -> str:
    code = code.strip()
    return code.zfill(2) if code.isdigit() and len(code) < 2 else code


def _check_province(structure: str, province: str | None) -> str | None:
    if province is None:
        return None
    code = normalize_province_code(province)
    known = provinces(structure)
    if code not in known:
        when = "trước 1/7/2025" if structure == LEGACY else "từ 1/7/2025"
        raise UnitDataError(
            f"Không có tỉnh, thành phố mã {province!r} trong danh mục {when}. "
            f"Các mã có: {', '.join(known)}."
        )
    return code


def records(structure: str, province: str | None = None) -> Iterator[UnitRecord]:
    """Every unit of `structure` (parents before children), or of one province.

    An unknown structure or province code raises UnitDataError at once, not when iterating.
    """
    _table(structure)
    code = _check_province(structure, province)
    return _legacy_records(code) if structure == LEGACY else _records_2025(code)


def _province_record(row, source: str, valid_from, valid_to) -> UnitRecord:
    kind, name, _short = _typed(row["province"], None, PROVINCE_TYPES)
    return UnitRecord(
        code=row["provinceCode"],
        name=name,
        short_name=row["provinceShort"] or _short,
        kind=kind,
        level=1,
        parent_code="",
        valid_from=valid_from,
        valid_to=valid_to,
        source=source,
    )


def _legacy_records(province: str | None) -> Iterator[UnitRecord]:
    source = source_label(LEGACY)
    where, params = ("WHERE provinceCode = ?", (province,)) if province else ("", ())
    rows = _rows(
        "SELECT provinceCode, province, provinceShort, districtCode, district, districtType, "
        f"wardCode, ward, wardType FROM admin_units_legacy {where} "
        "ORDER BY provinceCode, districtCode, wardCode",
        params,
    )
    dates = {"valid_from": None, "valid_to": LEGACY_VALID_TO}
    seen_provinces, seen_districts, communes = set(), set(), []
    for row in rows:
        if row["provinceCode"] not in seen_provinces:
            seen_provinces.add(row["provinceCode"])
            yield _province_record(row, source, **dates)
    for row in rows:
        if row["districtCode"] not in seen_districts:
            seen_districts.add(row["districtCode"])
            kind, name, short = _typed(row["district"], row["districtType"], DISTRICT_TYPES)
            yield UnitRecord(
                row["districtCode"],
                name,
                short,
                kind,
                2,
                row["provinceCode"],
                **dates,
                source=source,
            )
        # Five island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) have no
        # communes: their row carries the district alone.
        if row["wardCode"] and row["ward"]:
            kind, name, short = _typed(row["ward"], row["wardType"], COMMUNE_TYPES)
            communes.append(
                UnitRecord(
                    row["wardCode"],
                    name,
                    short,
                    kind,
                    3,
                    row["districtCode"],
                    **dates,
                    source=source,
                )
            )
    yield from communes


def _records_2025(province: str | None) -> Iterator[UnitRecord]:
    source = source_label(Y2025)
    where, params = ("WHERE provinceCode = ?", (province,)) if province else ("", ())
    rows = _rows(
        "SELECT provinceCode, province, provinceShort, wardCode, ward, wardType "
        f"FROM admin_units {where} ORDER BY provinceCode, wardCode",
        params,
    )
    dates = {"valid_from": REFORM_DATE, "valid_to": None}
    seen = set()
    for row in rows:
        if row["provinceCode"] not in seen:
            seen.add(row["provinceCode"])
            yield _province_record(row, source, **dates)
    for row in rows:
        kind, name, short = _typed(row["ward"], row["wardType"], COMMUNE_TYPES)
        yield UnitRecord(
            row["wardCode"], name, short, kind, 3, row["provinceCode"], **dates, source=source
        )


def lineage_pairs() -> tuple[LineagePair, ...]:
    """Which legacy unit became (part of) which 2025 unit on 1 July 2025 (read once, kept).

    Provinces: each old province merged into one new province. Communes: an old commune taken
    whole into a new one is `merged`; one divided between several new communes is `split`,
    with a pair for each part. The island districts that had no communes are the predecessors
    of the special zones (đặc khu) that replaced them.
    """
    return _lineage_pairs()


@cache
def _lineage_pairs() -> tuple[LineagePair, ...]:
    return tuple(_read_lineage_pairs())


def _read_lineage_pairs() -> Iterator[LineagePair]:
    conv = _converter()
    old_provinces = {
        row["provinceKey"]: row["provinceCode"]
        for row in _rows("SELECT DISTINCT provinceKey, provinceCode FROM admin_units_legacy")
    }
    new_provinces = {
        row["provinceKey"]: row["provinceCode"]
        for row in _rows("SELECT DISTINCT provinceKey, provinceCode FROM admin_units")
    }
    old_units: dict[str, tuple[str, int]] = {}
    for row in _rows(
        "SELECT provinceKey, districtKey, wardKey, districtCode, wardCode FROM admin_units_legacy"
    ):
        key = f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey'] or ''}"
        old_units[key] = (row["wardCode"], 3) if row["wardCode"] else (row["districtCode"], 2)
    new_units = {
        (row["provinceKey"], row["wardKey"]): row["wardCode"]
        for row in _rows("SELECT provinceKey, wardKey, wardCode FROM admin_units")
    }

    def unknown(what: str, key) -> UnitDataError:
        return UnitDataError(
            f"converter_2025.json nhắc tới {what} không có trong dataset.db: {key}"
        )

    for new_key, old_keys in conv["DICT_PROVINCE"].items():
        for old_key in old_keys:
            if old_key not in old_provinces or new_key not in new_provinces:
                raise unknown("tỉnh", (old_key, new_key))
            yield LineagePair(old_provinces[old_key], 1, new_provinces[new_key], 1, MERGED)
    for new_province, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            if (new_province, new_ward) not in new_units:
                raise unknown("xã", (new_province, new_ward))
            for old_key in old_keys:
                if old_key not in old_units:
                    raise unknown("xã", old_key)
                old_code, old_level = old_units[old_key]
                yield LineagePair(old_code, old_level, new_units[new_province, new_ward], 3, MERGED)
    for new_province, divided in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in divided.items():
            if old_key not in old_units:
                raise unknown("xã", old_key)
            old_code, old_level = old_units[old_key]
            for part in parts:
                if (new_province, part["newWardKey"]) not in new_units:
                    raise unknown("xã", (new_province, part["newWardKey"]))
                new_code = new_units[new_province, part["newWardKey"]]
                yield LineagePair(old_code, old_level, new_code, 3, SPLIT)


# CSV ----------------------------------------------------------------------------------------


def _date_or_none(raw: str, column: str, line: int) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise UnitDataError(
            f"{column} {raw!r} không phải ngày dạng YYYY-MM-DD", line=line
        ) from None


_MAX_LENGTHS = {"code": 20, "name": 200, "short_name": 120, "parent_code": 20, "source": 200}


def _record_from_row(values: dict[str, str], line: int) -> UnitRecord:
    for column, limit in _MAX_LENGTHS.items():
        if len(values[column]) > limit:
            raise UnitDataError(f"{column} dài quá {limit} ký tự", line=line)
    if not values["code"]:
        raise UnitDataError("thiếu mã đơn vị (code)", line=line)
    if not values["name"]:
        raise UnitDataError("thiếu tên đơn vị (name)", line=line)
    if values["kind"] not in KINDS:
        raise UnitDataError(
            f"loại {values['kind']!r} không hợp lệ; dùng một trong: {', '.join(sorted(KINDS))}",
            line=line,
        )
    try:
        level = int(values["level"])
    except ValueError:
        level = 0
    if level not in LEVELS:
        raise UnitDataError(f"cấp {values['level']!r} không hợp lệ; dùng 1, 2, 3 hoặc 4", line=line)
    valid_from = _date_or_none(values["valid_from"], "valid_from", line)
    valid_to = _date_or_none(values["valid_to"], "valid_to", line)
    if valid_from and valid_to and valid_to < valid_from:
        raise UnitDataError("valid_to đứng trước valid_from", line=line)
    if values["parent_code"] == values["code"]:
        raise UnitDataError("đơn vị không thể là cấp trên của chính nó", line=line)
    return UnitRecord(
        code=values["code"],
        name=values["name"],
        short_name=values["short_name"],
        kind=values["kind"],
        level=level,
        parent_code=values["parent_code"],
        valid_from=valid_from,
        valid_to=valid_to,
        source=values["source"],
        line=line,
    )


def read_csv(path: str | Path) -> list[UnitRecord]:
    """Records from a UTF-8 CSV with the columns of CSV_FIELDS (any order).

    Lines starting with "#" and blank lines are skipped. Every problem raises UnitDataError
    with the line number; a unit appearing twice, or a parent code that is neither in the file
    nor empty at level 1, is left for the loader to judge (it may be in the database).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UnitDataError(f"Không tìm thấy tệp {path}") from None
    except IsADirectoryError:
        raise UnitDataError(f"{path} là một thư mục, không phải tệp CSV") from None
    except UnicodeDecodeError as exc:
        raise UnitDataError(f"Tệp {path} không phải văn bản UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise UnitDataError(f"Không đọc được tệp {path}: {exc.strerror}") from None

    header: list[str] | None = None
    result: list[UnitRecord] = []
    seen: dict[tuple, int] = {}
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            cells = next(csv.reader([raw], strict=True))
        except csv.Error as exc:
            raise UnitDataError(f"dòng CSV sai cú pháp ({exc})", line=line) from None
        cells = [cell.strip() for cell in cells]
        if header is None:
            missing = [name for name in CSV_FIELDS if name not in cells]
            extra = [name for name in cells if name not in CSV_FIELDS]
            if missing or extra or len(set(cells)) != len(cells):
                raise UnitDataError(
                    "dòng tiêu đề phải có đúng các cột "
                    + ",".join(CSV_FIELDS)
                    + (f"; thiếu: {', '.join(missing)}" if missing else "")
                    + (f"; thừa: {', '.join(extra)}" if extra else ""),
                    line=line,
                )
            header = cells
            continue
        if len(cells) != len(header):
            raise UnitDataError(f"có {len(cells)} cột, cần {len(header)}", line=line)
        record = _record_from_row(dict(zip(header, cells, strict=True)), line)
        if record.identity in seen:
            first = seen[record.identity]
            raise UnitDataError(
                f"đơn vị mã {record.code} (cấp {record.level}) đã có ở dòng {first}", line=line
            )
        seen[record.identity] = line
        result.append(record)
    if header is None:
        raise UnitDataError(f"Tệp {path} không có dòng tiêu đề ({','.join(CSV_FIELDS)})")
    if not result:
        raise UnitDataError(f"Tệp {path} không có đơn vị nào")
    return result


def write_csv(items: Iterable[UnitRecord], out: IO[str], comments: Iterable[str] = ()) -> int:
    for comment in comments:
        out.write(f"# {comment}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    count = 0
    for record in items:
        row = []
        for f in fields(UnitRecord):
            if f.name not in CSV_FIELDS:
                continue
            value = getattr(record, f.name)
            row.append(
                "" if value is None else value.isoformat() if isinstance(value, date) else value
            )
        writer.writerow(row)
        count += 1
    return count


def export_laocai(path: str | Path = LAOCAI_CSV) -> int:
    """Write Lào Cai province of the legacy structure (code 10) to `path`; returns the count."""
    items = list(records(LEGACY, LAOCAI_LEGACY_CODE))
    districts = sum(1 for r in items if r.level == 2)
    communes = sum(1 for r in items if r.level == 3)
    comments = [
        f"source: {PACKAGE} {package_version()} (PyPI), list of units before the 1 July 2025 "
        "reform, from the General Statistics Office list",
        "note: the commune list is the one on the eve of the 2025 reform (valid until "
        "2025-06-30) and may differ slightly from 2021",
        f"Lào Cai province (legacy code {LAOCAI_LEGACY_CODE}): {districts} district-level units, "
        f"{communes} communes, wards and townships",
        "generated by: python -m giaoban.orgs.unitdata export-laocai",
    ]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        return write_csv(items, out, comments)


# Command line ---------------------------------------------------------------------------------


def _check() -> None:
    for structure in STRUCTURES:
        items = list(records(structure))
        by_level = {level: sum(1 for r in items if r.level == level) for level in (1, 2, 3)}
        print(f"{structure}: {len(items)} units, by level {by_level}")
    pairs = list(lineage_pairs())
    print(f"lineage: {len(pairs)} pairs ({sum(p.kind == SPLIT for p in pairs)} split)")
    for table, code, name, declared in type_conflicts():
        print(f"type conflict: {table} {code} {name!r} typed {declared!r} (name trusted)")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["export-laocai"] and len(argv) <= 2:
        target = Path(argv[1]) if len(argv) == 2 else LAOCAI_CSV
        print(f"{export_laocai(target)} units written to {target}")
        return 0
    if argv == ["check"]:
        _check()
        return 0
    print("usage: python -m giaoban.orgs.unitdata export-laocai [PATH] | check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
