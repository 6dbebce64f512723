"""Home-service order pages: the order list with its moves, requesting from the profile, the
monthly subsidy sheet."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shequtong.core.errors import DomainError, NotFoundError, PermissionDeniedError
from shequtong.core.models import User
from shequtong.core.scoping import allowed
from shequtong.web.inputs import local_moment, required_number, whole_number
from shequtong.web.pages import Crumb, paginate
from shequtong.web.scope import current_scope

from . import selectors
from .choices import CareOrderStatus, CareService
from .models import CareOrder
from .services import orders


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user, "read", CareOrder):
        raise PermissionDeniedError("您无权查看助老服务工单")
    status = request.GET.get("status", "")
    orders = selectors.order_list(user=request.user, within=current_scope(request), status=status)
    context = {
        "title": "助老服务",
        "page": paginate(request, orders),
        "status": status,
        "statuses": CareOrderStatus.choices,
        "providers": selectors.providers(user=request.user),
        "breadcrumbs": [Crumb("助老服务")],
    }
    return render(request, "care/order_list.html", context)


@require_POST
@login_required
def order_request(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get(user=request.user, pk=pk, action="change")
    wanted_at = local_moment(request.POST, "wanted_at", "期望服务时间")
    order = orders.order_request(
        actor=request.user,
        profile=profile,
        service=request.POST.get("service", ""),
        wanted_at=wanted_at,
        note=request.POST.get("note", ""),
    )
    messages.success(request, f"已登记{order.get_service_display()}需求，请派单")
    return redirect(reverse("care:profile_detail", args=[pk]) + "#orders")


def _volunteer(order: CareOrder, username: str) -> User:
    found = next((u for u in orders.volunteers(order) if u.username == username), None)
    if found is None:
        raise DomainError.from_fields(
            {"volunteer": [f"本社区没有用户名为“{username}”的注册志愿者"]}
        )
    return found


@require_POST
@login_required
def order_act(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(user=request.user, pk=pk)
    post, actor = request.POST, request.user
    action = post.get("action", "")
    if action == "assign":
        provider = None
        if post.get("provider"):
            provider = next(
                (
                    o
                    for o in selectors.providers(user=request.user)
                    if str(o.pk) == post["provider"]
                ),
                None,
            )
            if provider is None:
                raise NotFoundError("服务机构不存在或不在您的管辖范围内")
        username = post.get("volunteer", "").strip()
        volunteer = _volunteer(order, username) if username else None
        order = orders.order_assign(
            actor=actor, order=order, provider=provider, volunteer=volunteer
        )
    elif action == "complete":
        order = orders.order_complete(
            actor=actor,
            order=order,
            price=post.get("price", ""),
            minutes=whole_number(post, "minutes", "服务时长"),
        )
    elif action == "rate":
        order = orders.order_rate(
            actor=actor,
            order=order,
            rating=required_number(post, "rating", "评分"),
            comment=post.get("comment", ""),
        )
    elif action == "cancel":
        order = orders.order_cancel(actor=actor, order=order, reason=post.get("reason", ""))
    else:
        raise DomainError("invalid_transition", f"没有“{action}”这个操作")
    messages.success(request, f"{order}：{order.get_status_display()}")
    back = post.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("care:order_list")
    return redirect(back)


def _month(value: str) -> date:
    """The month asked for (YYYY-MM), else this month."""
    try:
        year, month = (int(part) for part in value.split("-"))
        if 2000 <= year <= 2100:
            return date(year, month, 1)
    except ValueError:
        pass
    return timezone.localdate().replace(day=1)


@login_required
def subsidy_totals(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user, "read", CareOrder):
        raise PermissionDeniedError("您无权查看助老服务补贴")
    month = _month(request.GET.get("month", ""))
    rows = selectors.subsidy_totals(user=request.user, month=month, within=current_scope(request))
    services = [(f"n_{v}", label) for v, label in CareService.choices]
    for row in rows:
        row["counts"] = [row[key] for key, _ in services]
    context = {
        "title": f"助老服务补贴 {month:%Y-%m}",
        "month": month,
        "rows": rows,
        "services": services,
        "total_orders": sum(r["orders"] for r in rows),
        "total_price": sum(r["price"] for r in rows),
        "total_subsidy": sum(r["subsidy"] for r in rows),
        "breadcrumbs": [Crumb("助老服务", reverse("care:order_list")), Crumb("月度补贴")],
    }
    return render(request, "care/subsidy_totals.html", context)
