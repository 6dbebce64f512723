"""吹哨报到: a summoned department reports in or objects, the street office rules on objections."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shequtong.core.choices import Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import User
from shequtong.core.notify import Message, notify
from shequtong.core.scoping import grant_covers

from .. import workflow
from ..choices import (
    CaseStatus,
    HandlerLevel,
    SummonsRole,
    SummonsStatus,
)
from ..models import (
    Case,
    Summons,
)
from .steps import _locked, _step, grant_users


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
