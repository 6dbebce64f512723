"""`shequtong cases sweep [--every SECONDS]` and `shequtong cases retrain`.

sweep: run it from cron or a systemd timer (once), or as its own service (`--every 300`):
warnings at 75 % of the time, overdue and 督办 one level up at 100 %; reads only open cases.
retrain: fit the category classifier on the closed cases (nightly is plenty).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from shequtong.cases.classify import MIN_SAMPLES, retrain
from shequtong.cases.services import case_sweep
from shequtong.core.management.commands.seed import positive_int


class Command(BaseCommand):
    help = "事件处置：时限巡检（sweep）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        sweep = commands.add_parser("sweep", help="临期预警、超期督办")
        sweep.add_argument("--every", type=positive_int, help="每隔多少秒巡检一次（常驻运行）")
        commands.add_parser("retrain", help="用已办结事件重新训练分类模型")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "retrain":
            self._retrain()
            return
        every = options.get("every")
        while True:
            started = time.monotonic()
            result = case_sweep()
            self.stdout.write(
                f"时限巡检：临期预警 {result.warned} 件，超期督办 {result.overdue} 件"
                f"（{time.monotonic() - started:.1f} 秒）"
            )
            if not every:
                return
            time.sleep(every)

    def _retrain(self) -> None:
        report = retrain()
        if report.path is None:
            self.stdout.write(
                f"样本不足（{report.samples} 条已办结事件、{report.classes} 个类别；"
                f"至少需要 {MIN_SAMPLES} 条、2 个类别），继续使用关键词规则"
            )
            return
        accuracy = "—" if report.accuracy is None else f"{report.accuracy:.1%}"
        self.stdout.write(
            f"分类模型已更新：{report.samples} 条样本、{report.classes} 个类别，"
            f"留出集准确率 {accuracy}，保存于 {report.path}"
        )
