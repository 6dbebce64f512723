"""Visiting pages: the due list per community and grid worker, the plans, recording a visit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shequtong.core.errors import NotFoundError, PermissionDeniedError
from shequtong.core.geo import parse_point
from shequtong.core.models import Area
from shequtong.core.scoping import allowed, can, scope_paths
from shequtong.web.inputs import local_moment, required_number, whole_number
from shequtong.web.pages import Crumb
from shequtong.web.scope import current_scope

from . import selectors
from .choices import CareLevel, Living
from .models import Visit, VisitPlan
from .services import visits


def _plan_areas(request: HttpRequest) -> list[Area]:
    """Where the user may set a plan: the areas they hold an office over."""
    return list(Area.objects.filter(path__in=scope_paths(request.user, VisitPlan, "change")))


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user, "read", Visit):
        raise PermissionDeniedError("您无权查看走访")
    show_all = request.GET.get("all") == "1"
    rows = selectors.visits_due(user=request.user, within=current_scope(request))
    plans = list(selectors.visit_plans(user=request.user))
    for plan in plans:
        plan.may_stop = can(request.user, "change", plan)  # type: ignore[attr-defined]
    context = {
        "title": "走访",
        "rows": rows if show_all else [r for r in rows if r.overdue_days >= 0],
        "overdue": sum(1 for r in rows if r.overdue_days > 0),
        "covered": len(rows),
        "show_all": show_all,
        "plans": plans,
        "plan_areas": _plan_areas(request),
        "livings": Living.choices,
        "levels": CareLevel.choices,
        "breadcrumbs": [Crumb("走访")],
    }
    return render(request, "care/visit_list.html", context)


@require_POST
@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    post = request.POST
    area = next((a for a in _plan_areas(request) if str(a.pk) == post.get("area")), None)
    if area is None:
        raise PermissionDeniedError("请选择您管辖的区域")
    plan = visits.visit_plan_create(
        actor=request.user,
        area=area,
        name=post.get("name", ""),
        every_days=required_number(post, "every_days", "走访周期"),
        living=post.get("living", ""),
        care_level=post.get("care_level", ""),
        min_age=whole_number(post, "min_age", "年龄"),
    )
    messages.success(request, f"已制定走访计划：{plan}")
    return redirect("care:visit_list")


@require_POST
@login_required
def plan_stop(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.visit_plans(user=request.user).filter(pk=pk).first()
    if plan is None:
        raise NotFoundError("走访计划不存在")
    visits.visit_plan_stop(actor=request.user, plan=plan)
    messages.success(request, f"已停用走访计划：{plan.name}")
    return redirect("care:visit_list")


@require_POST
@login_required
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get(user=request.user, pk=pk, action="change")
    post = request.POST
    point = parse_point(post.get("lon"), post.get("lat"), post.get("coord_system") or "wgs84")
    visit = visits.visit_record(
        actor=request.user,
        profile=profile,
        finding=post.get("finding", ""),
        notes=post.get("notes", ""),
        visited_at=local_moment(post, "visited_at", "走访时间"),
        point=point,
    )
    where = f"，距住址 {visit.distance_m} 米" if visit.distance_m is not None else ""
    messages.success(request, f"已记录走访（{visit.get_finding_display()}{where}）")
    return redirect(reverse("care:profile_detail", args=[pk]) + "#visits")
