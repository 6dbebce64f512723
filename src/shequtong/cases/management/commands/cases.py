"""`shequtong cases sweep`, `cases retrain`, `cases import-hotline FILE`.

sweep: one pass by hand (the task worker runs it every five minutes): warnings at 75 % of the
time, overdue and 督办 one level up at 100 %; reads only open cases.
retrain: fit the category classifier on the closed cases (the worker does so nightly).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shequtong.cases.classify import MIN_SAMPLES, retrain
from shequtong.cases.hotline import import_hotline
from shequtong.cases.sweep import case_sweep
from shequtong.core.errors import DomainError


class Command(BaseCommand):
    help = "事件处置：时限巡检（sweep）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        # Once; `shequtong worker` runs it every five minutes.
        commands.add_parser("sweep", help="临期预警、超期督办（执行一次）")
        commands.add_parser("retrain", help="用已办结事件重新训练分类模型")
        hotline = commands.add_parser("import-hotline", help="导入 12345 工单（.xlsx/.csv）")
        hotline.add_argument("file", type=Path)
        hotline.add_argument(
            "--coords",
            default="gcj02",
            choices=["wgs84", "gcj02", "bd09"],
            help="坐标系，默认 gcj02",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "retrain":
            self._retrain()
            return
        if options["command"] == "import-hotline":
            self._import_hotline(options["file"], options["coords"])
            return
        started = time.monotonic()
        result = case_sweep()
        self.stdout.write(
            f"时限巡检：临期预警 {result.warned} 件，超期督办 {result.overdue} 件"
            f"（{time.monotonic() - started:.1f} 秒）"
        )

    def _import_hotline(self, path: Path, coords: str) -> None:
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        try:
            result = import_hotline(actor=None, path=path, coord_system=coords)
        except DomainError as error:
            raise CommandError(error.message) from error
        for row, column, message in result.rejected:
            self.stderr.write(f"第 {row} 行 {column}：{message}")
        self.stdout.write(
            f"共 {result.rows} 条工单：新建事件 {result.created} 件，已导入过 {result.already} 条，"
            f"未导入 {len(result.rejected)} 条"
        )
        if result.rejected:
            raise CommandError("部分工单未导入，请按上面的行号修正后重新导入（已导入的不会重复）")

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
