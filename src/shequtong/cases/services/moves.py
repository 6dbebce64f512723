"""The workflow's moves: every transition locks the case, is checked by the state machine and
writes its step; assignment, summons, suspension and the after-move notices."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shequtong.core.calendar import add_working_days, working_days_between
from shequtong.core.errors import DomainError
from shequtong.core.events import publish
from shequtong.core.models import Department, User

from .. import workflow
from ..choices import (
    CaseSource,
    HandlerLevel,
    PhotoStage,
    SummonsRole,
    SummonsStatus,
)
from ..events import case_resolved, resident_report_resolved
from ..models import (
    Case,
    Hazard,
    Summons,
)
from ..photos import clean_photo
from .steps import _dispatch_notice, _locked, _save_photo, _step, _tell_reporters


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
        publish(case_resolved, number=case.number)
        if case.source == CaseSource.RESIDENT and case.reporter_id:
            publish(resident_report_resolved, number=case.number, reporter_id=case.reporter_id)
    elif action == "reject":
        _tell_reporters(case, f"您反映的问题不予受理（{case.number}）")
