"""Writes of home-service orders (助餐、助洁、助急、助浴、助医、助行).

requested → assigned (a provider organization or a volunteer) → completed (with its price and
the subsidy it earns) → rated; requested or assigned orders may be cancelled. The subsidy is
the service's rate, never above the price, and never more in a calendar month than the cap per
person: completions of one person are serialized on their profile row, so two orders finished
at the same moment cannot both take the last of the month's allowance.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from shequtong.core.audit import audit_record
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.events import publish
from shequtong.core.models import User
from shequtong.core.scoping import can
from shequtong.core.selectors import users_granted
from shequtong.registry.models import Organization

from ..choices import CareOrderStatus, CareService
from ..events import care_order_done
from ..models import CareOrder, CareProfile

Status = CareOrderStatus
PAID = (Status.COMPLETED, Status.RATED)


def _require(actor: User, obj: CareOrder | CareProfile) -> None:
    if not can(actor, "change", obj):
        raise PermissionDeniedError("您无权处理该老人的服务工单")


def _locked(order: CareOrder, sources: tuple[str, ...], doing: str) -> CareOrder:
    order = (
        CareOrder.objects.select_for_update(of=("self",))
        .select_related("profile__person")
        .get(pk=order.pk)
    )
    if order.status not in sources:
        raise DomainError(
            "invalid_transition", f"工单当前为“{order.get_status_display()}”，不能{doing}"
        )
    return order


@transaction.atomic
def order_request(
    *, actor: User, profile: CareProfile, service: str, wanted_at: datetime | None, note: str = ""
) -> CareOrder:
    _require(actor, profile)
    if service not in CareService.values:
        raise DomainError("invalid", "请选择服务类型", {"service": ["必填"]})
    if wanted_at is None:
        raise DomainError("invalid", "请填写期望服务时间", {"wanted_at": ["必填"]})
    if wanted_at < timezone.now() - timedelta(days=1):
        raise DomainError("invalid", "期望服务时间已过", {"wanted_at": ["早于现在"]})
    order = CareOrder.objects.create(
        profile=profile,
        area_id=profile.area_id,
        area_path=profile.area_path,
        service=service,
        wanted_at=wanted_at,
        note=note.strip()[:500],
        requested_by=actor,
    )
    audit_record(actor=actor, action="care.order_request", obj=order)
    return order


@transaction.atomic
def order_assign(
    *,
    actor: User,
    order: CareOrder,
    provider: Organization | None = None,
    volunteer: User | None = None,
) -> CareOrder:
    """To a provider organization or a volunteer (one of them); an assigned order may be
    given to someone else."""
    _require(actor, order)
    order = _locked(order, (Status.REQUESTED, Status.ASSIGNED), "派单")
    if (provider is None) == (volunteer is None):
        raise DomainError("invalid", "请选择服务机构或志愿者（二选一）", {"provider": ["必填"]})
    if provider is not None and not can(actor, "read", provider):
        raise PermissionDeniedError("该服务机构不在您的管辖范围内")
    if volunteer is not None and volunteer not in volunteers(order):
        raise DomainError(
            "invalid", "该志愿者不是本社区的注册志愿者", {"volunteer": ["不在本社区"]}
        )
    order.provider, order.volunteer = provider, volunteer
    order.status, order.assigned_at = Status.ASSIGNED, timezone.now()
    order.save()
    audit_record(actor=actor, action="care.order_assign", obj=order)
    return order


# area path -> the accounts of the registered volunteers who may serve there, declared by the
# volunteering app (care imports none); with none declared, anyone granted over the area.
VOLUNTEER_POOLS: list[Callable[[str], list[User]]] = []


def volunteers(order: CareOrder) -> list[User]:
    """Who may take an order as a volunteer: the registered volunteers of the person's
    community, or, where no volunteering app declares them, the accounts granted over it."""
    if VOLUNTEER_POOLS:
        return [u for pool in VOLUNTEER_POOLS for u in pool(order.area_path)]
    return users_granted(roles=Role.values, area_path=order.area_path)


def _month_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _price(value: str | Decimal) -> Decimal:
    try:
        price = Decimal(str(value).strip() or "0").quantize(Decimal("0.01"))
    except InvalidOperation:
        raise DomainError("invalid", "价格应为数字，如 12.50", {"price": ["格式不对"]}) from None
    if not Decimal(0) <= price <= Decimal(10_000):
        raise DomainError("invalid", "价格应在 0–10000 元之间", {"price": ["超出范围"]})
    return price


@transaction.atomic
def order_complete(
    *, actor: User, order: CareOrder, price: str | Decimal, minutes: int | None = None
) -> CareOrder:
    """Done, at its price (the subsidy follows); a volunteer's order states the minutes
    served, which go through the time bank (`events.care_order_done`)."""
    _require(actor, order)
    order = _locked(order, (Status.ASSIGNED,), "完成")
    price = _price(price)
    if order.volunteer_id and not (isinstance(minutes, int) and 1 <= minutes <= 24 * 60):
        raise DomainError(
            "invalid", "志愿者服务须填写服务时长（1–1440 分钟）", {"minutes": ["1–1440 分钟"]}
        )
    # One completion per person at a time: the month's subsidy total is read and added to
    # under this lock.
    CareProfile.objects.select_for_update().filter(pk=order.profile_id).first()
    now = timezone.now()
    start = _month_start(now)
    taken = CareOrder.objects.filter(
        profile_id=order.profile_id, status__in=PAID, completed_at__gte=start
    ).aggregate(total=Sum("subsidy"))["total"] or Decimal(0)
    cap = Decimal(settings.SHEQUTONG_CARE_SUBSIDY_MONTHLY_CAP)
    rate = Decimal(settings.SHEQUTONG_CARE_SUBSIDY.get(order.service, 0))
    order.subsidy = max(min(rate, price, cap - taken), Decimal(0))
    order.price, order.status, order.completed_at = price, Status.COMPLETED, now
    order.minutes = minutes if order.volunteer_id else None
    order.save()
    audit_record(actor=actor, action="care.order_complete", obj=order)
    if order.volunteer_id:
        publish(
            care_order_done,
            order_id=order.pk,
            person_id=order.profile.person_id,
            volunteer_id=order.volunteer_id,
            minutes=minutes,
            service_label=order.get_service_display(),
        )
    return order


@transaction.atomic
def order_rate(*, actor: User, order: CareOrder, rating: int, comment: str = "") -> CareOrder:
    """The person's (or family's) rating, entered by staff on a return visit or call."""
    _require(actor, order)
    order = _locked(order, (Status.COMPLETED,), "评价")
    if not 1 <= rating <= 5:
        raise DomainError("invalid", "评分应为 1–5 星", {"rating": ["1–5"]})
    order.rating, order.rating_comment, order.status = rating, comment.strip()[:200], Status.RATED
    order.save()
    audit_record(actor=actor, action="care.order_rate", obj=order)
    return order


@transaction.atomic
def order_cancel(*, actor: User, order: CareOrder, reason: str) -> CareOrder:
    _require(actor, order)
    order = _locked(order, (Status.REQUESTED, Status.ASSIGNED), "取消")
    if not reason.strip():
        raise DomainError("invalid", "请说明取消原因", {"reason": ["必填"]})
    order.status = Status.CANCELLED
    order.note = f"{order.note}（取消：{reason.strip()}）"[:500]
    order.save()
    audit_record(actor=actor, action="care.order_cancel", obj=order)
    return order
