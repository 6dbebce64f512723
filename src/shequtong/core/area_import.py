"""Importing an area tree from a CSV table or a GeoJSON FeatureCollection, all or nothing.

A district's tree arrives as a spreadsheet the civil-affairs office keeps (saved from Excel as
UTF-8 or, on most Chinese Windows machines, GBK) or as the map layer a surveyor drew. Half an
import is worse than none: communities without their grids, or grids hung under the wrong
community, would be governed by the wrong people until someone noticed. So every row is checked
first and every problem is reported at once, with its row number, so the office can fix the file
in one pass; only a clean file is written, in one transaction, with one audit entry.

Rows point at their parent by its 12-digit code (上级代码), either an area already in the system
or another row of the same file, before or after it; rows are created parents first whatever
their order. A row without a code (grids usually have none) can be a leaf only.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .audit import audit_record
from .choices import LEVEL_ORDER, AreaLevel
from .models import Area, User
from .scoping import can
from .services import area_build, validate_boundary

_CODE = re.compile(r"[0-9]{12}")  # ASCII only, as area_build checks it
_NAME_MAX = Area._meta.get_field("name").max_length or 64
_IN_CHUNK = 500  # keeps `code IN (…)` under every backend's parameter limit

# Column headers as a person types them: the Chinese label or the English field name.
_COLUMNS: dict[str, str] = {
    "名称": "name",
    "name": "name",
    "层级": "level",
    "level": "level",
    "代码": "code",
    "行政区划代码": "code",
    "code": "code",
    "上级代码": "parent_code",
    "parent_code": "parent_code",
    "边界": "boundary",
    "boundary": "boundary",
}
_REQUIRED = ("name", "level", "code", "parent_code")

# What an error names: the column's Chinese header, whichever header the file used.
LABELS: dict[str, str] = {
    "name": "名称",
    "level": "层级",
    "code": "代码",
    "parent_code": "上级代码",
    "boundary": "边界",
    "row": "整行",
    "file": "文件",
    "header": "表头",
}


def _level_aliases() -> dict[str, str]:
    """ "区/县", "区", "县", "district", "DISTRICT" … → "district"."""
    aliases: dict[str, str] = {}
    for level in AreaLevel:
        aliases[level.value] = level.value
        aliases[str(level.label)] = level.value
        for part in str(level.label).split("/"):
            aliases[part] = level.value
    return aliases


_LEVELS = _level_aliases()


@dataclass(frozen=True)
class RowError:
    """One problem: the row (CSV line, header = 1; or GeoJSON feature, from 1), the field."""

    row: int
    field: str
    message: str
    unit: str = "行"

    def __str__(self) -> str:
        if self.row == 0:
            return f"{LABELS[self.field]}：{self.message}"
        return f"第 {self.row} {self.unit} {LABELS.get(self.field, self.field)}：{self.message}"


@dataclass
class AreaImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    by_level: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    row: int
    name: str
    level: str
    code: str
    parent_code: str
    boundary: Any = None  # text (CSV) or an object (GeoJSON); None or "" for none


@dataclass
class _Parsed:
    rows: list[_Row]
    errors: list[RowError]
    unit: str


# --- reading the file ----------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else GB18030, the superset of GBK."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _text(value: Any) -> str:
    """A cell or property as text; a code given as a JSON number becomes its digits."""
    return "" if value is None else str(value).strip()


def _read_csv(text: str) -> _Parsed:
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[RowError] = []
    header = next(reader, None)
    if header is None:
        return _Parsed([], [RowError(0, "file", "文件为空")], "行")
    columns: dict[int, str] = {}
    for index, raw in enumerate(header):
        key = _COLUMNS.get(raw.strip()) or _COLUMNS.get(raw.strip().lower())
        if key is None:
            continue  # extra columns (备注 …) are the office's own business
        if key in columns.values():
            errors.append(RowError(1, "header", f"列“{LABELS[key]}”出现了两次"))
        columns[index] = key
    missing = [LABELS[key] for key in _REQUIRED if key not in columns.values()]
    if missing:
        errors.append(
            RowError(
                1, "header", f"缺少列：{'、'.join(missing)}（表头须含 名称、层级、代码、上级代码）"
            )
        )
    if errors:
        return _Parsed([], errors, "行")
    rows: list[_Row] = []
    # Row numbers as a spreadsheet shows them: the header is row 1, so data starts at 2.
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            errors.append(
                RowError(number, "row", "该行的列数多于表头：含逗号的内容（如边界）须用双引号括起")
            )
            continue
        values = {key: cells[index] if index < len(cells) else "" for index, key in columns.items()}
        rows.append(
            _Row(
                row=number,
                name=values["name"].strip(),
                level=values["level"].strip(),
                code=values["code"].strip(),
                parent_code=values["parent_code"].strip(),
                boundary=values.get("boundary", "").strip(),
            )
        )
    return _Parsed(rows, errors, "行")


def _read_geojson(text: str) -> _Parsed:
    unit = "个要素"
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return _Parsed([], [RowError(0, "file", f"不是有效的 JSON：第 {exc.lineno} 行附近")], unit)
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return _Parsed([], [RowError(0, "file", "GeoJSON 须为 FeatureCollection")], unit)
    features = document.get("features")
    if not isinstance(features, list):
        return _Parsed([], [RowError(0, "file", "FeatureCollection 缺少 features 列表")], unit)
    rows: list[_Row] = []
    errors: list[RowError] = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(RowError(number, "row", "不是 GeoJSON Feature", unit))
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            errors.append(RowError(number, "row", "properties 须为对象", unit))
            continue
        values = {
            key: _text(value)
            for raw, value in props.items()
            if (key := _COLUMNS.get(str(raw).strip()) or _COLUMNS.get(str(raw).strip().lower()))
        }
        rows.append(
            _Row(
                row=number,
                name=values.get("name", ""),
                level=values.get("level", ""),
                code=values.get("code", ""),
                parent_code=values.get("parent_code", ""),
                boundary=feature.get("geometry"),
            )
        )
    return _Parsed(rows, errors, unit)


def _parse(data: bytes, filename: str) -> _Parsed:
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        return _Parsed([], [RowError(0, "file", "无法识别文件编码：请保存为 UTF-8 或 GBK")], "行")
    suffix = Path(filename).suffix.lower()
    if suffix in {".geojson", ".json"} or (suffix != ".csv" and text.lstrip().startswith("{")):
        return _read_geojson(text)
    return _read_csv(text)


# --- checking the rows ---------------------------------------------------------------------


def _boundary(value: Any) -> tuple[dict[str, Any] | None, str | None]:
    """The geometry of a row and the problem with it, if any."""
    if value is None or value == "":
        return None, None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None, "不是有效的 GeoJSON 文本"
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    try:
        validate_boundary(value)
    except ValidationError as exc:
        return None, "；".join(exc.messages)
    return value, None


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _level_label(level: str) -> str:
    return str(AreaLevel(level).label)


def _check(
    parsed: _Parsed, actor: User | None
) -> tuple[list[_Row], dict[str, Area], list[RowError]]:
    """Every problem of every row; the rows (level normalised, boundary parsed) and the parents
    already in the database that they hang under, by code."""
    unit = parsed.unit
    errors = list(parsed.errors)

    def fail(row: _Row, field_name: str, message: str) -> None:
        errors.append(RowError(row.row, field_name, message, unit))

    file_codes: dict[str, _Row] = {}
    for row in parsed.rows:
        if not row.name:
            fail(row, "name", "必填")
        elif len(row.name) > _NAME_MAX:
            fail(row, "name", f"最多 {_NAME_MAX} 个字符")
        level = _LEVELS.get(row.level) or _LEVELS.get(row.level.lower())
        if level is None:
            shown = "、".join(str(label) for label in AreaLevel.labels)
            fail(row, "level", f"未知层级“{row.level}”，应为 {shown} 之一" if row.level else "必填")
        row.level = level or ""
        if row.code:
            if not _CODE.fullmatch(row.code):
                fail(row, "code", f"“{row.code}”不是 12 位数字的行政区划代码")
            elif row.code in file_codes:
                first = file_codes[row.code].row
                fail(row, "code", f"代码 {row.code} 在文件中重复（第 {first} {unit}已使用）")
            else:
                file_codes[row.code] = row
        if row.parent_code and not _CODE.fullmatch(row.parent_code):
            fail(row, "parent_code", f"“{row.parent_code}”不是 12 位数字的行政区划代码")
        row.boundary, problem = _boundary(row.boundary)
        if problem:
            fail(row, "boundary", problem)

    # One query per chunk of codes: those already taken, and the parents named by the file.
    wanted = sorted(set(file_codes) | {r.parent_code for r in parsed.rows if r.parent_code})
    in_db: dict[str, Area] = {}
    for chunk in _chunks(wanted):
        in_db.update((a.code, a) for a in Area.objects.filter(code__in=chunk) if a.code)
    for code, row in file_codes.items():
        if code in in_db:
            fail(row, "code", f"代码 {code} 已被系统中的“{in_db[code].name}”使用")

    db_parents: dict[str, Area] = {}
    for row in parsed.rows:
        if not row.level:
            continue
        depth = LEVEL_ORDER.index(row.level)
        if depth == 0:
            if row.parent_code:
                fail(row, "parent_code", "区/县是最高层级，不能有上级")
            elif actor is not None and not actor.is_superuser:
                fail(row, "level", "只有超级管理员可以新增区/县")
            continue
        expected = LEVEL_ORDER[depth - 1]
        if not row.parent_code:
            fail(row, "parent_code", f"{_level_label(row.level)}须填写上级代码")
            continue
        parent_level: str | None = None
        if row.parent_code in file_codes:
            parent_level = file_codes[row.parent_code].level or None
            if row.parent_code == row.code:
                fail(row, "parent_code", "上级代码不能是本行自己的代码")
                continue
        elif row.parent_code in in_db:
            parent = in_db[row.parent_code]
            parent_level = parent.level
            db_parents[row.parent_code] = parent
        elif _CODE.fullmatch(row.parent_code):
            fail(row, "parent_code", f"上级代码 {row.parent_code} 在文件和系统中都不存在")
            continue
        else:
            continue
        if parent_level is not None and parent_level != expected:
            fail(
                row,
                "parent_code",
                f"{_level_label(row.level)}的上级须为{_level_label(expected)}，"
                f"而代码 {row.parent_code} 是{_level_label(parent_level)}",
            )

    if actor is not None:
        allowed = {code for code, area in db_parents.items() if can(actor, "change", area)}
        for row in parsed.rows:
            if row.parent_code in db_parents and row.parent_code not in allowed:
                name = db_parents[row.parent_code].name
                fail(row, "parent_code", f"您无权在“{name}”下新增下级")

    _check_names(parsed.rows, db_parents, fail, unit)
    errors.sort(key=lambda e: (e.row, list(LABELS).index(e.field)))
    return parsed.rows, db_parents, errors


def _check_names(
    rows: list[_Row], db_parents: dict[str, Area], fail: Callable[[_Row, str, str], None], unit: str
) -> None:
    """Two areas under one parent cannot share a name (the database refuses it too). Districts
    have no parent and the database lets their names repeat, so they are not checked here."""
    taken: set[tuple[int, str]] = set()
    for chunk in _chunks([area.pk for area in db_parents.values()]):
        taken.update(Area.objects.filter(parent_id__in=chunk).values_list("parent_id", "name"))
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if not row.name or not row.parent_code:
            continue
        parent = db_parents.get(row.parent_code)
        if parent is not None and (parent.pk, row.name) in taken:
            fail(row, "name", f"“{parent.name}”下已有名为“{row.name}”的下级")
            continue
        key = (row.parent_code, row.name)
        if key in seen:
            fail(row, "name", f"同一上级下名称重复（与第 {seen[key]} {unit}相同）")
        else:
            seen[key] = row.row


# --- writing -------------------------------------------------------------------------------


class _RollbackError(Exception):
    """Raised inside the transaction to undo every area built so far."""

    def __init__(self, error: RowError) -> None:
        self.error = error


def _common_area(areas: list[Area]) -> Area | None:
    """The innermost area containing all of `areas`: where the import's audit entry belongs."""
    if not areas:
        return None
    parts = [area.path_ids for area in areas]
    common: list[int] = []
    for ids in zip(*parts, strict=False):
        if len(set(ids)) != 1:
            break
        common.append(ids[0])
    return Area.objects.get(pk=common[-1]) if common else None


def area_import(*, actor: User | None, data: bytes, filename: str) -> AreaImportResult:
    """Check every row of a CSV or GeoJSON area file; if all are sound, create them all.

    `actor` is None for the command line (the operator of the server), else a user who must be
    allowed to change every existing parent the file names (a superuser for new districts).
    Nothing is written when any row is wrong; the result then lists every problem.
    """
    parsed = _parse(data, filename)
    rows, db_parents, errors = _check(parsed, actor)
    if errors:
        return AreaImportResult(errors=errors)
    if not rows:
        return AreaImportResult(errors=[RowError(0, "file", "文件中没有任何区域")])
    # Levels fix the order: every parent is exactly one level up, so it comes first.
    ordered = sorted(rows, key=lambda r: (LEVEL_ORDER.index(r.level), r.row))
    try:
        with transaction.atomic():
            created: dict[str, Area] = {}
            roots: list[Area] = []
            for row in ordered:
                parent = created.get(row.parent_code) or db_parents.get(row.parent_code)
                try:
                    area = area_build(
                        name=row.name,
                        level=row.level,
                        parent=parent,
                        code=row.code or None,
                        boundary=row.boundary,
                    )
                except ValidationError as exc:
                    # The checks above should have caught it; say which row, never half-commit.
                    fields = exc.message_dict if hasattr(exc, "error_dict") else {}
                    name, messages = next(iter(fields.items()), ("", exc.messages))
                    field_name = name if name in LABELS else "row"
                    message = "；".join(messages)
                    raise _RollbackError(
                        RowError(row.row, field_name, message, parsed.unit)
                    ) from exc
                if row.code:
                    created[row.code] = area
                if parent is None:
                    roots.append(area)
            counts = Counter(row.level for row in ordered)
            by_level = {level: counts[level] for level in LEVEL_ORDER if counts[level]}
            audit_record(
                actor=actor,
                action="area.import",
                area=_common_area([*db_parents.values(), *roots]),
                object_repr=f"导入区域 {len(ordered)} 个（{Path(filename).name}）"[:200],
                changes={"created": [None, len(ordered)], "by_level": [None, by_level]},
            )
    except _RollbackError as rollback:
        return AreaImportResult(errors=[rollback.error])
    return AreaImportResult(created=len(ordered), by_level=by_level)


def area_import_file(*, actor: User | None, path: str | Path) -> AreaImportResult:
    """`area_import` of a file on disk, for the command line."""
    path = Path(path)
    return area_import(actor=actor, data=path.read_bytes(), filename=path.name)


__all__ = ["AreaImportResult", "RowError", "area_import", "area_import_file"]
