"""`shequtong export-openapi`: write the API's OpenAPI document to docs/openapi.json.

The document is committed so a reviewer sees every change to the API's contract in the diff,
and a test fails when it is stale (STYLE.md 15). Keys are sorted and the text is indented, so
the diff shows the change and nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import shequtong


def openapi_text() -> str:
    """The OpenAPI document exactly as docs/openapi.json holds it."""
    from shequtong.api import api

    schema = api.get_openapi_schema()
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def default_output() -> Path | None:
    """docs/openapi.json of the checkout this package runs from; None when installed elsewhere.

    The package lives at <repository>/src/shequtong, so the repository is the parent of `src/`.
    """
    src = Path(shequtong.__file__).resolve().parent.parent
    if src.name != "src":
        return None
    return src.parent / "docs" / "openapi.json"


class Command(BaseCommand):
    help = "把 API 的 OpenAPI 文档写入 docs/openapi.json（或 --output 指定的文件）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="输出文件路径，默认为仓库的 docs/openapi.json")
        parser.add_argument(
            "--check",
            action="store_true",
            help="不写文件，只检查现有文件是否最新；过期时以非零状态退出",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"]) if options["output"] else default_output()
        if output is None:
            raise CommandError("找不到仓库根目录（程序包不在 src/ 下）：请用 --output 指定输出文件")
        text = openapi_text()
        if options["check"]:
            current = output.read_text(encoding="utf-8") if output.is_file() else None
            if current != text:
                raise CommandError(f"{output} 已过期：请运行 shequtong export-openapi 并提交")
            self.stdout.write(f"{output} 是最新的")
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"已写入 {output}"))
