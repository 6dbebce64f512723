"""`shequtong seed [--scale N]`: load the deterministic demo district (see core.demo)."""

from __future__ import annotations

import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from shequtong.core.demo import print_logins, seed_demo
from shequtong.core.models import Area


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ArgumentTypeError("须为正整数")
    return number


class Command(BaseCommand):
    help = "生成演示区县（九龙坡区）：街道、社区、网格、部门和各角色账号；已存在则不改动"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--scale",
            type=positive_int,
            default=1,
            help="网格数量的倍数（负载测试用），默认 1：约 40 个网格",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="在生产模式下也写入演示数据（所有演示账号共用公开的密码，慎用）",
        )

    def handle(self, *args: Any, scale: int, force: bool, **options: Any) -> None:
        # The demo password is printed here and in the README: in production it is a backdoor.
        if settings.MODE == "production" and not force:
            raise CommandError(
                "当前为生产模式（SHEQUTONG_MODE=production），拒绝写入演示数据："
                "演示账号共用一个公开的密码。确需写入请加 --force。"
            )
        if Area._meta.db_table not in connection.introspection.table_names():
            raise CommandError(
                "数据库尚未建表：请先运行 shequtong migrate（或用 shequtong demo）。"
            )
        started = time.monotonic()
        result = seed_demo(scale=scale)
        elapsed = time.monotonic() - started
        if result.created:
            counts = result.counts
            self.stdout.write(
                self.style.SUCCESS(
                    f"已生成演示数据（用时 {elapsed:.1f} 秒）：{counts.get('district', 0)} 个区县、"
                    f"{counts.get('subdistrict', 0)} 个街道、{counts.get('community', 0)} 个社区、"
                    f"{counts.get('grid', 0)} 个网格，{len(result.logins)} 个账号。"
                )
            )
        else:
            self.stdout.write("演示区县已存在，未做任何改动。")
        print_logins(result, self.stdout)
