"""Checks the writes of notices share."""

from __future__ import annotations

from shequtong.core.errors import DomainError


def decision_text(text: str, *, approve: bool, field: str, missing: str, label: str) -> str:
    """The reason given with a decision (a notice refused, a board returned): required when
    refusing, at most 200 characters (the column)."""
    text = text.strip()
    if not approve and not text:
        raise DomainError.on(field, missing)
    if len(text) > 200:
        raise DomainError.on(field, f"{label}不能超过 200 字")
    return text
