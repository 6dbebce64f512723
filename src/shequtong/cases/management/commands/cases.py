"""`shequtong cases sweep [--every SECONDS]`: the deadline sweep, once or as a loop.

Run it from cron or a systemd timer (once), or as its own service (`--every 300`): warnings at
75 % of the time, overdue and 督办 one level up at 100 %. Each pass reads only open cases.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from shequtong.cases.services import case_sweep
from shequtong.core.management.commands.seed import positive_int


class Command(BaseCommand):
    help = "事件处置：时限巡检（sweep）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        sweep = commands.add_parser("sweep", help="临期预警、超期督办")
        sweep.add_argument("--every", type=positive_int, help="每隔多少秒巡检一次（常驻运行）")

    def handle(self, *args: Any, **options: Any) -> None:
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
