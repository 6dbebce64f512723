"""Intake: a report from any door (portal, API, Open311, 12345) located, checked, de-duplicated
by its caller's key and stored with its first steps in one statement; merging and reclassifying."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shequtong.core import vault
from shequtong.core.audit import seal_after_commit
from shequtong.core.bulk import held_together, insert_together, reserve_pk
from shequtong.core.calendar import add_working_days
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.geo import to_wgs84
from shequtong.core.models import Area, User
from shequtong.core.notify import notices
from shequtong.core.scoping import can_in_area, roles_of
from shequtong.core.selectors import area_for_point
from shequtong.registry.models import Estate

from .. import workflow
from ..choices import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    CaseSource,
    CaseStatus,
    CategoryKind,
    HandlerLevel,
    HazardGrade,
    PhotoStage,
)
from ..models import (
    Case,
    CaseStep,
    Category,
    Dispute,
    Hazard,
)
from ..photos import clean_photo
from ..public import case_publish
from ..tree import tree
from .steps import (
    _audit_of,
    _dispatch_message,
    _locked,
    _new_step,
    _save_photo,
    _step,
    _tell_reporters,
)


@dataclass
class Report:
    """What a report carries, from any door: the portal, a patrol, the API, Open311, 12345."""

    category: Category
    description: str
    source: str = CaseSource.RESIDENT
    lon: float | None = None
    lat: float | None = None
    coord_system: str = "wgs84"
    address: str = ""
    area: Area | None = None  # staff entry may name the area instead of a point
    reporter_name: str = ""
    reporter_phone: str = ""
    idempotency_key: str = ""
    external_id: str = ""
    photos: Sequence[IO[bytes]] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    # The open case the reporter says this is (offered by `selectors.duplicate_candidates`).
    join: Case | None = None
    # The access-checked page of what the case follows up (an alarm), linked from the case.
    origin_url: str = ""


def check_attributes(category: Category, given: dict[str, Any]) -> dict[str, Any]:
    """The answers to the category's questions, checked by datatype; unknown codes dropped.
    Errors are named `attribute[code]`, as Open311 names the fields."""
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for attribute in tree().questions.get(category.pk, []):
        value = given.get(attribute.code)
        values = value if isinstance(value, list) else [value] if value not in (None, "") else []
        name = f"attribute[{attribute.code}]"
        if not values:
            if attribute.required:
                errors[name] = [f"请填写“{attribute.description}”"]
            continue
        keys = {str(v["key"]) for v in attribute.values}
        if attribute.datatype in ("singlevaluelist", "multivaluelist"):
            wrong = [str(v) for v in values if str(v) not in keys]
            if wrong or (attribute.datatype == "singlevaluelist" and len(values) > 1):
                errors[name] = [f"“{attribute.description}”只能选 {'、'.join(sorted(keys))}"]
                continue
            clean[attribute.code] = values if attribute.datatype == "multivaluelist" else values[0]
        elif attribute.datatype == "number":
            try:
                clean[attribute.code] = float(values[0])
            except (TypeError, ValueError):
                errors[name] = [f"“{attribute.description}”应为数字"]
        elif attribute.datatype == "datetime":
            from django.utils.dateparse import parse_datetime

            if parse_datetime(str(values[0])) is None:
                errors[name] = [f"“{attribute.description}”应为 ISO 8601 日期时间"]
            else:
                clean[attribute.code] = str(values[0])
        else:
            clean[attribute.code] = str(values[0])[:2000]
    if errors:
        raise DomainError.from_fields(errors)
    return clean


def locate(report: Report) -> Area:
    """Where the problem is: the grid holding the point, else an estate named in the address,
    else the area the reporter named. A point outside every boundary is an error, not a guess."""
    if report.lon is not None and report.lat is not None:
        for level in (AreaLevel.GRID, AreaLevel.COMMUNITY):
            area = area_for_point(report.lon, report.lat, level=level)
            if area is not None:
                return area
        if report.area is None and not report.address:
            raise DomainError(
                "outside", "该位置不在本平台管辖范围内", {"location": ["该位置不在辖区内"]}
            )
    if report.address:
        estates = Estate.objects.select_related("area").only("name", "area__path", "area__level")
        if report.area is not None:
            estates = estates.filter(area_path__startswith=report.area.path)
        named = [e for e in estates if e.name and e.name in report.address]
        if named:
            return max(named, key=lambda e: len(e.name)).area
    if report.area is not None:
        return report.area
    raise DomainError(
        "invalid", "请在地图上选择位置或填写地址", {"location": ["请在地图上选择位置或填写地址"]}
    )


def _may_report(actor: User | None, area: Area) -> bool:
    """Residents and staff report; staff only where they work (a resident reports anywhere)."""
    if actor is None:
        return True  # the system: the hotline import, Open311 with a valid api_key
    if Role.RESIDENT in roles_of(actor):
        return True
    return can_in_area(actor, "read", Case, area.path)


DESCRIPTION_MAX = 2000  # the API's limit, for every door: a report is a paragraph, not a file


def _check_reporter(report: Report) -> None:
    """What every door (portal, API, Open311, 12345) hands in, checked alike."""
    errors: dict[str, list[str]] = {}
    description = report.description.strip()
    if not description:
        errors["description"] = ["请描述问题"]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [f"问题描述最多 {DESCRIPTION_MAX} 字，现有 {len(description)} 字"]
    if len(report.reporter_name.strip()) > 64:
        errors["reporter_name"] = ["反映人姓名最多 64 个字"]
    if report.reporter_phone.strip():
        try:
            report.reporter_phone = vault.validate_phone(report.reporter_phone)
        except ValidationError as exc:
            errors["reporter_phone"] = exc.messages
    if errors:
        raise DomainError.from_fields(errors)


class Reported(NamedTuple):
    case: Case
    created: bool  # False: the report was recorded before (same key or order number)


def case_report(*, actor: User | None, report: Report) -> Case:
    """`report_once` for the callers that need only the case."""
    return report_once(actor=actor, report=report).case


def report_once(*, actor: User | None, report: Report) -> Reported:
    """Record a report once. The same idempotency key (a double tap on a bad network) or the
    same hotline order number gives the case already made instead of a second one — and says
    so, for the API's 200 against 201, without a second lookup.

    The unique constraints on both decide, not a lookup first: a retry is rare, so it is the
    one that pays (its insert fails and the case is then read), not every report."""
    _check_reporter(report)
    if report.category.pk not in tree().leaves:
        raise DomainError("invalid", "请选择一个具体的小类", {"category": ["请选择小类"]})
    report.attributes = check_attributes(report.category, report.attributes)
    if report.lon is not None and report.lat is not None:
        report.lon, report.lat = to_wgs84(report.lon, report.lat, report.coord_system)
    area = locate(report)
    if not _may_report(actor, area):
        raise PermissionDeniedError("您只能上报本人管辖区域内的事件")
    limit = settings.SHEQUTONG_PHOTOS_PER_CASE
    if len(report.photos) > limit:
        raise DomainError("invalid", f"最多上传 {limit} 张照片", {"photos": ["照片过多"]})
    cleaned = [clean_photo(p, name=getattr(p, "name", "")) for p in report.photos]
    try:
        with held_together(alone=not cleaned and report.join is None):
            case, rows = _open(actor, report, area)
            told = notices([] if report.join is not None else [_dispatch_message(case)])
            audited = [_audit_of(s) for s in rows if isinstance(s, CaseStep)]
            # The case, its steps and their audit entries, its register entry and the
            # notices: one statement.
            insert_together([*rows, *audited, *told.rows])
            seal_after_commit()
            for photo in cleaned:
                _save_photo(case, None, PhotoStage.REPORT, photo)
            if report.join is not None:
                _merge(actor, case, report.join, "居民确认与已有事件相同")
            told.send_after_commit()
    except IntegrityError:
        existing = already_reported(report)
        if existing is None:
            raise
        return Reported(existing, created=False)
    return Reported(case, created=True)


def stored_key(key: str) -> str | None:
    """The key as the column keeps it: as given when it fits, else its hash (a caller's long
    key must neither fail the insert nor be cut into another caller's)."""
    if not key:
        return None
    if len(key) <= 64:
        return key
    return "h:" + hashlib.sha256(key.encode()).hexdigest()[:62]


def already_reported(report: Report) -> Case | None:
    if report.idempotency_key:
        found = Case.objects.filter(idempotency_key=stored_key(report.idempotency_key)).first()
        if found is not None:
            return found
    if report.external_id:
        return Case.objects.filter(source=report.source, external_id=report.external_id).first()
    return None


def _open(actor: User | None, report: Report, area: Area) -> tuple[Case, list[Any]]:
    """The new case (its id reserved) and the rows that go with it, not yet written."""
    category = report.category
    now = timezone.now()
    # A grid's own problems go straight to its grid workers; anything else waits for the
    # community to dispatch it.
    to_grid = category.handler_level == HandlerLevel.GRID and area.level == AreaLevel.GRID
    case = Case(
        area=area,
        area_path=area.path,
        category=category,
        source=report.source,
        status=CaseStatus.ASSIGNED if to_grid else CaseStatus.ACCEPTED,
        priority=category.priority,
        description=report.description.strip(),
        address=report.address.strip()[:200],
        lon=report.lon,
        lat=report.lat,
        reporter=actor if actor is not None and actor.pk else None,
        reporter_name=report.reporter_name
        or (actor.display_name if actor is not None and actor.pk else ""),
        reporter_phone=report.reporter_phone,
        idempotency_key=stored_key(report.idempotency_key),
        external_id=report.external_id,
        attributes=report.attributes,
        handler_level=HandlerLevel.GRID if to_grid else HandlerLevel.COMMUNITY,
        due_at=add_working_days(now, category.deadline_days),
        created_at=now,  # its number (day + id) is quoted in notices before it is written
        origin_url=report.origin_url,
    )
    case_publish(case)
    reserve_pk(case)
    rows: list[Any] = [
        case,
        _new_step(
            case, actor, "report", "上报", "", CaseStatus.ACCEPTED, note=case.description[:500]
        ),
    ]
    if to_grid:
        rows.append(
            _new_step(
                case, None, "assign", "自动派遣至网格", CaseStatus.ACCEPTED, CaseStatus.ASSIGNED
            )
        )
    if category.kind == CategoryKind.DISPUTE:
        rows.append(Dispute(case=case))
    if category.kind == CategoryKind.HAZARD:
        rows.append(
            Hazard(
                case=case,
                grade=report.attributes.get("grade") or HazardGrade.GENERAL,
                rectify_by=timezone.localdate(case.due_at),
            )
        )
    return case, rows


def _merge(actor: User | None, case: Case, into: Case, note: str) -> None:
    """The duplicate is closed into the open case; its reporter follows that case's updates
    (`reporters`) and keeps their own report, photos and tracking number."""
    into = _locked(into)
    if into.pk == case.pk or into.status not in OPEN_STATUSES or into.duplicate_of_id:
        raise DomainError("invalid", "只能合并到一个未办结的事件", {"join": ["该事件不能合并"]})
    before = case.status
    case.duplicate_of, case.status, case.closed_at = into, CaseStatus.CLOSED, timezone.now()
    case.save()
    _step(case, actor, "merge", f"合并至事件 {into.number}", before, case.status, note=note)
    _step(
        into,
        actor,
        "merged",
        f"合并重复上报 {case.number}",
        into.status,
        into.status,
        note=case.description[:500],
    )
    _tell_reporters(case, f"您反映的问题已合并至事件 {into.number}", "处理进度将同步通知您")


@transaction.atomic
def case_merge(*, actor: User, case: Case, into: Case) -> Case:
    """An office marks a report as a duplicate of an open case (合并重复事件)."""
    case = _locked(case)
    if case.status in FINAL_STATUSES or case.duplicate_of_id:
        raise DomainError("invalid_transition", "该事件已结案，不能再合并")
    if not (
        workflow.may(actor, workflow.OFFICE, case) and workflow.may(actor, workflow.OFFICE, into)
    ):
        raise PermissionDeniedError("只有社区或街道可以合并重复事件")
    _merge(actor, case, into, "经核实为重复上报")
    return case


@transaction.atomic
def case_reclassify(*, actor: User, case: Case, category: Category, note: str = "") -> Case:
    """改类: the dispatcher corrects the category; the deadline follows the new one, counted
    from the report. The corrected category is what the classifier later learns from."""
    case = _locked(case)
    if case.status in FINAL_STATUSES:
        raise DomainError("invalid_transition", "已结案的事件不能改类")
    if not workflow.may(actor, workflow.OFFICE, case):
        raise PermissionDeniedError("只有社区或街道可以调整事件类别")
    if category.pk not in tree().leaves:
        raise DomainError("invalid", "请选择一个具体的小类", {"category": ["请选择小类"]})
    if category.pk == case.category_id:
        return case
    before = case.category
    case.category = category
    case.due_at = add_working_days(case.created_at, category.deadline_days)
    case_publish(case)  # a case moved into 矛盾纠纷 is no longer public
    case.save()
    _step(
        case,
        actor,
        "reclassify",
        f"改类：{before.name} → {category.name}",
        case.status,
        case.status,
        note=note,
        data={"from": before.code, "to": category.code},
    )
    return case
