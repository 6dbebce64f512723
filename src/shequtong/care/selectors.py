"""Scoped reads of care: the open alarms of the wall, one alarm."""

from __future__ import annotations

from django.db.models import QuerySet

from shequtong.core.errors import NotFoundError
from shequtong.core.models import Area, User
from shequtong.core.scoping import scoped

from .choices import OPEN_ALARMS
from .models import Alarm


def open_alarms(*, user: User, within: Area | None = None) -> QuerySet[Alarm]:
    alarms = scoped(Alarm.objects.filter(status__in=OPEN_ALARMS), user, "read")
    if within is not None:
        alarms = alarms.filter(area_path__startswith=within.path)
    return alarms.select_related(
        "profile__person__dwelling__building__estate", "device", "acknowledged_by"
    ).order_by("-raised_at")


def alarm_get(*, user: User, pk: int) -> Alarm:
    alarm = scoped(Alarm.objects.filter(pk=pk), user, "read").first()
    if alarm is None:
        raise NotFoundError("告警不存在或不在您的管辖范围内")
    return alarm
