"""PDFs typeset by Typst: the mediation agreement, the 志愿服务证明, later yearly summaries.

Typst is a self-contained wheel: no system libraries, so the same PDF comes out on a fresh
server. It needs a Chinese font on the machine (fonts-noto-cjk or fonts-wqy-microhei on
Debian, or a directory named in SHEQUTONG_FONT_DIRS); without one it would print empty boxes,
so that is refused with a message saying what to install.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from .errors import DomainError

FONTS = ["Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "WenQuanYi Micro Hei"]


def typst_pdf(template: Path, data: dict[str, Any], what: str) -> bytes:
    """`template` filled from `sys.inputs.data` (JSON with `fonts` and today's `date`)."""
    import typst

    payload = {"fonts": FONTS, "date": timezone.localdate().strftime("%Y年%m月%d日")} | data
    pdf, warnings = typst.compile_with_warnings(
        str(template),
        sys_inputs={"data": json.dumps(payload, ensure_ascii=False, default=str)},
        font_paths=list(getattr(settings, "SHEQUTONG_FONT_DIRS", [])),
    )
    unknown = [w for w in map(str, warnings) if "unknown font family" in w]
    if len(unknown) >= len(FONTS):
        raise DomainError(
            "no_font",
            f"服务器未安装中文字体，无法生成{what}：请安装 fonts-noto-cjk 或 "
            "fonts-wqy-microhei，或在 SHEQUTONG_FONT_DIRS 中指定字体目录",
        )
    return pdf
