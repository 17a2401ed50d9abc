"""Federal business days: weekdays that are not U.S. federal holidays (observed dates included).

Holidays come from the `holidays` package's U.S. calendar without a state: the eleven federal
holidays of 5 U.S.C. 6103, each moved to the Friday before or Monday after when it falls on a
weekend, as OPM observes them for federal employees.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

_SATURDAY = 5


@lru_cache(maxsize=256)
def federal_holidays(year: int) -> frozenset[dt.date]:
    """The federal holidays and observed days falling in `year`.

    An observed day can cross a year boundary (1 January on a Saturday is observed on the
    Friday 31 December before), so the neighbouring years are asked too and only the dates
    that fall in `year` are kept, whichever year the package files them under.
    """
    calendar = holidays.country_holidays("US", years=[year - 1, year, year + 1])
    return frozenset(day for day in calendar if day.year == year)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < _SATURDAY and day not in federal_holidays(day.year)


def add_business_days(start: dt.date, n: int) -> dt.date:
    """The `n`th business day after `start`.

    Counting begins the day after `start`, whatever `start` is: a clock started on a Saturday
    with n=1 ends on the Monday (or the Tuesday after a Monday holiday). n=0 returns `start`.
    """
    if n < 0:
        raise ValueError("n must be zero or more business days")
    day = start
    remaining = n
    while remaining:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def business_days_between(a: dt.date, b: dt.date) -> int:
    """Business days after `a` up to and including `b`; negative when `b` is before `a`.

    The inverse of `add_business_days`: `business_days_between(a, add_business_days(a, n)) == n`.
    """
    if b < a:
        return -business_days_between(b, a)
    count = 0
    day = a
    while day < b:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            count += 1
    return count
