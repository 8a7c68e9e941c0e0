"""Working days in Korea: Monday to Friday, minus public holidays (the `holidays` package, KR,
which includes substitute holidays and election days)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

SEOUL = ZoneInfo("Asia/Seoul")


@cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("KR", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: datetime, days: int, tz: ZoneInfo = SEOUL) -> datetime:
    """The same local time `days` working days after `start` (a report made on a holiday counts
    from the next working day). `days=0` means the end of the current or next working day."""
    local = start.astimezone(tz)
    day = local.date()
    if days <= 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return datetime(day.year, day.month, day.day, 18, 0, tzinfo=tz)
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=tz)


def working_days_between(start: datetime, end: datetime, tz: ZoneInfo = SEOUL) -> int:
    """Whole working days from start's date (exclusive) to end's date (inclusive)."""
    a, b = start.astimezone(tz).date(), end.astimezone(tz).date()
    n = 0
    while a < b:
        a += timedelta(days=1)
        n += is_working_day(a)
    return n
