"""The rules that watch for what did not happen, and the keeping of readings.

A fall or an SOS arrives as a message; silence does not. `sweep` (run by `shequtong care sweep
--every 15`) looks for it: a person with no activity — no door opened, no water drawn, no steps
— through more daytime hours than their threshold allows; a device that stopped reporting. It
also calls the next contact of unanswered alarms and deletes raw readings past their keeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone

from .alarms import escalate, raise_alarm
from .choices import OPEN_ALARMS, AlarmKind, DeviceKind
from .models import Alarm, CareProfile, Device, Reading

# How long each kind of device may be silent before it counts as offline. Wearables are
# taken off to charge; buttons and sensors send a heartbeat at least daily.
OFFLINE_AFTER: dict[str, timedelta] = {
    DeviceKind.WEARABLE: timedelta(hours=6),
    DeviceKind.SOS_BUTTON: timedelta(hours=26),
    DeviceKind.DOOR_SENSOR: timedelta(hours=26),
    DeviceKind.SMOKE: timedelta(hours=26),
    DeviceKind.GAS: timedelta(hours=26),
    DeviceKind.WATER_METER: timedelta(hours=26),
}
# The devices whose readings show the person up and about.
ACTIVITY_DEVICES = (DeviceKind.DOOR_SENSOR, DeviceKind.WATER_METER, DeviceKind.WEARABLE)
DEFAULT_IDLE_HOURS = 12
PRUNE_BATCH = 10_000


@dataclass
class SweepResult:
    escalated: int = 0
    idle: int = 0
    offline: int = 0
    pruned: int = 0


def sweep(now: datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    return SweepResult(
        escalated=escalate(now),
        idle=watch_idle(now),
        offline=watch_offline(now),
        pruned=prune_readings(now),
    )


def is_offline(device: Device, now: datetime) -> bool:
    seen = device.last_seen_at or device.created_at
    return seen is not None and now - seen > OFFLINE_AFTER[device.kind]


def daytime_hours(start: datetime, end: datetime) -> float:
    """Hours between the two instants that fall in the daytime window, local time: a night's
    sleep is not inactivity."""
    first, last = settings.SHEQUTONG_CARE_DAYTIME
    start, end = timezone.localtime(start), timezone.localtime(end)
    total = 0.0
    day = start.date()
    while day <= end.date():
        opens = timezone.make_aware(datetime.combine(day, time(first)))
        closes = timezone.make_aware(datetime.combine(day, time(last)))
        overlap = min(end, closes) - max(start, opens)
        total += max(overlap.total_seconds(), 0) / 3600
        day += timedelta(days=1)
    return total


def watch_idle(now: datetime) -> int:
    """People with an activity device whose last activity lies more daytime hours back than
    their threshold: one open no-activity alarm each."""
    open_idle = Alarm.objects.filter(kind=AlarmKind.NO_ACTIVITY, status__in=OPEN_ALARMS)
    candidates = (
        CareProfile.objects.filter(
            consented_at__isnull=False,
            consent_withdrawn_at__isnull=True,
            devices__kind__in=ACTIVITY_DEVICES,
        )
        .exclude(pk__in=open_idle.values("profile_id"))
        .annotate(watched_since=Min("devices__created_at"))
        .filter(Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=now - timedelta(hours=1)))
        .select_related("person")
        .distinct()
    )
    raised = 0
    for profile in candidates:
        since = profile.last_activity_at or profile.watched_since
        hours = (profile.thresholds or {}).get("idle_hours", DEFAULT_IDLE_HOURS)
        if daytime_hours(since, now) >= hours:
            raise_alarm(profile=profile, device=None, kind=AlarmKind.NO_ACTIVITY, at=now)
            raised += 1
    return raised


def watch_offline(now: datetime) -> int:
    """Bound devices silent longer than their kind allows: one open offline alarm each."""
    open_offline = Alarm.objects.filter(kind=AlarmKind.OFFLINE, status__in=OPEN_ALARMS)
    raised = 0
    for kind, after in OFFLINE_AFTER.items():
        cutoff = now - after
        silent = (
            Device.objects.filter(
                kind=kind,
                profile__consented_at__isnull=False,
                profile__consent_withdrawn_at__isnull=True,
            )
            .filter(
                Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True, created_at__lt=cutoff)
            )
            .exclude(pk__in=open_offline.values("device_id"))
            .select_related("profile__person")
        )
        for device in silent:
            raise_alarm(profile=device.profile, device=device, kind=AlarmKind.OFFLINE, at=now)
            raised += 1
    return raised


def prune_readings(now: datetime) -> int:
    """Raw readings older than the keeping period, deleted in batches (a long DELETE would
    hold up the ingester)."""
    cutoff = now - timedelta(days=settings.SHEQUTONG_CARE_READING_DAYS)
    pruned = 0
    while True:
        batch = list(
            Reading.objects.filter(at__lt=cutoff).values_list("pk", flat=True)[:PRUNE_BATCH]
        )
        if not batch:
            return pruned
        pruned += Reading.objects.filter(pk__in=batch).delete()[0]
