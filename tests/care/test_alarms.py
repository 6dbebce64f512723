"""Care: consent before data, device tokens, readings checked one by one and stored once, SOS
and sustained vital signs raising alarms, a storm folded into one alarm, the contact chain
escalating until someone answers, the state machine, the wall."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shequtong.care.alarms import alarm_act, alarm_dispatch, escalate
from shequtong.care.choices import AlarmKind, AlarmStatus, ContactKind, DeviceKind, Living
from shequtong.care.ingest import ingest
from shequtong.care.models import Alarm, CareProfile, Device, Reading
from shequtong.care.services import (
    Thresholds,
    consent_record,
    consent_withdraw,
    contact_add,
    device_for_token,
    device_register,
    device_unbind,
    profile_create,
    thresholds_set,
)
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import Notification, User
from shequtong.registry.models import Building, Dwelling, Estate, Person
from shequtong.registry.services import PersonData, apply_person_data
from tests.registry.factories import id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree, user_with):
    return user_with(Role.COMMUNITY_STAFF, tree.comm_a1)


@pytest.fixture
def elder(tree, staff, grid_worker, user_with):
    """An 85-year-old living alone in grid A1a: consent recorded, a son then the grid worker."""
    person = Person(area=tree.grid_a1a, area_path=tree.grid_a1a.path)
    apply_person_data(person, PersonData(name="王奶奶", id_number=id_number(3, female=True)), None)
    person.save()
    profile = profile_create(actor=staff, person=person, living=Living.ALONE)
    consent_record(actor=staff, profile=profile, by="王奶奶本人", scope="一键呼叫、跌倒、心率血氧")
    son = user_with(Role.RESIDENT, tree.comm_a1)
    contact_add(actor=staff, profile=profile, kind=ContactKind.FAMILY, name="王先生", user=son)
    contact_add(
        actor=staff, profile=profile, kind=ContactKind.GRID_WORKER, name="网格员", user=grid_worker
    )
    profile.son = son  # type: ignore[attr-defined]
    return profile


def at(minutes_ago: float = 0) -> str:
    return (timezone.now() - timedelta(minutes=minutes_ago)).isoformat()


def test_a_device_needs_a_consented_person(tree, staff, elder):
    withdrawn = device_register(
        actor=staff, kind=DeviceKind.SOS_BUTTON, serial="SOS-1", profile=elder
    )
    consent_withdraw(actor=staff, profile=elder)
    result = ingest(withdrawn.device, [{"at": at(), "metric": "sos", "value": 1}])
    assert result.accepted == 0 and result.rejected == [(0, "照护对象未登记监测同意")]
    with pytest.raises(DomainError, match="尚未登记监测同意"):
        device_register(actor=staff, kind=DeviceKind.WEARABLE, serial="W-1", profile=elder)


def test_readings_are_checked_one_by_one_and_stored_once(tree, staff, elder):
    device = device_register(
        actor=staff, kind=DeviceKind.WEARABLE, serial="W-1", profile=elder
    ).device
    minute_ago = at(1)
    batch = [
        {"at": minute_ago, "metric": "heart_rate", "value": 72},
        {"at": minute_ago, "metric": "heart_rate", "value": 72},  # duplicated in the batch
        {"at": at(), "metric": "heart_rate", "value": 400},
        {"at": at(-60), "metric": "spo2", "value": 97},
        {"at": "2026-11-24T03:00:00", "metric": "spo2", "value": 97},
        {"at": at(), "metric": "mood", "value": 1},
        {"at": at(), "metric": "steps", "value": "many"},
        "not an object",
        {"at": at(), "metric": "battery", "value": 55},
    ]
    result = ingest(device, batch)
    reasons = dict(result.rejected)
    assert set(reasons) == {2, 3, 4, 5, 6, 7}
    assert (result.accepted, result.duplicates) == (2, 1)
    assert "超出可能范围" in reasons[2] and "晚于当前时间" in reasons[3]
    assert "带时区" in reasons[4] and "未知的指标" in reasons[5] and "数字" in reasons[6]
    assert Reading.objects.count() == 2
    again = ingest(device, batch[:1])  # a replayed message
    assert (again.accepted, again.duplicates) == (0, 1) and Reading.objects.count() == 2
    device.refresh_from_db()
    assert device.battery == 55 and device.last_seen_at is not None


def test_an_sos_rings_the_chain_until_someone_answers(tree, staff, elder, grid_worker):
    device = device_register(
        actor=staff, kind=DeviceKind.SOS_BUTTON, serial="SOS-1", profile=elder
    ).device
    result = ingest(device, [{"at": at(), "metric": "sos", "value": 1}])
    (alarm,) = result.alarms
    assert alarm.status == AlarmStatus.NOTIFYING and alarm.chain_position == 1
    assert Notification.objects.filter(user=elder.son, title__contains="一键呼叫").exists()
    assert not Notification.objects.filter(user=grid_worker).exists()

    # A storm of presses folds into the same alarm.
    ingest(device, [{"at": at(0.1), "metric": "sos", "value": 1}])
    alarm.refresh_from_db()
    assert alarm.repeats == 1 and Alarm.objects.count() == 1

    # The son does not answer within 5 minutes: the grid worker is called too.
    assert escalate(timezone.now() + timedelta(minutes=6)) == 1
    alarm.refresh_from_db()
    assert alarm.chain_position == 2
    assert Notification.objects.filter(user=grid_worker, title__contains="王奶奶").exists()

    with pytest.raises(DomainError, match="请选择处置结果"):
        alarm_act(actor=grid_worker, alarm=alarm, action="resolve")  # no outcome given
    alarm = alarm_act(actor=grid_worker, alarm=alarm, action="acknowledge")
    assert alarm.acknowledged_by == grid_worker
    assert escalate(timezone.now() + timedelta(hours=1)) == 0  # the chain stopped
    alarm = alarm_act(actor=grid_worker, alarm=alarm, action="on_site")
    alarm = alarm_act(
        actor=grid_worker, alarm=alarm, action="resolve", outcome="handled", note="老人摔倒，已扶起"
    )
    assert alarm.status == AlarmStatus.RESOLVED
    labels = list(alarm.steps.values_list("action", flat=True))
    assert labels == ["raise", "call", "timeout", "call", "acknowledge", "on_site", "resolve"]
    # The next press is a new alarm.
    assert ingest(device, [{"at": at(-0.5), "metric": "sos", "value": 1}]).alarms[0].pk != alarm.pk


def test_past_the_chain_the_community_is_called(tree, staff, elder):
    device = device_register(
        actor=staff, kind=DeviceKind.SOS_BUTTON, serial="SOS-1", profile=elder
    ).device
    (alarm,) = ingest(device, [{"at": at(), "metric": "sos", "value": 1}]).alarms
    escalate(timezone.now() + timedelta(minutes=6))
    escalate(timezone.now() + timedelta(minutes=12))
    alarm.refresh_from_db()
    assert alarm.next_escalation_at is None
    assert Notification.objects.filter(user=staff, title__contains="一键呼叫").exists()


def test_a_heart_rate_alarm_needs_it_sustained(tree, staff, elder):
    device = device_register(
        actor=staff, kind=DeviceKind.WEARABLE, serial="W-1", profile=elder
    ).device
    assert ingest(device, [{"at": at(0), "metric": "heart_rate", "value": 150}]).alarms == []
    ingest(device, [{"at": at(2), "metric": "heart_rate", "value": 70}])
    assert ingest(device, [{"at": at(-0.2), "metric": "heart_rate", "value": 155}]).alarms == []
    series = [{"at": at(m), "metric": "heart_rate", "value": 160} for m in (12, 9, 6)]
    assert [a.kind for a in ingest(device, series).alarms] == [AlarmKind.HEART_RATE]


def test_another_grid_cannot_answer(tree, staff, elder, user_with):
    device = device_register(
        actor=staff, kind=DeviceKind.SOS_BUTTON, serial="SOS-1", profile=elder
    ).device
    (alarm,) = ingest(device, [{"at": at(), "metric": "sos", "value": 1}]).alarms
    with pytest.raises(PermissionDeniedError):
        alarm_act(
            actor=user_with(Role.GRID_WORKER, tree.grid_b1a), alarm=alarm, action="acknowledge"
        )


def test_over_http_and_on_the_wall(client, tree, staff, elder, grid_worker):
    new = device_register(actor=staff, kind=DeviceKind.SOS_BUTTON, serial="SOS-1", profile=elder)
    body = json.dumps([{"at": at(), "metric": "sos", "value": 1}])
    refused = client.post("/api/v1/care/ingest", body, content_type="application/json")
    assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"
    garbled = client.post(
        "/api/v1/care/ingest", "[{at:", content_type="application/json", HTTP_X_DEVICE_TOKEN="x"
    )
    assert garbled.status_code == 400
    assert garbled.json() == {"code": "malformed", "message": "请求体不是合法的 JSON", "fields": {}}
    sent = client.post(
        "/api/v1/care/ingest",
        body,
        content_type="application/json",
        HTTP_X_DEVICE_TOKEN=new.token,
        HTTP_X_DEVICE_FIRMWARE="2.1.0",
    ).json()
    assert sent["accepted"] == 1 and len(sent["alarms"]) == 1
    new.device.refresh_from_db()
    assert new.device.firmware == "2.1.0" and new.device.last_seen_at is not None

    client.force_login(grid_worker)
    wall = client.get(reverse("care:alarm_wall")).content.decode()
    assert "王奶奶" in wall and 'hx-trigger="every 2s"' in wall
    client.post(reverse("care:alarm_act", args=[sent["alarms"][0]]), {"action": "acknowledge"})
    assert Alarm.objects.get().status == AlarmStatus.ACKNOWLEDGED
    assert CareProfile.objects.get().alarms.count() == 1


def test_a_returned_device_is_unbound_and_bound_to_someone_else(tree, staff, elder):
    first = device_register(actor=staff, kind=DeviceKind.WEARABLE, serial="W-7", profile=elder)
    device_unbind(actor=staff, device=first.device)
    assert device_for_token(first.token) is None  # the old token stops working
    result = ingest(Device.objects.get(serial="W-7"), [{"at": at(), "metric": "steps", "value": 5}])
    assert result.rejected == [(0, "设备未绑定照护对象")]
    again = device_register(actor=staff, kind=DeviceKind.WEARABLE, serial="W-7", profile=elder)
    assert again.device.pk == first.device.pk and device_for_token(again.token) == again.device
    with pytest.raises(DomainError, match="已绑定或类型不符"):
        device_register(actor=staff, kind=DeviceKind.WEARABLE, serial="W-7", profile=elder)


def test_dispatching_someone_stops_the_chain_and_tells_them(tree, staff, elder, grid_worker):
    device = device_register(actor=staff, kind=DeviceKind.SOS_BUTTON, serial="SOS-1", profile=elder)
    (alarm,) = ingest(device.device, [{"at": at(), "metric": "sos", "value": 1}]).alarms
    alarm = alarm_dispatch(actor=staff, alarm=alarm, responder=grid_worker, note="三楼左手")
    assert alarm.status == AlarmStatus.ACKNOWLEDGED and alarm.dispatched_to == grid_worker
    assert alarm.next_escalation_at is None  # nobody else is called
    told = Notification.objects.filter(user=grid_worker).latest("pk")
    assert "请上门" in told.title and "三楼左手" in told.body
    outsider = User.objects.create(username="外区网格员")  # no grant over this area
    with pytest.raises(DomainError, match="只能派本区域"):
        alarm_dispatch(actor=staff, alarm=alarm, responder=outsider)


def test_personal_thresholds_are_checked_and_the_fence_needs_coordinates(tree, staff, elder):
    limits = Thresholds(heart_low=50, heart_high=110, spo2_min=93, idle_hours=6, safe_radius_m=800)
    with pytest.raises(DomainError) as caught:
        thresholds_set(actor=staff, profile=elder, limits=limits)
    assert caught.value.fields == {"safe_radius_m": ["住址楼栋没有坐标，不能设置安全区域"]}
    with pytest.raises(DomainError) as caught:
        thresholds_set(
            actor=staff,
            profile=elder,
            limits=Thresholds(heart_low=120, heart_high=110, spo2_min=70, idle_hours=6),
        )
    assert set(caught.value.fields) == {"heart_rate", "spo2_min"}
    estate = Estate.objects.create(area=tree.grid_a1a, name="幸福小区")
    building = Building.objects.create(
        area=tree.grid_a1a, estate=estate, number="1", lon=106.5, lat=29.5
    )
    elder.person.dwelling = Dwelling.objects.create(
        area=tree.grid_a1a, building=building, unit="1", number="101"
    )
    elder.person.save()
    profile = thresholds_set(actor=staff, profile=elder, limits=limits)
    assert profile.thresholds["geofence"] == {"lon": 106.5, "lat": 29.5, "radius_m": 800}
    assert profile.thresholds["heart_rate"] == [50, 110]


class _Gateway:
    """An SMS or WeChat gateway: what it is handed leaves the platform."""

    sent: list[tuple[int, str]] = []

    def send(self, user, message) -> None:
        self.sent.append((user.pk, message.outside))


def test_what_leaves_for_a_gateway_names_no_person_or_door(
    tree, staff, elder, grid_worker, settings, django_capture_on_commit_callbacks, caplog
):
    from shequtong.core import notify as notify_module

    settings.SHEQUTONG_NOTIFY_CHANNELS = [
        f"{__name__}._Gateway",
        "shequtong.core.notify.LoggingSmsChannel",
    ]
    notify_module.channels.cache_clear()
    _Gateway.sent.clear()
    try:
        device = device_register(
            actor=staff, kind=DeviceKind.SOS_BUTTON, serial="SOS-9", profile=elder
        ).device
        with django_capture_on_commit_callbacks(execute=True):
            (alarm,) = ingest(device, [{"at": at(), "metric": "sos", "value": 1}]).alarms
        with django_capture_on_commit_callbacks(execute=True):
            alarm_dispatch(actor=staff, alarm=alarm, responder=grid_worker, note="三楼左手")
    finally:
        settings.SHEQUTONG_NOTIFY_CHANNELS = []
        notify_module.channels.cache_clear()
    person = elder.person
    door = str(person.dwelling)
    texts = [text for _, text in _Gateway.sent]
    assert texts == [
        "【一键呼叫】有新告警，请立即登录社区通响应",
        "【请上门】一键呼叫告警，地址请登录社区通查看",
    ]
    for text in [*texts, caplog.text]:
        assert person.name not in text and door not in text and "三楼左手" not in text
    # The inbox, behind login, still says who and where.
    assert Notification.objects.filter(user=grid_worker, title__contains=person.name).exists()
