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


@dataclass
class Batch:
    """One message's readings from one device; `firmware` is the version it reports, kept on
    the device for the device list."""

    device: Device
    items: list[Any]
    firmware: str = ""


Fresh = list[tuple[int, datetime, str, float]]


def ingest(device: Device, items: list[Any], firmware: str = "") -> IngestResult:
    return ingest_many([Batch(device, items, firmware)])[0]


def ingest_many(batches: list[Batch]) -> list[IngestResult]:
    """The batches of many messages in one transaction and a handful of queries, whatever
    their number: the ingester takes what the broker has in flight at once, so a busy hour
    costs a few statements per hundred messages rather than per message. The same outcome,
    batch by batch, as taking them one after another."""
    now = timezone.now()
    results = [IngestResult() for _ in batches]
    goods = [_checked(batch, result, now) for batch, result in zip(batches, results, strict=True)]
    taken = [i for i, batch in enumerate(batches) if not _refusal(batch.device)]
    kept = [batches[i] for i in taken]
    # Readings and the alarms they raise commit together: an SOS stored is an SOS raised.
    with transaction.atomic():
        fresh_of = _unseen(kept, [goods[i] for i in taken])
        Reading.objects.bulk_create(
            [
                Reading(device=b.device, profile=b.device.profile, at=a, metric=m, value=v)
                for b, fresh in zip(kept, fresh_of, strict=True)
                for _, a, m, v in fresh
            ],
            ignore_conflicts=True,
        )
        for device in {b.device.pk: b.device for b in kept}.values():
            if is_offline(device, now):
                alarm_recover(device, now)
        previous = _touch(kept, fresh_of, now)
        for i, batch, fresh, before in zip(taken, kept, fresh_of, previous, strict=True):
            _raise(batch, fresh, before, results[i])
    for i, fresh in zip(taken, fresh_of, strict=True):
        results[i].accepted, results[i].duplicates = len(fresh), len(goods[i]) - len(fresh)
    return results


def _refusal(device: Device) -> str:
    """Why nothing of the device is taken ("" when its readings are)."""
    if device.profile is None:
        return "设备未绑定照护对象"
    if not device.profile.consented:
        return "照护对象未登记监测同意"
    return ""


def _checked(batch: Batch, result: IngestResult, now: datetime) -> Fresh:
    """The readings of the batch that pass their checks; the others refused on `result`."""
    if refusal := _refusal(batch.device):
        result.rejected = [(i, refusal) for i in range(len(batch.items))]
        return []
    good: Fresh = []
    for index, item in enumerate(batch.items):
        reason, parsed = _check(item, now)
        if reason:
            result.rejected.append((index, reason))
            log.info("设备 %s 第 %s 条读数被拒绝：%s", batch.device.serial, index, reason)
        else:
            good.append((index, *parsed))
    return good


def _unseen(batches: list[Batch], goods: list[Fresh]) -> list[Fresh]:
    """The readings not stored before, in one query for all: the first of equal readings
    counts, within a batch, across the batches and across calls."""
    pks = {b.device.pk for b, good in zip(batches, goods, strict=True) if good}
    ats = {item[1] for good in goods for item in good}
    seen = (
        set(
            Reading.objects.filter(device_id__in=pks, at__in=ats).values_list(
                "device_id", "at", "metric"
            )
        )
        if pks
        else set()
    )
    unseen = []
    for batch, good in zip(batches, goods, strict=True):
        fresh = []
        for item in good:
            key = (batch.device.pk, item[1], item[2])
            if key not in seen:
                seen.add(key)
                fresh.append(item)
        unseen.append(fresh)
    return unseen


def _raise(batch: Batch, fresh: Fresh, before: dict[str, Any], result: IngestResult) -> None:
    """The alarms the batch's fresh readings call for, by the rules."""
    device, profile = batch.device, batch.device.profile
    _active(profile, fresh, before)
    raised = [
        (at, kind)
        for _, at, metric, value in sorted(fresh, key=lambda g: g[1])
        if (kind := _rule(profile, device, metric, value, at)) is not None
    ]
    if (left_at := _left_geofence(profile, fresh)) is not None:
        raised.append((left_at, AlarmKind.GEOFENCE))
    for at, kind in raised:
        result.alarms.append(raise_alarm(profile=profile, device=device, kind=kind, at=at))


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


def ingest_many_safely(batches: list[Batch]) -> list[IngestResult]:
    """`ingest_many`, and if it fails for a reason that is not ours, each batch alone (and
    within it each reading): one device's unforeseen reading costs the others nothing."""
    try:
        return ingest_many(batches)
    except OURS:
        raise
    except Exception:
        log.exception("%s 条消息的读数一并处理出错，逐条重试", len(batches))
    return [ingest_safely(b.device, b.items, b.firmware) for b in batches]


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


def _touch(batches: list[Batch], fresh_of: list[Fresh], now: datetime) -> list[dict[str, Any]]:
    """Every device seen now; the latest value of each metric kept for the console, read under
    lock (two ingesters taking batches of one device must not overwrite each other's state),
    devices locked in one order so that two of them never wait on each other. For each batch,
    its device's state before it."""
    firmware: dict[int, str] = {}
    for batch in batches:
        version = batch.firmware.strip()[:32]
        if version and version != batch.device.firmware:
            firmware[batch.device.pk] = version
    changed = {b.device.pk for b, fresh in zip(batches, fresh_of, strict=True) if fresh}
    locked = {
        device.pk: device
        for device in Device.objects.select_for_update()
        .filter(pk__in=changed)
        .order_by("pk")
        .only("last_state", "battery", "firmware")
    }
    befores = []
    for batch, fresh in zip(batches, fresh_of, strict=True):
        current = locked.get(batch.device.pk)
        if current is None:
            befores.append(batch.device.last_state)
            continue
        befores.append(current.last_state)
        state = dict(current.last_state)
        for _, at, metric, value in sorted(fresh, key=lambda g: g[1]):
            known = state.get(metric, {}).get("at")
            if known is None or parse_datetime(known) <= at:
                state[metric] = {"value": value, "at": at.isoformat()}
        current.last_state = state
    for device in locked.values():
        battery = device.last_state.get("battery", {}).get("value")
        device.battery = int(battery) if battery is not None else device.battery
        device.firmware = firmware.pop(device.pk, device.firmware)
        device.last_seen_at = now
    if locked:
        Device.objects.bulk_update(
            locked.values(), ["last_seen_at", "last_state", "battery", "firmware"]
        )
    for pk, version in firmware.items():  # seen with no fresh reading, a new version
        Device.objects.filter(pk=pk).update(last_seen_at=now, firmware=version)
    quiet = {b.device.pk for b in batches} - set(locked) - set(firmware)
    if quiet:
        Device.objects.filter(pk__in=quiet).update(last_seen_at=now)
    return befores


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
