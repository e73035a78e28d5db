"""Deadlines are counted in New Mexico state business days."""

import datetime as dt

import pytest
from django.utils import timezone

from recordwarden.core.clock import (
    add_business_days,
    business_days_between,
    business_deadline,
    holidays,
    is_business_day,
)

D = dt.date


def test_the_2026_state_holidays_follow_the_state_schedule():
    days = holidays(2026)
    assert D(2026, 1, 1) in days  # Thursday
    assert D(2026, 1, 19) in days  # MLK: third Monday of January
    assert D(2026, 5, 25) in days  # Memorial Day: last Monday of May
    assert D(2026, 6, 19) in days  # Juneteenth (Friday)
    assert D(2026, 7, 3) in days  # Independence Day on a Saturday: observed Friday
    assert D(2026, 9, 7) in days  # Labor Day
    assert D(2026, 10, 12) in days  # Indigenous Peoples' Day, not Columbus Day
    assert D(2026, 11, 11) in days
    assert D(2026, 11, 26) in days  # Thanksgiving
    assert D(2026, 11, 27) in days  # Presidents' Day, moved to the day after
    assert D(2026, 12, 25) in days
    assert D(2026, 2, 16) not in days  # no February Presidents' Day in New Mexico


def test_a_sunday_holiday_is_observed_on_monday_and_new_year_can_fall_in_december():
    assert D(2022, 12, 26) in holidays(2022)  # Christmas 2022 was a Sunday
    assert D(2021, 12, 31) in holidays(2021)  # 1 Jan 2022 was a Saturday


def test_weekends_and_holidays_are_not_business_days():
    assert not is_business_day(D(2026, 8, 8))  # Saturday
    assert not is_business_day(D(2026, 8, 9))  # Sunday
    assert not is_business_day(D(2026, 11, 27))
    assert is_business_day(D(2026, 8, 10))


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2026, 8, 3), 1, D(2026, 8, 4)),  # Monday + 1 = Tuesday
        (D(2026, 8, 7), 1, D(2026, 8, 10)),  # Friday + 1 = Monday
        (D(2026, 8, 8), 1, D(2026, 8, 10)),  # Saturday + 1 = Monday
        (D(2026, 8, 6), 3, D(2026, 8, 11)),  # Thursday + 3 skips the weekend
        (D(2026, 11, 25), 1, D(2026, 11, 30)),  # skips Thanksgiving and the day after
        (D(2026, 12, 24), 1, D(2026, 12, 28)),  # skips Christmas and the weekend
        (D(2026, 7, 2), 1, D(2026, 7, 6)),  # skips the observed Independence Day
        (D(2026, 8, 3), 10, D(2026, 8, 17)),
        (D(2026, 8, 10), -1, D(2026, 8, 7)),  # backwards over the weekend
        (D(2026, 8, 8), 0, D(2026, 8, 10)),  # "same day" on a Saturday is Monday
        (D(2026, 8, 5), 0, D(2026, 8, 5)),
    ],
)
def test_add_business_days(start, n, expected):
    assert add_business_days(start, n) == expected


def test_business_days_between_counts_only_working_days():
    assert business_days_between(D(2026, 11, 25), D(2026, 11, 30)) == 1
    assert business_days_between(D(2026, 8, 3), D(2026, 8, 17)) == 10
    assert business_days_between(D(2026, 8, 17), D(2026, 8, 3)) == 0


def test_a_deadline_is_the_close_of_the_business_day(settings):
    received = timezone.make_aware(dt.datetime(2026, 8, 7, 16, 30))  # Friday
    due = timezone.localtime(business_deadline(received, 1))
    assert (due.date(), due.hour, due.minute) == (D(2026, 8, 10), 17, 0)


def test_a_proclaimed_closure_counts_as_a_holiday(settings):
    settings.EXTRA_HOLIDAYS = ["2026-08-04"]
    assert add_business_days(D(2026, 8, 3), 1) == D(2026, 8, 5)
    assert "Closure by proclamation" in holidays(2026).values()


def test_it_refuses_a_datetime():
    with pytest.raises(TypeError):
        add_business_days(timezone.now(), 1)
