"""Loading the national lists of administrative units: `giaoban load_units` and its data."""

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from giaoban.orgs import unitdata
from giaoban.orgs.models import Level, Unit, UnitKind, UnitLineage

IN_2021 = date(2021, 10, 8)
IN_2025 = date(2025, 8, 1)
LAOCAI_CSV = str(unitdata.LAOCAI_CSV)
LAOCAI_DISTRICTS = {
    "Thành phố Lào Cai",
    "Thị xã Sa Pa",
    "Huyện Bát Xát",
    "Huyện Mường Khương",
    "Huyện Si Ma Cai",
    "Huyện Bắc Hà",
    "Huyện Bảo Thắng",
    "Huyện Bảo Yên",
    "Huyện Văn Bàn",
}
HEADER = ",".join(unitdata.CSV_FIELDS)


def load(**options) -> str:
    out = StringIO()
    call_command("load_units", stdout=out, **options)
    return out.getvalue()


def counts() -> tuple[int, int]:
    return Unit.objects.count(), UnitLineage.objects.count()


def children(code: str, day: date):
    parent = Unit.objects.on(day).get(code=code, level=Level.PROVINCE)
    return Unit.objects.on(day).filter(parent=parent)


def write(tmp_path, *lines: str) -> str:
    path = tmp_path / "units.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


# The data, without a database ---------------------------------------------------------------


def test_it_reads_both_national_lists_with_known_kinds_and_levels():
    legacy = list(unitdata.records("legacy"))
    current = list(unitdata.records("2025"))

    def by_level(items):
        return [sum(1 for r in items if r.level == level) for level in (1, 2, 3)]

    assert by_level(legacy) == [63, 696, 10035]  # 5 island districts have no communes
    assert by_level(current) == [34, 0, 3321]
    assert {r.kind for r in legacy + current} <= set(UnitKind.values)
    assert all(r.parent_code for r in legacy + current if r.level > 1)


def test_it_ships_a_lao_cai_file_equal_to_the_package_list():
    assert unitdata.read_csv(LAOCAI_CSV) == list(unitdata.records("legacy", "10"))


def test_it_trusts_the_name_over_a_contradicting_type_column():
    legacy = {r.code: r for r in unitdata.records("legacy", "38")}
    assert (legacy["15061"].name, legacy["15061"].kind) == ("Thị trấn Ngọc Lặc", "township")


# Loading --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_loads_lao_cai_of_2021_from_the_csv_with_its_nine_district_level_units():
    output = load(structure="legacy", file=LAOCAI_CSV)

    districts = children("10", IN_2021)
    assert {u.name for u in districts} == LAOCAI_DISTRICTS
    assert {u.level for u in districts} == {Level.DISTRICT}
    assert Unit.objects.get(code="088").kind == UnitKind.TOWN
    assert "Đã nạp 161 đơn vị, 0 liên kết kế thừa" in output


@pytest.mark.django_db
def test_it_gives_every_loaded_unit_a_path_and_a_folded_search_key():
    load(structure="legacy", file=LAOCAI_CSV)

    ward = Unit.objects.get(code="03006", level=Level.COMMUNE)  # Phường Phan Si Păng
    assert [u.code for u in ward.ancestors()] == ["10", "088"]
    assert Unit.objects.search("phan si pang").get() == ward
    assert not Unit.objects.filter(path="").exists()


@pytest.mark.django_db
def test_it_creates_nothing_new_when_the_same_units_are_loaded_twice():
    load(structure="legacy", file=LAOCAI_CSV)
    load(structure="2025", province="15")
    before = counts()

    again = load(structure="legacy", file=LAOCAI_CSV)
    load(structure="legacy", province="10")  # the same units, from the package
    load(structure="2025", province="15")

    assert counts() == before
    assert "Đã nạp 0 đơn vị, 0 liên kết kế thừa" in again


@pytest.mark.django_db
def test_it_updates_a_renamed_unit_instead_of_adding_one(tmp_path):
    load(structure="legacy", file=LAOCAI_CSV)
    text = unitdata.LAOCAI_CSV.read_text(encoding="utf-8")
    path = write(tmp_path, text.replace("Huyện Văn Bàn,Văn Bàn", "Huyện Văn Bàn mới,Văn Bàn"))

    output = load(structure="legacy", file=path)

    assert Unit.objects.get(code="089").name == "Huyện Văn Bàn mới"
    assert Unit.objects.count() == 161
    assert "cập nhật 1 đơn vị" in output


@pytest.mark.django_db
def test_it_keeps_the_three_level_and_two_level_structures_apart_by_date():
    load(structure="2025", province="15")
    load(structure="legacy", province="10")

    assert {u.name for u in children("10", IN_2021)} == LAOCAI_DISTRICTS
    communes = children("15", IN_2025)
    assert communes.count() == 99
    assert set(communes.values_list("level", flat=True)) == {Level.COMMUNE}
    assert not Unit.objects.on(IN_2025).filter(level=Level.DISTRICT).exists()
    assert Unit.objects.on(IN_2021).get(code="10").name == "Tỉnh Lào Cai"
    assert Unit.objects.on(IN_2025).get(code="15").name == "Tỉnh Lào Cai"
    assert not Unit.objects.on(IN_2025).filter(code="10").exists()
    assert not Unit.objects.on(IN_2021).filter(code="15").exists()  # Yên Bái was not loaded


@pytest.mark.django_db
def test_it_links_a_new_2025_ward_to_its_legacy_predecessors():
    load(structure="2025", province="15")
    output = load(structure="legacy", province="10")

    sapa = Unit.objects.on(IN_2025).get(code="03006")
    links = UnitLineage.objects.filter(successor=sapa).select_related("predecessor")
    assert sapa.name == "Phường Sa Pa"
    assert {link.predecessor.name for link in links} == {
        "Phường Sa Pa",
        "Phường Sa Pả",
        "Phường Ô Quý Hồ",
        "Phường Phan Si Păng",  # whose code 03006 the new ward took over
        "Phường Hàm Rồng",
        "Phường Cầu Mây",
    }
    assert {(link.kind, link.date) for link in links} == {("merged", date(2025, 7, 1))}
    province = UnitLineage.objects.get(successor__code="15", successor__level=Level.PROVINCE)
    assert province.predecessor.code == "10"
    assert "Đã nạp 161 đơn vị, 152 liên kết kế thừa" in output  # 151 communes + the province


@pytest.mark.django_db
def test_it_links_the_same_lineage_whichever_structure_comes_first():
    load(structure="legacy", province="10")
    load(structure="2025", province="15")
    assert UnitLineage.objects.count() == 152


@pytest.mark.django_db
def test_it_leaves_lineage_out_when_asked():
    load(structure="legacy", province="10")
    output = load(structure="2025", province="15", no_lineage=True)
    assert UnitLineage.objects.count() == 0
    assert "--no-lineage" in output


@pytest.mark.django_db
def test_it_loads_one_province_out_of_a_file():
    load(structure="legacy", file=LAOCAI_CSV, province="10")
    assert Unit.objects.count() == 161
    with pytest.raises(CommandError, match="không có tỉnh, thành phố mã '15'"):
        load(structure="legacy", file=LAOCAI_CSV, province="15")


# Refusals ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_a_missing_file_and_changes_nothing(tmp_path):
    load(structure="2025", province="15")
    before = counts()
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        load(structure="legacy", file=str(tmp_path / "missing.csv"))
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("082,Huyện Bát Xát,Bát Xát,district,huyện,10,,2025-06-30,x", "cấp 'huyện' không hợp lệ"),
        ("082,Huyện Bát Xát,Bát Xát,county,2,10,,2025-06-30,x", "loại 'county' không hợp lệ"),
        ("082,Huyện Bát Xát,Bát Xát,district,2,10,,30/06/2025,x", "không phải ngày"),
        ("082,Huyện Bát Xát,Bát Xát,district,2", "có 5 cột, cần 9"),
        ("082,Huyện Bát Xát,Bát Xát,district,2,99,,2025-06-30,x", "không tìm thấy đơn vị cấp trên"),
        ("080,Thành phố Lào Cai,Lào Cai,city,2,10,,2025-06-30,x", "đã có ở dòng 4"),
        ("082,Huyện Bát Xát,Bát Xát,district,2,10,2019-01-01,2025-06-30,x", "cấu trúc legacy"),
    ],
)
def test_it_refuses_a_malformed_row_naming_its_line_and_changes_nothing(tmp_path, bad_row, message):
    path = write(
        tmp_path,
        "# a comment line, counted in the line numbers",
        HEADER,
        "10,Tỉnh Lào Cai,Lào Cai,province,1,,,2025-06-30,x",
        "080,Thành phố Lào Cai,Lào Cai,city,2,10,,2025-06-30,x",
        bad_row,
    )
    with pytest.raises(CommandError, match=f"dòng 5: .*{re.escape(message)}"):
        load(structure="legacy", file=path)
    assert counts() == (0, 0)


@pytest.mark.django_db
def test_it_refuses_a_file_without_the_expected_columns(tmp_path):
    path = write(tmp_path, "ma,ten", "10,Tỉnh Lào Cai")
    with pytest.raises(CommandError, match=r"dòng 1: dòng tiêu đề .* thiếu: code"):
        load(file=path)


@pytest.mark.django_db
def test_it_refuses_an_unknown_structure_or_province_in_vietnamese():
    with pytest.raises(CommandError, match="Cấu trúc không hợp lệ: '2021'"):
        load(structure="2021")
    with pytest.raises(CommandError, match="Không có tỉnh, thành phố mã '99'"):
        load(structure="2025", province="99")
    with pytest.raises(CommandError, match="Cần chọn --structure"):
        load()
    assert counts() == (0, 0)
