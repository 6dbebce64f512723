"""`shequtong care escalate [--every SECONDS]` and `shequtong care ingest-mqtt`.

escalate calls the next contact of alarms nobody answered: run it as its own service with
`--every 15` (a contact's time is counted in minutes), or from cron every minute.
ingest-mqtt is the device subscriber (see care/mqtt.py for the topic and payload).
"""

from __future__ import annotations

import contextlib
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from shequtong.care.alarms import escalate
from shequtong.care.mqtt import TOPIC, Ingester
from shequtong.core.management.commands.seed import positive_int


class Command(BaseCommand):
    help = "智慧养老：告警逐级通知（escalate）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        run = commands.add_parser("escalate", help="超时未响应的告警通知下一位联系人")
        run.add_argument("--every", type=positive_int, help="每隔多少秒检查一次（常驻运行）")
        mqtt = commands.add_parser("ingest-mqtt", help="订阅 MQTT，接收设备上报")
        mqtt.add_argument("--url", default=settings.SHEQUTONG_MQTT_URL, help="mqtt://主机:端口")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "ingest-mqtt":
            self.stdout.write(f"订阅 {TOPIC}（{options['url']}），Ctrl-C 退出")
            with contextlib.suppress(KeyboardInterrupt):
                Ingester(options["url"]).run_forever()
            return
        every = options.get("every")
        while True:
            moved = escalate()
            self.stdout.write(f"告警升级：{moved} 条告警通知了下一位联系人")
            if not every:
                return
            time.sleep(every)
