"""Federal business days: weekends, federal holidays, observed days and year boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from probity.lib.business_days import (
    add_business_days,
    business_days_between,
    federal_holidays,
    is_business_day,
)

D = dt.date


def test_a_year_has_the_eleven_federal_holidays_and_no_state_holidays() -> None:
    days_2029 = federal_holidays(2029)
    # 2029: every holiday falls on a weekday except Veterans Day (Sunday, observed Monday 12th).
    assert D(2029, 11, 12) in days_2029
    weekday_holidays = {day for day in days_2029 if day.weekday() < 5}
    assert len(weekday_holidays) == 11
    # Cesar Chavez Day (California), Patriots' Day (Massachusetts), Inauguration Day (DC) are not federal.
    assert D(2029, 3, 31) not in days_2029
    assert D(2029, 4, 16) not in days_2029
    assert D(2029, 1, 20) not in days_2029


def test_juneteenth_is_a_federal_holiday() -> None:
    assert not is_business_day(D(2026, 6, 19))


def test_independence_day_on_a_saturday_is_observed_on_the_friday_before() -> None:
    assert not is_business_day(D(2026, 7, 3))
    assert is_business_day(D(2026, 7, 2))
    assert is_business_day(D(2026, 7, 6))


def test_christmas_on_a_sunday_is_observed_on_the_monday_after() -> None:
    assert not is_business_day(D(2022, 12, 26))


def test_new_year_on_a_saturday_is_observed_on_31_december_of_the_year_before() -> None:
    assert not is_business_day(D(2021, 12, 31))
    assert not is_business_day(D(2027, 12, 31))


def test_weekends_are_not_business_days() -> None:
    assert not is_business_day(D(2026, 11, 28))
    assert not is_business_day(D(2026, 11, 29))
    assert is_business_day(D(2026, 11, 30))


def test_counting_skips_thanksgiving_and_the_weekend() -> None:
    # Wednesday before Thanksgiving: Fri 27, Mon 30, Tue 1, Wed 2, Thu 3.
    assert add_business_days(D(2026, 11, 25), 5) == D(2026, 12, 3)


def test_the_day_after_thanksgiving_is_an_ordinary_business_day() -> None:
    assert add_business_days(D(2026, 11, 25), 1) == D(2026, 11, 27)


def test_counting_skips_christmas_and_crosses_the_year_boundary() -> None:
    # Thu 24 Dec 2026: Christmas Fri 25, weekend, Mon 28 … Thu 31, New Year Fri 1, weekend, Mon 4.
    assert add_business_days(D(2026, 12, 24), 4) == D(2026, 12, 31)
    assert add_business_days(D(2026, 12, 24), 5) == D(2027, 1, 4)


def test_counting_skips_an_observed_holiday() -> None:
    # Thursday 2 July 2026: Friday 3 July is the observed Independence Day.
    assert add_business_days(D(2026, 7, 2), 1) == D(2026, 7, 6)


def test_a_start_on_a_weekend_counts_from_the_next_business_day() -> None:
    assert add_business_days(D(2026, 11, 28), 1) == D(2026, 11, 30)
    # Saturday before Martin Luther King Jr. Day (Monday 19 January 2026).
    assert add_business_days(D(2026, 1, 17), 1) == D(2026, 1, 20)


def test_a_start_on_a_holiday_counts_forward() -> None:
    assert add_business_days(D(2026, 11, 26), 1) == D(2026, 11, 27)


def test_zero_business_days_is_the_start_itself() -> None:
    assert add_business_days(D(2026, 11, 28), 0) == D(2026, 11, 28)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        add_business_days(D(2026, 11, 25), -1)


def test_business_days_between_is_the_inverse_of_adding() -> None:
    start = D(2026, 11, 20)
    for n in range(0, 40):
        assert business_days_between(start, add_business_days(start, n)) == n


def test_business_days_between_counts_after_the_first_date_through_the_second() -> None:
    assert business_days_between(D(2026, 11, 25), D(2026, 12, 3)) == 5
    assert business_days_between(D(2026, 11, 25), D(2026, 11, 25)) == 0
    assert business_days_between(D(2026, 11, 25), D(2026, 11, 26)) == 0
    assert business_days_between(D(2026, 12, 3), D(2026, 11, 25)) == -5
