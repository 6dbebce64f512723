"""Importing 12345 hotline work orders from the platform's .xlsx or CSV export.

Each order becomes a case through the one intake service, keyed by its order number: an order
already imported is counted as such and left alone, so re-importing an export, or an export
that overlaps the last one, never doubles a case. Every order is its own transaction: valid
orders are committed, each rejected one is reported with its row, column and reason, and a
rerun after fixing the file picks up exactly the rejected ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import Area, User
from shequtong.core.scoping import allowed, can_in_area
from shequtong.registry.importing.readers import cell_text, open_table

from . import classify
from .choices import CaseSource
from .models import Case, Category
from .services import Report, already_reported, case_report

# The column names hotline exports use, to the field they carry.
HEADERS: dict[str, str] = {
    "工单编号": "order",
    "工单号": "order",
    "受理编号": "order",
    "诉求编号": "order",
    "诉求类型": "kind",
    "工单类型": "kind",
    "诉求性质": "kind",
    "问题分类": "category",
    "事项分类": "category",
    "诉求分类": "category",
    "诉求内容": "description",
    "问题描述": "description",
    "来电内容": "description",
    "工单内容": "description",
    "事发地址": "address",
    "诉求地址": "address",
    "地址": "address",
    "来电人": "name",
    "来电人姓名": "name",
    "联系人": "name",
    "联系电话": "phone",
    "来电号码": "phone",
    "所属社区": "community",
    "社区": "community",
    "所属街道": "subdistrict",
    "街道": "subdistrict",
    "经度": "lon",
    "纬度": "lat",
}
LABELS = {field: header for header, field in reversed(list(HEADERS.items()))}
KINDS = {
    "咨询": "hotline-consult",
    "投诉": "hotline-complaint",
    "求助": "hotline-help",
    "建议": "hotline-suggest",
    "举报": "hotline-report",
}


@dataclass
class HotlineReport:
    rows: int = 0
    created: int = 0
    already: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # row, column, reason
    cases: list[Case] = field(default_factory=list)


class _RowError(Exception):
    """One order that cannot be imported: the column to blame and why."""

    def __init__(self, column: str, message: str) -> None:
        self.column, self.message = column, message


def import_hotline(*, actor: User | None, path: Path, coord_system: str = "gcj02") -> HotlineReport:
    """Import an export. `actor` (None for the command line) must work cases; orders placed
    outside their scope are rejected. Hotline exports carry GCJ-02 coordinates by default."""
    if actor is not None and not allowed(actor, "change", Case):
        raise PermissionDeniedError("您无权导入 12345 工单")
    table = open_table(
        path, set(HEADERS), what="12345 工单导出表", example="工单编号、诉求内容、事发地址"
    )
    index: dict[str, int] = {}
    for position, header in enumerate(table.header):
        if header in HEADERS:
            index.setdefault(HEADERS[header], position)
    missing = [LABELS[f] for f in ("order", "description") if f not in index]
    if missing:
        raise DomainError("bad_file", f"缺少必需列：{'、'.join(missing)}")
    result = HotlineReport()
    for number, cells in table.rows:
        result.rows += 1

        def cell(name: str, cells: list[Any] = cells) -> str:
            at = index.get(name)
            return cell_text(cells[at]) if at is not None and at < len(cells) else ""

        try:
            report = _report(cell, coord_system)
            if already_reported(report) is not None:
                result.already += 1
                continue
            area = report.area
            if (
                actor is not None
                and area is not None
                and not can_in_area(actor, "change", Case, area.path)
            ):
                raise _RowError(LABELS["community"], f"{area.name}不在您的管辖范围内")
            case = case_report(actor=None, report=report)
        except _RowError as reject:
            result.rejected.append((number, reject.column, reject.message))
            continue
        except DomainError as error:
            column = next(iter(error.fields), "")
            result.rejected.append((number, _column(column), error.message))
            continue
        result.created += 1
        result.cases.append(case)
    return result


def _column(name: str) -> str:
    return {
        "location": "事发地址",
        "lon": "经度",
        "lat": "纬度",
        "description": "诉求内容",
        "category": "问题分类",
        "reporter_phone": "来电号码",
        "reporter_name": "来电人",
    }.get(name, name)


def _report(cell: Callable[[str], str], coord_system: str) -> Report:
    order, text = cell("order"), cell("description")
    if not order:
        raise _RowError(LABELS["order"], "工单编号为空")
    if not text:
        raise _RowError(LABELS["description"], "诉求内容为空")
    lon, lat = cell("lon"), cell("lat")
    try:
        point = (float(lon), float(lat)) if lon and lat else None
    except ValueError as exc:
        raise _RowError("经度", f"坐标不是数字：{lon}, {lat}") from exc
    return Report(
        category=_category(cell("category"), cell("kind"), text),
        description=text,
        source=CaseSource.HOTLINE,
        lon=point[0] if point else None,
        lat=point[1] if point else None,
        coord_system=coord_system,
        address=cell("address"),
        area=_community(cell("community"), cell("subdistrict")),
        reporter_name=cell("name"),
        reporter_phone=cell("phone"),
        external_id=order[:64],
    )


def _category(named: str, kind: str, text: str) -> Category:
    """The category the export names (by a leaf's name), else the hotline kind's, else a sure
    suggestion from the description."""
    leaves = Category.objects.filter(active=True, children__isnull=True)
    if named:
        found = leaves.filter(name=named).first()
        if found is not None:
            return found
    code = next((c for word, c in KINDS.items() if word in kind), None)
    if code:
        return leaves.get(code=code)
    guessed = classify.auto_category(text)
    if guessed is not None:
        return guessed
    raise _RowError(
        LABELS["kind"], f"无法识别诉求类型“{kind or named}”，应为 咨询/投诉/求助/建议/举报"
    )


def _community(name: str, subdistrict: str) -> Area | None:
    if not name:
        return None
    found = Area.objects.filter(level=AreaLevel.COMMUNITY, name=name)
    if subdistrict:
        found = found.filter(parent__name=subdistrict)
    community = found.first()
    if community is None:
        raise _RowError(LABELS["community"], f"找不到社区“{name}”")
    return community
