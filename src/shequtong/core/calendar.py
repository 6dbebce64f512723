"""Working days: statutory holidays and make-up working days, plus the deployment's overrides.

Deadlines (办结时限) are counted in working days. `add_working_days(start, n)` is the n-th working
day after `start` (the start day itself is not counted, as in "3 个工作日内办结"), keeping the
time of day for a datetime; `working_days_between(a, b)` counts the working days in (a, b], so
that `working_days_between(a, add_working_days(a, n)) == n` for every n ≥ 1 and any start, and
for n = 0 when `a` is a working day. On a rest day, n = 0 means "the next working day" (a case
received on a holiday is due when the office opens), which is one working day after `a`.
Days are local calendar days (TIME_ZONE): an aware datetime is read in local time first.

chinese-calendar knows the years the State Council has announced. For a year it does not know
yet, the statutory holidays are still known by law (全国年节及纪念日放假办法, as
amended in 2024: 元旦 1 day, 春节 4 from 除夕, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3), so
they and the weekends are rest days; only the year's 调休 is missing, and the year is
*provisional* until a district administrator loads the State Council's notice
(`HolidayNotice`, core.calendar_import): the calendar and deadline pages say so, and
`check-deploy` warns from November.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from functools import cache
from typing import overload

import chinese_calendar
from django.db import transaction
from django.utils import timezone
from lunar_python import Lunar

from .models import CalendarOverride, HolidayNotice
from .reference import ReferenceCache


@cache
def published(year: int) -> bool:
    """Whether chinese-calendar holds the State Council's arrangement for `year`."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@cache
def statutory_holidays(year: int) -> dict[date, str]:
    """The days off the law itself fixes for `year` (no 调休), by name; lunar dates from
    lunar_python, the 清明 solar term included."""

    def lunar(month: int, day: int) -> date:
        solar = Lunar.fromYmd(year, month, day).getSolar()
        return date(solar.getYear(), solar.getMonth(), solar.getDay())

    new_year = lunar(1, 1)
    qingming = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    days = {date(year, 1, 1): "元旦"}
    days |= {new_year + timedelta(days=n): "春节" for n in range(-1, 3)}  # 除夕 to 初三
    days[date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "清明节"
    days |= {date(year, 5, n): "劳动节" for n in (1, 2)}
    days[lunar(5, 5)] = "端午节"
    days[lunar(8, 15)] = "中秋节"
    days |= {date(year, 10, n): "国庆节" for n in (1, 2, 3)}
    return days


def national_is_working_day(day: date) -> bool:
    if published(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5 and day not in statutory_holidays(day.year)


def national_holiday_name(day: date) -> str:
    """The holiday `day` belongs to ("春节"), or "" for an ordinary day."""
    if not published(day.year):
        return statutory_holidays(day.year).get(day, "")
    _, name = chinese_calendar.get_holiday_detail(day)
    return chinese_calendar.constants.Holiday(name).chinese if name else ""


def _load_notices(_: object) -> frozenset[int]:
    return frozenset(HolidayNotice.objects.values_list("year", flat=True))


_notices = ReferenceCache(_load_notices, models=("core.HolidayNotice",))


def provisional_years(days: Iterable[date | datetime | None]) -> list[int]:
    """The years among `days` whose 调休 is not known yet (neither published in chinese-calendar
    nor loaded as a notice): a deadline in them may move once the notice is out."""
    years = {_local_date(day).year for day in days if day is not None}
    return sorted(year for year in years if not published(year) and year not in _notices.get())


def _load_overrides(_: object) -> dict[date, bool]:
    # A few dozen days a year: the whole table, rather than a span per question.
    return dict(CalendarOverride.objects.values_list("day", "is_working"))


# Read by every deadline; changed when the State Council announces next year's holidays.
_overrides = ReferenceCache(_load_overrides, models=("core.CalendarOverride",))


def overrides_changed() -> None:
    """Drop the overrides after a bulk write, which sends no signal: now and at the commit."""
    _overrides.forget()
    transaction.on_commit(_overrides.forget)


def is_working_day(day: date) -> bool:
    overrides = _overrides.get()
    if day in overrides:
        return overrides[day]
    return national_is_working_day(day)


def _local_date(value: date | datetime) -> date:
    """The calendar day of `value` where the platform is: an aware datetime in Asia/Shanghai.

    `timezone.now()` is in UTC, whose date is the day before until 08:00 Beijing time; counting
    from it would move every deadline set before 08:00 by a day.
    """
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _working_days_after(day: date) -> Iterator[date]:
    """The working days after `day`, in order."""
    while True:
        day += timedelta(days=1)
        if is_working_day(day):
            yield day


@overload
def add_working_days(start: datetime, n: int) -> datetime: ...
@overload
def add_working_days(start: date, n: int) -> date: ...
def add_working_days(start: date | datetime, n: int) -> date | datetime:
    """The n-th working day after `start`; n = 0 gives `start` itself if it is a working day,
    else the next working day. A datetime keeps its local time of day and its time zone."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = _local_date(start)
    if n > 0 or not is_working_day(day):
        days = _working_days_after(day)
        for _ in range(max(n, 1)):
            day = next(days)
    if not isinstance(start, datetime):
        return day
    if timezone.is_naive(start):
        return start.replace(year=day.year, month=day.month, day=day.day)
    # zoneinfo gives the new date its own UTC offset (a DST change in between is honoured).
    local = timezone.localtime(start).replace(year=day.year, month=day.month, day=day.day)
    return local.astimezone(start.tzinfo)


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    """Working days in (a, b] by local calendar day; negative when b is before a."""
    first, last = _local_date(a), _local_date(b)
    if last < first:
        return -working_days_between(last, first)
    return sum(is_working_day(first + timedelta(days=i)) for i in range(1, (last - first).days + 1))
