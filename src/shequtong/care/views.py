"""The alarm wall: open alarms, refreshed every 2 seconds, with the moves staff take."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.http import require_POST

from shequtong.core.errors import DomainError, NotFoundError, PermissionDeniedError
from shequtong.core.scoping import allowed, can
from shequtong.core.services import pii_reveal
from shequtong.registry.selectors import person_get
from shequtong.web.inputs import required_number, whole_number
from shequtong.web.pages import Crumb, paginate
from shequtong.web.scope import current_scope

from . import alarms, selectors, services
from .choices import CareLevel, CareService, ContactKind, DeviceKind, Living, VisitFinding
from .models import Alarm, CareProfile
from .services.visits import NEAR_M


@login_required
def alarm_wall(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user, "read", Alarm):
        raise PermissionDeniedError("您无权查看养老告警")
    shown = list(selectors.open_alarms(user=request.user, within=current_scope(request)))
    by_area: dict[str, list] = {}
    for alarm in shown:  # who can be sent to each door (alarms of one grid share the list)
        if alarm.area_path not in by_area:
            by_area[alarm.area_path] = alarms.responders(alarm)
        alarm.responders = by_area[alarm.area_path]  # type: ignore[attr-defined]
    context = {
        "title": "养老告警",
        "alarms": shown,
        "outcomes": alarms.STAFF_OUTCOMES,
        "follow_up_kinds": alarms.FOLLOW_UP_KINDS,
        "breadcrumbs": [Crumb("养老告警")],
    }
    if request.htmx:
        return render(request, "care/alarm_wall.html#wall", context)
    return render(request, "care/alarm_wall.html", context)


@require_POST
@login_required
def alarm_act(request: HttpRequest, pk: int) -> HttpResponse:
    alarm = selectors.alarm_get(user=request.user, pk=pk)
    if request.POST.get("action") == "dispatch":
        responder = next(
            (u for u in alarms.responders(alarm) if str(u.pk) == request.POST.get("responder")),
            None,
        )
        if responder is None:
            raise DomainError("invalid", "请选择上门人员", {"responder": ["必填"]})
        alarm = alarms.alarm_dispatch(
            actor=request.user, alarm=alarm, responder=responder, note=request.POST.get("note", "")
        )
        messages.success(request, f"{alarm}：已派 {responder.display_name} 上门")
        return redirect("care:alarm_wall")
    alarm = alarms.alarm_act(
        actor=request.user,
        alarm=alarm,
        action=request.POST.get("action", ""),
        outcome=request.POST.get("outcome", ""),
        note=request.POST.get("note", ""),
        follow_up=request.POST.get("follow_up") == "1",
    )
    messages.success(request, f"{alarm}：{alarm.get_status_display()}")
    return redirect("care:alarm_wall")


@login_required
def profile_list(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user, "read", CareProfile):
        raise PermissionDeniedError("您无权查看照护档案")
    context = {
        "title": "照护档案",
        "page": paginate(
            request, selectors.profile_list(user=request.user, within=current_scope(request))
        ),
        "breadcrumbs": [Crumb("照护档案")],
    }
    return render(request, "care/profile_list.html", context)


@login_required
def profile_new(request: HttpRequest) -> HttpResponse:
    """A profile for a resident, from the person file."""
    person = person_get(user=request.user, pk=whole_number(request.GET, "person", "居民") or 0)
    if request.method == "POST":
        profile = services.profile_create(
            actor=request.user,
            person=person,
            living=request.POST.get("living", ""),
            care_level=request.POST.get("care_level", ""),
        )
        messages.success(request, f"已建立{person.name}的照护档案，请登记监测同意")
        return redirect("care:profile_detail", pk=profile.pk)
    context = {
        "title": "建立照护档案",
        "person": person,
        "livings": Living.choices,
        "levels": CareLevel.choices,
        "breadcrumbs": [Crumb("照护档案", reverse("care:profile_list")), Crumb(person.name)],
    }
    return render(request, "care/profile_new.html", context)


@login_required
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get(user=request.user, pk=pk)
    context = {
        "title": f"照护档案 · {profile.person.name}",
        "profile": profile,
        "contacts": list(profile.contacts.all()),
        "devices": selectors.devices_of(profile),
        "alarms": selectors.recent_alarms(profile),
        "visits": list(profile.visits.select_related("visitor")[:20]),
        "orders": list(selectors.orders_of(profile)[:20]),
        "providers": selectors.providers(user=request.user),
        "findings": VisitFinding.choices,
        "services": CareService.choices,
        "near_m": NEAR_M,
        "may_change": can(request.user, "change", profile),
        "may_reveal": can(request.user, "reveal", profile),
        "contact_kinds": ContactKind.choices,
        "device_kinds": DeviceKind.choices,
        "breadcrumbs": [
            Crumb("照护档案", reverse("care:profile_list")),
            Crumb(profile.person.name),
        ],
    }
    return render(request, "care/profile_detail.html", context)


@require_POST
@login_required
def profile_change(request: HttpRequest, pk: int) -> HttpResponse:
    """The forms of the profile page: consent, contacts, devices, the health notes."""
    profile = selectors.profile_get(user=request.user, pk=pk, action="change")
    what, post = request.POST.get("what"), request.POST
    if what == "consent":
        services.consent_record(
            actor=request.user, profile=profile, by=post.get("by", ""), scope=post.get("scope", "")
        )
        messages.success(request, "已登记监测同意")
    elif what == "withdraw":
        services.consent_withdraw(actor=request.user, profile=profile)
        messages.success(request, "已撤回监测同意：设备数据将不再接收")
    elif what == "contact":
        contact = services.contact_add(
            actor=request.user,
            profile=profile,
            kind=post.get("kind", ""),
            name=post.get("name", ""),
            phone=post.get("phone", ""),
            ack_minutes=whole_number(post, "ack_minutes", "响应时限") or 5,
        )
        messages.success(request, f"已添加第 {contact.order} 位紧急联系人")
    elif what == "device":
        new = services.device_register(
            actor=request.user,
            profile=profile,
            kind=post.get("kind", ""),
            serial=post.get("serial", ""),
        )
        messages.success(
            request, f"设备 {new.device.serial} 已绑定。设备令牌（只显示这一次）：{new.token}"
        )
    elif what == "thresholds":
        services.thresholds_set(
            actor=request.user,
            profile=profile,
            limits=services.Thresholds(
                heart_low=required_number(post, "heart_low", "心率下限"),
                heart_high=required_number(post, "heart_high", "心率上限"),
                spo2_min=required_number(post, "spo2_min", "血氧下限"),
                idle_hours=required_number(post, "idle_hours", "无活动时长"),
                safe_radius_m=whole_number(post, "safe_radius_m", "安全区域半径"),
            ),
        )
        messages.success(request, "已保存个人告警阈值")
    elif what == "unbind":
        device = profile.devices.filter(pk=whole_number(post, "device", "设备") or 0).first()
        if device is None:
            raise NotFoundError("设备不存在或已解绑")
        services.device_unbind(actor=request.user, device=device)
        messages.success(request, f"设备 {device.serial} 已解绑，其令牌已失效")
    elif what == "notes":
        services.health_notes_set(actor=request.user, profile=profile, notes=post.get("notes", ""))
        messages.success(request, "已保存慢病与用药记录")
    return redirect("care:profile_detail", pk=pk)


@require_POST
@login_required
def profile_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get(user=request.user, pk=pk)
    notes = pii_reveal(actor=request.user, obj=profile, field="health_notes")
    return HttpResponse(f'<span class="pii">{escape(notes) or "—"}</span>')
