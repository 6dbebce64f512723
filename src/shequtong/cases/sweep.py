"""The deadline sweep: warn at 75 % of the time, mark overdue at 100 % and raise supervision
(督办) one level up.

It reads only open cases whose state must change — overdue ones by the (status, due_at)
index — and works in batches of set-based UPDATEs, one bulk INSERT of timeline steps and one
of notifications, so a sweep after a long weekend is as quick as one after five minutes.
Rows another transaction holds (someone acting on the case) are skipped and caught next time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F, QuerySet
from django.utils import timezone

from shequtong.core.audit import audit_record_many
from shequtong.core.models import User
from shequtong.core.notify import Message, notify_many

from . import workflow
from .choices import OPEN_STATUSES, CaseStatus, DeadlineState, HandlerLevel
from .models import Case, CaseStep
from .services.steps import _audit_of, grant_users, holders

ESCALATE_TO = {
    HandlerLevel.GRID: HandlerLevel.COMMUNITY,
    HandlerLevel.COMMUNITY: HandlerLevel.SUBDISTRICT,
    HandlerLevel.SUBDISTRICT: HandlerLevel.SUBDISTRICT,
    HandlerLevel.DEPARTMENT: HandlerLevel.DEPARTMENT,
}


@dataclass
class SweepResult:
    warned: int = 0
    overdue: int = 0


class _Recipients:
    """Who is told about a case, looked up once per (level, place, assignee) in a sweep."""

    def __init__(self) -> None:
        self.cache: dict[tuple, list[User]] = {}

    def holders(self, case: Case) -> list[User]:
        if case.handler_level == HandlerLevel.DEPARTMENT:
            return holders(case)  # depends on the case's own summonses
        key = ("h", case.handler_level, case.area_path, case.assignee_id)
        if key not in self.cache:
            self.cache[key] = holders(case)
        return self.cache[key]

    def supervisors(self, case: Case) -> list[User]:
        key = ("s", case.area_path)
        if key not in self.cache:
            self.cache[key] = grant_users(case, workflow.ABOVE_COMMUNITY)
        return self.cache[key]


def _open() -> QuerySet[Case]:
    return Case.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False)


def case_sweep(now: datetime | None = None, batch: int = 1000) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    recipients = _Recipients()
    due = _open().filter(due_at__lte=now).exclude(deadline_state=DeadlineState.OVERDUE)
    while True:
        with transaction.atomic():
            cases = list(
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related("category")
                .order_by("due_at")[:batch]
            )
            if not cases:
                break
            _supervise(cases, now, recipients)
        result.overdue += len(cases)
    # 75 %: what is left of the time is at most a quarter of the whole.
    span = ExpressionWrapper(F("due_at") - F("created_at"), output_field=DurationField())
    left = ExpressionWrapper(F("due_at") - now, output_field=DurationField())
    warning = (
        _open()
        .filter(deadline_state=DeadlineState.ON_TIME, due_at__gt=now)
        .annotate(span=span, left=left)
        .filter(left__lte=F("span") / 4)
    )
    # No index serves "the last quarter of its time": one scan for the ids, then batches.
    ids = list(warning.values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            cases = list(
                Case.objects.filter(
                    pk__in=ids[start : start + batch], deadline_state=DeadlineState.ON_TIME
                ).select_for_update(skip_locked=True, of=("self",))
            )
            Case.objects.filter(pk__in=[c.pk for c in cases]).update(
                deadline_state=DeadlineState.WARNING, updated_at=now
            )
            notify_many(
                (
                    recipients.holders(c),
                    Message.plain(f"事件 {c.number} 即将超期", "请尽快处置", c.get_absolute_url()),
                )
                for c in cases
            )
        result.warned += len(cases)
    return result


def _supervise(cases: list[Case], now: datetime, recipients: _Recipients) -> None:
    """Overdue: marked, counted, and moved one level up (grid → community → street office)."""
    ids = [c.pk for c in cases]
    rows = Case.objects.filter(pk__in=ids)
    rows.update(
        deadline_state=DeadlineState.OVERDUE,
        supervision_count=F("supervision_count") + 1,
        updated_at=now,
    )
    # Community before grid, so that no case climbs two levels in one sweep.
    for level in (HandlerLevel.COMMUNITY, HandlerLevel.GRID):
        moving = [c.pk for c in cases if c.handler_level == level]
        rows.filter(pk__in=moving).update(handler_level=ESCALATE_TO[level], assignee=None)
        rows.filter(pk__in=moving, status=CaseStatus.IN_PROGRESS).update(status=CaseStatus.ASSIGNED)
    steps = []
    for case in cases:
        before, after = case.handler_level, ESCALATE_TO[case.handler_level]
        if after != before:
            case.handler_level, case.assignee_id = after, None
            if case.status == CaseStatus.IN_PROGRESS:
                case.status = CaseStatus.ASSIGNED
        steps.append(
            CaseStep(
                case=case,
                action="supervise",
                label="超期督办",
                from_status=case.status,
                to_status=case.status,
                actor_label="系统",
                data={"level": HandlerLevel(after).label},
                note=f"已超过办理时限，由{HandlerLevel(before).label}升级至"
                f"{HandlerLevel(after).label}督办",
            )
        )
    CaseStep.objects.bulk_create(steps)
    audit_record_many(_audit_of(step) for step in steps)
    notify_many(
        (
            recipients.holders(c) + recipients.supervisors(c),
            Message.plain(
                f"事件 {c.number} 已超期，升级督办", c.category.name, c.get_absolute_url()
            ),
        )
        for c in cases
    )
