"""Device data in: checked, stored once, and turned into alarms by the rules.

A batch is a list of `{"at": ISO 8601, "metric": …, "value": number}`. Every item is checked
on its own — a bad one is rejected with its reason and the rest go on — and nothing is
accepted for a device that is unbound or whose person has not consented. (device, at, metric)
is a reading's identity: a replayed or duplicated message changes nothing. An SOS is never
lost: it raises (or folds into) an alarm even when its reading was seen before.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shequtong.core.geo import distance_m

from .alarms import alarm_recover, raise_alarm
from .choices import AlarmKind
from .models import Alarm, CareProfile, DeadLetter, Device, Reading
from .watch import is_offline

log = logging.getLogger(__name__)

# metric: (lowest, highest) physically possible value.
RANGES: dict[str, tuple[float, float]] = {
    "heart_rate": (20, 250),
    "spo2": (50, 100),
    "steps": (0, 100_000),
    "battery": (0, 100),
    "sos": (0, 1),
    "fall": (0, 1),
    "smoke": (0, 1),
    "gas": (0, 1),
    "door": (0, 1),
    "water": (0, 10_000),
    "lon": (-180, 180),
    "lat": (-90, 90),
}
# An event metric whose value 1 raises an alarm at once.
EVENTS = {
    "sos": AlarmKind.SOS,
    "fall": AlarmKind.FALL,
    "smoke": AlarmKind.SMOKE,
    "gas": AlarmKind.GAS,
}
PAST = timedelta(days=7)
FUTURE = timedelta(minutes=5)
SUSTAINED = timedelta(minutes=5)  # a vital sign out of range this long raises an alarm
# Last activity is written when it moves on by this much: not one UPDATE per wristband minute.
ACTIVITY_STEP = timedelta(minutes=5)


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)


def ingest(device: Device, items: list[Any], firmware: str = "") -> IngestResult:
    """`firmware`: the version the device reports, kept on it for the device list."""
    result = IngestResult()
    profile = device.profile
    if profile is None:
        result.rejected = [(i, "设备未绑定照护对象") for i in range(len(items))]
        return result
    if not profile.consented:
        result.rejected = [(i, "照护对象未登记监测同意") for i in range(len(items))]
        return result
    now = timezone.now()
    good: list[tuple[int, datetime, str, float]] = []
    for index, item in enumerate(items):
        reason, parsed = _check(item, now)
        if reason:
            result.rejected.append((index, reason))
            log.info("设备 %s 第 %s 条读数被拒绝：%s", device.serial, index, reason)
        else:
            good.append((index, *parsed))
    keys = {(at, metric) for _, at, metric, _ in good}
    # Readings and the alarms they raise commit together: an SOS stored is an SOS raised.
    with transaction.atomic():
        seen = set(
            Reading.objects.filter(device=device, at__in={at for at, _ in keys}).values_list(
                "at", "metric"
            )
        )
        fresh = []
        for item in good:  # the first of equal readings in a batch counts, as across batches
            if (item[1], item[2]) not in seen:
                seen.add((item[1], item[2]))
                fresh.append(item)
        Reading.objects.bulk_create(
            [
                Reading(device=device, profile=profile, at=a, metric=m, value=v)
                for _, a, m, v in fresh
            ],
            ignore_conflicts=True,
        )
        if is_offline(device, now):
            alarm_recover(device, now)
        previous = _touch(device, fresh, now, firmware.strip()[:32])
        _active(profile, fresh, previous)
        raised = [
            (at, kind)
            for _, at, metric, value in sorted(fresh, key=lambda g: g[1])
            if (kind := _rule(profile, device, metric, value, at)) is not None
        ]
        if (left_at := _left_geofence(profile, fresh)) is not None:
            raised.append((left_at, AlarmKind.GEOFENCE))
        for at, kind in raised:
            result.alarms.append(raise_alarm(profile=profile, device=device, kind=kind, at=at))
    result.accepted, result.duplicates = len(fresh), len(good) - len(fresh)
    return result


# Failures of ours, not of the message: the database down or gone away. Retried, never
# recorded as the device's fault.
OURS = (DatabaseError,)
DEAD_LETTER_CHARS = 16_000


def ingest_safely(device: Device, items: list[Any], firmware: str = "") -> IngestResult:
    """`ingest`, and if the batch fails for a reason that is not ours (a reading no check
    foresaw), each reading alone: the others, an SOS above all, are kept; the one that fails
    is refused with a reason. A failure of ours (the database) propagates, to be retried."""
    try:
        return ingest(device, items, firmware)
    except OURS:
        raise
    except Exception:
        log.exception("设备 %s 的一批读数处理出错，逐条重试", device.serial)
    result = IngestResult()
    for index, item in enumerate(items):
        try:
            one = ingest(device, [item], firmware)
        except OURS:
            raise
        except Exception as exc:
            result.rejected.append((index, f"处理出错（{type(exc).__name__}）"))
            continue
        result.accepted += one.accepted
        result.duplicates += one.duplicates
        result.alarms += one.alarms
        result.rejected += [(index, reason) for _, reason in one.rejected]
    return result


def dead_letter(*, channel: str, serial: str, reason: str, payload: Any = "") -> None:
    """Keep what could not be taken (never a device token) for whoever inspects it."""
    if isinstance(payload, dict):
        payload = {k: v for k, v in payload.items() if k != "token"}
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    DeadLetter.objects.create(
        channel=channel,
        serial=str(serial)[:64],
        reason=reason[:300],
        payload=text.replace("\x00", "")[:DEAD_LETTER_CHARS],
    )


def rejected_letter(
    *, channel: str, device: Device, items: list[Any], result: IngestResult
) -> None:
    """The refused readings of a batch, with their reasons, as one dead letter."""
    if not result.rejected:
        return
    reasons = "；".join(f"第 {i + 1} 条：{why}" for i, why in result.rejected[:5])
    more = f"等 {len(result.rejected)} 条" if len(result.rejected) > 5 else ""
    refused = [
        {"item": items[i] if i < len(items) else None, "reason": why}
        for i, why in result.rejected[:200]
    ]
    dead_letter(channel=channel, serial=device.serial, reason=f"{reasons}{more}", payload=refused)


def _check(item: Any, now: datetime) -> tuple[str, tuple[datetime, str, float]]:
    """Why a reading is refused ("" if it is not), field by field: whatever JSON a broken
    device sends (a list for a metric, 2026-02-30, hour 25, an offset of +99:00, a number too
    large for a float) gets a reason, never an exception that would stop the batch."""
    empty = (now, "", 0.0)
    if not isinstance(item, dict):
        return "读数应为对象 {at, metric, value}", empty
    metric = item.get("metric")
    if not isinstance(metric, str) or metric not in RANGES:
        return f"未知的指标 {_shown(metric)}", empty
    raw_at = item.get("at")
    try:
        at = parse_datetime(raw_at) if isinstance(raw_at, str) and len(raw_at) <= 40 else None
    except (ValueError, OverflowError):
        return f"时间 {_shown(raw_at)} 不存在（日期、时刻或时区超出范围）", empty
    if at is None or timezone.is_naive(at):
        return "时间应为带时区的 ISO 8601，如 2026-11-24T03:00:00+08:00", empty
    if at > now + FUTURE:
        return "时间晚于当前时间", empty
    if at < now - PAST:
        return "时间早于 7 天前", empty
    value = item.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "数值应为数字", empty
    try:
        number = float(value)
    except OverflowError:
        return "数值超出范围", empty
    if not math.isfinite(number):
        return "数值应为有限的数字", empty
    low, high = RANGES[metric]
    if not low <= number <= high:
        return f"{metric} 的数值 {number:g} 超出可能范围 {low}–{high}", empty
    return "", (at, metric, number)


def _shown(value: Any) -> str:
    """A bad value as the reason quotes it: short, whatever it was."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


Fresh = list[tuple[int, datetime, str, float]]


def _touch(device: Device, fresh: Fresh, now: datetime, firmware: str) -> dict[str, Any]:
    """Last seen now; the latest value of each metric kept for the console (read under lock:
    two batches of one device must not overwrite each other's state). The state before."""
    seen: dict[str, Any] = {"last_seen_at": now}
    if firmware and firmware != device.firmware:
        seen["firmware"] = firmware
    if not fresh:
        Device.objects.filter(pk=device.pk).update(**seen)
        return device.last_state
    current = Device.objects.select_for_update().only("last_state", "battery").get(pk=device.pk)
    before = current.last_state
    state = dict(before)
    for _, at, metric, value in sorted(fresh, key=lambda g: g[1]):
        known = state.get(metric, {}).get("at")
        if known is None or parse_datetime(known) <= at:
            state[metric] = {"value": value, "at": at.isoformat()}
    battery = state.get("battery", {}).get("value")
    Device.objects.filter(pk=device.pk).update(
        **seen,
        last_state=state,
        battery=int(battery) if battery is not None else current.battery,
    )
    return before


def _active(profile: CareProfile, fresh: Fresh, before: dict[str, Any]) -> None:
    """A door opened, water drawn or steps taken: the person was up and about then."""
    steps = before.get("steps", {}).get("value")
    moments = []
    for _, at, metric, value in sorted(fresh, key=lambda g: g[1]):
        if metric == "steps":
            if steps is not None and value > steps:
                moments.append(at)
            steps = value
        elif (metric == "door" and value >= 1) or (metric == "water" and value > 0):
            moments.append(at)
    if not moments:
        return
    latest = max(moments)
    if profile.last_activity_at is None or latest - profile.last_activity_at >= ACTIVITY_STEP:
        # Conditional: a late batch of another device must not move it back in time.
        CareProfile.objects.filter(
            Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=latest), pk=profile.pk
        ).update(last_activity_at=latest)
        profile.last_activity_at = latest


def _left_geofence(profile: CareProfile, fresh: Fresh) -> datetime | None:
    """The latest position of the batch, if it lies outside the person's safe area."""
    fence = (profile.thresholds or {}).get("geofence")
    if not fence:
        return None
    points: dict[datetime, dict[str, float]] = {}
    for _, at, metric, value in fresh:
        if metric in ("lon", "lat"):
            points.setdefault(at, {})[metric] = value
    located = [at for at, point in points.items() if len(point) == 2]
    if not located:
        return None
    at = max(located)
    away = distance_m(points[at]["lon"], points[at]["lat"], fence["lon"], fence["lat"])
    return at if away > fence["radius_m"] else None


def _rule(profile: Any, device: Device, metric: str, value: float, at: datetime) -> str | None:
    if metric in EVENTS:
        return EVENTS[metric] if value >= 1 else None
    if metric not in VITALS:
        return None
    kind, outside = VITALS[metric]
    limits = profile.thresholds or {}
    if not outside(value, limits):
        return None
    # Sustained: the run of out-of-range readings this one ends began SUSTAINED ago or more.
    earlier = Reading.objects.filter(device=device, metric=metric, at__lte=at).order_by("-at")
    start = at
    for when, reading in earlier.values_list("at", "value")[:120]:
        if not outside(reading, limits):
            break
        start = when
    return kind if at - start >= SUSTAINED else None


def _heart_rate_outside(value: float, limits: dict[str, Any]) -> bool:
    low, high = limits.get("heart_rate", [45, 130])
    return not low <= value <= high


def _spo2_outside(value: float, limits: dict[str, Any]) -> bool:
    return value < limits.get("spo2_min", 90)


VITALS = {
    "heart_rate": (AlarmKind.HEART_RATE, _heart_rate_outside),
    "spo2": (AlarmKind.SPO2, _spo2_outside),
}
