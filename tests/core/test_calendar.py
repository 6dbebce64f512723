"""Working-day deadlines over the statutory holidays, local overrides and unknown years.

Every expected date below was read off chinese_calendar's own data (see `test_the_data_we_rely_on`)
rather than from memory of the State Council's announcements.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shequtong.core import calendar as cal
from shequtong.core.calendar import add_working_days, is_working_day, working_days_between
from shequtong.core.models import CalendarOverride

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The first year chinese_calendar has no data for, found by probing (see the test below).
UNKNOWN_YEAR = 2027


def test_the_data_we_rely_on():
    rest = [date(2026, 2, d) for d in range(15, 24)] + [date(2025, 10, d) for d in range(1, 9)]
    assert not any(chinese_calendar.is_workday(d) for d in rest)
    make_up = [date(2026, 2, 14), date(2026, 2, 28), date(2025, 9, 28), date(2025, 10, 11)]
    assert all(chinese_calendar.is_workday(d) and d.weekday() >= 5 for d in make_up)
    assert chinese_calendar.is_workday(date(UNKNOWN_YEAR - 1, 12, 31)) is not None
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(UNKNOWN_YEAR, 1, 5))


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # National Day 2025: 10-01 … 10-08 off; Sun 09-28 and Sat 10-11 worked.
        (date(2025, 9, 30), 1, date(2025, 10, 9)),
        (date(2025, 9, 26), 1, date(2025, 9, 28)),
        (date(2025, 9, 27), 1, date(2025, 9, 28)),
        (date(2025, 9, 26), 3, date(2025, 9, 30)),
        (date(2025, 9, 29), 3, date(2025, 10, 10)),
        (date(2025, 10, 1), 1, date(2025, 10, 9)),
        (date(2025, 10, 9), 2, date(2025, 10, 11)),
        (date(2025, 10, 10), 2, date(2025, 10, 13)),
        (date(2025, 9, 26), 7, date(2025, 10, 13)),
        # Spring Festival 2026: 02-15 … 02-23 off; Sat 02-14 and Sat 02-28 worked.
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 13), 2, date(2026, 2, 24)),
        (date(2026, 2, 13), 3, date(2026, 2, 25)),
        (date(2026, 2, 16), 1, date(2026, 2, 24)),
        (date(2026, 2, 27), 1, date(2026, 2, 28)),
        (date(2026, 2, 27), 2, date(2026, 3, 2)),
        (date(2026, 2, 10), 9, date(2026, 2, 28)),
        (date(2026, 2, 10), 10, date(2026, 3, 2)),
        # n = 0: the day itself when it is a working day, else the next working day.
        (date(2025, 9, 28), 0, date(2025, 9, 28)),
        (date(2025, 10, 1), 0, date(2025, 10, 9)),
        (date(2026, 2, 15), 0, date(2026, 2, 24)),
    ],
)
def test_add_working_days_over_holidays(start, n, due):
    assert add_working_days(start, n) == due


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        (date(2025, 9, 30), date(2025, 10, 9), 1),
        (date(2025, 9, 30), date(2025, 10, 8), 0),
        (date(2026, 2, 13), date(2026, 2, 25), 3),
        (date(2025, 9, 26), date(2025, 10, 13), 7),
        (date(2026, 2, 25), date(2026, 2, 13), -3),
        (date(2026, 2, 13), date(2026, 2, 13), 0),
    ],
)
def test_working_days_between(a, b, count):
    assert working_days_between(a, b) == count


def test_negative_n_is_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 2, 13), -1)


def test_a_long_span_crosses_several_override_chunks():
    # 250 working days from 2025-01-02 lands in 2026; checked day by day against the library.
    start, n = date(2025, 1, 2), 250
    expected, seen = start, 0
    while seen < n:
        expected += timedelta(days=1)
        seen += chinese_calendar.is_workday(expected)
    assert add_working_days(start, n) == expected
    assert working_days_between(start, expected) == n


# --- datetimes ------------------------------------------------------------------------------


def test_aware_datetime_keeps_its_local_time_of_day():
    received = datetime(2025, 9, 30, 17, 45, 12, 345, tzinfo=SHANGHAI)
    assert add_working_days(received, 1) == datetime(2025, 10, 9, 17, 45, 12, 345, tzinfo=SHANGHAI)


def test_naive_datetime_keeps_its_time_of_day():
    received = datetime(2026, 2, 13, 9, 30)
    assert add_working_days(received, 3) == datetime(2026, 2, 25, 9, 30)


def test_a_utc_datetime_is_counted_from_its_beijing_day():
    """01:00 on Friday in Beijing is still Thursday in UTC (timezone.now() is UTC).

    Counted from the UTC date, one working day after Thursday is Friday 17:00 UTC, which is
    01:00 on Saturday in Beijing: a deadline on a rest day.
    """
    received = datetime(2025, 10, 16, 17, 0, tzinfo=UTC)  # Fri 2025-10-17 01:00 in Beijing
    due = add_working_days(received, 1)
    assert due.tzinfo is UTC
    assert due.astimezone(SHANGHAI) == datetime(2025, 10, 20, 1, 0, tzinfo=SHANGHAI)
    assert working_days_between(received, due) == 1


def test_datetimes_and_dates_count_alike():
    a = datetime.combine(date(2026, 2, 13), time(23, 59), tzinfo=SHANGHAI)
    b = datetime.combine(date(2026, 2, 25), time(0, 1), tzinfo=SHANGHAI)
    assert working_days_between(a, b) == 3


# --- local overrides ------------------------------------------------------------------------


def test_override_makes_a_holiday_a_working_day():
    CalendarOverride.objects.create(day=date(2025, 10, 8), is_working=True, note="本地调休")
    assert is_working_day(date(2025, 10, 8))
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 8)
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 2


def test_override_makes_a_working_day_a_rest_day():
    CalendarOverride.objects.create(day=date(2025, 10, 9), is_working=False, note="防汛停工")
    CalendarOverride.objects.create(day=date(2026, 2, 14), is_working=False, note="本地不调休")
    assert not is_working_day(date(2025, 10, 9))
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 10)
    assert add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 26)


def test_override_beats_a_plain_weekend():
    CalendarOverride.objects.create(day=date(2026, 3, 7), is_working=True, note="补班")
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 7)


# --- a year the library does not know ----------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_statutory_days_computed_are_the_published_holidays(year):
    """The law of 2024 first applied in 2025: computed for a year chinese-calendar knows, every
    statutory day is one of its holidays, 13 in all (元旦 1, 春节 4, 清明 1, 劳动 2, 端午 1,
    中秋 1, 国庆 3)."""
    days = cal.statutory_holidays(year)
    assert len(days) == 13
    assert all(chinese_calendar.is_holiday(day) for day in days)
    names = {day: chinese_calendar.get_holiday_detail(day)[1] for day in days}
    assert all(names[day] is not None for day in days)


def test_an_unannounced_year_rests_on_its_statutory_holidays():
    # 2027: 元旦 Fri 1 Jan; 除夕 Fri 5 Feb to 初三 Mon 8 Feb; 国庆 Fri 1 Oct.
    assert not is_working_day(date(UNKNOWN_YEAR, 1, 1))
    assert add_working_days(date(UNKNOWN_YEAR - 1, 12, 31), 1) == date(UNKNOWN_YEAR, 1, 4)
    assert add_working_days(date(UNKNOWN_YEAR, 2, 4), 1) == date(UNKNOWN_YEAR, 2, 9)
    assert cal.national_holiday_name(date(UNKNOWN_YEAR, 2, 5)) == "春节"
    assert cal.national_holiday_name(date(UNKNOWN_YEAR, 6, 9)) == "端午节"
    assert cal.national_holiday_name(date(UNKNOWN_YEAR, 9, 15)) == "中秋节"
    assert cal.national_holiday_name(date(UNKNOWN_YEAR, 4, 5)) == "清明节"
    assert cal.provisional_years([date(UNKNOWN_YEAR, 3, 1), date(2026, 3, 1), None]) == [
        UNKNOWN_YEAR
    ]


NOTICE_2027 = """
2027-01-01 休 元旦
2027-02-05~2027-02-12 休 春节
2027-02-14 班 春节调休
2027-02-20，班，春节调休
"""


def test_a_loaded_notice_adds_the_tiaoxiu_and_ends_the_provisional_year(district_admin):
    from shequtong.core.calendar_import import holiday_notice_load
    from shequtong.core.models import AuditEntry, HolidayNotice

    notice = holiday_notice_load(
        actor=district_admin, year=UNKNOWN_YEAR, source="国办发明电〔2026〕7号", text=NOTICE_2027
    )
    assert notice.days.count() == 11
    assert not is_working_day(date(UNKNOWN_YEAR, 2, 11))  # 初六, given by the notice only
    assert is_working_day(date(UNKNOWN_YEAR, 2, 14))  # a Sunday worked
    assert add_working_days(date(UNKNOWN_YEAR, 2, 4), 1) == date(UNKNOWN_YEAR, 2, 14)
    assert cal.provisional_years([date(UNKNOWN_YEAR, 3, 1)]) == []
    assert AuditEntry.objects.filter(action="calendar.notice").count() == 1

    # Loaded again, the year's earlier notice is replaced, not added to.
    holiday_notice_load(
        actor=district_admin, year=UNKNOWN_YEAR, source="更正", text="2027-02-05~2027-02-08 休 春节"
    )
    assert HolidayNotice.objects.get().days.count() == 4
    assert is_working_day(date(UNKNOWN_YEAR, 2, 14)) is False  # a Sunday again


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2027-02-30 休 春节", "第 1 行：日期“2027-02-30”不对"),
        ("2027-01-01 休 元旦\n2028-01-01 休 元旦", "第 2 行：日期 2028-01-01 不在 2027 年"),
        ("2027-01-01 歇 元旦", "第 1 行：“歇”应为 休 或 班"),
        ("2027-02-12~2027-02-05 休 春节", "第 1 行：时段"),
        ("2027-01-01 休\n2027-01-01 班", "第 2 行：2027-01-01 在前面已经出现"),
        ("元旦放假一天", "第 1 行：应为“日期 休/班 说明”"),
    ],
)
def test_a_bad_notice_names_its_line_and_loads_nothing(district_admin, text, problem):
    from shequtong.core.calendar_import import holiday_notice_load
    from shequtong.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        holiday_notice_load(actor=district_admin, year=UNKNOWN_YEAR, source="国办发明电", text=text)
    assert any(m.startswith(problem) for m in refused.value.fields["text"]), refused.value.fields
    assert not CalendarOverride.objects.exists()  # the good lines are not loaded either


# --- the property ---------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(UNKNOWN_YEAR, 12, 31))
ANY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@ANY
@given(a=DAYS, n=st.integers(min_value=0, max_value=40))
def test_between_inverts_add_from_a_working_day(a, n):
    if not is_working_day(a):
        a = add_working_days(a, 0)
    due = add_working_days(a, n)
    assert working_days_between(a, due) == n
    assert is_working_day(due)


@ANY
@given(a=DAYS, n=st.integers(min_value=0, max_value=40))
def test_between_inverts_add_from_any_day(a, n):
    """From a rest day the inverse holds for n ≥ 1; n = 0 means the next working day (1 later)."""
    due = add_working_days(a, n)
    expected = n if (n > 0 or is_working_day(a)) else 1
    assert working_days_between(a, due) == expected
    assert is_working_day(due)
    # …and it is the first day that far: the day before has one working day fewer.
    if due > a:
        assert working_days_between(a, due - timedelta(days=1)) == expected - 1
