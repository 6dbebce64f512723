"""The mediation agreement (人民调解协议书) as a PDF, typeset by Typst (`core.documents`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shequtong.core.documents import typst_pdf

TEMPLATE = Path(__file__).parent / "typst" / "agreement.typ"


def agreement_pdf(data: dict[str, Any]) -> bytes:
    return typst_pdf(
        TEMPLATE, {"copies": len(data.get("parties", [])) + 1 or 3} | data, "调解协议书"
    )
