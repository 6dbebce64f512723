"""Working days: statutory holidays and make-up working days, plus the deployment's overrides.

Deadlines (办结时限) are counted in working days. `add_working_days(start, n)` is the n-th working
day after `start` (the start day itself is not counted, as in "3 个工作日内办结"), keeping the
time of day for a datetime; `working_days_between(a, b)` counts the working days in (a, b], so
that `working_days_between(a, add_working_days(a, n)) == n` for every n ≥ 1 and any start, and
for n = 0 when `a` is a working day. On a rest day, n = 0 means "the next working day" (a case
received on a holiday is due when the office opens), which is one working day after `a`.
Days are local calendar days (TIME_ZONE): an aware datetime is read in local time first.

chinese-calendar knows the years the State Council has announced. For a year it does not know
yet, Saturdays and Sundays are rest days and a warning is logged; the overrides table lets the
deployment enter the announcement until the library is upgraded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import overload

import chinese_calendar
from django.utils import timezone

from .models import CalendarOverride
from .reference import ReferenceCache

log = logging.getLogger(__name__)


_warned_years: set[int] = set()


def national_is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:  # once per year and process, not once per day
            _warned_years.add(day.year)
            log.warning("chinese-calendar 无 %s 年的节假日数据，按周末休息计算", day.year)
        return day.weekday() < 5


def _load_overrides(_: object) -> dict[date, bool]:
    # A few dozen days a year: the whole table, rather than a span per question.
    return dict(CalendarOverride.objects.values_list("day", "is_working"))


# Read by every deadline; changed when the State Council announces next year's holidays.
_overrides = ReferenceCache(_load_overrides, models=("core.CalendarOverride",))


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
