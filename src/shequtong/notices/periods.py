"""A disclosure's period: a quarter (2026-Q4, 2026年第4季度) or a month (2026-12, 2026年12月)."""

from __future__ import annotations

import re
from datetime import date

from shequtong.core.errors import DomainError

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_TYPED = (
    (re.compile(r"^(\d{4})\s*年?\s*第\s*([1-4一二三四])\s*(?:季度?)?$"), "Q"),
    (re.compile(r"^(\d{4})\s*年?\s*([1-4一二三四])\s*季度?$"), "Q"),
    (re.compile(r"^(\d{4})\s*[-年/.]\s*(\d{1,2})\s*月?$"), "M"),
)
_CN = {"一": "1", "二": "2", "三": "3", "四": "4"}


def period_parse(raw: str) -> str:
    """What staff type (2026年第4季度, 2026Q4, 2026年12月, 2026-12) as the stored form."""
    text = (raw or "").strip().upper().replace("Ｑ", "Q")
    if _QUARTER.match(text) or _MONTH.match(text):
        year = int(text[:4])
    else:
        text = text.replace("Q", "第").replace("第第", "第")
        for pattern, kind in _TYPED:
            found = pattern.match(text)
            if not found:
                continue
            year, part = int(found.group(1)), _CN.get(found.group(2), found.group(2))
            if kind == "M" and not 1 <= int(part) <= 12:
                break
            text = f"{year}-Q{part}" if kind == "Q" else f"{year}-{int(part):02d}"
            break
        else:
            year = 0
        if not (_QUARTER.match(text) or _MONTH.match(text)):
            raise DomainError.on("period", "公开期间应为季度或月份，如 2026年第4季度 或 2026年12月")
    if not 2000 <= year <= 2100:
        raise DomainError.on("period", "公开期间的年份应在 2000 至 2100 之间")
    return text


def period_label(period: str) -> str:
    if found := _QUARTER.match(period):
        return f"{found.group(1)}年第{found.group(2)}季度"
    if found := _MONTH.match(period):
        return f"{found.group(1)}年{int(found.group(2))}月"
    return period


def period_of(day: date, *, month: bool = False) -> str:
    """The quarter (or the month) a day falls in, in the stored form."""
    if month:
        return f"{day.year}-{day.month:02d}"
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
