"""A device simulator: wristbands and SOS buttons reporting like real ones, with incidents.

Each simulated device sends a reading a minute (heart rate, SpO₂, steps, battery; compressed
by `speed`), over HTTP to the platform's ingest endpoint or over MQTT to the broker, exactly
as a device would. `sos` presses the button of one device after `sos_after` seconds. It takes
the devices already registered and issues them new tokens — the simulator's own, so it is
for demo and test databases only.
"""

from __future__ import annotations

import json
import random
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import paho.mqtt.client as mqtt
from django.utils import timezone

from .ingest import EVENTS as URGENT
from .models import Device
from .services import device_token_reset


@dataclass
class Simulated:
    serial: str
    kind: str
    token: str
    heart_rate: float = 72
    steps: int = 0
    battery: float = 100


def take_devices(limit: int) -> list[Simulated]:
    devices = Device.objects.filter(profile__isnull=False).order_by("serial")[:limit]
    return [Simulated(d.serial, d.kind, device_token_reset(actor=None, device=d)) for d in devices]


def readings(device: Simulated, at: datetime, rng: random.Random) -> list[dict]:
    stamp = at.isoformat()
    device.battery = max(device.battery - rng.random() * 0.05, 5)
    out = [{"at": stamp, "metric": "battery", "value": round(device.battery)}]
    if device.kind == "wearable":
        device.heart_rate = min(max(device.heart_rate + rng.gauss(0, 3), 55), 110)
        device.steps += rng.randrange(0, 40)
        out += [
            {"at": stamp, "metric": "heart_rate", "value": round(device.heart_rate)},
            {"at": stamp, "metric": "spo2", "value": rng.choice((96, 97, 97, 98, 99))},
            {"at": stamp, "metric": "steps", "value": device.steps},
        ]
    return out


def http_sender(base_url: str) -> Callable[[Simulated, list[dict]], None]:
    def send(device: Simulated, items: list[dict]) -> None:
        request = urllib.request.Request(  # noqa: S310 (the operator's own platform URL)
            f"{base_url.rstrip('/')}/api/v1/care/ingest",
            data=json.dumps(items).encode(),
            headers={"Content-Type": "application/json", "X-Device-Token": device.token},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()

    return send


def mqtt_sender(
    host: str, port: int
) -> tuple[Callable[[Simulated, list[dict]], None], mqtt.Client]:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"sim-{uuid.uuid4().hex[:8]}")
    client.connect(host, port)
    client.loop_start()

    def send(device: Simulated, items: list[dict]) -> None:
        payload = json.dumps({"token": device.token, "readings": items})
        urgent = any(item["metric"] in URGENT for item in items)
        channel = "alarms" if urgent else "readings"
        client.publish(f"shequtong/v1/devices/{device.serial}/{channel}", payload, qos=1)

    return send, client


def run(
    devices: list[Simulated],
    send: Callable[[Simulated, list[dict]], None],
    *,
    seconds: float,
    speed: float = 60.0,
    sos: str = "",
    sos_after: float = 5.0,
    seed: int = 2026,
) -> dict[str, int]:
    """Every device reports once a simulated minute (60 / speed real seconds)."""
    rng = random.Random(seed)
    counts = {"messages": 0, "sos": 0}
    started = time.monotonic()
    interval = 60.0 / speed
    pressed = False
    next_round = started
    while (now := time.monotonic()) - started < seconds:
        if now < next_round:
            time.sleep(min(next_round - now, 0.05))
        else:
            at = timezone.now()
            for device in devices:
                send(device, readings(device, at, rng))
                counts["messages"] += 1
            next_round += interval
        if sos and not pressed and time.monotonic() - started >= sos_after:
            target = next((d for d in devices if d.serial == sos), None)
            if target is not None:
                send(target, [{"at": timezone.now().isoformat(), "metric": "sos", "value": 1}])
                counts["sos"] += 1
            pressed = True
    return counts
