"""`shequtong audit`: verify, seal, anchor and prune the audit log, for cron and for auditors.

verify exits non-zero on a break, so cron or a monitoring probe raises the alarm
(docs/operations.md); anchor appends the head to a file or syslog the operator keeps outside
the database, which verify --anchor checks the chain against.
"""

from __future__ import annotations

import logging.handlers
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequtong.core.audit import (
    audit_anchor,
    audit_prune,
    audit_seal,
    audit_verify,
    read_anchors,
    retention_days,
)


class Command(BaseCommand):
    help = (
        "审计日志工具。verify：核验审计链（可对照锚点文件），发现被修改、删除或伪造的记录时"
        "以非零状态退出；seal：把已提交的记录链入审计链；anchor：输出当前链头，供保存在数据库之外；"
        "prune：清理超过保存期限的记录，审计链仍可核验。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="subcommand", required=True, metavar="子命令")
        verify = actions.add_parser("verify", help="核验审计链是否完整")
        verify.add_argument(
            "--anchor", type=Path, help="audit anchor 写下的锚点文件：审计链须与其中每个锚点一致"
        )
        actions.add_parser("seal", help="把尚未封链的记录链入审计链")
        anchor = actions.add_parser("anchor", help="输出当前链头（序号与校验码）")
        anchor.add_argument("--out", type=Path, help="追加写入此文件（权限 0600）")
        anchor.add_argument("--syslog", action="store_true", help="同时写入本机 syslog")
        actions.add_parser("prune", help="清理超过保存期限（SHEQUTONG_AUDIT_RETENTION_DAYS）的记录")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['subcommand']}")(options)

    def _verify(self, options: dict[str, Any]) -> None:
        anchors = []
        if options["anchor"] is not None:
            try:
                anchors = read_anchors(options["anchor"].read_text(encoding="utf-8").splitlines())
            except (OSError, ValueError) as exc:
                raise CommandError(f"无法读取锚点文件 {options['anchor']}：{exc}") from exc
        result = audit_verify(anchors=anchors)
        self.stdout.write(f"已核验 {result.checked} 条审计记录（自第 {result.first_seq} 条起）")
        if anchors:
            self.stdout.write(f"对照锚点 {len(anchors)} 个")
        if result.unsealed:
            self.stdout.write(
                self.style.WARNING(f"另有 {result.unsealed} 条尚未封链（audit seal 可立即封链）")
            )
        if result.first_break is not None:
            brk = result.first_break
            raise CommandError(f"审计链在第 {brk.seq} 条处断裂：{brk.reason}")
        self.stdout.write(self.style.SUCCESS("审计链完整"))

    def _seal(self, options: dict[str, Any]) -> None:
        self.stdout.write(f"已封链 {audit_seal()} 条")

    def _anchor(self, options: dict[str, Any]) -> None:
        anchor = audit_anchor()
        line = anchor.line()
        self.stdout.write(line)
        if options["out"] is not None:
            descriptor = os.open(options["out"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        if options["syslog"]:
            address = "/dev/log" if Path("/dev/log").exists() else ("localhost", 514)
            handler = logging.handlers.SysLogHandler(address=address)
            record = logging.LogRecord("shequtong.audit", logging.INFO, "", 0, line, None, None)
            handler.emit(record)
            handler.close()

    def _prune(self, options: dict[str, Any]) -> None:
        try:
            result = audit_prune()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"已清理 {result.removed} 条超过 {retention_days()} 天的审计记录；"
            f"审计链自第 {result.checkpoint_seq + 1} 条起核验"
        )
