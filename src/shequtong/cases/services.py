"""Writes of case handling: intake, the workflow's moves, summonses, ratings, the deadline sweep.

Every move locks the case row (`select_for_update`), checks the state machine
(`workflow.check`), writes the new state, one timeline step and its audit entry in the same
transaction, and notifies after commit. So two people pressing buttons at once never both win,
a timeline never shows a move that did not happen, and the audit log (which no one can edit,
unlike the timeline's ordinary rows) says who made each move.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from shequtong.core import vault
from shequtong.core.audit import audit_entry, audit_record_many, seal_after_commit
from shequtong.core.bulk import held_together, insert_together, reserve_pk
from shequtong.core.calendar import add_working_days, working_days_between
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.errors import DomainError, NotFoundError, PermissionDeniedError
from shequtong.core.geo import to_wgs84
from shequtong.core.models import Area, AuditEntry, Department, User
from shequtong.core.notify import Message, notices, notify
from shequtong.core.scoping import can_in_area, grant_covers, roles_of
from shequtong.core.selectors import area_for_point, users_granted
from shequtong.registry.models import Estate

from . import workflow
from .choices import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    CaseSource,
    CaseStatus,
    CategoryKind,
    DeadlineState,
    ExtensionStatus,
    HandlerLevel,
    HazardGrade,
    PhotoStage,
    Rating,
    SummonsRole,
    SummonsStatus,
)
from .models import (
    Case,
    CasePhoto,
    CaseStep,
    Category,
    Dispute,
    Extension,
    Hazard,
    SavedView,
    Summons,
)
from .photos import clean_photo
from .public import case_publish
from .tree import tree

# --- intake ---------------------------------------------------------------------------------


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


def _save_photo(case: Case, step: CaseStep | None, stage: str, photo: Any) -> CasePhoto:
    stem = uuid.uuid4().hex
    row = CasePhoto(case=case, step=step, stage=stage, width=photo.width, height=photo.height)
    row.image.save(f"{stem}.{photo.extension}", ContentFile(photo.content), save=False)
    row.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(photo.thumbnail), save=False)
    row.save()
    return row


def _step(*args: Any, **kwargs: Any) -> CaseStep:
    """A timeline step (`_new_step`'s arguments), saved and audited."""
    step = _new_step(*args, **kwargs)
    step.save()
    audit_record_many([_audit_of(step)])
    return step


def _audit_of(step: CaseStep) -> AuditEntry:
    """The audit entry of a timeline step, not yet written: the move, the state it left and
    reached and what it named (level, assignee, departments); never the free-text note, which
    may quote the resident."""
    changes: dict[str, Any] = {key: [None, value] for key, value in step.data.items()}
    if step.from_status != step.to_status:
        changes["status"] = [step.from_status or None, step.to_status]
    return audit_entry(
        actor=step.actor, action=f"case.{step.action}", obj=step.case, changes=changes
    )


def _new_step(
    case: Case,
    actor: User | None,
    action: str,
    label: str,
    before: str,
    after: str,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CaseStep:
    return CaseStep(
        case=case,
        action=action,
        label=label,
        from_status=before,
        to_status=after,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=(actor.display_name or actor.get_username())
        if actor is not None and actor.pk
        else "系统",
        note=note,
        data=data or {},
    )


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


def saved_view_save(*, actor: User, name: str, query: str) -> SavedView:
    """Keep the list's filters under a name (saving the same name again replaces it)."""
    name = name.strip()[:40]
    if not name:
        raise DomainError("invalid", "请为视图命名", {"name": ["必填"]})
    kept = "&".join(p for p in query.split("&") if p and not p.startswith(("page=", "export=")))
    view, _ = SavedView.objects.update_or_create(
        user=actor, name=name, defaults={"query": kept[:500]}
    )
    return view


def saved_view_delete(*, actor: User, view: SavedView) -> None:
    if view.user_id != actor.pk:
        raise PermissionDeniedError("只能删除自己的视图")
    view.delete()


# --- who is told ----------------------------------------------------------------------------


def holders(case: Case) -> list[User]:
    """The people who hold the case at its level: its assignee, or everyone granted there."""
    if case.assignee_id and case.handler_level in (HandlerLevel.GRID, HandlerLevel.COMMUNITY):
        return [case.assignee]
    if case.handler_level == HandlerLevel.DEPARTMENT:
        return users_granted(
            roles=workflow.HOLDERS[case.handler_level],
            area_path=case.area_path,
            department_ids=workflow.live_departments(case),
        )
    # At grid level the grid workers are told; the community staff see it in their lists.
    roles = {Role.GRID_WORKER} if case.handler_level == HandlerLevel.GRID else None
    return users_granted(
        roles=roles or workflow.HOLDERS[case.handler_level], area_path=case.area_path
    )


def reporters(case: Case) -> list[User]:
    """The reporter and the reporters of every report merged into this case."""
    people = [case.reporter] if case.reporter_id else []
    people += [d.reporter for d in case.duplicates.select_related("reporter") if d.reporter_id]
    return people


def _dispatch_notice(case: Case) -> None:
    notify(*_dispatch_message(case))


def _dispatch_message(case: Case) -> tuple[list[User], Message]:
    """Whoever now holds the case is told of it."""
    message = Message.plain(
        f"新事件 {case.number}：{case.category.name}",
        case.description[:100],
        case.get_absolute_url(),
    )
    return holders(case), message


def _tell_reporters(case: Case, title: str, body: str = "") -> None:
    from django.urls import reverse

    notify(reporters(case), Message.plain(title, body, reverse("cases:my_case", args=[case.pk])))


# --- the workflow's moves -------------------------------------------------------------------


def _locked(case: Case) -> Case:
    try:
        return (
            Case.objects.select_for_update(of=("self",)).select_related("category").get(pk=case.pk)
        )
    except Case.DoesNotExist as exc:
        raise NotFoundError() from exc


@transaction.atomic
def case_act(
    *,
    actor: User,
    case: Case,
    action: str,
    note: str = "",
    photos: Sequence[IO[bytes]] = (),
    level: str = "",
    assignee: User | None = None,
    lead: Department | None = None,
    co: Iterable[Department] = (),
    resume_on: date | None = None,
) -> Case:
    """Take one move of the state machine; the keyword arguments are what some moves need."""
    case = _locked(case)
    transition = workflow.check(actor, action, case, note=note)
    before = case.status
    data: dict[str, Any] = {}
    now = timezone.now()
    if action == "assign":
        data = _assign(actor, case, level, assignee)
    elif action == "whistle":
        case.handler_level, case.assignee = HandlerLevel.SUBDISTRICT, None
        data = {"level": HandlerLevel.SUBDISTRICT.label}
    elif action == "summon":
        data = _summon(case, lead, list(co), now)
    elif action == "return":
        # Back to whoever dispatches at the level above the holder.
        case.handler_level = (
            HandlerLevel.SUBDISTRICT
            if case.handler_level == HandlerLevel.DEPARTMENT
            else HandlerLevel.COMMUNITY
        )
        case.assignee = None
    elif action == "resolve":
        if case.category.needs_after_photo and not photos:
            raise DomainError(
                "invalid",
                f"“{case.category.name}”办结时须上传处置后照片",
                {"photos": ["请上传处置后照片"]},
            )
        case.resolved_at = now
        # A co-handler who never reported in is past it: not left 待报到 on a finished case.
        case.summonses.filter(status=SummonsStatus.PENDING).update(status=SummonsStatus.LAPSED)
    elif action == "close":
        case.closed_at = now
    elif action == "verify":
        if not photos:
            raise DomainError("invalid", "隐患验收须上传现场照片", {"photos": ["请上传验收照片"]})
        case.closed_at = now
        Hazard.objects.filter(case=case).update(accepted_by=actor, accepted_at=now)
    elif action == "suspend":
        if resume_on is None or resume_on <= timezone.localdate():
            raise DomainError("invalid", "请填写今天以后的恢复日期", {"resume_on": ["须晚于今天"]})
        case.resume_on = resume_on
        data = {"resume_on": resume_on.isoformat(), "suspended_at": now.isoformat()}
    elif action == "resume":
        _extend_for_suspension(case, now)
    case.status = transition.target
    case.save()
    step = _step(case, actor, action, transition.label, before, case.status, note=note, data=data)
    cleaned = [clean_photo(p, name=getattr(p, "name", "")) for p in photos]
    stage = {"resolve": PhotoStage.AFTER, "verify": PhotoStage.ACCEPTANCE}.get(
        action, PhotoStage.BEFORE
    )
    for photo in cleaned:
        _save_photo(case, step, stage, photo)
    _after_move(case, action)
    return case


def _assign(actor: User, case: Case, level: str, assignee: User | None) -> dict[str, Any]:
    if level not in (HandlerLevel.GRID, HandlerLevel.COMMUNITY):
        raise DomainError("invalid", "请选择派遣到网格或社区", {"level": ["请选择处置层级"]})
    if assignee is not None:
        wanted = workflow.HOLDERS[level]
        if not (assignee.is_active and workflow.may(assignee, wanted, case)):
            raise DomainError(
                "invalid",
                f"{assignee.display_name or assignee.get_username()}不负责该事件所在区域",
                {"assignee": ["处置人不负责该区域"]},
            )
    case.handler_level, case.assignee = level, assignee
    who = assignee.display_name or assignee.get_username() if assignee else ""
    return {"level": HandlerLevel(level).label, "assignee": who}


def _summon(case: Case, lead: Department | None, co: list[Department], now: datetime) -> dict:
    if lead is None:
        raise DomainError("invalid", "吹哨须指定主办部门", {"lead": ["请选择主办部门"]})
    departments = [lead, *[d for d in co if d.pk != lead.pk]]
    for department in departments:
        if not case.area_path.startswith(department.area_path):
            raise DomainError(
                "invalid", f"{department.name}不负责该事件所在区域", {"lead": ["部门不在本辖区"]}
            )
    # A department summoned again replaces its released summons; the live one stays.
    live = workflow.live_departments(case)
    respond_by = add_working_days(now, settings.SHEQUTONG_SUMMONS_RESPONSE_DAYS)
    Summons.objects.bulk_create(
        Summons(
            case=case,
            department=d,
            role=SummonsRole.LEAD if d.pk == lead.pk else SummonsRole.CO,
            respond_by=respond_by,
        )
        for d in departments
        if d.pk not in live
    )
    case.handler_level, case.department, case.assignee = HandlerLevel.DEPARTMENT, lead, None
    return {"lead": lead.name, "co": [d.name for d in departments[1:]]}


def _extend_for_suspension(case: Case, now: datetime) -> None:
    """The clock stops while a case is suspended: the deadline moves by the days it waited."""
    last = case.steps.filter(action="suspend").order_by("-pk").first()
    if last is None or case.due_at is None:
        return
    waited = working_days_between(last.created_at, now)
    if waited > 0:
        case.due_at = add_working_days(case.due_at, waited)
    case.resume_on = None


def _after_move(case: Case, action: str) -> None:
    if action in ("assign", "whistle", "summon", "return"):
        _dispatch_notice(case)
    elif action == "resolve":
        _tell_reporters(case, f"您反映的问题已办结（{case.number}）", "请对处理结果进行评价")
    elif action == "reject":
        _tell_reporters(case, f"您反映的问题不予受理（{case.number}）")


# --- summonses ------------------------------------------------------------------------------


def _summons_locked(summons: Summons) -> tuple[Case, Summons]:
    case = _locked(summons.case)
    summons = (
        Summons.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=summons.pk)
    )
    return case, summons


@transaction.atomic
def summons_respond(*, actor: User, summons: Summons, accept: bool, reason: str = "") -> Summons:
    """部门报到: the summoned department reports in, or objects with a reason."""
    case, summons = _summons_locked(summons)
    mine = grant_covers(
        actor,
        {Role.DEPARTMENT_HANDLER},
        case.area_path,
        departments=lambda: {summons.department_id},
    )
    if not mine:
        raise PermissionDeniedError("此事件未召集您所在的部门")
    if summons.status != SummonsStatus.PENDING:
        raise DomainError(
            "invalid_transition", f"该召集已{summons.get_status_display()}，不能再次答复"
        )
    if not accept and not reason.strip():
        raise DomainError("invalid", "提出异议须说明理由", {"reason": ["必填"]})
    summons.status = SummonsStatus.ACCEPTED if accept else SummonsStatus.OBJECTED
    summons.reason = "" if accept else reason.strip()[:500]
    summons.responded_at = timezone.now()
    summons.save()
    before = case.status
    if accept and summons.role == SummonsRole.LEAD and case.status == CaseStatus.ASSIGNED:
        case.status = CaseStatus.IN_PROGRESS
        case.save()
    label = "部门报到" if accept else "部门提出异议"
    _step(
        case,
        actor,
        "report_in" if accept else "object",
        f"{summons.department.name}{label}",
        before,
        case.status,
        note=summons.reason,
        data={"department": summons.department.name, "role": summons.get_role_display()},
    )
    if not accept:
        notify(
            grant_users(case, workflow.ABOVE_COMMUNITY),
            Message.plain(
                f"{summons.department.name}对事件 {case.number} 提出异议", summons.reason
            ),
        )
    return summons


@transaction.atomic
def summons_review(*, actor: User, summons: Summons, uphold: bool, note: str = "") -> Summons:
    """The subdistrict rules on an objection: upheld releases the department, overruled
    makes it report in."""
    case, summons = _summons_locked(summons)
    if not workflow.may(actor, workflow.ABOVE_COMMUNITY, case):
        raise PermissionDeniedError("只有街道可以审核部门异议")
    if summons.status != SummonsStatus.OBJECTED:
        raise DomainError("invalid_transition", "该召集没有待审核的异议")
    if not note.strip():
        raise DomainError("invalid", "请填写审核意见", {"note": ["必填"]})
    before = case.status
    if uphold:
        summons.status = SummonsStatus.RELEASED
        if summons.role == SummonsRole.LEAD:
            # No lead left: the case is the subdistrict's again, to summon someone else.
            case.handler_level, case.department = HandlerLevel.SUBDISTRICT, None
            case.status = CaseStatus.ASSIGNED
    else:
        summons.status = SummonsStatus.ACCEPTED
        summons.responded_at = timezone.now()
        if summons.role == SummonsRole.LEAD and case.status == CaseStatus.ASSIGNED:
            case.status = CaseStatus.IN_PROGRESS
    summons.save()
    case.save()
    verdict = "异议成立" if uphold else "异议驳回"
    _step(
        case,
        actor,
        "review_objection",
        f"{summons.department.name}{verdict}",
        before,
        case.status,
        note=note,
        data={"department": summons.department.name, "upheld": uphold},
    )
    return summons


def grant_users(case: Case, roles: frozenset[str]) -> list[User]:
    """Everyone granted one of `roles` over the case's area (or an area above it)."""
    return users_granted(roles=roles, area_path=case.area_path)


# --- deadline extensions ------------------------------------------------------------------

# Who approves an extension: the level above the one holding the case.
APPROVERS: dict[str, frozenset[str]] = {
    HandlerLevel.GRID: frozenset({Role.COMMUNITY_STAFF}),
    HandlerLevel.COMMUNITY: workflow.ABOVE_COMMUNITY,
    HandlerLevel.SUBDISTRICT: frozenset({Role.DISTRICT_ADMIN}),
    HandlerLevel.DEPARTMENT: workflow.ABOVE_COMMUNITY,
}


@transaction.atomic
def extension_request(*, actor: User, case: Case, days: int, reason: str) -> Extension:
    """延期申请 by whoever holds the case; one pending request at a time."""
    case = _locked(case)
    if case.status not in OPEN_STATUSES:
        raise DomainError("invalid_transition", "只有办理中的事件可以申请延期")
    if not workflow.may(actor, workflow.HOLDERS[case.handler_level], case):
        raise PermissionDeniedError("只有当前处置人可以申请延期")
    if not 1 <= days <= 30:
        raise DomainError("invalid", "延期天数应为 1–30 个工作日", {"days": ["1–30"]})
    if not reason.strip():
        raise DomainError("invalid", "请填写延期理由", {"reason": ["必填"]})
    if case.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise DomainError("invalid", "已有待审批的延期申请")
    extension = Extension.objects.create(
        case=case, days=days, reason=reason.strip()[:500], requested_by=actor
    )
    _step(
        case, actor, "extension", f"申请延期 {days} 个工作日", case.status, case.status, note=reason
    )
    notify(
        grant_users(case, APPROVERS[case.handler_level]),
        Message.plain(
            f"事件 {case.number} 申请延期 {days} 个工作日", reason, case.get_absolute_url()
        ),
    )
    return extension


@transaction.atomic
def extension_decide(
    *, actor: User, extension: Extension, approve: bool, note: str = ""
) -> Extension:
    case = _locked(extension.case)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.PENDING:
        raise DomainError("invalid_transition", "该延期申请已审批")
    if extension.requested_by_id == actor.pk or not workflow.may(
        actor, APPROVERS[case.handler_level], case
    ):
        raise PermissionDeniedError("延期须由上一级审批，不能审批自己的申请")
    now = timezone.now()
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by, extension.decided_at, extension.note = actor, now, note.strip()[:500]
    extension.save()
    if approve and case.due_at is not None:
        case.due_at = add_working_days(case.due_at, extension.days)
        if case.due_at > now:
            case.deadline_state = DeadlineState.ON_TIME
        case.save()
    label = f"延期{'批准' if approve else '未批准'}（{extension.days} 个工作日）"
    _step(case, actor, "extension_decided", label, case.status, case.status, note=note)
    notify(
        [extension.requested_by],
        Message.plain(f"事件 {case.number} {label}", note, case.get_absolute_url()),
    )
    return extension


# --- hazards --------------------------------------------------------------------------------


@transaction.atomic
def hazard_update(
    *,
    actor: User,
    case: Case,
    grade: str,
    responsible_unit: str,
    measures: str,
    rectify_by: date | None,
) -> Hazard:
    """The register's columns of a hazard: set by the office or the holder as it is worked."""
    case = _locked(case)
    roles = workflow.OFFICE | workflow.HOLDERS[case.handler_level]
    if not workflow.may(actor, roles, case):
        raise PermissionDeniedError("您无权登记该隐患")
    if grade not in HazardGrade.values:
        raise DomainError("invalid", "请选择隐患等级", {"grade": ["一般隐患或重大隐患"]})
    hazard = Hazard.objects.select_for_update().get(case=case)
    before = (hazard.grade, hazard.responsible_unit, hazard.rectify_by)
    hazard.grade, hazard.responsible_unit = grade, responsible_unit.strip()[:100]
    hazard.measures, hazard.rectify_by = measures.strip(), rectify_by
    hazard.save()
    if before != (hazard.grade, hazard.responsible_unit, hazard.rectify_by):
        _step(
            case,
            actor,
            "hazard",
            "登记隐患信息",
            case.status,
            case.status,
            note=f"{hazard.get_grade_display()}；责任单位：{hazard.responsible_unit or '—'}；"
            f"整改期限：{hazard.rectify_by or '—'}",
        )
    return hazard


# --- the resident's rating ------------------------------------------------------------------


@transaction.atomic
def case_rate(*, actor: User, case: Case, rating: str, comment: str = "") -> Case:
    """The reporter rates a resolved case. Unsatisfied within the reopen window sends it back
    to its handler; otherwise the rating closes it."""
    case = _locked(case)
    if actor.pk not in {u.pk for u in reporters(case)}:
        raise PermissionDeniedError("只有反映人可以评价")
    if rating not in Rating.values:
        raise DomainError("invalid", "请选择评价", {"rating": ["请选择满意、基本满意或不满意"]})
    if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED) or case.resolved_at is None:
        raise DomainError("invalid_transition", "事件办结后才能评价")
    if case.rated_at is not None and case.rated_at >= case.resolved_at:  # once per resolution
        raise DomainError("invalid_transition", "您已评价过该事件")
    window = timedelta(days=settings.SHEQUTONG_REOPEN_DAYS)
    now = timezone.now()
    before = case.status
    case.rating, case.rating_comment, case.rated_at = rating, comment.strip()[:500], now
    if rating == Rating.UNSATISFIED and now - case.resolved_at <= window:
        case.status, case.resolved_at = CaseStatus.IN_PROGRESS, None
        case.reopen_count += 1
        action, label = "reopen", "居民不满意，重新办理"
    else:
        action, label = "rate", f"居民评价：{Rating(rating).label}"
        # A hazard stays open for its acceptance check; anything else the rating closes.
        if case.category.kind != CategoryKind.HAZARD:
            case.status, case.closed_at = CaseStatus.CLOSED, case.closed_at or now
    case.save()
    _step(case, actor, action, label, before, case.status, note=case.rating_comment)
    if action == "reopen":
        _dispatch_notice(case)
    return case
