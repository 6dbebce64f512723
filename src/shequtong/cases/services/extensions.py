"""Deadline extensions: asked by the holder, decided by the level above."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shequtong.core.calendar import add_working_days
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import User
from shequtong.core.notify import Message, notify

from .. import workflow
from ..choices import (
    OPEN_STATUSES,
    DeadlineState,
    ExtensionStatus,
    HandlerLevel,
)
from ..models import (
    Case,
    Extension,
)
from .steps import _locked, _step, grant_users

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
