"""`shequtong serve`: the production server, granian in WSGI mode.

WSGI rather than ASGI and one worker per core: measured ~6.5k req/s against ~0.5–1.4k for the
same sync views under an ASGI server (docs/ARCHITECTURE.md, "Serving"). Threads per worker stay
at 1 by default so that workers × threads stays well below PostgreSQL's `max_connections`
with persistent connections.
"""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from .seed import positive_int

WSGI_TARGET = "shequtong.wsgi:application"


def granian_argv(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    """The granian command line, run with this very interpreter (so from the same venv)."""
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        # A worker that dies (out of memory, a crash in a C extension) comes back.
        "--respawn-failed-workers",
        WSGI_TARGET,
    ]


class Command(BaseCommand):
    help = "启动生产服务（granian，WSGI 模式），配置取自环境变量"
    # Checked explicitly in handle(), so that call_command() checks as well.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="0.0.0.0", help="监听地址，默认 0.0.0.0")  # noqa: S104
        parser.add_argument("--port", type=positive_int, default=8000, help="端口，默认 8000")
        parser.add_argument(
            "--workers",
            type=positive_int,
            default=os.cpu_count() or 1,
            help="工作进程数，默认等于 CPU 核数",
        )
        parser.add_argument(
            "--threads", type=positive_int, default=1, help="每个工作进程的线程数，默认 1"
        )

    def handle(
        self, *args: Any, host: str, port: int, workers: int, threads: int, **options: Any
    ) -> None:
        # Fail here, with Django's own messages, rather than in every worker.
        self.check(display_num_errors=True)
        argv = granian_argv(host=host, port=port, workers=workers, threads=threads)
        self.stdout.write(f"启动 granian：{workers} 个工作进程 × {threads} 线程，{host}:{port}")
        self.stdout.flush()
        # Replace this process: signals from a process manager go straight to granian.
        os.execv(argv[0], argv)  # noqa: S606
