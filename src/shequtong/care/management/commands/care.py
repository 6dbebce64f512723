"""`shequtong care escalate [--every SECONDS]`: call the next contact of alarms nobody answered.

Run it as its own service with `--every 15` (a contact's time is counted in minutes), or from
cron every minute.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from shequtong.care.alarms import escalate
from shequtong.core.management.commands.seed import positive_int


class Command(BaseCommand):
    help = "智慧养老：告警逐级通知（escalate）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        run = commands.add_parser("escalate", help="超时未响应的告警通知下一位联系人")
        run.add_argument("--every", type=positive_int, help="每隔多少秒检查一次（常驻运行）")

    def handle(self, *args: Any, **options: Any) -> None:
        every = options.get("every")
        while True:
            moved = escalate()
            self.stdout.write(f"告警升级：{moved} 条告警通知了下一位联系人")
            if not every:
                return
            time.sleep(every)
