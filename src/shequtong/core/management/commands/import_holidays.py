"""`shequtong import-holidays FILE --year 2027 --source 文号`: load a year's holiday notice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequtong.core.calendar_import import holiday_notice_load
from shequtong.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "导入国务院办公厅公布的某年放假调休安排（UTF-8 文本，每行：日期或“起~止”、休或班、说明），"
        "替换该年此前导入的安排。任何一行有误则不导入，并列出全部错误。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="文本文件路径")
        parser.add_argument("--year", type=int, required=True, help="年份，如 2027")
        parser.add_argument("--source", required=True, help="通知文号，如 国办发明电〔2026〕7号")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError("文件不是 UTF-8 文本") from None
        try:
            notice = holiday_notice_load(
                actor=None, year=options["year"], source=options["source"], text=text
            )
        except DomainError as exc:
            for problems in exc.fields.values():
                for problem in problems:
                    self.stderr.write(problem)
            raise CommandError("导入失败，未导入任何一天") from None
        self.stdout.write(
            self.style.SUCCESS(f"已导入 {notice.year} 年放假安排：共 {notice.days.count()} 天")
        )
