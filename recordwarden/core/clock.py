"""Business days in New Mexico state government: weekends and state holidays.

Deadlines (acknowledgements, notices to workers, statutory clocks) are counted in business
days because that is how the law and the agency count them. The holiday list follows the
State Personnel Office's schedule for state employees: New Mexico observes Indigenous
Peoples' Day instead of Columbus Day and moves Presidents' Day to the day after
Thanksgiving. A holiday falling on a Saturday is observed on the Friday before, one on a
Sunday on the Monday after. ``settings.EXTRA_HOLIDAYS`` (ISO dates) adds closures the
governor declares by proclamation.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.conf import settings

SATURDAY, SUNDAY = 5, 6


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th ``weekday`` (Mon=0) of the month; n=-1 is the last one."""
    if n > 0:
        first = dt.date(year, month, 1)
        offset = (weekday - first.weekday()) % 7
        return first + dt.timedelta(days=offset + 7 * (n - 1))
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = following - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    if day.weekday() == SATURDAY:
        return day - dt.timedelta(days=1)
    if day.weekday() == SUNDAY:
        return day + dt.timedelta(days=1)
    return day


def _fixed(year: int, month: int, day: int) -> dt.date:
    return _observed(dt.date(year, month, day))


# Each rule: (name, year -> date). Order is the calendar's.
HOLIDAY_RULES = (
    ("New Year's Day", lambda y: _fixed(y, 1, 1)),
    ("Martin Luther King Jr. Day", lambda y: _nth_weekday(y, 1, 0, 3)),
    ("Memorial Day", lambda y: _nth_weekday(y, 5, 0, -1)),
    ("Juneteenth", lambda y: _fixed(y, 6, 19)),
    ("Independence Day", lambda y: _fixed(y, 7, 4)),
    ("Labor Day", lambda y: _nth_weekday(y, 9, 0, 1)),
    ("Indigenous Peoples' Day", lambda y: _nth_weekday(y, 10, 0, 2)),
    ("Veterans Day", lambda y: _fixed(y, 11, 11)),
    ("Thanksgiving Day", lambda y: _nth_weekday(y, 11, 3, 4)),
    (
        "Presidents' Day (observed the day after Thanksgiving)",
        lambda y: _nth_weekday(y, 11, 3, 4) + dt.timedelta(days=1),
    ),
    ("Christmas Day", lambda y: _fixed(y, 12, 25)),
)


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> dict[dt.date, str]:
    days = {rule(year): name for name, rule in HOLIDAY_RULES}
    # New Year's Day of the next year can be observed on 31 December of this one.
    next_new_year = _fixed(year + 1, 1, 1)
    if next_new_year.year == year:
        days[next_new_year] = "New Year's Day (observed)"
    return days


def _extra_holidays() -> frozenset[dt.date]:
    raw = getattr(settings, "EXTRA_HOLIDAYS", ()) or ()
    return frozenset(dt.date.fromisoformat(str(d)) for d in raw)


def holidays(year: int) -> dict[dt.date, str]:
    """The state holidays observed in ``year``: date -> name."""
    days = dict(_holidays_of(year))
    for extra in _extra_holidays():
        if extra.year == year:
            days.setdefault(extra, "Closure by proclamation")
    return days


def is_business_day(day: dt.date) -> bool:
    if day.weekday() in (SATURDAY, SUNDAY):
        return False
    return day not in _holidays_of(day.year) and day not in _extra_holidays()


def add_business_days(day: dt.date, n: int) -> dt.date:
    """The date ``n`` business days after ``day`` (before it when n < 0).

    n=0 returns ``day`` itself if it is a business day, else the next one: something due
    "the same day" that arrives on a Saturday is due on Monday."""
    if isinstance(day, dt.datetime):
        raise TypeError(
            "add_business_days takes a date; use business_deadline for times"
        )
    step = 1 if n >= 0 else -1
    current = day
    if n == 0:
        while not is_business_day(current):
            current += dt.timedelta(days=1)
        return current
    remaining = abs(n)
    while remaining:
        current += dt.timedelta(days=step)
        if is_business_day(current):
            remaining -= 1
    return current


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after ``start`` up to and including ``end`` (0 if end <= start)."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count


def business_deadline(moment: dt.datetime, n: int) -> dt.datetime:
    """The end of the working day (17:00 local) ``n`` business days after ``moment``."""
    from django.utils import timezone

    local = timezone.localtime(moment)
    due_day = add_business_days(local.date(), n)
    close = dt.time(17, 0)
    return timezone.make_aware(dt.datetime.combine(due_day, close), local.tzinfo)
