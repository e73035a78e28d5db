"""A review's deadlines are counted in business days from receipt."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from recordwarden.review import deadlines

FRIDAY_AFTERNOON = dt.datetime(2026, 11, 20, 15, 0)  # the Friday before Thanksgiving


def at(naive):
    return timezone.make_aware(naive)


def request(instrument, emergency=False):
    return SimpleNamespace(
        instrument=instrument, emergency=emergency, received_at=at(FRIDAY_AFTERNOON)
    )


def local(moment):
    value = timezone.localtime(moment)
    return value.date(), value.hour


def test_acknowledgement_is_due_the_next_business_day():
    assert local(deadlines.acknowledge_by(at(FRIDAY_AFTERNOON))) == (
        dt.date(2026, 11, 23),
        17,
    )


@pytest.mark.parametrize(
    ("instrument", "due"),
    [
        # 10 business days, skipping two weekends, Thanksgiving and the day after.
        ("judicial_warrant", dt.date(2026, 12, 8)),
        ("clerk_subpoena", dt.date(2026, 12, 8)),
        # 5 business days for IV-D employment verification.
        ("data_sharing_agreement", dt.date(2026, 12, 1)),
    ],
)
def test_the_decision_clock_depends_on_the_instrument(instrument, due):
    assert local(deadlines.decision_due(request(instrument))) == (due, 17)


def test_an_emergency_is_decided_the_same_business_day_and_called_back_within_an_hour():
    emergency = request("none", emergency=True)
    assert local(deadlines.decision_due(emergency)) == (dt.date(2026, 11, 20), 17)
    callback = deadlines.emergency_verify_by(emergency.received_at)
    assert (callback - emergency.received_at) == dt.timedelta(hours=1)


def test_notices_are_due_three_business_days_after_the_decision():
    assert local(deadlines.notice_due(at(dt.datetime(2026, 12, 23, 10, 0)))) == (
        dt.date(2026, 12, 29),
        17,
    )
