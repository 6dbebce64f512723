"""`shequtong demo`: migrate, load the demo district, print its logins and serve it locally."""

from __future__ import annotations

import subprocess
import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from shequtong.core.demo import print_logins, seed_demo

DEFAULT_ADDR = "127.0.0.1:8000"


def console_url(addr: str) -> str:
    """The address to open in a browser for a runserver `addr` ("8000", "0.0.0.0:8000" …)."""
    host, sep, port = addr.rpartition(":")
    if not sep:
        host, port = "", addr
    if host in {"", "0.0.0.0", "::", "[::]"}:  # noqa: S104  (mapping a bind-all, not binding)
        host = "127.0.0.1"
    return f"http://{host}:{port}/console/"


class Command(BaseCommand):
    help = "演示模式一键启动：迁移数据库、生成演示数据、打印各角色账号并启动本地服务"
    # migrate runs below; the checks run again inside runserver.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--addr", default=DEFAULT_ADDR, help=f"监听地址，默认 {DEFAULT_ADDR}")
        parser.add_argument("--no-serve", action="store_true", help="只迁移和生成数据，不启动服务")

    def handle(self, *args: Any, addr: str, no_serve: bool, **options: Any) -> None:
        if settings.MODE != "demo":
            raise CommandError(
                f"shequtong demo 只能在演示模式下运行（当前 SHEQUTONG_MODE={settings.MODE}）。"
                "请设置 SHEQUTONG_MODE=demo 后重试；生产环境请用 shequtong serve。"
            )
        self.stdout.write("正在迁移数据库……")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("正在生成演示数据……")
        result = seed_demo()
        if not result.created:
            self.stdout.write("演示区县已存在，沿用现有数据。")
        print_logins(result, self.stdout)
        self.stdout.write(self.style.SUCCESS(f"\n控制台：{console_url(addr)}"))
        if no_serve:
            return
        # The task worker beside the server, as in production (imports, sweeps, follow-ups).
        worker = subprocess.Popen([sys.executable, "-m", "shequtong.cli", "worker"])
        try:
            # No reloader: a demo is not a development session, and the reloader would fork
            # a second process that re-runs this command.
            call_command("runserver", addr, use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
