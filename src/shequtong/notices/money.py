"""Money on a 财务 board: kept in 分 (integers), typed and shown in 元."""

from __future__ import annotations

import re

from shequtong.core.errors import DomainError

_YUAN = re.compile(r"^(\d{1,13})(?:\.(\d{1,2}))?$")


def yuan(fen: int) -> str:
    """12800 → "128.00", -5 → "-0.05", with thousands separated."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def fen_of(raw: str, *, field: str = "amount", label: str = "金额") -> int:
    """What staff type in 元 (1280.5, 1,280.50, ¥1280) as 分; a DomainError naming the field
    for anything else."""
    text = (raw or "").strip().replace(",", "").replace("，", "").lstrip("¥￥").rstrip("元")
    if not text:
        raise DomainError.on(field, f"请填写{label}")
    found = _YUAN.match(text)
    if not found:
        raise DomainError.on(field, f"{label}应为元，最多两位小数，如 1280.50")
    return int(found.group(1)) * 100 + int((found.group(2) or "0").ljust(2, "0"))
