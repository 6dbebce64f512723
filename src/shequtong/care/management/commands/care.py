"""`shequtong care sweep`, `care ingest-mqtt`, `care simulate`.

sweep calls the next contact of alarms nobody answered, raises the alarms of silence (no
activity, devices offline) and deletes readings past their keeping: one pass by hand (the task
worker runs it every 15 seconds).
ingest-mqtt is the device subscriber (see care/mqtt.py for the topic and payload).
"""

from __future__ import annotations

import contextlib
from argparse import ArgumentParser
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shequtong.care import simulate
from shequtong.care.models import Device
from shequtong.care.mqtt import TOPIC, URGENT_TOPIC, Ingester
from shequtong.care.watch import sweep
from shequtong.core.management.commands.seed import positive_int


class Command(BaseCommand):
    help = "智慧养老：告警巡检（sweep）、设备数据订阅（ingest-mqtt）、设备模拟器（simulate）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        # Once; `shequtong worker` runs it every 15 seconds.
        commands.add_parser(
            "sweep", help="告警逐级通知、无活动与设备离线检查、过期读数清理（执行一次）"
        )
        mqtt = commands.add_parser("ingest-mqtt", help="订阅 MQTT，接收设备上报")
        mqtt.add_argument("--url", default=settings.SHEQUTONG_MQTT_URL, help="mqtt://主机:端口")
        sim = commands.add_parser("simulate", help="设备模拟器（仅演示和测试库）")
        sim.add_argument("--devices", type=positive_int, default=10, help="模拟的设备数")
        sim.add_argument("--via", choices=["http", "mqtt"], default="http")
        sim.add_argument("--url", default="http://127.0.0.1:8000", help="平台地址（http）")
        sim.add_argument("--seconds", type=positive_int, default=30)
        sim.add_argument("--speed", type=float, default=60.0, help="时间加速倍数，默认 60")
        sim.add_argument("--sos", default="", help="在 --after 秒后按下此序列号设备的一键呼叫")
        sim.add_argument("--fall", default="", help="在 --after 秒后此序列号的手环报告跌倒")
        sim.add_argument("--after", type=float, default=5.0, help="事件注入时间（秒）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "simulate":
            self._simulate(options)
            return
        if options["command"] == "ingest-mqtt":
            self.stdout.write(f"订阅 {TOPIC} 和 {URGENT_TOPIC}（{options['url']}），Ctrl-C 退出")
            with contextlib.suppress(KeyboardInterrupt):
                Ingester(options["url"]).run_forever()
            return
        done = sweep()
        self.stdout.write(
            f"通知下一位联系人 {done.escalated} 条，无活动告警 {done.idle} 条，"
            f"设备离线告警 {done.offline} 条，清理过期读数 {done.pruned} 条"
        )

    def _simulate(self, options: dict[str, Any]) -> None:
        if settings.MODE == "production":
            raise CommandError("模拟器会重置设备令牌，只能在演示或测试库上运行")
        named = [options[metric] for metric in ("sos", "fall") if options[metric]]
        missing = set(named) - set(
            Device.objects.filter(serial__in=named, profile__isnull=False).values_list(
                "serial", flat=True
            )
        )
        if missing:
            raise CommandError(f"没有已绑定的设备：{'、'.join(sorted(missing))}")
        devices = simulate.take_devices(options["devices"], including=named)
        if not devices:
            raise CommandError(
                "没有已绑定的设备：请先在照护档案中绑定设备（或运行 shequtong demo）"
            )
        client = None
        if options["via"] == "mqtt":
            parsed = urlparse(settings.SHEQUTONG_MQTT_URL)
            send, client = simulate.mqtt_sender(parsed.hostname or "127.0.0.1", parsed.port or 1883)
        else:
            send = simulate.http_sender(options["url"])
        self.stdout.write(
            f"模拟 {len(devices)} 台设备，经 {options['via']} 上报 {options['seconds']} 秒"
        )
        counts = simulate.run(
            devices,
            send,
            seconds=options["seconds"],
            speed=options["speed"],
            incidents=[
                simulate.Incident(options["after"], options[metric], metric)
                for metric in ("sos", "fall")
                if options[metric]
            ],
        )
        if client is not None:
            client.loop_stop()
            client.disconnect()
        self.stdout.write(
            f"已发送 {counts['messages']} 条消息，一键呼叫 {counts['sos']} 次，"
            f"跌倒 {counts['fall']} 次"
        )
