"""Device data over MQTT: the subscriber behind `shequtong care ingest-mqtt`.

Topic and payload (documented in docs/operations.md):

    topic    shequtong/v1/devices/{serial}/readings
    payload  {"token": "dev_…",
              "readings": [{"at": "2026-11-24T03:00:00+08:00", "metric": "sos", "value": 1}]}

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
from collections import Counter
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.db import close_old_connections

from .ingest import ingest
from .services import device_for_token

log = logging.getLogger(__name__)

TOPIC = "shequtong/v1/devices/+/readings"
CLIENT_ID = "shequtong-ingester"


class Ingester:
    def __init__(self, url: str, client_id: str = CLIENT_ID) -> None:
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 1883
        self.counts: Counter[str] = Counter()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            manual_ack=True,
        )
        if parsed.username:
            self.client.username_pw_set(parsed.username, parsed.password)
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message

    def handle(self, topic: str, payload: bytes) -> str:
        """One message to readings and alarms; the outcome's name (counted)."""
        parts = topic.split("/")
        serial = parts[3] if len(parts) == 5 else ""
        try:
            message = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return self._drop("malformed", f"设备 {serial} 的消息不是 JSON")
        if not isinstance(message, dict) or not isinstance(message.get("readings"), list):
            return self._drop("malformed", f"设备 {serial} 的消息缺少 readings 数组")
        device = device_for_token(str(message.get("token", "")))
        if device is None or device.serial != serial:
            return self._drop("unauthorized", f"设备 {serial} 的令牌无效或与主题不符")
        result = ingest(device, message["readings"])
        self.counts["readings"] += result.accepted
        self.counts["duplicates"] += result.duplicates
        self.counts["rejected"] += len(result.rejected)
        self.counts["alarms"] += len(result.alarms)
        self.counts["messages"] += 1
        return "ok"

    def _drop(self, outcome: str, why: str) -> str:
        self.counts[outcome] += 1
        log.warning("MQTT 消息已丢弃：%s", why)
        return outcome

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        if reason.is_failure:
            log.error("MQTT 连接失败：%s", reason)
            return
        client.subscribe(TOPIC, qos=1)
        log.info("已连接 MQTT %s:%s，订阅 %s", self.host, self.port, TOPIC)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        close_old_connections()  # a long-running subscriber outlives database connections
        try:
            self.handle(message.topic, message.payload)
        except Exception:
            # Not acknowledged: the broker delivers it again after the next reconnect.
            log.exception("处理 MQTT 消息失败（%s），将在重连后重试", message.topic)
            self.counts["errors"] += 1
            return
        client.ack(message.mid, message.qos)

    def connect(self) -> None:
        self.client.connect(self.host, self.port, keepalive=30)

    def run_forever(self) -> None:
        """Connect (retrying while the broker is down) and serve until interrupted."""
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_forever(retry_first_connection=True)
