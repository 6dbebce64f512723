"""Device data over MQTT: the subscriber behind `shequtong care ingest-mqtt`.

Topic and payload (documented in docs/operations.md):

    topic    shequtong/v1/devices/{serial}/readings   (measurements)
             shequtong/v1/devices/{serial}/alarms     (sos, fall, smoke, gas: urgent)
    payload  {"token": "dev_…", "firmware": "2.1.0" (optional),
              "readings": [{"at": "2026-11-24T03:00:00+08:00", "metric": "sos", "value": 1}]}

Urgent events have their own subscription, connection and thread, so an SOS never waits
behind a backlog of heart rates.

No alarm is lost: the subscription is QoS 1 on a persistent session (a fixed client id, clean
session off), so the broker keeps what arrives while the ingester is down or reconnecting
(within the broker's queue limits: docs/operations.md). A message is acknowledged once it is
dealt with, and always: the broker delivers only so many unacknowledged messages, so one left
unacknowledged would stop every message behind it, the SOS of other elders included.

- Taken: its readings and alarms are committed. `ingest` stores a reading once, so a message
  delivered twice changes nothing.
- Refused, whole or in part (not JSON, a forged token, a reading no check accepts): counted,
  logged and kept as a `DeadLetter` for inspection; the good readings of the same message are
  taken (`ingest_safely`).
- Not taken for a reason of ours (the database down): written to the spool directory and
  retried from there every few seconds until it is taken, never in front of new messages.
- A device flooding the broker is limited on its own (a token bucket per device and topic);
  the others do not wait for it.
"""

from __future__ import annotations

import base64
import json
import logging
import queue
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import close_old_connections, connection
from django.urls import get_resolver

from .ingest import OURS, Batch, dead_letter, ingest_many_safely, rejected_letter
from .services import devices_for_tokens

log = logging.getLogger(__name__)

TOPIC = "shequtong/v1/devices/+/readings"
URGENT_TOPIC = "shequtong/v1/devices/+/alarms"
CLIENT_ID = "shequtong-ingester"
RETRY_EVERY = 2.0  # seconds between passes over the spool
# Messages taken together at most: the broker's in-flight window for each subscription
# (max_inflight_messages in deploy/mosquitto/shequtong.conf), all it sends unacknowledged.
BATCH = 100


def _kept(payload: bytes) -> Any:
    """What a dead letter keeps of a message that is no message: its JSON if it has any, else
    its start as text."""
    try:
        return json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return payload[:2000].decode("utf-8", "replace")


class Bucket:
    """A token bucket: `burst` messages at once, then `rate` a second."""

    def __init__(self, burst: float, rate: float) -> None:
        self.burst, self.rate = burst, rate
        self.tokens, self.at = burst, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class Spool:
    """Messages not taken for a reason of ours, one file each, oldest first."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def put(self, topic: str, payload: bytes) -> None:
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.json"
        body = {"topic": topic, "payload": base64.b64encode(payload).decode()}
        temporary = self.directory / f".{name}"
        temporary.write_text(json.dumps(body), encoding="utf-8")
        temporary.chmod(0o600)
        temporary.rename(self.directory / name)  # never a half-written message

    def pending(self) -> list[Path]:
        return sorted(self.directory.glob("[0-9]*.json"))

    def replay(self, handle: Callable[[str, bytes], object]) -> int:
        """Hand each spooled message over again; stop at the first failure of ours (the
        database is still down). The number taken."""
        taken = 0
        for path in self.pending():
            body = json.loads(path.read_text(encoding="utf-8"))
            handle(body["topic"], base64.b64decode(body["payload"]))  # OURS propagates
            path.unlink()
            taken += 1
        return taken


class Ingester:
    def __init__(self, url: str, client_id: str = CLIENT_ID, spool: Path | None = None) -> None:
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 1883
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()  # two subscriptions, two threads, one tally
        self._subscribed: set[str] = set()
        self.spool = Spool(spool or Path(settings.VAR_DIR) / "mqtt-spool" / client_id)
        self._buckets: dict[tuple[str, bool], Bucket] = {}
        self._stopping = threading.Event()
        self._inboxes: dict[str, queue.Queue[mqtt.MQTTMessage]] = {
            TOPIC: queue.Queue(),
            URGENT_TOPIC: queue.Queue(),
        }
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
        return self.handle_many([(topic, payload)])[0]

    def handle_many(self, messages: list[tuple[str, bytes]]) -> list[str]:
        """Messages to readings and alarms, all taken in one `ingest_many`; each one's
        outcome's name (counted). Raises only for a failure of ours (the database), which the
        caller spools; refusals are written after the readings are taken, so a message spooled
        is not recorded as refused twice."""
        outcomes = [""] * len(messages)
        refused: list[tuple[int, str, str, str, Any]] = []
        opened: list[tuple[int, str, dict[str, Any]]] = []
        for index, (topic, payload) in enumerate(messages):
            serial, message, why = self._open(topic, payload)
            if message is None:
                refused.append((index, "malformed", serial, why, payload))
            elif not self._within_rate(serial, urgent=topic.endswith("/alarms")):
                outcomes[index] = "limited"
            else:
                opened.append((index, serial, message))
        devices = devices_for_tokens([str(m.get("token", "")) for _, _, m in opened])
        taken: list[tuple[int, Batch]] = []
        for index, serial, message in opened:
            device = devices.get(str(message.get("token", "")))
            if device is None or device.serial != serial:
                refused.append((index, "unauthorized", serial, "令牌无效或与主题不符", message))
            else:
                firmware = str(message.get("firmware", ""))[:32]
                taken.append((index, Batch(device, message["readings"], firmware)))
        results = ingest_many_safely([batch for _, batch in taken]) if taken else []
        for (index, batch), result in zip(taken, results, strict=True):
            rejected_letter(channel="mqtt", device=batch.device, items=batch.items, result=result)
            self._count(
                readings=result.accepted,
                duplicates=result.duplicates,
                rejected=len(result.rejected),
                alarms=len(result.alarms),
                messages=1,
            )
            outcomes[index] = "ok"
        for index, outcome, serial, why, payload in refused:
            outcomes[index] = self._drop(outcome, serial, why, payload)
        return outcomes

    @staticmethod
    def _open(topic: str, payload: bytes) -> tuple[str, dict[str, Any] | None, str]:
        """The serial the topic names, the message, or why it is no message (then None and
        what to keep of it)."""
        parts = topic.split("/")
        serial = parts[3] if len(parts) == 5 and parts[4] in ("readings", "alarms") else ""
        try:
            message = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return serial, None, "消息不是 JSON"
        if not isinstance(message, dict) or not isinstance(message.get("readings"), list):
            return serial, None, "消息缺少 readings 数组"
        return serial, message, ""

    def _within_rate(self, serial: str, urgent: bool) -> bool:
        burst, rate = settings.SHEQUTONG_CARE_DEVICE_BURST, settings.SHEQUTONG_CARE_DEVICE_RATE
        with self._lock:
            bucket = self._buckets.setdefault((serial, urgent), Bucket(burst, rate))
            if bucket.take():
                return True
            self.counts["limited"] += 1
            first = self.counts["limited"] == 1
        if first or self.counts["limited"] % 1000 == 0:
            log.warning(
                "设备 %s 发送过于频繁，超出部分已丢弃（累计 %s 条）", serial, self.counts["limited"]
            )
        return False

    def _count(self, **amounts: int) -> None:
        with self._lock:
            self.counts.update(amounts)

    def _drop(self, outcome: str, serial: str, why: str, payload: Any) -> str:
        if isinstance(payload, bytes):
            payload = _kept(payload)
        dead_letter(channel="mqtt", serial=serial, reason=why, payload=payload)
        self._count(**{outcome: 1})
        log.warning("MQTT 消息已拒收（设备 %s）：%s", serial, why)
        return outcome

    def _turn(self) -> AbstractContextManager[Any]:
        return self._sqlite_turn if connection.vendor == "sqlite" else nullcontext()

    def _settle(self, topic: str, payload: bytes) -> None:
        self._settle_many([(topic, payload)])

    def _settle_many(self, messages: list[tuple[str, bytes]]) -> None:
        """`handle_many`, and if it fails for a reason no check foresaw, each message alone,
        the one that fails recorded as a dead letter; only a failure of ours propagates."""
        try:
            self.handle_many(messages)
            return
        except OURS:
            raise
        except Exception:
            if len(messages) == 1:
                log.exception("处理 MQTT 消息出错（%s）", messages[0][0])
                self._count(errors=1)
                dead_letter(channel="mqtt", serial=messages[0][0], reason="处理出错", payload="")
                return
            log.exception("%s 条 MQTT 消息一并处理出错，逐条重试", len(messages))
        for message in messages:
            self._settle_many([message])

    def take(self, topic: str, payload: bytes) -> None:
        """Deal with one message whatever happens, so that it can be acknowledged."""
        self.take_many([(topic, payload)])

    def take_many(self, messages: list[tuple[str, bytes]]) -> None:
        """Deal with the messages whatever happens, so that they can be acknowledged."""
        close_old_connections()  # a long-running subscriber outlives database connections
        try:
            with self._turn():
                self._settle_many(messages)
        except OURS:
            log.exception("数据库不可用，%s 条消息已暂存待重试", len(messages))
            for topic, payload in messages:
                self.spool.put(topic, payload)
            self._count(spooled=len(messages))

    def retry_spooled(self) -> int:
        """One pass over the spool; stops while the database is still down."""
        try:
            with self._turn():
                taken = self.spool.replay(self._settle)
        except OURS:
            return 0
        if taken:
            self._count(replayed=taken)
            log.info("已补处理暂存消息 %s 条", taken)
        return taken

    def _retry_loop(self) -> None:
        while not self._stopping.wait(RETRY_EVERY):
            if self.spool.pending():
                close_old_connections()
                self.retry_spooled()

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
        self._inboxes[userdata].put(message)  # the network thread never waits on the database

    def _work(self, topic: str, client: mqtt.Client) -> None:
        """One subscription's messages in batches of what has arrived meanwhile, up to the
        broker's in-flight window: none waits for a batch to fill, and a backlog (the SOS
        pressed while the ingester was down, an hour of readings) costs one transaction a
        hundred messages. Acknowledged in the order they came, once dealt with."""
        inbox = self._inboxes[topic]
        while not self._stopping.is_set():
            try:
                messages = [inbox.get(timeout=0.5)]
            except queue.Empty:
                continue
            while len(messages) < BATCH:
                try:
                    messages.append(inbox.get_nowait())
                except queue.Empty:
                    break
            self.take_many([(m.topic, m.payload) for m in messages])
            for message in messages:
                client.ack(message.mid, message.qos)

    def start(self) -> None:
        """Both subscriptions on their own threads (tests and embedding)."""
        self._prepare()
        for client in (self.urgent, self.client):
            client.connect(self.host, self.port, keepalive=30)
            client.loop_start()

    def stop(self) -> None:
        self._stopping.set()
        for client in (self.urgent, self.client):
            client.loop_stop()
            client.disconnect()

    def _prepare(self) -> None:
        """Before the first message: the URLconf loaded (an alarm's notification links to its
        console page, and importing every URL module would otherwise cost the first SOS after
        a start 0.7 s), then the spool and readings workers started."""
        get_resolver().url_patterns  # noqa: B018 - loading is the point
        threading.Thread(target=self._retry_loop, name="mqtt-spool", daemon=True).start()
        for topic, client in ((URGENT_TOPIC, self.urgent), (TOPIC, self.client)):
            threading.Thread(target=self._work, args=(topic, client), daemon=True).start()

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
            ("limited", "超频丢弃"),
            ("spooled", "暂存待重试"),
            ("replayed", "补处理"),
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
        self._prepare()
        self.urgent.connect_async(self.host, self.port, keepalive=30)
        self.urgent.loop_start()
        self.client.connect_async(self.host, self.port, keepalive=30)
        try:
            self.client.loop_forever(retry_first_connection=True)
        finally:
            self.urgent.loop_stop()
