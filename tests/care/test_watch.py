"""The rules of silence and place: no activity through the daytime, devices gone offline (to the
staff, closing themselves when the device is back), leaving the safe area; readings pruned."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from shequtong.care.alarms import alarm_act
from shequtong.care.choices import AlarmKind, AlarmOutcome, AlarmStatus, DeviceKind
from shequtong.care.ingest import ingest
from shequtong.care.models import Alarm, CareProfile, Device, Reading
from shequtong.care.services import device_register, device_unbind
from shequtong.care.watch import daytime_hours, prune_readings, sweep
from shequtong.core.errors import DomainError
from shequtong.core.models import Notification

from .test_alarms import at, elder, staff  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def test_only_daytime_hours_count():
    assert daytime_hours(local(0, 20), local(1, 8)) == 2  # 20–21 and 7–8; the night is sleep
    assert daytime_hours(local(0, 8), local(0, 8, 30)) == 0.5
    assert daytime_hours(local(0, 22), local(1, 6)) == 0
    assert daytime_hours(local(0, 7), local(2, 7)) == 28


def test_steps_taken_and_doors_opened_are_activity(staff, elder):  # noqa: F811
    wearable = device_register(
        actor=staff, kind=DeviceKind.WEARABLE, serial="W-1", profile=elder
    ).device
    ingest(wearable, [{"at": at(30), "metric": "steps", "value": 100}])
    elder.refresh_from_db()
    assert elder.last_activity_at is None  # the first count says nothing about moving
    ingest(wearable, [{"at": at(20), "metric": "steps", "value": 100}])
    elder.refresh_from_db()
    assert elder.last_activity_at is None  # the same count: sitting still
    ingest(wearable, [{"at": at(10), "metric": "steps", "value": 180}])
    elder.refresh_from_db()
    assert abs(elder.last_activity_at - (timezone.now() - timedelta(minutes=10))) < timedelta(
        seconds=5
    )
    door = device_register(
        actor=staff, kind=DeviceKind.DOOR_SENSOR, serial="D-1", profile=elder
    ).device
    ingest(door, [{"at": at(1), "metric": "door", "value": 1}])
    elder.refresh_from_db()
    assert timezone.now() - elder.last_activity_at < timedelta(minutes=2)


def test_no_activity_through_the_day_raises_one_alarm(staff, elder):  # noqa: F811
    device_register(actor=staff, kind=DeviceKind.DOOR_SENSOR, serial="D-1", profile=elder)
    CareProfile.objects.filter(pk=elder.pk).update(last_activity_at=local(0, 8))
    Device.objects.update(last_seen_at=local(0, 20), bound_at=local(-1, 12))
    assert sweep(local(0, 19, 59)).idle == 0  # 11 h 59 min of daytime: under the 12 allowed
    assert sweep(local(0, 20, 1)).idle == 1
    assert sweep(local(0, 20, 30)).idle == 0  # still open: not raised twice
    alarm = Alarm.objects.get()
    assert alarm.kind == AlarmKind.NO_ACTIVITY and alarm.device is None
    assert alarm.status == AlarmStatus.NOTIFYING  # the chain is called: the son first
    assert Notification.objects.filter(user=elder.son).exists()


def test_a_person_without_activity_devices_is_not_watched_for_idleness(staff, elder):  # noqa: F811
    device_register(actor=staff, kind=DeviceKind.SOS_BUTTON, serial="SOS-1", profile=elder)
    assert sweep(timezone.now() + timedelta(days=2)).idle == 0


def test_a_silent_device_goes_to_the_staff_and_closes_itself(staff, elder):  # noqa: F811
    wearable = device_register(
        actor=staff, kind=DeviceKind.WEARABLE, serial="W-1", profile=elder
    ).device
    ingest(wearable, [{"at": at(), "metric": "battery", "value": 80}])
    assert sweep(timezone.now() + timedelta(hours=5)).offline == 0
    assert sweep(timezone.now() + timedelta(hours=7)).offline == 1
    assert sweep(timezone.now() + timedelta(hours=8)).offline == 0
    alarm = Alarm.objects.get(kind=AlarmKind.OFFLINE)
    assert alarm.device == wearable
    told = set(Notification.objects.values_list("user", flat=True))
    assert staff.pk in told and elder.son.pk not in told  # not the family, not at night
    assert "社区工作人员" in alarm.steps.last().label

    Device.objects.filter(pk=wearable.pk).update(last_seen_at=timezone.now() - timedelta(hours=7))
    wearable.refresh_from_db()
    ingest(wearable, [{"at": at(), "metric": "battery", "value": 79}])
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.RESOLVED and alarm.outcome == AlarmOutcome.RECOVERED


def test_leaving_the_safe_area_raises_an_alarm(staff, elder):  # noqa: F811
    elder.thresholds = {
        **elder.thresholds,
        "geofence": {"lon": 106.5, "lat": 29.5, "radius_m": 500},
    }
    elder.save()
    wearable = device_register(
        actor=staff, kind=DeviceKind.WEARABLE, serial="W-1", profile=elder
    ).device
    near = at(2)
    result = ingest(
        wearable,
        [
            {"at": near, "metric": "lon", "value": 106.501},
            {"at": near, "metric": "lat", "value": 29.5},
        ],
    )
    assert result.alarms == []  # about 100 m from home
    away = at(1)
    result = ingest(
        wearable,
        [
            {"at": away, "metric": "lon", "value": 106.52},
            {"at": away, "metric": "lat", "value": 29.5},
        ],
    )
    assert [a.kind for a in result.alarms] == [AlarmKind.GEOFENCE]


def test_readings_past_their_keeping_are_pruned(settings, staff, elder):  # noqa: F811
    wearable = device_register(
        actor=staff, kind=DeviceKind.WEARABLE, serial="W-1", profile=elder
    ).device
    now = timezone.now()
    Reading.objects.bulk_create(
        Reading(device=wearable, profile=elder, at=now - timedelta(days=d), metric="steps", value=d)
        for d in (1, 89, 91, 200)
    )
    settings.SHEQUTONG_CARE_READING_DAYS = 90
    assert prune_readings(now) == 2
    assert sorted(Reading.objects.values_list("value", flat=True)) == [1, 89]


def test_the_sweep_command_reports_what_it_did(staff, elder, capsys):  # noqa: F811
    device_register(actor=staff, kind=DeviceKind.SOS_BUTTON, serial="SOS-1", profile=elder)
    Device.objects.update(bound_at=timezone.now() - timedelta(days=2))
    call_command("care", "sweep")
    out = capsys.readouterr().out
    assert "设备离线告警 1 条" in out and "通知下一位联系人 0 条" in out


def test_a_resolved_alarm_of_silence_is_not_raised_again_at_once(staff, elder):  # noqa: F811
    door = device_register(
        actor=staff, kind=DeviceKind.DOOR_SENSOR, serial="D-1", profile=elder
    ).device
    band = device_register(
        actor=staff, kind=DeviceKind.WEARABLE, serial="W-1", profile=elder
    ).device
    CareProfile.objects.filter(pk=elder.pk).update(last_activity_at=local(-1, 7))
    Device.objects.filter(pk=door.pk).update(last_seen_at=local(0, 9), bound_at=local(-2, 9))
    Device.objects.filter(pk=band.pk).update(last_seen_at=local(-1, 7), bound_at=local(-2, 9))
    first = sweep(local(0, 9, 30))
    assert (first.idle, first.offline) == (1, 1)  # idle since yesterday 7:00; the band silent
    for alarm in Alarm.objects.all():
        alarm_act(actor=staff, alarm=alarm, action="resolve", outcome="false_alarm")
    Alarm.objects.update(resolved_at=local(0, 9, 30))  # staff resolved them then
    again = sweep(local(0, 9, 31))
    assert (again.idle, again.offline) == (0, 0)  # staff saw her at 9:30; the band is known
    assert sweep(local(0, 21, 31)).idle == 0  # 11.5 daytime hours since the resolution
    assert sweep(local(1, 9, 31)).idle == 1  # a new idle stretch has passed


def test_a_device_with_an_open_alarm_is_not_unbound_and_a_rebound_one_starts_afresh(staff, elder):  # noqa: F811
    band = device_register(actor=staff, kind=DeviceKind.WEARABLE, serial="W-1", profile=elder)
    (alarm,) = ingest(band.device, [{"at": at(), "metric": "fall", "value": 1}]).alarms
    with pytest.raises(DomainError, match="还有未处置的告警"):
        device_unbind(actor=staff, device=band.device)
    alarm_act(actor=staff, alarm=alarm, action="resolve", outcome="handled")
    Device.objects.filter(pk=band.device.pk).update(
        last_seen_at=timezone.now() - timedelta(days=3), bound_at=timezone.now() - timedelta(days=9)
    )
    device_unbind(actor=staff, device=Device.objects.get(pk=band.device.pk))
    again = device_register(actor=staff, kind=DeviceKind.WEARABLE, serial="W-1", profile=elder)
    assert again.device.last_seen_at is None
    assert sweep(timezone.now() + timedelta(hours=1)).offline == 0  # bound an hour ago
