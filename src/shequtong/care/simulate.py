"""A device simulator: wristbands and SOS buttons reporting like real ones, with incidents.

Each simulated device sends a reading a minute (heart rate, SpO₂, steps, battery; compressed
by `speed`), over HTTP to the platform's ingest endpoint or over MQTT to the broker, exactly
as a device would. Incidents — an SOS pressed, a fall — are injected at given moments. It takes
the devices already registered and issues them new tokens (registering simulator devices when
asked for more than there are) — the simulator's own, so it is for demo and test databases only.
"""

from __future__ import annotations

import json
import random
import secrets
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import paho.mqtt.client as mqtt
from django.utils import timezone

from shequtong.core.bulk import insert_many

from .choices import DeviceKind
from .ingest import EVENTS as URGENT
from .models import CareProfile, Device
from .services import device_token_reset, token_hash


@dataclass
class Simulated:
    serial: str
    kind: str
    token: str
    heart_rate: float = 72
    steps: int = 0
    battery: float = 100


def take_devices(limit: int, including: Sequence[str] = ()) -> list[Simulated]:
    """`limit` bound devices — those named in `including` (the ones incidents are injected
    into) and then the first by serial — with fresh tokens; when there are fewer, simulator
    devices (`SIM-00001`, …: wristbands and buttons in turn) are bound to the consented
    people under care, round the list, until there are enough."""
    bound = Device.objects.filter(profile__isnull=False)
    named = list(bound.filter(serial__in=including))
    rest = bound.exclude(serial__in=including).order_by("serial")
    devices = named + list(rest[: max(limit - len(named), 0)])
    taken = [Simulated(d.serial, d.kind, device_token_reset(actor=None, device=d)) for d in devices]
    return taken + _enlist(limit - len(taken))


def _enlist(count: int) -> list[Simulated]:
    profiles = list(
        CareProfile.objects.filter(consented_at__isnull=False, consent_withdrawn_at__isnull=True)
    )
    if count <= 0 or not profiles:
        return []
    start = Device.objects.filter(serial__startswith="SIM-").count()
    made, devices = [], []
    for n in range(start + 1, start + count + 1):
        profile = profiles[n % len(profiles)]
        kind = DeviceKind.WEARABLE if n % 2 else DeviceKind.SOS_BUTTON
        token = f"dev_{secrets.token_urlsafe(24)}"
        made.append(Simulated(f"SIM-{n:05d}", kind, token))
        devices.append(
            Device(
                kind=kind,
                serial=f"SIM-{n:05d}",
                token_hash=token_hash(token),
                profile=profile,
                area_id=profile.area_id,
                area_path=profile.area_path,
            )
        )
    insert_many(devices)
    return made


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


@dataclass(frozen=True)
class Incident:
    """At `after` real seconds, the device `serial` reports the event `metric` (sos, fall, …)."""

    after: float
    serial: str
    metric: str = "sos"


def run(
    devices: list[Simulated],
    send: Callable[[Simulated, list[dict]], None],
    *,
    seconds: float,
    speed: float = 60.0,
    incidents: Sequence[Incident] = (),
    seed: int = 2026,
) -> Counter[str]:
    """Every device reports once a simulated minute (60 / speed real seconds); the incidents
    are injected on time. Counts messages and each incident metric sent."""
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    by_serial = {d.serial: d for d in devices}
    pending = sorted(incidents, key=lambda i: i.after)
    started = time.monotonic()
    interval = 60.0 / speed
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
        while pending and time.monotonic() - started >= pending[0].after:
            incident = pending.pop(0)
            target = by_serial.get(incident.serial)
            if target is not None:
                event = {"at": timezone.now().isoformat(), "metric": incident.metric, "value": 1}
                send(target, [event])
                counts[incident.metric] += 1
    return counts
