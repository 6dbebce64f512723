"""Device data over MQTT: the subscriber behind `shequtong care ingest-mqtt`.

Topic and payload (documented in docs/operations.md):

    topic    shequtong/v1/devices/{serial}/readings   (measurements)
             shequtong/v1/devices/{serial}/alarms     (sos, fall, smoke, gas: urgent)
    payload  {"token": "dev_…", "firmware": "2.1.0" (optional),
              "readings": [{"at": "2026-11-24T03:00:00+08:00", "metric": "sos", "value": 1}]}

Urgent events have their own subscription, connection and thread, so an SOS never waits
behind a backlog of heart rates.

No alarm is lost: the subscription is QoS 1 on a persistent session (a fixed client id, clean
session off), so the broker keeps what arrives while the ingester is down or reconnecting; a
message is acknowledged only after its readings and alarms are committed (manual acks), and
`ingest` stores a reading once, so a message delivered twice changes nothing. A message that
can never succeed (bad JSON, unknown device) is counted, logged and acknowledged; the ingester
never stops on one.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from contextlib import nullcontext
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.db import close_old_connections, connection

from .ingest import ingest
from .services import device_for_token

log = logging.getLogger(__name__)

TOPIC = "shequtong/v1/devices/+/readings"
URGENT_TOPIC = "shequtong/v1/devices/+/alarms"
CLIENT_ID = "shequtong-ingester"


class Ingester:
    def __init__(self, url: str, client_id: str = CLIENT_ID) -> None:
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 1883
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()  # two subscriptions, two threads, one tally
        self._subscribed: set[str] = set()
        # SQLite takes one writer at a time, and its shared-cache memory database (the test
        # database) fails a second writer at once instead of waiting: the two subscription
        # threads take turns there. PostgreSQL writes from both at once.
        self._sqlite_turn = threading.Lock()
        self.client = self._client(client_id, TOPIC, parsed.username, parsed.password)
        self.urgent = self._client(
            f"{client_id}-urgent", URGENT_TOPIC, parsed.username, parsed.password
        )

    def _client(
        self, client_id: str, topic: str, username: str | None, password: str | None
    ) -> mqtt.Client:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            manual_ack=True,
            userdata=topic,
        )
        if username:
            client.username_pw_set(username, password)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    def handle(self, topic: str, payload: bytes) -> str:
        """One message to readings and alarms; the outcome's name (counted)."""
        parts = topic.split("/")
        serial = parts[3] if len(parts) == 5 and parts[4] in ("readings", "alarms") else ""
        try:
            message = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return self._drop("malformed", f"设备 {serial} 的消息不是 JSON")
        if not isinstance(message, dict) or not isinstance(message.get("readings"), list):
            return self._drop("malformed", f"设备 {serial} 的消息缺少 readings 数组")
        device = device_for_token(str(message.get("token", "")))
        if device is None or device.serial != serial:
            return self._drop("unauthorized", f"设备 {serial} 的令牌无效或与主题不符")
        result = ingest(device, message["readings"], firmware=str(message.get("firmware", "")))
        self._count(
            readings=result.accepted,
            duplicates=result.duplicates,
            rejected=len(result.rejected),
            alarms=len(result.alarms),
            messages=1,
        )
        return "ok"

    def _count(self, **amounts: int) -> None:
        with self._lock:
            self.counts.update(amounts)

    def _drop(self, outcome: str, why: str) -> str:
        self._count(**{outcome: 1})
        log.warning("MQTT 消息已丢弃：%s", why)
        return outcome

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        if reason.is_failure:
            log.error("MQTT 连接失败：%s", reason)
            return
        client.subscribe(userdata, qos=1)
        log.info("已连接 MQTT %s:%s，订阅 %s", self.host, self.port, userdata)

    def _on_subscribe(
        self, client: mqtt.Client, userdata: Any, mid: int, codes: Any, props: Any
    ) -> None:
        with self._lock:
            self._subscribed.add(userdata)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        close_old_connections()  # a long-running subscriber outlives database connections
        try:
            turn = self._sqlite_turn if connection.vendor == "sqlite" else nullcontext()
            with turn:
                self.handle(message.topic, message.payload)
        except Exception:
            # Not acknowledged: the broker delivers it again after the next reconnect.
            log.exception("处理 MQTT 消息失败（%s），将在重连后重试", message.topic)
            self._count(errors=1)
            return
        client.ack(message.mid, message.qos)

    def start(self) -> None:
        """Both subscriptions on their own threads (tests and embedding)."""
        for client in (self.urgent, self.client):
            client.connect(self.host, self.port, keepalive=30)
            client.loop_start()

    def stop(self) -> None:
        for client in (self.urgent, self.client):
            client.loop_stop()
            client.disconnect()

    def ready(self) -> bool:
        """Both subscriptions acknowledged by the broker: from now on nothing is missed."""
        with self._lock:
            return self._subscribed == {TOPIC, URGENT_TOPIC}

    def summary(self) -> str:
        """What came in so far, for the log: operators see rejections without reading each."""
        with self._lock:
            counts = dict(self.counts)
        names = (
            ("messages", "消息"),
            ("readings", "读数"),
            ("duplicates", "重复"),
            ("rejected", "拒收读数"),
            ("alarms", "告警"),
            ("malformed", "格式错误"),
            ("unauthorized", "令牌无效"),
            ("errors", "处理失败"),
        )
        return "，".join(f"{label} {counts.get(key, 0)}" for key, label in names)

    def _report(self, every: float) -> None:
        while True:
            time.sleep(every)
            log.info("MQTT 接收累计：%s", self.summary())

    def run_forever(self, report_every: float = 60) -> None:
        """Connect (retrying while the broker is down) and serve until interrupted, logging
        the running totals every `report_every` seconds."""
        threading.Thread(target=self._report, args=(report_every,), daemon=True).start()
        self.urgent.connect_async(self.host, self.port, keepalive=30)
        self.urgent.loop_start()
        self.client.connect_async(self.host, self.port, keepalive=30)
        try:
            self.client.loop_forever(retry_first_connection=True)
        finally:
            self.urgent.loop_stop()
