"""Scoped reads of care: profiles, the open alarms of the wall, one alarm."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from shequtong.core.errors import NotFoundError
from shequtong.core.models import Area, User
from shequtong.core.scoping import scoped

from .choices import OPEN_ALARMS
from .models import Alarm, AlarmStep, CareProfile


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


def profile_list(*, user: User, within: Area | None = None) -> QuerySet[CareProfile]:
    profiles = scoped(CareProfile.objects.all(), user, "read")
    if within is not None:
        profiles = profiles.filter(area_path__startswith=within.path)
    return (
        profiles.select_related("person__dwelling__building__estate")
        .annotate(
            device_count=Count("devices", distinct=True),
            open_alarms=Count("alarms", filter=Q(alarms__status__in=OPEN_ALARMS), distinct=True),
        )
        .order_by("area_path", "person__name_pinyin")
    )


def profile_get(*, user: User, pk: int, action: str = "read") -> CareProfile:
    profile = (
        scoped(CareProfile.objects.filter(pk=pk), user, action)
        .select_related("person__dwelling", "person__area")
        .first()
    )
    if profile is None:
        raise NotFoundError("照护档案不存在或不在您的管辖范围内")
    return profile


def recent_alarms(profile: CareProfile, limit: int = 20) -> list[Alarm]:
    """A person's latest alarms with their timelines (the caller has read the profile)."""
    return list(
        profile.alarms.prefetch_related(
            Prefetch("steps", queryset=AlarmStep.objects.select_related("actor"))
        ).order_by("-raised_at")[:limit]
    )
