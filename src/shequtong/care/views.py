"""The alarm wall: open alarms, refreshed every 2 seconds, with the moves staff take."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shequtong.core.errors import PermissionDeniedError
from shequtong.core.scoping import allowed
from shequtong.web.pages import Crumb
from shequtong.web.scope import current_scope

from . import alarms, selectors
from .choices import AlarmOutcome
from .models import Alarm


@login_required
def alarm_wall(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user, "read", Alarm):
        raise PermissionDeniedError("您无权查看养老告警")
    context = {
        "title": "养老告警",
        "alarms": list(selectors.open_alarms(user=request.user, within=current_scope(request))),
        "outcomes": AlarmOutcome.choices,
        "breadcrumbs": [Crumb("养老告警")],
    }
    if request.htmx:
        return render(request, "care/alarm_wall.html#wall", context)
    return render(request, "care/alarm_wall.html", context)


@require_POST
@login_required
def alarm_act(request: HttpRequest, pk: int) -> HttpResponse:
    alarm = selectors.alarm_get(user=request.user, pk=pk)
    alarm = alarms.alarm_act(
        actor=request.user,
        alarm=alarm,
        action=request.POST.get("action", ""),
        outcome=request.POST.get("outcome", ""),
        note=request.POST.get("note", ""),
    )
    messages.success(request, f"{alarm}：{alarm.get_status_display()}")
    return redirect("care:alarm_wall")
