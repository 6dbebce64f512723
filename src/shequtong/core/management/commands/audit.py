"""`shequtong audit verify`: walk the hash chain of the audit log, for cron and for auditors."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequtong.core.audit import audit_verify


class Command(BaseCommand):
    help = "审计日志工具。verify：核验哈希链，发现被修改、删除或伪造的记录时以非零状态退出。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="subcommand", required=True, metavar="子命令")
        actions.add_parser("verify", help="核验审计链是否完整")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify()

    def _verify(self) -> None:
        result = audit_verify()
        self.stdout.write(f"已核验 {result.checked} 条审计记录")
        if result.first_break is not None:
            # Non-zero exit, so cron or a monitoring probe raises the alarm (docs/operations.md).
            brk = result.first_break
            raise CommandError(f"审计链在第 {brk.seq} 条处断裂：{brk.reason}")
        self.stdout.write(self.style.SUCCESS("审计链完整"))
