"""The staff console: home, the area tree, staff, the audit log, the calendar and API tokens.

Every list is read through a scoped selector and narrowed to the area switcher's choice; every
write goes through a service, which checks the grant again and writes the audit entry.
"""

from __future__ import annotations

import calendar as monthcal
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shequtong.core import selectors, services
from shequtong.core.audit_labels import REVEAL, action_label, field_label
from shequtong.core.calendar import (
    add_working_days,
    is_working_day,
    national_holiday_name,
    provisional_years,
)
from shequtong.core.calendar_import import holiday_notice_load
from shequtong.core.choices import LEVEL_ORDER, AreaLevel, Role
from shequtong.core.errors import DomainError, NotFoundError
from shequtong.core.models import (
    ApiToken,
    Area,
    AuditEntry,
    CalendarOverride,
    HolidayNotice,
    RoleGrant,
    User,
)
from shequtong.core.scoping import allowed, can, require, roles_of
from shequtong.core.vault import mask_phone

from ..forms import (
    AreaFilterForm,
    AuditFilterForm,
    CalendarOverrideForm,
    DeadlineForm,
    HolidayNoticeForm,
    StaffFilterForm,
    TokenForm,
)
from ..navigation import home_panels
from ..pages import Crumb, csv_response, paginate, within_scope
from ..scope import current_scope, set_scope

# --- home and the area switcher -----------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_superuser and roles_of(user) == {Role.RESIDENT}:
        return redirect("web:resident_home")  # residents are served by the portal
    scope = current_scope(request)
    areas = selectors.area_list(user=user)
    if scope is not None:
        areas = areas.filter(path__startswith=scope.path)
    counts = dict(areas.values_list("level").annotate(n=Count("pk")))
    level_counts = [(AreaLevel(lv).label, counts.get(lv, 0)) for lv in LEVEL_ORDER if lv in counts]
    grants = RoleGrant.objects.filter(user=user).select_related("area", "department")
    context = {
        "title": "首页",
        "level_counts": level_counts,
        "grants": grants,
        "panels": home_panels(request),
    }
    return render(request, "web/home.html", context)


@require_POST
@login_required
def switch_scope(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("area") or ""
    # ASCII digits of a plausible id only: "²".isdigit() is true, and int("²") fails.
    area = set_scope(
        request, int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None
    )
    messages.info(request, f"已切换到{area.name}" if area else "已显示全部管辖范围")
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("web:home")
    return redirect(target)


# --- areas ----------------------------------------------------------------------------------


@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Area, "区划与网格")
    user = request.user
    form = AreaFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    exporting = request.GET.get("export") == "csv"
    areas = selectors.area_list(
        user=user,
        action="export" if exporting else "read",
        level=filters.get("level") or None,
        q=filters.get("q") or None,
    )
    areas = within_scope(request, areas, "path").select_related("parent").order_by("path")
    if exporting:
        return _export_areas(request, areas, filters)
    rows = selectors.in_tree_order(areas.annotate(child_count=Count("children")))
    context = {
        "title": "区划与网格",
        "form": form,
        "page": paginate(request, rows),
        "can_export": allowed(user, "export", Area),
        "breadcrumbs": [Crumb("区划与网格")],
    }
    return render(request, "web/areas/list.html", context)


def _export_areas(request: HttpRequest, areas: QuerySet[Area], filters: dict[str, Any]) -> Any:
    rows = list(areas)
    services.export_record(actor=request.user, model=Area, count=len(rows), filters=filters)
    return csv_response(
        "区划与网格.csv",
        ["名称", "层级", "行政区划代码", "上级"],
        ([a.name, a.get_level_display(), a.code or "", a.parent or ""] for a in rows),
    )


def _feature(area: Area, *, self_: bool = False) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": area.boundary,
        "properties": {
            "name": area.name,
            "self": self_,
            "url": reverse("web:area_detail", args=[area.pk]),
        },
    }


@login_required
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    area = selectors.area_get(user=user, pk=pk)
    children = list(selectors.area_children_counts(user=user, area=area).order_by("code", "name"))
    shapes = [_feature(a) for a in children if a.boundary]
    if area.boundary:
        shapes.insert(0, _feature(area, self_=True))
    visible = set(selectors.area_list(user=user).filter(pk__in=area.path_ids).values_list("pk"))
    crumbs = [
        Crumb(a.name, reverse("web:area_detail", args=[a.pk]) if (a.pk,) in visible else None)
        for a in area.ancestors()
    ]
    grants = (
        selectors.grant_list(user=user).filter(area=area)
        if allowed(user, "read", RoleGrant)
        else []
    )
    context = {
        "title": area.name,
        "area": area,
        "children": children,
        "geojson": {"type": "FeatureCollection", "features": shapes},
        "grants": grants,
        "breadcrumbs": [Crumb("区划与网格", reverse("web:area_list")), *crumbs, Crumb(area.name)],
    }
    return render(request, "web/areas/detail.html", context)


# --- staff and personal data ----------------------------------------------------------------


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", User, "人员与授权")
    user = request.user
    form = StaffFilterForm(request.GET or None)
    q = form.cleaned_data.get("q") if form.is_valid() else None
    people = selectors.staff_list(user=user, q=q or None)
    scope = current_scope(request)
    if scope is not None:
        people = people.filter(
            pk__in=RoleGrant.objects.filter(area_path__startswith=scope.path).values("user")
        )
    page = paginate(request, people.order_by("username"))
    context = {
        "title": "人员与授权",
        "form": form,
        "page": page,
        "rows": [(p, mask_phone(p.phone), can(user, "reveal", p)) for p in page],
        "breadcrumbs": [Crumb("人员与授权")],
    }
    return render(request, "web/staff/list.html", context)


@require_POST
@login_required
def staff_reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The full number in place of the masked one; the service checks the grant and audits."""
    person = selectors.staff_get(user=request.user, pk=pk)
    phone = services.pii_reveal(actor=request.user, obj=person, field="phone")
    return render(request, "web/staff/list.html#revealed", {"value": phone})


# --- audit log ------------------------------------------------------------------------------


@dataclass
class AuditRow:
    """An entry as an auditor reads it: the action and the changed fields by name."""

    entry: AuditEntry
    label: str
    changes: list[tuple[str, Any, Any]]


def _audit_rows(entries: Iterable[AuditEntry]) -> list[AuditRow]:
    rows = []
    for e in entries:
        changes = e.changes if isinstance(e.changes, dict) else {}
        pairs = [
            (field_label(e.object_type, key), pair[0], pair[1])
            for key, pair in changes.items()
            if isinstance(pair, list) and len(pair) == 2
        ]
        # A reveal's one change is the field revealed, which its name already says.
        shown = [] if e.action == REVEAL else pairs
        rows.append(AuditRow(e, action_label(e.action, e.object_type, changes), shown))
    return rows


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", AuditEntry, "审计日志")
    user = request.user
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    exporting = request.GET.get("export") == "csv"
    entries = selectors.audit_search(
        user=user,
        scope_action="export" if exporting else "read",
        action=filters.get("action") or None,
        actor=filters.get("actor") or None,
        q=filters.get("q") or None,
        since=filters.get("since"),
        until=filters.get("until"),
    )
    entries = within_scope(request, entries, "area_path")
    if exporting:
        return _export_audit(request, entries, filters)
    page = paginate(request, entries)
    context = {
        "title": "审计日志",
        "form": form,
        "page": page,
        "rows": _audit_rows(page),
        "can_export": allowed(user, "export", AuditEntry),
        "breadcrumbs": [Crumb("审计日志")],
    }
    return render(request, "web/audit/list.html", context)


def _export_audit(
    request: HttpRequest, entries: QuerySet[AuditEntry], filters: dict[str, Any]
) -> Any:
    rows = _audit_rows(entries)
    services.export_record(
        actor=request.user,
        model=AuditEntry,
        count=len(rows),
        filters={k: str(v) for k, v in filters.items() if v},
    )
    return csv_response(
        "审计日志.csv",
        ["序号", "时间", "操作人", "动作", "动作代码", "对象", "区域", "变更", "IP"],
        (
            [
                r.entry.seq,
                timezone.localtime(r.entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                r.entry.actor_label,
                r.label,
                r.entry.action,
                r.entry.object_repr,
                r.entry.area.name if r.entry.area else "",
                "；".join(f"{name}：{_shown(a)} → {_shown(b)}" for name, a, b in r.changes),
                r.entry.ip or "",
            ]
            for r in rows
        ),
    )


def _shown(value: Any) -> str:
    return "（空）" if value in (None, "") else str(value)


# --- working-day calendar -------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    working: bool
    note: str


def _month_days(year: int, month: int) -> list[Day | None]:
    first = date(year, month, 1)
    last = date(year, month, monthcal.monthrange(year, month)[1])
    overrides = dict(
        CalendarOverride.objects.filter(day__range=(first, last)).values_list("day", "note")
    )
    days: list[Day | None] = [None] * first.weekday()
    for n in range(1, last.day + 1):
        day = date(year, month, n)
        working = is_working_day(day)
        note = overrides.get(day, "")
        if not note:
            note = national_holiday_name(day)
            if working and day.weekday() >= 5:
                note = f"{note}调休上班" if note else "调休上班"
        days.append(Day(day, working, note))
    return days


def _month_param(raw: str | None) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        date(year, month, 1)
    except ValueError:
        return today.year, today.month
    return year, month


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", CalendarOverride, "工作日历")
    user = request.user
    can_change = allowed(user, "change", CalendarOverride)
    posted = request.POST if request.method == "POST" else None
    override_form = CalendarOverrideForm(posted if "day" in request.POST else None)
    notice_form = HolidayNoticeForm(posted if "text" in request.POST else None)
    if override_form.is_valid():
        services.calendar_override_set(actor=user, **override_form.cleaned_data)
        messages.success(request, "工作日历已调整")
        return redirect(f"{reverse('web:calendar')}?month={request.GET.get('month', '')}")
    if notice_form.is_valid():
        try:
            notice = holiday_notice_load(actor=user, **notice_form.cleaned_data)
        except DomainError as exc:
            for name, problems in exc.fields.items():
                for problem in problems:
                    notice_form.add_error(name if name in notice_form.fields else None, problem)
        else:
            messages.success(
                request, f"已导入 {notice.year} 年放假安排，共 {notice.days.count()} 天"
            )
            return redirect(f"{reverse('web:calendar')}?month={notice.year}-1")
    year, month = _month_param(request.GET.get("month"))
    deadline_form = DeadlineForm(request.GET if "start" in request.GET else None)
    due = None
    if deadline_form.is_valid():
        due = add_working_days(
            deadline_form.cleaned_data["start"], deadline_form.cleaned_data["days"]
        )
    shown = [date(year, month, 1), due]
    prev_month = date(year, month, 1) - timedelta(days=1)
    next_month = date(year + month // 12, month % 12 + 1, 1)
    context = {
        "title": "工作日历",
        "year": year,
        "month": month,
        "days": _month_days(year, month),
        "prev": f"{prev_month.year}-{prev_month.month}",
        "next": f"{next_month.year}-{next_month.month}",
        "overrides": CalendarOverride.objects.all()[:50],
        "override_form": override_form if can_change else None,
        "notice_form": notice_form if can_change else None,
        "notices": HolidayNotice.objects.all()[:10],
        "provisional": provisional_years(shown),
        "deadline_form": deadline_form,
        "due": due,
        "breadcrumbs": [Crumb("工作日历")],
    }
    return render(request, "web/calendar.html", context)


# --- API tokens -----------------------------------------------------------------------------


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", ApiToken, "API 令牌")
    user = request.user
    form = TokenForm(request.POST or None)
    plaintext = None
    if request.method == "POST" and form.is_valid():
        _, plaintext = services.api_token_create(
            actor=user, name=form.cleaned_data["name"], expires_at=form.expires_at()
        )
        form = TokenForm()
    context = {
        "title": "API 令牌",
        "form": form,
        "plaintext": plaintext,
        "tokens": selectors.token_list(user=user),
        "breadcrumbs": [Crumb("API 令牌")],
    }
    return render(request, "web/tokens.html", context)


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_list(user=request.user).filter(pk=pk).first()
    if token is None:
        raise NotFoundError()
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, f"令牌“{token.name}”已撤销")
    return redirect("web:token_list")


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """全部标为已读, from the console's inbox or the portal's home (hence outside /console/)."""
    services.notifications_mark_read(actor=request.user)
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("web:notifications")
    return redirect(target)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The inbox: the newest first; opening it marks everything read."""
    page = paginate(request, selectors.notification_list(user=request.user))
    unread = {n.pk for n in page if n.read_at is None}
    services.notifications_mark_read(actor=request.user)
    context = {
        "title": "通知",
        "page": page,
        "unread": unread,
        "breadcrumbs": [Crumb("通知")],
    }
    return render(request, "web/notifications.html", context)
