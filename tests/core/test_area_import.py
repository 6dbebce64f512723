"""Importing an area tree from CSV and GeoJSON: encodings, order, every error at once, nothing
half-written, permissions and the one audit entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from shequtong.core import area_import as area_import_module
from shequtong.core.area_import import area_import, area_import_file
from shequtong.core.audit import audit_verify
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import Area, AuditEntry
from tests.core.factories import square

pytestmark = pytest.mark.django_db

HEADER = "名称,层级,代码,上级代码,边界\n"
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def cell(geometry: dict) -> str:
    """A GeoJSON geometry as a CSV cell: quoted, its quotes doubled."""
    return '"' + json.dumps(geometry).replace('"', '""') + '"'


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def new_tree_csv() -> str:
    return (
        HEADER
        + "新区,区/县,520101000000,,\n"
        + "东街道,街道/乡镇,520101001000,520101000000,\n"
        + "东一社区,社区/村,520101001001,520101001000,\n"
        + f"东一第一网格,网格,,520101001001,{cell(square(106.70, 26.57))}\n"
    )


def by_name(name: str) -> Area:
    return Area.objects.get(name=name)


def assert_tree_of_new_district() -> None:
    district = by_name("新区")
    street, community, grid = by_name("东街道"), by_name("东一社区"), by_name("东一第一网格")
    assert district.parent is None and district.level == AreaLevel.DISTRICT
    assert street.parent == district and community.parent == street and grid.parent == community
    assert grid.path == f"{district.path}{street.pk}/{community.pk}/{grid.pk}/"
    assert grid.depth == 3 and grid.code is None
    assert (grid.min_lon, grid.min_lat) == pytest.approx((106.70, 26.57))


def test_utf8_csv_with_bom_builds_the_tree_and_audits_once(tmp_path):
    path = write(tmp_path, "areas.csv", new_tree_csv(), encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    result = area_import_file(actor=None, path=path)

    assert result.ok, result.errors
    assert result.created == 4
    assert_tree_of_new_district()
    entry = AuditEntry.objects.get(action="area.import")
    assert entry.changes["created"] == [None, 4]
    assert entry.changes["by_level"] == [
        None,
        {"district": 1, "subdistrict": 1, "community": 1, "grid": 1},
    ]
    assert entry.actor is None and entry.actor_label == "系统"
    assert entry.area == by_name("新区")  # the new district's auditors see the import
    assert AuditEntry.objects.count() == 1
    assert audit_verify().ok


def test_utf8_csv_without_bom(tmp_path):
    path = write(tmp_path, "areas.csv", new_tree_csv())
    result = area_import_file(actor=None, path=path)
    assert result.created == 4
    assert_tree_of_new_district()


def test_gbk_csv_as_excel_saves_it_on_chinese_windows(tmp_path):
    path = write(tmp_path, "区域.csv", new_tree_csv(), encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8

    result = area_import_file(actor=None, path=path)

    assert result.created == 4, result.errors
    assert_tree_of_new_district()


def test_children_before_parents_are_created_parents_first(tmp_path):
    lines = new_tree_csv().splitlines(keepends=True)
    path = write(tmp_path, "reversed.csv", lines[0] + "".join(reversed(lines[1:])))

    result = area_import_file(actor=None, path=path)

    assert result.created == 4, result.errors
    assert_tree_of_new_district()


def test_rows_hang_under_areas_already_in_the_system(tree, tmp_path):
    text = (
        "name,level,code,parent_code\n"
        f"甲三社区,community,510403001003,{tree.sub_a.code}\n"
        "甲三第一网格,GRID,,510403001003\n"
        f"甲二第二网格,grid,,{tree.comm_a2.code}\n"
    )
    result = area_import_file(actor=None, path=write(tmp_path, "more.csv", text))

    assert result.created == 3, result.errors
    community = by_name("甲三社区")
    assert community.parent == tree.sub_a
    assert community.path.startswith(tree.sub_a.path)
    assert by_name("甲三第一网格").parent == community
    assert by_name("甲二第二网格").parent == tree.comm_a2
    # Two parents in subdistrict A: the audit entry belongs to subdistrict A.
    assert AuditEntry.objects.get(action="area.import").area == tree.sub_a


def test_short_chinese_level_names_are_understood(tmp_path):
    text = (
        HEADER
        + "某县,县,530101000000,,\n"
        + "某乡,乡镇,530101001000,530101000000,\n"
        + "某村,村,530101001001,530101001000,\n"
    )
    result = area_import_file(actor=None, path=write(tmp_path, "county.csv", text))
    assert result.created == 3, result.errors
    assert by_name("某村").level == AreaLevel.COMMUNITY


def test_every_bad_row_is_named_and_nothing_is_committed(tree, tmp_path):
    rows = [
        "好社区,社区/村,510403001009,510403001000,",  # 2: fine on its own
        "怪地方,省,510403001010,510403001000,",  # 3: unknown level
        "短代码社区,社区/村,51040300,510403001000,",  # 4: bad code
        "重复甲,社区/村,510403001011,510403001000,",  # 5: first use of a code
        "重复乙,社区/村,510403001011,510403001000,",  # 6: duplicate code in the file
        f"已有代码社区,社区/村,{tree.comm_b1.code},510403001000,",  # 7: code exists already
        "孤儿网格,网格,,999999999999,",  # 8: unknown parent
        f"错层社区,社区/村,510403001012,{tree.district.code},",  # 9: wrong parent level
        f"蝴蝶网格,网格,,510403001009,{cell(BOWTIE)}",  # 10: self-intersecting polygon
        ",网格,,510403001009,",  # 11: no name
        f"{tree.comm_a1.name},社区/村,510403001013,510403001000,",  # 12: name taken there
        "坏边界网格,网格,,510403001009,{not json",  # 13: boundary is not JSON
        "无上级社区,社区/村,510403001014,,",  # 14: no parent code
    ]
    path = write(tmp_path, "bad.csv", HEADER + "\n".join(rows) + "\n")
    areas_before = set(Area.objects.values_list("pk", flat=True))

    result = area_import_file(actor=None, path=path)

    assert result.created == 0
    problems = {(e.row, e.field) for e in result.errors}
    assert problems == {
        (3, "level"),
        (4, "code"),
        (6, "code"),
        (7, "code"),
        (8, "parent_code"),
        (9, "parent_code"),
        (10, "boundary"),
        (11, "name"),
        (12, "name"),
        (13, "boundary"),
        (14, "parent_code"),
    }
    text = {(e.row, e.field): str(e) for e in result.errors}
    assert (
        text[(3, "level")]
        == "第 3 行 层级：未知层级“省”，应为 区/县、街道/乡镇、社区/村、网格 之一"
    )
    assert "12 位数字" in text[(4, "code")]
    assert "第 5 行已使用" in text[(6, "code")]
    assert tree.comm_b1.name in text[(7, "code")]
    assert "都不存在" in text[(8, "parent_code")]
    assert text[(9, "parent_code")].endswith(
        "社区/村的上级须为街道/乡镇，而代码 510403000000 是区/县"
    )
    assert "自相交" in text[(10, "boundary")]
    assert text[(11, "name")] == "第 11 行 名称：必填"
    assert "已有名为" in text[(12, "name")]
    assert "须填写上级代码" in text[(14, "parent_code")]
    assert set(Area.objects.values_list("pk", flat=True)) == areas_before
    assert not Area.objects.filter(name="好社区").exists()
    assert not AuditEntry.objects.filter(action="area.import").exists()


def test_duplicate_names_under_one_parent_in_the_file(tree, tmp_path):
    text = HEADER + f"同名网格,网格,,{tree.comm_a2.code},\n同名网格,网格,,{tree.comm_a2.code},\n"
    result = area_import_file(actor=None, path=write(tmp_path, "dup.csv", text))
    assert [(e.row, e.field) for e in result.errors] == [(3, "name")]
    assert "第 2 行" in result.errors[0].message


def test_a_district_cannot_have_a_parent(tree, tmp_path):
    text = HEADER + f"另一区,区/县,510404000000,{tree.district.code},\n"
    result = area_import_file(actor=None, path=write(tmp_path, "d.csv", text))
    assert [(e.row, e.field) for e in result.errors] == [(2, "parent_code")]
    assert "最高层级" in result.errors[0].message


def test_missing_columns_are_reported_on_the_header(tmp_path):
    path = write(tmp_path, "cols.csv", "名称,层级\n某区,区/县\n")
    result = area_import_file(actor=None, path=path)
    assert [(e.row, e.field) for e in result.errors] == [(1, "header")]
    assert "代码、上级代码" in result.errors[0].message


def test_an_unquoted_boundary_is_explained(tmp_path):
    geometry = json.dumps(square(106.7, 26.5))
    text = HEADER + "新区,区/县,520101000000,,\n" + f"乱网格,网格,,520101000000,{geometry}\n"
    result = area_import_file(actor=None, path=write(tmp_path, "q.csv", text))
    assert [(e.row, e.field) for e in result.errors] == [(3, "row")]
    assert str(result.errors[0]).startswith("第 3 行 整行：该行的列数多于表头")
    assert "双引号" in result.errors[0].message
    assert not Area.objects.exists()


def test_empty_and_header_only_files(tmp_path):
    assert area_import_file(actor=None, path=write(tmp_path, "e.csv", "")).errors[0].row == 0
    result = area_import_file(actor=None, path=write(tmp_path, "h.csv", HEADER))
    assert not result.ok and "没有任何区域" in str(result.errors[0])


def feature(props: dict, geometry: dict | None = None) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_geojson_feature_collection(tree, tmp_path):
    collection = {
        "type": "FeatureCollection",
        "features": [
            # The child first, and the code given as a JSON number.
            feature(
                {"name": "甲三第一网格", "level": "grid", "parent_code": 510403001003},
                square(101.74, 26.50),
            ),
            feature(
                {
                    "name": "甲三社区",
                    "level": "社区/村",
                    "code": "510403001003",
                    "parent_code": tree.sub_a.code,
                },
                square(101.74, 26.50, size=0.05),
            ),
        ],
    }
    path = write(tmp_path, "grids.geojson", json.dumps(collection, ensure_ascii=False))

    result = area_import_file(actor=None, path=path)

    assert result.created == 2, result.errors
    grid, community = by_name("甲三第一网格"), by_name("甲三社区")
    assert grid.parent == community and community.parent == tree.sub_a
    assert grid.boundary == square(101.74, 26.50)
    assert (community.max_lon, community.max_lat) == pytest.approx((101.79, 26.55))


def test_geojson_errors_name_the_feature(tree, tmp_path):
    collection = {
        "type": "FeatureCollection",
        "features": [
            feature({"name": "好网格", "level": "grid", "parent_code": tree.comm_a2.code}),
            feature(
                {"name": "蝴蝶网格", "level": "grid", "parent_code": tree.comm_a2.code}, BOWTIE
            ),
            {"type": "Point", "coordinates": [0, 0]},
        ],
    }
    path = write(tmp_path, "bad.json", json.dumps(collection))
    result = area_import_file(actor=None, path=path)
    assert [(e.row, e.field) for e in result.errors] == [(2, "boundary"), (3, "row")]
    assert str(result.errors[0]).startswith("第 2 个要素 边界：")
    assert not Area.objects.filter(name="好网格").exists()


def test_geojson_that_is_not_a_feature_collection(tmp_path):
    path = write(tmp_path, "x.geojson", json.dumps({"type": "Polygon", "coordinates": []}))
    result = area_import_file(actor=None, path=path)
    assert str(result.errors[0]) == "文件：GeoJSON 须为 FeatureCollection"
    broken = area_import_file(actor=None, path=write(tmp_path, "y.geojson", "{oops"))
    assert "不是有效的 JSON" in broken.errors[0].message


def test_a_failure_while_writing_rolls_back_every_area(tree, tmp_path, monkeypatch):
    """Should a row pass the checks and still fail at save, the rows before it are undone."""
    real = area_import_module.area_build

    def flaky(**kwargs):
        if kwargs["name"] == "第三个":
            raise ValidationError({"name": "模拟的保存失败"})
        return real(**kwargs)

    monkeypatch.setattr(area_import_module, "area_build", flaky)
    text = HEADER + "".join(
        f"{name},网格,,{tree.comm_a2.code},\n" for name in ("第一个", "第二个", "第三个")
    )
    before = Area.objects.count()

    result = area_import_file(actor=None, path=write(tmp_path, "f.csv", text))

    assert [str(e) for e in result.errors] == ["第 4 行 名称：模拟的保存失败"]
    assert Area.objects.count() == before
    assert not AuditEntry.objects.filter(action="area.import").exists()


# --- who may import ------------------------------------------------------------------------


def grid_rows(*parents: Area) -> bytes:
    return (
        HEADER + "".join(f"新网格{i},网格,,{p.code},\n" for i, p in enumerate(parents))
    ).encode()


def test_an_admin_imports_within_their_area(tree, user_with):
    admin = user_with(Role.SUBDISTRICT_ADMIN, tree.sub_a)
    result = area_import(actor=admin, data=grid_rows(tree.comm_a1, tree.comm_a2), filename="g.csv")
    assert result.created == 2, result.errors
    entry = AuditEntry.objects.get(action="area.import")
    assert entry.actor == admin and entry.area == tree.sub_a


def test_an_admin_cannot_import_outside_their_area(tree, user_with):
    admin = user_with(Role.SUBDISTRICT_ADMIN, tree.sub_a)
    result = area_import(actor=admin, data=grid_rows(tree.comm_a1, tree.comm_b1), filename="g.csv")
    assert [(e.row, e.field) for e in result.errors] == [(3, "parent_code")]
    assert result.errors[0].message == f"您无权在“{tree.comm_b1.name}”下新增下级"
    assert not Area.objects.filter(name__startswith="新网格").exists()


def test_a_grid_worker_cannot_import(tree, grid_worker):
    result = area_import(actor=grid_worker, data=grid_rows(tree.comm_a1), filename="g.csv")
    assert not result.ok and result.created == 0


def test_only_a_superuser_adds_a_district(tree, district_admin):
    data = (HEADER + "新区,区/县,520101000000,,\n").encode()
    refused = area_import(actor=district_admin, data=data, filename="d.csv")
    assert [(e.row, e.field) for e in refused.errors] == [(2, "level")]
    district_admin.is_superuser = True
    district_admin.save()
    assert area_import(actor=district_admin, data=data, filename="d.csv").created == 1
