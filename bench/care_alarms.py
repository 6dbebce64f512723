"""Device readings through Mosquitto into PostgreSQL: stored, lost, drain time, SOS latency,
across an outage of the ingester.

Usage: .venv/bin/python bench/care_alarms.py [--devices 10000] [--seconds 60] [--rate 1]
                                             [--outage 30]

1. Creates a throwaway database, migrates it, seeds the demo district and puts `--devices`
   wristbands and SOS buttons under care (consented elders in the demo's grids).
2. Starts its own Mosquitto with the shipped configuration (deploy/mosquitto/shequtong.conf:
   persistence, the queue limits) on a free port, and the ingester (`care.mqtt.Ingester`, a
   persistent session) in its own process.
3. Publishes, with QoS 1, `--rate` reading messages a minute per device (10,000 devices at
   rate 1: ~167 messages/s) for `--seconds`, and presses an SOS button every 2 seconds (on
   the urgent topic, as devices do).
4. With `--outage S`, kills the ingester with SIGKILL a third of the way in and starts it
   again S seconds later: the broker must have queued everything for its session.
5. After publishing, waits for the backlog to drain (readings stored = sent, or no progress
   for 30 s) and prints stored, lost and the drain time; SOS → alarm latency (p50/p99) of the
   presses while the ingester was up (targets: 0 lost, p99 < 500 ms), how long the restarted
   ingester took to subscribe again, and that every SOS pressed while it was down (killed, or
   started but not yet subscribed) became an alarm once it was back.

A benchmark: prints figures, passes or fails nothing. Run it at `--rate 3` for the headroom.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
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


READINGS = "SELECT count(*) FROM care_reading WHERE metric <> 'sos'"


def environ(port: int, var_dir: Path) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": f"{PG}/{DB}",
        "SHEQUTONG_MODE": "test",
        "DJANGO_SETTINGS_MODULE": "shequtong.settings",
        "SHEQUTONG_MQTT_URL": f"mqtt://127.0.0.1:{port}",
        "SHEQUTONG_LOG_LEVEL": "WARNING",
        "SHEQUTONG_VAR_DIR": str(var_dir),
    }


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def broker(port: int, directory: Path) -> subprocess.Popen:
    """Mosquitto as shipped, but on its own port and persistence directory."""
    shipped = (ROOT / "deploy" / "mosquitto" / "shequtong.conf").read_text()
    conf = shipped.replace(
        "persistence_location /var/lib/mosquitto/", f"persistence_location {directory}/"
    )
    conf = conf.replace("listener 1883 127.0.0.1", f"listener {port} 127.0.0.1")
    path = directory / "mosquitto.conf"
    path.write_text(conf)
    process = subprocess.Popen(["mosquitto", "-c", str(path)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    raise SystemExit("mosquitto did not start")


def start_ingester(env: dict[str, str], port: int) -> tuple[subprocess.Popen, threading.Event]:
    """The ingester in its own process, and an event set once it has subscribed to the urgent
    topic (read from its log): an SOS pressed before that was pressed while it was down."""
    code = (
        "from shequtong.care.mqtt import Ingester; "
        f"Ingester('mqtt://127.0.0.1:{port}', client_id='bench-ingester').run_forever()"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "shequtong.cli", "shell", "-c", code],
        env={**env, "SHEQUTONG_LOG_LEVEL": "INFO"},
        stderr=subprocess.PIPE,
        text=True,
    )
    subscribed = threading.Event()

    def read() -> None:
        for line in process.stderr:
            if "订阅 shequtong/v1/devices/+/alarms" in line:
                subscribed.set()
            elif "WARNING" in line or "ERROR" in line or "Traceback" in line:
                sys.stderr.write(line)

    threading.Thread(target=read, daemon=True).start()
    return process, subscribed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=1.0, help="messages a minute per device")
    parser.add_argument("--outage", type=float, default=30, help="seconds the ingester is down")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-care-"))
    port = free_port()
    env = environ(port, work / "var")
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{DB}"')
    mosquitto = broker(port, work)
    bench = Bench(options, env, port)
    try:
        started = time.perf_counter()
        cli = [sys.executable, "-m", "shequtong.cli"]
        subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*cli, "seed"], env=env, check=True, capture_output=True)
        subprocess.run(
            [sys.executable, "-c", SETUP.format(devices=options.devices)], env=env, check=True
        )
        print(
            f"Care alarms — {options.devices:,} devices × {options.rate:g} message/min, "
            f"{options.seconds:.0f} s, ingester down {options.outage:.0f} s"
        )
        print(f"  set-up                        {time.perf_counter() - started:.1f} s")
        bench.start_ingester()
        if not bench.subscribed.wait(30):  # its session exists on the broker from now on
            raise SystemExit("the ingester did not subscribe")
        bench.run()
    finally:
        bench.stop_ingester(signal.SIGTERM)
        mosquitto.terminate()
        mosquitto.wait()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


class Bench:
    def __init__(self, options: argparse.Namespace, env: dict[str, str], port: int) -> None:
        self.options, self.env, self.port = options, env, port
        self.ingester: subprocess.Popen | None = None
        self.subscribed = threading.Event()
        self.cpu = 0.0

    def start_ingester(self) -> float:
        self.ingester, self.subscribed = start_ingester(self.env, self.port)
        return time.perf_counter()

    def stop_ingester(self, how: signal.Signals) -> None:
        if self.ingester is None:
            return
        self.cpu += cpu_seconds(self.ingester.pid)
        self.ingester.send_signal(how)
        self.ingester.wait()
        self.ingester = None

    def run(self) -> None:
        options = self.options
        devices = options.devices
        # As device firmware does: a persistent session, and what the broker did not take is
        # sent again until it is.
        publisher = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"bench-pub-{os.getpid()}",
            clean_session=False,
        )
        publisher.max_inflight_messages_set(1000)
        publisher.max_queued_messages_set(0)
        publisher.connect("127.0.0.1", self.port)
        publisher.loop_start()
        pressed: dict[str, tuple[float, str]] = {}  # serial → (when, phase of the run)
        with psycopg.connect(f"{PG}/{DB}") as conn:
            before = conn.execute(READINGS).fetchone()[0]  # the demo's own devices
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
        per_second = devices * options.rate / 60
        sent = 0
        started = time.perf_counter()
        down_at = options.seconds / 3 if options.outage else None
        up_at = None
        restarted = back_at = None
        next_sos, sos_index = 2.0, 0
        while (elapsed := time.perf_counter() - started) < options.seconds:
            due = int(elapsed * per_second)
            while sent < due:
                i = sent % devices
                reading = {
                    "at": datetime.now(UTC).isoformat(),
                    "metric": "heart_rate" if i % 2 else "battery",
                    "value": 75,
                }
                payload = json.dumps({"token": f"dev_bench_{i}", "readings": [reading]})
                publisher.publish(f"shequtong/v1/devices/B{i:05d}/readings", payload, qos=1)
                sent += 1
            if down_at is not None and elapsed >= down_at and self.ingester is not None:
                self.stop_ingester(signal.SIGKILL)
                up_at, down_at = elapsed + options.outage, None  # once
            if up_at is not None and elapsed >= up_at and self.ingester is None:
                restarted = self.start_ingester()
            if elapsed >= next_sos:
                i = (sos_index * 2 * 37) % devices // 2 * 2  # an SOS button (even index)
                sos_index += 1
                serial = f"B{i:05d}"
                if serial not in pressed:
                    at = datetime.now(UTC).isoformat()
                    payload = json.dumps(
                        {
                            "token": f"dev_bench_{i}",
                            "readings": [{"at": at, "metric": "sos", "value": 1}],
                        }
                    )
                    publisher.publish(f"shequtong/v1/devices/{serial}/alarms", payload, qos=1)
                    up = self.ingester is not None and self.subscribed.is_set()
                    phase = "down" if not up else "after" if up_at else "before"
                    pressed[serial] = (time.perf_counter(), phase)
                next_sos += 2.0
            if restarted is not None and back_at is None and self.subscribed.is_set():
                back_at = time.perf_counter()
            time.sleep(0.002)
        if self.ingester is None:  # the outage outlasted the run: back now
            restarted = self.start_ingester()
        if restarted is not None and back_at is None:
            self.subscribed.wait(30)
            back_at = time.perf_counter()
        published = time.perf_counter()
        stored, drained = self.drain(sent + before)
        stored -= before
        stop.set()
        watcher.join()
        self.stop_ingester(signal.SIGTERM)
        publisher.loop_stop()
        publisher.disconnect()
        wall = drained - started
        print(
            f"  messages published            {sent:,} readings + {len(pressed)} SOS "
            f"({sent / options.seconds:,.0f}/s)"
        )
        print(f"  readings stored               {stored:,}")
        print(f"  readings lost                 {sent - stored:,}   (target 0)")
        print(f"  backlog drained               {drained - published:.1f} s after the last message")
        print(
            f"  ingester CPU                  {self.cpu:.1f} s = {self.cpu / wall:.0%} of one core"
        )
        raised = sum(serial in seen for serial in pressed)
        print(f"  SOS pressed / became alarms   {len(pressed)} / {raised}   (target: all)")
        for phase, title in (("before", "before the outage"), ("after", "after the restart")):
            waits = sorted(seen[s] - t for s, (t, p) in pressed.items() if p == phase and s in seen)
            if waits:
                p99 = waits[min(len(waits) - 1, int(0.99 * len(waits)))]
                print(
                    f"  SOS → alarm, {title:<17} p50 {statistics.median(waits) * 1000:,.0f} ms, "
                    f"p99 {p99 * 1000:,.0f} ms   ({len(waits)} presses; target p99 < 500 ms)"
                )
        down = [seen[s] for s, (_, p) in pressed.items() if p == "down" and s in seen]
        if restarted is not None and back_at is not None:
            print(f"  ingester subscribed again     {back_at - restarted:.1f} s after its start")
        if down and back_at is not None:
            print(
                f"  SOS pressed while down        {len(down)}, all raised "
                f"{max(down) - back_at:.1f} s after it had subscribed again"
            )

    def drain(self, sent: int) -> tuple[int, float]:
        """Readings stored once the backlog is through: all of them, or no progress for 30 s."""
        last, last_change = -1, time.perf_counter()
        with psycopg.connect(f"{PG}/{DB}", autocommit=True) as conn:
            while True:
                stored = conn.execute(
                    "SELECT count(*) FROM care_reading WHERE metric <> 'sos'"
                ).fetchone()[0]
                now = time.perf_counter()
                if stored != last:
                    last, last_change = stored, now
                if stored >= sent or now - last_change > 30:
                    return stored, last_change
                time.sleep(0.2)


if __name__ == "__main__":
    main()
