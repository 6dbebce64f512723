"""The simulator drives the real entry points: HTTP against a live server, MQTT through
Mosquitto into the ingester; its SOS becomes an alarm."""

from __future__ import annotations

import time
import uuid

import pytest
from django.core.management import CommandError, call_command

from shequtong.care import simulate
from shequtong.care.choices import AlarmKind, DeviceKind
from shequtong.care.models import Alarm, Device, Reading
from shequtong.care.mqtt import Ingester
from shequtong.care.services import device_for_token, device_register

from .test_alarms import elder, staff  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.mqtt,  # one broker for the whole run: run alone, after the parallel part
]


def _devices(staff, elder):  # noqa: F811
    for kind, serial in ((DeviceKind.SOS_BUTTON, "SIM-SOS"), (DeviceKind.WEARABLE, "SIM-W")):
        device_register(actor=staff, kind=kind, serial=serial, profile=elder)
    return simulate.take_devices(10)


def test_over_http(live_server, tree, staff, elder):  # noqa: F811
    devices = _devices(staff, elder)
    counts = simulate.run(
        devices,
        simulate.http_sender(live_server.url),
        seconds=1.5,
        speed=600,
        incidents=[simulate.Incident(0.3, "SIM-SOS"), simulate.Incident(0.5, "SIM-W", "fall")],
    )
    assert counts["sos"] == 1 and counts["fall"] == 1 and counts["messages"] >= 10
    assert Reading.objects.filter(metric="heart_rate").count() >= 5
    assert set(Alarm.objects.values_list("kind", flat=True)) == {AlarmKind.SOS, AlarmKind.FALL}


def test_over_mqtt(tree, staff, elder):  # noqa: F811
    devices = _devices(staff, elder)
    ingester = Ingester("mqtt://127.0.0.1:1883", client_id=f"test-sim-{uuid.uuid4().hex[:8]}")
    ingester.start()
    try:
        deadline = time.monotonic() + 10
        while not ingester.ready() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ingester.ready()
        send, client = simulate.mqtt_sender("127.0.0.1", 1883)
        counts = simulate.run(
            devices, send, seconds=1.0, speed=600, incidents=[simulate.Incident(0.2, "SIM-SOS")]
        )
        client.loop_stop()
        client.disconnect()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not Alarm.objects.exists():
            time.sleep(0.05)
        assert counts["sos"] == 1 and Alarm.objects.get().kind == AlarmKind.SOS
    finally:
        ingester.stop()


def test_asking_for_more_devices_than_there_are_registers_simulator_devices(tree, staff, elder):  # noqa: F811
    devices = simulate.take_devices(25)
    assert len(devices) == 25 and len({d.token for d in devices}) == 25
    assert Device.objects.filter(serial__startswith="SIM-", profile=elder).count() == 25
    band = next(d for d in devices if d.kind == DeviceKind.WEARABLE)
    assert device_for_token(band.token).serial == band.serial
    assert len(simulate.take_devices(30)) == 30  # 25 taken again with new tokens, 5 more made


def test_the_devices_incidents_are_injected_into_are_always_taken(tree, staff, elder):  # noqa: F811
    for serial in ("A-1", "A-2", "Z-9"):
        device_register(actor=staff, kind=DeviceKind.SOS_BUTTON, serial=serial, profile=elder)
    taken = simulate.take_devices(2, including=["Z-9"])
    assert [d.serial for d in taken] == ["Z-9", "A-1"]
    with pytest.raises(CommandError, match="没有已绑定的设备：NOPE"):
        call_command("care", "simulate", "--devices", "2", "--sos", "NOPE", "--seconds", "1")
