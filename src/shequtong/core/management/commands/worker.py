"""`shequtong worker`: the task worker — imports, the case and care sweeps, alarm follow-ups,
nightly clean-ups; each app declares its tasks in its own tasks.py (Huey)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import autodiscover_modules


class Command(BaseCommand):
    help = "后台任务进程：台账导入、时限巡检与告警巡检、告警转事件跟进、夜间清理（Ctrl-C 退出）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.SHEQUTONG_WORKER_THREADS,
            help="并行执行任务的线程数",
        )
        parser.add_argument("--no-periodic", action="store_true", help="不运行定时任务")

    def handle(self, *args: Any, **options: Any) -> None:
        huey = settings.HUEY
        huey.immediate = False  # the worker runs what the web processes queue, whatever the mode
        autodiscover_modules("tasks")
        logging.getLogger("huey").setLevel(logging.INFO)
        queue = settings.SHEQUTONG_TASK_QUEUE or f"sqlite:///{huey.storage.filename}"
        self.stdout.write(f"后台任务进程已启动：{options['threads']} 个线程，队列 {queue}")
        consumer = huey.create_consumer(
            workers=options["threads"],
            worker_type="thread",
            periodic=not options["no_periodic"],
            check_worker_health=True,
        )
        consumer.run()
