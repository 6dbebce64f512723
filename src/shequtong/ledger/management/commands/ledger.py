"""`shequtong ledger verify`: every transaction balanced, every balance its postings' sum."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shequtong.ledger.models import Account, Transaction
from shequtong.ledger.selectors import ledger_problems


class Command(BaseCommand):
    help = "账本：核对（verify）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("verify", help="核对每笔交易借贷平衡、每个账户余额等于分录合计")

    def handle(self, *args: Any, command: str, **options: Any) -> None:
        problems = ledger_problems()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"账本核对发现 {len(problems)} 处问题")
        self.stdout.write(
            f"账本核对通过：{Transaction.objects.count()} 笔交易，{Account.objects.count()} 个账户"
        )
