"""Writes of visiting (走访): the plans that say how often, the visits made.

A visit records where the visitor stood; the distance to the person's building (when the
registry has its coordinates) is kept with it, so a visit "made" from the office shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.geo import distance_m
from shequtong.core.models import Area, User
from shequtong.core.scoping import can, can_in_area

from ..choices import CareLevel, Living, VisitFinding
from ..models import CareProfile, Visit, VisitPlan
from ..selectors import home_position

# Within this many metres of the building a visit's location checks out (phone GPS indoors
# drifts by tens of metres; an office across the street is further).
NEAR_M = 150
# A visit may be recorded afterwards, but not weeks later: memory fades, records get invented.
LATE_ENTRY = timedelta(days=7)


@transaction.atomic
def visit_plan_create(
    *,
    actor: User,
    area: Area,
    name: str,
    every_days: int,
    living: str = "",
    care_level: str = "",
    min_age: int | None = None,
) -> VisitPlan:
    if not can_in_area(actor, "change", VisitPlan, area.path):
        raise PermissionDeniedError("只有街道和社区工作人员可以制定走访计划")
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["请填写计划名称"]
    if not 1 <= every_days <= 366:
        errors["every_days"] = ["走访周期应为 1–366 天"]
    if living and living not in Living.values:
        errors["living"] = ["未知的居住情况"]
    if care_level and care_level not in CareLevel.values:
        errors["care_level"] = ["未知的照护等级"]
    if min_age is not None and not 0 <= min_age <= 120:
        errors["min_age"] = ["年龄应为 0–120"]
    if errors:
        raise DomainError.from_fields(errors)
    plan = VisitPlan.objects.create(
        area=area,
        name=name.strip()[:64],
        every_days=every_days,
        living=living,
        care_level=care_level,
        min_age=min_age,
    )
    audit_record(actor=actor, action="care.visit_plan_create", obj=plan)
    return plan


@transaction.atomic
def visit_plan_stop(*, actor: User, plan: VisitPlan) -> VisitPlan:
    if not can(actor, "change", plan):
        raise PermissionDeniedError("您无权修改该走访计划")
    plan.active = False
    plan.save()
    audit_record(actor=actor, action="care.visit_plan_stop", obj=plan)
    return plan


@transaction.atomic
def visit_record(
    *,
    actor: User,
    profile: CareProfile,
    finding: str,
    notes: str = "",
    visited_at: datetime | None = None,
    point: tuple[float, float] | None = None,
) -> Visit:
    """`point` is where the visitor stood, WGS-84 (lon, lat), as `core.geo.parse_point` gives."""
    if not can(actor, "change", profile):
        raise PermissionDeniedError("您无权记录该老人的走访")
    now = timezone.now()
    visited_at = visited_at or now
    if timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)
    if finding not in VisitFinding.values:
        raise DomainError("invalid", "请选择走访情况", {"finding": ["必填"]})
    if visited_at > now + timedelta(minutes=5):
        raise DomainError("invalid", "走访时间不能晚于现在", {"visited_at": ["晚于现在"]})
    if visited_at < now - LATE_ENTRY:
        raise DomainError("invalid", "只能补录 7 天内的走访", {"visited_at": ["早于 7 天前"]})
    if finding != VisitFinding.WELL and not notes.strip():
        raise DomainError("invalid", "请说明情况", {"notes": ["未见到本人或需要帮助时必填"]})
    lon, lat = point or (None, None)
    home = home_position(profile)
    distance = round(distance_m(*point, *home)) if point and home else None
    visit = Visit.objects.create(
        profile=profile,
        area_id=profile.area_id,
        area_path=profile.area_path,
        visitor=actor,
        visited_at=visited_at,
        lon=lon,
        lat=lat,
        distance_m=distance,
        finding=finding,
        notes=notes.strip()[:1000],
    )
    audit_record(actor=actor, action="care.visit", obj=visit)
    return visit
