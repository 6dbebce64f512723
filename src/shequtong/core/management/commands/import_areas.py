"""`shequtong import-areas FILE`: load an area tree from CSV or GeoJSON, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequtong.core.area_import import area_import_file
from shequtong.core.choices import AreaLevel


class Command(BaseCommand):
    help = (
        "从 CSV（UTF-8 或 GBK；列：名称、层级、代码、上级代码，可选 边界）或 GeoJSON "
        "FeatureCollection 导入区域树。任何一行有误则一行也不导入，并列出全部错误。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV 或 GeoJSON 文件路径")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        # The operator of the server acts as the system (actor None), as `migrate` does.
        result = area_import_file(actor=None, path=path)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败：共 {len(result.errors)} 处错误，未导入任何区域")
        detail = "，".join(
            f"{AreaLevel(level).label} {count} 个" for level, count in result.by_level.items()
        )
        self.stdout.write(self.style.SUCCESS(f"已导入 {result.created} 个区域（{detail}）"))
