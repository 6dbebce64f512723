"""Device data through a real MQTT broker (Mosquitto at 127.0.0.1:1883): an SOS published by
a device becomes an alarm; bad messages are counted and dropped; the subscriber keeps going.
Without the broker the test fails (it connects), it never skips."""

from __future__ import annotations

import json
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from django.utils import timezone

from shequtong.care.choices import AlarmKind, DeviceKind
from shequtong.care.models import Alarm
from shequtong.care.mqtt import Ingester
from shequtong.care.services import device_register

from .test_alarms import elder, staff  # noqa: F401  (fixtures)

# One broker for the whole run: `make test` runs these after the parallel part, alone.
pytestmark = pytest.mark.mqtt

BROKER = "mqtt://127.0.0.1:1883"


def publish(topic: str, payload: object) -> None:
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"device-{uuid.uuid4().hex[:8]}"
    )
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    body = payload if isinstance(payload, bytes) else json.dumps(payload)
    client.publish(topic, body, qos=1).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()


def wait_for(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_sos_over_mqtt_becomes_an_alarm(tree, staff, elder):  # noqa: F811
    new = device_register(actor=staff, kind=DeviceKind.SOS_BUTTON, serial="SOS-MQTT", profile=elder)
    ingester = Ingester(BROKER, client_id=f"test-ingester-{uuid.uuid4().hex[:8]}")
    ingester.start()
    try:
        assert wait_for(ingester.ready)
        topic = "shequtong/v1/devices/SOS-MQTT/readings"
        publish(topic, b"{not json")
        publish(topic, {"token": "dev_forged", "readings": []})
        reading = {"at": timezone.now().isoformat(), "metric": "sos", "value": 1}
        urgent = "shequtong/v1/devices/SOS-MQTT/alarms"
        publish(urgent, {"token": new.token, "readings": [reading]})
        publish(urgent, {"token": new.token, "readings": [reading]})  # delivered twice
        assert wait_for(lambda: ingester.counts["messages"] >= 2)
        alarm = Alarm.objects.get()
        assert alarm.kind == AlarmKind.SOS and alarm.repeats == 0
        assert ingester.counts["malformed"] == 1 and ingester.counts["unauthorized"] == 1
        assert ingester.counts["duplicates"] == 1
        summary = ingester.summary()
        assert "格式错误 1" in summary and "令牌无效 1" in summary and "告警 1" in summary
    finally:
        ingester.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_sos_sent_while_the_ingester_is_down_arrives_when_it_is_back(tree, staff, elder):  # noqa: F811
    new = device_register(actor=staff, kind=DeviceKind.SOS_BUTTON, serial="SOS-DOWN", profile=elder)
    client_id = f"test-ingester-{uuid.uuid4().hex[:8]}"
    first = Ingester(BROKER, client_id=client_id)
    first.start()
    assert wait_for(first.ready)  # the persistent session and its subscriptions now exist
    first.stop()
    reading = {"at": timezone.now().isoformat(), "metric": "sos", "value": 1}
    publish("shequtong/v1/devices/SOS-DOWN/alarms", {"token": new.token, "readings": [reading]})
    assert not Alarm.objects.exists()
    again = Ingester(BROKER, client_id=client_id)  # the same session: the broker kept the SOS
    again.start()
    try:
        # Watch the ingester's count, not the table: on the in-memory SQLite test database a
        # read racing the ingester's write fails with "table is locked".
        assert wait_for(lambda: again.counts["messages"] >= 1)
        assert Alarm.objects.get().kind == AlarmKind.SOS
    finally:
        again.stop()
