"""Reading the fields of a posted form that Django forms do not handle for a page: each bad
value is refused as a `DomainError` naming its field, so the page answers 400 in Chinese
instead of a 500."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shequtong.core.errors import DomainError


def form_refused(form: Any) -> DomainError:
    """A bound form's errors as the one DomainError, each message naming its field (Django's
    own say only "这个字段是必填项" — the toast must say which)."""

    def named(name: str, message: str) -> str:
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        return message if not label or label in message else f"{label}：{message}"

    return DomainError.from_fields(
        {k: [named(k, str(m)) for m in v] for k, v in form.errors.items()}
    )


def whole_number(data: Mapping[str, Any], name: str, label: str) -> int | None:
    """The integer in `data[name]`; None when the field is empty. One beyond a database
    integer (an id of 30 digits) is refused like a word, not left to overflow the query."""
    raw = str(data.get(name, "")).strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not -(2**63) <= value < 2**63:
        raise DomainError.from_fields({name: [f"{label}应为整数"]})
    return value


def required_number(data: Mapping[str, Any], name: str, label: str) -> int:
    value = whole_number(data, name, label)
    if value is None:
        raise DomainError.from_fields({name: [f"请填写{label}"]})
    return value


def local_moment(data: Mapping[str, Any], name: str, label: str) -> datetime | None:
    """A date and time as a browser's datetime-local sends it (local time, no zone), or ISO
    8601 with a zone; None when the field is empty."""
    raw = str(data.get(name, "")).strip()
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
    except ValueError:  # well formed, impossible: 2026-13-01T10:00
        moment = None
    if moment is None:
        raise DomainError.from_fields({name: [f"{label}格式不对，应如 2026-11-24 09:30"]})
    if not 2000 <= moment.year <= 2099:
        raise DomainError.from_fields({name: [f"{label}须在 2000 年至 2099 年之间"]})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
