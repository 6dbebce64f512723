"""Loading a year's holiday arrangement (国务院办公厅关于某年部分节假日安排的通知), all or nothing.

The State Council publishes next year's 调休 each November or December; until chinesecalendar
is upgraded, a district administrator types it in here, as the notice reads, one line a span:

    2027-01-01 休 元旦
    2027-02-05~2027-02-12 休 春节
    2027-02-14 班 春节调休上班

A date or a span (`~`, `至` or `—` between), then 休 (休息, 休息日, 放假) or 班 (上班, 工作日), then
what the notice says; blanks, tabs or commas separate the three. Every line is checked first and
every mistake named by its line; only a clean notice is written. Loading the year again replaces
that year's earlier notice; a day entered by hand is overwritten by a notice line for that day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from . import calendar
from .audit import audit_record
from .errors import DomainError, PermissionDeniedError
from .models import CalendarOverride, HolidayNotice, User
from .scoping import allowed

_LINE = re.compile(
    r"^(?P<first>\S+?)(?:\s*[~至—–]\s*(?P<last>\S+?))?[\s,，\t]+(?P<kind>\S+?)(?:[\s,，\t]+(?P<note>.*))?$"
)
_REST = {"休", "休息", "休息日", "放假"}
_WORK = {"班", "上班", "工作日"}
_NOTE_MAX = CalendarOverride._meta.get_field("note").max_length or 128
_SOURCE_MAX = HolidayNotice._meta.get_field("source").max_length or 128
MAX_LINES = 100  # a notice has about fifteen


@dataclass(frozen=True)
class NoticeDay:
    day: date
    is_working: bool
    note: str


def _date(raw: str, year: int, line: int) -> date:
    try:
        day = date.fromisoformat(raw.replace("/", "-").replace(".", "-"))
    except ValueError:
        raise ValueError(f"第 {line} 行：日期“{raw}”不对，应如 {year}-01-01") from None
    if day.year != year:
        raise ValueError(f"第 {line} 行：日期 {day.isoformat()} 不在 {year} 年")
    return day


def parse_notice(text: str, year: int) -> list[NoticeDay]:
    """The days of a notice; every mistake at once, as one `DomainError` naming its lines."""
    errors: list[str] = []
    days: dict[date, NoticeDay] = {}
    lines = [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if not lines:
        raise DomainError.from_fields({"text": ["请粘贴通知中的放假和调休安排，每行一段"]})
    if len(lines) > MAX_LINES:
        raise DomainError.from_fields({"text": [f"最多 {MAX_LINES} 行"]})
    for n, raw in lines:
        match = _LINE.match(raw)
        if match is None:
            errors.append(f"第 {n} 行：应为“日期 休/班 说明”，如 {year}-01-01 休 元旦")
            continue
        kind, note = match["kind"], (match["note"] or "").strip()
        if kind not in _REST | _WORK:
            errors.append(f"第 {n} 行：“{kind}”应为 休 或 班")
            continue
        if len(note) > _NOTE_MAX:
            errors.append(f"第 {n} 行：说明最多 {_NOTE_MAX} 个字")
            continue
        try:
            first = _date(match["first"], year, n)
            last = _date(match["last"], year, n) if match["last"] else first
        except ValueError as exc:
            errors.append(str(exc))
            continue
        if last < first or (last - first).days > 31:
            errors.append(f"第 {n} 行：时段 {first}~{last} 不对（至多 31 天，先早后晚）")
            continue
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            if day in days:
                errors.append(f"第 {n} 行：{day.isoformat()} 在前面已经出现")
                break
            working = kind in _WORK
            days[day] = NoticeDay(day, working, note or ("调休上班" if working else "放假"))
    if errors:
        raise DomainError.from_fields({"text": errors})
    return sorted(days.values(), key=lambda d: d.day)


def holiday_notice_load(*, actor: User | None, year: int, source: str, text: str) -> HolidayNotice:
    """Replace `year`'s arrangement by the notice in `text`. `actor` None is the server's
    operator at the command line."""
    if actor is not None and not allowed(actor, "change", HolidayNotice):
        raise PermissionDeniedError("只有区级管理员可以导入年度放假安排")
    if not 2000 <= year <= 2100:
        raise DomainError.from_fields({"year": ["年份应在 2000 至 2100 之间"]})
    source = source.strip()
    if not source or len(source) > _SOURCE_MAX:
        raise DomainError.from_fields({"source": [f"请填写通知文号（最多 {_SOURCE_MAX} 字）"]})
    days = parse_notice(text, year)
    with transaction.atomic():
        notice, _ = HolidayNotice.objects.update_or_create(
            year=year, defaults={"source": source, "loaded_by": actor}
        )
        notice.days.all().delete()
        CalendarOverride.objects.filter(day__in=[d.day for d in days]).delete()
        CalendarOverride.objects.bulk_create(
            CalendarOverride(
                day=d.day, is_working=d.is_working, note=d.note, notice=notice, created_by=actor
            )
            for d in days
        )
        audit_record(
            actor=actor,
            action="calendar.notice",
            obj=notice,
            changes={"year": [None, year], "days": [None, len(days)]},
        )
        calendar.overrides_changed()
    return notice
