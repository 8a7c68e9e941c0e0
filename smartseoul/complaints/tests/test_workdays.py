from __future__ import annotations

from datetime import datetime

from smartseoul.complaints.workdays import SEOUL, add_working_days, is_working_day, working_days_between


def test_weekends_are_skipped() -> None:
    friday = datetime(2026, 11, 20, 10, 0, tzinfo=SEOUL)
    assert add_working_days(friday, 1) == datetime(2026, 11, 23, 10, 0, tzinfo=SEOUL)


def test_chuseok_and_substitute_holidays_are_skipped() -> None:
    # 2026-09-24..26 Chuseok (Thu–Sat); Mon 28 is a normal working day
    wednesday = datetime(2026, 9, 23, 9, 30, tzinfo=SEOUL)
    assert not is_working_day(datetime(2026, 9, 25).date())
    assert add_working_days(wednesday, 1) == datetime(2026, 9, 28, 9, 30, tzinfo=SEOUL)
    # 2026-03-02 is the substitute holiday for Independence Movement Day (a Sunday)
    assert not is_working_day(datetime(2026, 3, 2).date())


def test_zero_days_means_end_of_the_next_working_day() -> None:
    saturday = datetime(2026, 11, 21, 23, 0, tzinfo=SEOUL)
    assert add_working_days(saturday, 0) == datetime(2026, 11, 23, 18, 0, tzinfo=SEOUL)


def test_working_days_between() -> None:
    a = datetime(2026, 11, 20, 10, tzinfo=SEOUL)
    b = datetime(2026, 11, 24, 10, tzinfo=SEOUL)
    assert working_days_between(a, b) == 2
