"""The rules that watch for what did not happen, and the keeping of readings.

A fall or an SOS arrives as a message; silence does not. `sweep` (run every 15 seconds by
the task worker, care/tasks.py) looks for it: a person with no activity — no door opened, no
water drawn, no steps — through more daytime hours than their threshold allows; a device
that stopped reporting. It also calls the next contact of unanswered alarms and deletes raw
readings past their keeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
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
    return now - (device.last_seen_at or device.bound_at) > OFFLINE_AFTER[device.kind]


def daytime_hours(start: datetime, end: datetime) -> float:
    """Hours between the two instants that fall in the daytime window, local time: a night's
    sleep is not inactivity."""
    first, last = settings.SHEQUTONG_CARE_DAYTIME
    start, end = timezone.localtime(start), timezone.localtime(end)
    total = 0.0
    day = start.date()
    while day <= end.date():
        midnight = timezone.make_aware(datetime.combine(day, time()))
        opens, closes = midnight + timedelta(hours=first), midnight + timedelta(hours=last)
        overlap = min(end, closes) - max(start, opens)
        total += max(overlap.total_seconds(), 0) / 3600
        day += timedelta(days=1)
    return total


def watch_idle(now: datetime) -> int:
    """People with an activity device whose last activity lies more daytime hours back than
    their threshold: one open no-activity alarm each. Counted from the last activity, the
    binding of the first activity device, or the last such alarm staff resolved (whichever is
    latest): a resolved alarm is not raised again until a new idle stretch has passed."""
    idle = Alarm.objects.filter(kind=AlarmKind.NO_ACTIVITY, profile=OuterRef("pk"))
    candidates = (
        CareProfile.objects.filter(
            consented_at__isnull=False,
            consent_withdrawn_at__isnull=True,
            person__status="active",
        )
        .filter(Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=now - timedelta(hours=1)))
        .annotate(
            watched_since=Subquery(
                Device.objects.filter(profile=OuterRef("pk"), kind__in=ACTIVITY_DEVICES)
                .order_by("bound_at")
                .values("bound_at")[:1]
            ),
            last_resolved=Subquery(
                idle.filter(resolved_at__isnull=False)
                .order_by("-resolved_at")
                .values("resolved_at")[:1]
            ),
        )
        .filter(watched_since__isnull=False)
        .exclude(Exists(idle.filter(status__in=OPEN_ALARMS)))
        .select_related("person")
    )
    raised = 0
    for profile in candidates:
        moments = (profile.last_activity_at, profile.watched_since, profile.last_resolved)
        since = max(moment for moment in moments if moment is not None)
        hours = (profile.thresholds or {}).get("idle_hours", DEFAULT_IDLE_HOURS)
        if daytime_hours(since, now) >= hours:
            raise_alarm(profile=profile, device=None, kind=AlarmKind.NO_ACTIVITY, at=now)
            raised += 1
    return raised


def watch_offline(now: datetime) -> int:
    """Bound devices silent longer than their kind allows: one offline alarm each silence —
    not again once staff resolved it, until the device has reported and gone silent anew."""
    offline = Alarm.objects.filter(kind=AlarmKind.OFFLINE, device=OuterRef("pk"))
    silent_since = Coalesce(OuterRef("last_seen_at"), OuterRef("bound_at"))
    raised = 0
    for kind, after in OFFLINE_AFTER.items():
        cutoff = now - after
        silent = (
            Device.objects.filter(
                kind=kind,
                profile__consented_at__isnull=False,
                profile__consent_withdrawn_at__isnull=True,
                profile__person__status="active",
            )
            .filter(Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True, bound_at__lt=cutoff))
            # This silence already raised its alarm (open, or resolved by staff).
            .exclude(Exists(offline.filter(raised_at__gte=silent_since)))
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
