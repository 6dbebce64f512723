"""Device readings through Mosquitto into PostgreSQL: ingest rate, ingester CPU, SOS latency.

Usage: .venv/bin/python bench/care_alarms.py [--devices 10000] [--seconds 60] [--restart-broker]

1. Creates a throwaway database, migrates it, seeds the demo district and puts `--devices`
   wristbands and SOS buttons under care (consented elders in the demo's grids).
2. Starts `shequtong care ingest-mqtt` (its own process) against the broker at 127.0.0.1:1883.
3. Publishes, with QoS 1, one reading message a minute per device (10,000 devices: ~167
   messages/s) for `--seconds`, and presses an SOS button every 2 seconds (on the urgent
   topic, as devices do).
4. A watcher polls PostgreSQL every 20 ms for new alarms: SOS-to-alarm-visible latency per
   press (p50/p99, target p99 < 1 s), and the ingester's rate and CPU from /proc.
5. With `--restart-broker` (root), Mosquitto is restarted half-way (its persistence keeps the
   ingester's session); every SOS pressed must still become an alarm.

A benchmark: prints figures, passes or fails nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as mqtt
import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG = "postgresql://postgres@127.0.0.1:5432"
DB = f"shequtong_bench_care_{os.getpid()}"
SETUP = """
import django; django.setup()
import hashlib
from datetime import date, timedelta
from django.utils import timezone
from shequtong.care.choices import DeviceKind, Living
from shequtong.care.models import CareProfile, Device
from shequtong.core.bulk import insert_many
from shequtong.core.models import Area
from shequtong.registry.models import Person
from shequtong.registry.services import PersonData, apply_person_data
from stdnum.cn import ric
grids = list(Area.objects.filter(level="grid"))
people = []
for i in range({devices}):
    grid = grids[i % len(grids)]
    born = date(1935, 1, 1) + timedelta(days=i // 1000)
    body = f"500107{{born:%Y%m%d}}{{i % 1000:03d}}"
    person = Person(area=grid, area_path=grid.path)
    number = body + ric.calc_check_digit(body + "0")
    apply_person_data(person, PersonData(name="老人", id_number=number), None)
    people.append(person)
insert_many(people)
now = timezone.now()
profiles = insert_many([
    CareProfile(person=p, area_id=p.area_id, area_path=p.area_path, living=Living.ALONE,
                consent_by="本人", consent_scope="全部", consented_at=now,
                thresholds={{"heart_rate": [45, 130], "spo2_min": 90}})
    for p in people
])
insert_many([
    Device(kind=DeviceKind.WEARABLE if i % 2 else DeviceKind.SOS_BUTTON, serial=f"B{{i:05d}}",
           token_hash=hashlib.sha256(f"dev_bench_{{i}}".encode()).hexdigest(), profile=p,
           area_id=p.area_id, area_path=p.area_path)
    for i, p in enumerate(profiles)
])
print(len(profiles))
"""


def environ() -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": f"{PG}/{DB}",
        "SHEQUTONG_MODE": "test",
        "DJANGO_SETTINGS_MODULE": "shequtong.settings",
        "SHEQUTONG_MQTT_URL": "mqtt://127.0.0.1:1883",
        "SHEQUTONG_LOG_LEVEL": "WARNING",
    }


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def restart_broker() -> float:
    started = time.perf_counter()
    pid = int(Path("/run/mosquitto/mosquitto.pid").read_text())
    os.kill(pid, signal.SIGTERM)
    while Path(f"/proc/{pid}").exists():
        time.sleep(0.05)
    subprocess.run(["mosquitto", "-d", "-c", "/etc/mosquitto/mosquitto.conf"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--restart-broker", action="store_true")
    options = parser.parse_args()
    env = environ()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{DB}"')
    ingester = None
    try:
        started = time.perf_counter()
        cli = [sys.executable, "-m", "shequtong.cli"]
        subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*cli, "seed"], env=env, check=True, capture_output=True)
        subprocess.run(
            [sys.executable, "-c", SETUP.format(devices=options.devices)], env=env, check=True
        )
        print(f"Care alarms — {options.devices:,} devices, {options.seconds:.0f} s")
        print(f"  set-up                        {time.perf_counter() - started:.1f} s")
        client_id = f"bench-ingester-{uuid.uuid4().hex[:8]}"
        ingester = subprocess.Popen(
            [
                *cli,
                "shell",
                "-c",
                f"from shequtong.care.mqtt import Ingester; Ingester('mqtt://127.0.0.1:1883', "
                f"client_id='{client_id}').run_forever()",
            ],
            env=env,
        )
        time.sleep(3)
        run(options, ingester.pid)
    finally:
        if ingester is not None:
            ingester.terminate()
            ingester.wait()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


def run(options: argparse.Namespace, ingester_pid: int) -> None:
    devices = options.devices
    # As device firmware does: a persistent session, and what the broker did not take is sent
    # again until it is (so a restart of the broker loses nothing on the way in).
    publisher = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{os.getpid()}", clean_session=False
    )
    publisher.reconnect_delay_set(0.2, 2)
    publisher.connect("127.0.0.1", 1883)
    publisher.loop_start()
    pressed: dict[str, float] = {}
    pending: list[tuple[str, str]] = []

    def send(topic: str, payload: str) -> None:
        if publisher.publish(topic, payload, qos=1).rc != mqtt.MQTT_ERR_SUCCESS:
            pending.append((topic, payload))

    seen: dict[str, float] = {}
    stop = threading.Event()

    def watch() -> None:
        with psycopg.connect(f"{PG}/{DB}", autocommit=True) as conn:
            while not stop.is_set():
                rows = conn.execute(
                    "SELECT d.serial FROM care_alarm a JOIN care_device d ON d.id = a.device_id"
                    " WHERE a.kind = 'sos'"
                ).fetchall()
                now = time.perf_counter()
                for (serial,) in rows:
                    seen.setdefault(serial, now)
                time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    cpu_before, wall_before = cpu_seconds(ingester_pid), time.perf_counter()
    per_second = devices / 60
    sent = 0
    started = time.perf_counter()
    restarted = None
    next_sos = 2.0
    sos_index = 0
    while (elapsed := time.perf_counter() - started) < options.seconds:
        due = int(elapsed * per_second)
        while sent < due:
            i = sent % devices
            at = datetime.now(UTC).isoformat()
            reading = {"at": at, "metric": "heart_rate" if i % 2 else "battery", "value": 75}
            payload = json.dumps({"token": f"dev_bench_{i}", "readings": [reading]})
            send(f"shequtong/v1/devices/B{i:05d}/readings", payload)
            sent += 1
        if elapsed >= next_sos:
            i = (sos_index * 2 * 37) % devices // 2 * 2  # an SOS button (even index)
            sos_index += 1
            payload = json.dumps(
                {
                    "token": f"dev_bench_{i}",
                    "readings": [
                        {"at": datetime.now(UTC).isoformat(), "metric": "sos", "value": 1}
                    ],
                }
            )
            send(f"shequtong/v1/devices/B{i:05d}/alarms", payload)
            pressed.setdefault(f"B{i:05d}", time.perf_counter())
            next_sos += 2.0
        if options.restart_broker and restarted is None and elapsed >= options.seconds / 2:
            restarted = restart_broker()
        if pending and publisher.is_connected():
            retry, pending[:] = list(pending), []
            for topic, payload in retry:
                send(topic, payload)
        time.sleep(0.005)
    # Let the ingester drain, then count.
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline and len(seen) < len(pressed):
        time.sleep(0.1)
    stop.set()
    watcher.join()
    cpu = cpu_seconds(ingester_pid) - cpu_before
    wall = time.perf_counter() - wall_before
    with psycopg.connect(f"{PG}/{DB}") as conn:
        readings = conn.execute("SELECT count(*) FROM care_reading").fetchone()[0]
    publisher.loop_stop()
    publisher.disconnect()
    latencies = sorted(seen[s] - pressed[s] for s in pressed if s in seen)
    print(
        f"  messages published            {sent:,} readings + {len(pressed)} SOS "
        f"({sent / options.seconds:,.0f}/s)"
    )
    rate = readings / wall
    print(f"  readings stored               {readings:,}  ({rate:,.0f}/s over {wall:.0f} s)")
    print(f"  ingester CPU                  {cpu:.1f} s = {cpu / wall:.0%} of one core")
    if restarted is not None:
        print(f"  broker restarted mid-run      down {restarted:.1f} s")
    print(
        f"  SOS pressed / became alarms   {len(pressed)} / {len(latencies)}"
        f"{'' if len(latencies) == len(pressed) else '  (ALARMS LOST)'}"
    )
    if latencies:
        p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
        print(f"  SOS → alarm visible p50       {statistics.median(latencies) * 1000:.0f} ms")
        print(f"  SOS → alarm visible p99       {p99 * 1000:.0f} ms   (target < 1,000 ms)")


if __name__ == "__main__":
    main()
