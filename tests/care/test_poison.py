"""An SOS always gets through: a poison message is refused with its reason, kept as a dead
letter and acknowledged, so that ten SOS presses of other elders behind it still raise ten
alarms, each within a second — over a real Mosquitto and over HTTP. A failure of ours (the
database down) is spooled and retried; a flooding device is limited on its own."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import paho.mqtt.client as mqtt
import pytest
from django.db import OperationalError
from django.utils import timezone

from shequtong.care import ingest as ingest_module
from shequtong.care.choices import AlarmKind, DeviceKind, Living
from shequtong.care.ingest import _check, ingest_safely
from shequtong.care.models import Alarm, DeadLetter, Reading
from shequtong.care.mqtt import Ingester, Spool
from shequtong.care.services import consent_record, device_register, profile_create
from shequtong.core.choices import Role
from shequtong.registry.models import Person
from shequtong.registry.services import PersonData, apply_person_data
from tests.registry.factories import id_number

from .test_mqtt import BROKER, publish, wait_for

# One broker for the whole run: `make test` runs these after the parallel part, alone.
pytestmark = pytest.mark.mqtt

POISON = [
    {"at": "2026-02-30T10:00:00+08:00", "metric": "sos", "value": 1},  # no such day
    {"at": "2026-12-01T25:00:00+08:00", "metric": "sos", "value": 1},  # hour 25
    {"at": "2026-12-01T10:00:00+99:00", "metric": "sos", "value": 1},  # offset +99:00
    {"at": "now", "metric": ["sos"], "value": 1},  # a metric given as a list
    {"at": "now", "metric": "heart_rate", "value": 10**400},  # too large for a float
    {"at": "now", "metric": {"x": 1}, "value": [1]},
    "not an object",
    None,
]


def now_iso(minutes_ago: float = 0) -> str:
    return (timezone.now() - timedelta(minutes=minutes_ago)).isoformat()


def poison() -> list:
    return [
        {**item, "at": now_iso()} if isinstance(item, dict) and item["at"] == "now" else item
        for item in POISON
    ]


def test_every_poison_reading_gets_a_reason_not_an_exception():
    now = timezone.now()
    reasons = [_check(item, now)[0] for item in poison()]
    assert all(reasons), reasons
    assert "不存在" in reasons[0] and "不存在" in reasons[2]
    assert reasons[3].startswith("未知的指标")


@pytest.fixture
def elders(tree, user_with):
    """Eleven consented elders in grid A1a, each with an SOS button: (profile, device, token)."""
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    made = []
    for n in range(11):
        person = Person(area=tree.grid_a1a, area_path=tree.grid_a1a.path)
        apply_person_data(person, PersonData(name=f"老人{n}", id_number=id_number(40 + n)), None)
        person.save()
        profile = profile_create(actor=staff, person=person, living=Living.ALONE)
        consent_record(actor=staff, profile=profile, by="本人", scope="一键呼叫")
        bound = device_register(
            actor=staff, kind=DeviceKind.SOS_BUTTON, serial=f"SOS-P{n}", profile=profile
        )
        made.append((profile, bound.device, bound.token))
    return made


@pytest.mark.django_db
def test_a_poisoned_batch_keeps_its_sos_and_records_the_rest(elders):
    _, device, _ = elders[0]
    items = [*poison(), {"at": now_iso(), "metric": "sos", "value": 1}]
    result = ingest_safely(device, items)
    assert result.accepted == 1 and [a.kind for a in result.alarms] == [AlarmKind.SOS]
    assert len(result.rejected) == len(POISON)


@pytest.mark.django_db
def test_a_reading_that_breaks_a_rule_is_refused_alone(elders, monkeypatch):
    """A failure nobody foresaw in one reading: the batch is taken reading by reading."""
    _, device, _ = elders[0]
    real = ingest_module._rule

    def brittle(profile, device, metric, value, at):
        if metric == "steps":
            raise KeyError("a bug")
        return real(profile, device, metric, value, at)

    monkeypatch.setattr(ingest_module, "_rule", brittle)
    items = [
        {"at": now_iso(1), "metric": "steps", "value": 10},
        {"at": now_iso(), "metric": "sos", "value": 1},
    ]
    result = ingest_safely(device, items)
    assert [a.kind for a in result.alarms] == [AlarmKind.SOS]
    assert result.rejected == [(0, "处理出错（KeyError）")]


@pytest.mark.django_db
def test_over_http_a_poisoned_batch_answers_200_and_ten_sos_behind_it_raise_ten_alarms(
    client, elders
):
    _, first, first_token = elders[0]
    response = client.post(
        "/api/v1/care/ingest",
        json.dumps([*poison(), {"at": now_iso(), "metric": "sos", "value": 1}]),
        content_type="application/json",
        HTTP_X_DEVICE_TOKEN=first_token,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["accepted"] == 1 and len(body["alarms"]) == 1
    assert [r["index"] for r in body["rejected"]] == list(range(len(POISON)))
    letter = DeadLetter.objects.get()
    assert (letter.channel, letter.serial) == ("http", first.serial)
    assert first_token not in letter.payload and "2026-02-30" in letter.payload
    for _, _, token in elders[1:]:
        started = time.monotonic()
        answer = client.post(
            "/api/v1/care/ingest",
            json.dumps([{"at": now_iso(), "metric": "sos", "value": 1}]),
            content_type="application/json",
            HTTP_X_DEVICE_TOKEN=token,
        )
        assert answer.status_code == 200 and len(answer.json()["alarms"]) == 1
        assert time.monotonic() - started < 1
    assert Alarm.objects.filter(kind=AlarmKind.SOS).count() == 11


@pytest.mark.django_db
def test_over_http_the_database_down_answers_503_for_the_device_to_resend(
    client, elders, monkeypatch
):
    _, _, token = elders[0]

    def down(*args, **kwargs):
        raise OperationalError("the database is down")

    monkeypatch.setattr(ingest_module, "ingest_many", down)
    response = client.post(
        "/api/v1/care/ingest",
        json.dumps([{"at": now_iso(), "metric": "sos", "value": 1}]),
        content_type="application/json",
        HTTP_X_DEVICE_TOKEN=token,
    )
    assert response.status_code == 503 and response.json()["code"] == "unavailable"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_over_mqtt_poison_is_acknowledged_and_ten_sos_behind_it_raise_ten_alarms(elders, tmp_path):
    """More poison than the broker's 20 in-flight messages, then ten SOS of ten other elders.
    Were one left unacknowledged, the broker would stop delivering on the urgent topic."""
    client_id = f"test-ingester-{uuid.uuid4().hex[:8]}"
    ingester = Ingester(BROKER, client_id=client_id, spool=tmp_path / "spool")
    ingester.start()
    try:
        assert wait_for(ingester.ready)
        devices = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"dev-{client_id}")
        devices.connect("127.0.0.1", 1883)
        devices.loop_start()
        _, first, first_token = elders[0]
        urgent = f"shequtong/v1/devices/{first.serial}/alarms"
        for _ in range(25):
            body = json.dumps({"token": first_token, "readings": poison()})
            devices.publish(urgent, body, qos=1).wait_for_publish(5)
        publish(urgent, b"\xff\xfe not even text")
        assert wait_for(lambda: ingester.counts["messages"] + ingester.counts["malformed"] >= 26)
        took = []
        for _, device, token in elders[1:]:
            before = ingester.counts["alarms"]
            body = {"token": token, "readings": [{"at": now_iso(), "metric": "sos", "value": 1}]}
            published = time.monotonic()
            devices.publish(f"shequtong/v1/devices/{device.serial}/alarms", json.dumps(body), qos=1)
            assert wait_for(lambda b=before: ingester.counts["alarms"] > b, seconds=5)
            took.append(time.monotonic() - published)
        devices.loop_stop()
        devices.disconnect()
        assert max(took) < 1, f"an SOS took over a second to become an alarm: {took}"
        assert ingester.counts["alarms"] == 10
        assert ingester.counts["rejected"] == 25 * len(POISON)
    finally:
        ingester.stop()
    assert Alarm.objects.filter(kind=AlarmKind.SOS).count() == 10
    assert DeadLetter.objects.filter(channel="mqtt").count() == 26


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_message_failing_for_a_reason_of_ours_is_spooled_and_taken_later(
    elders, tmp_path, monkeypatch
):
    ingester = Ingester(BROKER, client_id="unused", spool=tmp_path / "spool")
    _, device, token = elders[0]
    topic = f"shequtong/v1/devices/{device.serial}/alarms"
    payload = json.dumps(
        {"token": token, "readings": [{"at": now_iso(), "metric": "sos", "value": 1}]}
    ).encode()
    real = ingest_module.ingest_many

    def down(*args, **kwargs):
        raise OperationalError("the database is down")

    monkeypatch.setattr(ingest_module, "ingest_many", down)
    ingester.take(topic, payload)  # returns: the message can be acknowledged
    assert ingester.counts["spooled"] == 1 and len(ingester.spool.pending()) == 1
    assert ingester.retry_spooled() == 0  # still down: kept
    monkeypatch.setattr(ingest_module, "ingest_many", real)
    assert ingester.retry_spooled() == 1
    assert ingester.spool.pending() == []
    assert Alarm.objects.get().kind == AlarmKind.SOS


def test_the_spool_keeps_messages_whole_and_private(tmp_path):
    spool = Spool(tmp_path / "spool")
    spool.put("a/b", b"\x00\x01payload")
    [path] = spool.pending()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    seen = []
    assert spool.replay(lambda topic, payload: seen.append((topic, payload))) == 1
    assert seen == [("a/b", b"\x00\x01payload")] and spool.pending() == []


@pytest.mark.django_db
def test_a_flooding_device_is_limited_alone(elders, tmp_path, settings):
    settings.SHEQUTONG_CARE_DEVICE_BURST = 5
    settings.SHEQUTONG_CARE_DEVICE_RATE = 0.01
    ingester = Ingester(BROKER, client_id="unused", spool=tmp_path / "spool")
    (_, loud, loud_token), (_, quiet, quiet_token) = elders[0], elders[1]

    def send(device, token, minutes_ago):
        reading = {"at": now_iso(minutes_ago), "metric": "battery", "value": 80}
        body = json.dumps({"token": token, "readings": [reading]}).encode()
        return ingester.handle(f"shequtong/v1/devices/{device.serial}/readings", body)

    outcomes = [send(loud, loud_token, n / 10) for n in range(20)]
    assert outcomes.count("ok") == 5 and outcomes.count("limited") == 15
    assert send(quiet, quiet_token, 0) == "ok"
    assert Reading.objects.filter(device=quiet).count() == 1


def _message(device, token: str, readings: list, kind: str = "readings") -> tuple[str, bytes]:
    body = json.dumps({"token": token, "readings": readings}).encode()
    return f"shequtong/v1/devices/{device.serial}/{kind}", body


NOW = timezone.now()


def _battery(minutes_ago: int) -> dict:
    """The same reading each time it is asked for: a message sent twice."""
    at = (NOW - timedelta(minutes=minutes_ago)).isoformat()
    return {"at": at, "metric": "battery", "value": 80 - minutes_ago}


@pytest.mark.django_db
def test_a_batch_of_messages_has_each_message_s_own_outcome(elders, tmp_path):
    """The ingester takes what the broker has in flight at once: two messages of one device,
    a poisoned one with an SOS, one not JSON and one forged, side by side with clean ones."""
    ingester = Ingester(BROKER, client_id="unused", spool=tmp_path / "spool")
    (_, first, first_token), (_, ninth, ninth_token) = elders[0], elders[9]
    forged = elders[10][1]
    sos = {"at": now_iso(), "metric": "sos", "value": 1}
    messages = [_message(d, t, [_battery(1), _battery(2)]) for _, d, t in elders[:8]]
    messages += [
        _message(first, first_token, [_battery(1), _battery(3)]),  # one seen a moment ago
        _message(ninth, ninth_token, [*poison(), sos], kind="alarms"),
        (f"shequtong/v1/devices/{forged.serial}/readings", b"\xff not json"),
        _message(forged, "dev_forged", [_battery(1)]),
    ]
    assert ingester.handle_many(messages) == ["ok"] * 10 + ["malformed", "unauthorized"]
    assert Reading.objects.filter(device=first).count() == 3
    assert [Reading.objects.filter(device=d).count() for _, d, _ in elders[1:8]] == [2] * 7
    assert not Reading.objects.filter(device=forged).exists()
    [alarm] = Alarm.objects.all()
    assert alarm.device == ninth and alarm.kind == AlarmKind.SOS
    assert {k: ingester.counts[k] for k in ("readings", "duplicates", "rejected", "alarms")} == {
        "readings": 18,
        "duplicates": 1,
        "rejected": len(POISON),
        "alarms": 1,
    }
    first.refresh_from_db()
    assert first.battery == 79 and first.last_state["battery"]["value"] == 79
    assert DeadLetter.objects.count() == 3  # the poison, the one not JSON, the forged one


@pytest.mark.django_db
def test_a_batch_costs_the_same_few_queries_for_ten_messages_as_for_one(elders, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ingester = Ingester(BROKER, client_id="unused", spool=tmp_path / "spool")
    batches = [
        [_message(d, t, [_battery(minutes)]) for _, d, t in elders[:n]]
        for minutes, n in ((1, 1), (2, 10))
    ]
    used = []
    for messages in batches:
        with CaptureQueriesContext(connection) as queries:
            assert ingester.handle_many(messages) == ["ok"] * len(messages)
        used.append(len(queries))
    assert used[0] == used[1], used
    assert Reading.objects.count() == 11
