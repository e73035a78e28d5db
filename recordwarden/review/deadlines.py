"""Deadlines of a request, in business days (and hours for emergencies)."""

from __future__ import annotations

import datetime as dt

from recordwarden.core.clock import business_deadline

from .constants import (
    ACKNOWLEDGE_BUSINESS_DAYS,
    DECISION_BUSINESS_DAYS,
    EMERGENCY_DECISION_BUSINESS_DAYS,
    EMERGENCY_RE_REVIEW_HOURS,
    EMERGENCY_VERIFY_HOURS,
    NOTICE_BUSINESS_DAYS,
)


def acknowledge_by(received_at: dt.datetime) -> dt.datetime:
    return business_deadline(received_at, ACKNOWLEDGE_BUSINESS_DAYS)


def decision_due(request) -> dt.datetime:
    """The statutory (or the agency's) clock for deciding, per instrument."""
    if request.emergency:
        return business_deadline(request.received_at, EMERGENCY_DECISION_BUSINESS_DAYS)
    days = DECISION_BUSINESS_DAYS.get(
        request.instrument, DECISION_BUSINESS_DAYS["none"]
    )
    return business_deadline(request.received_at, days)


def emergency_verify_by(received_at: dt.datetime) -> dt.datetime:
    return received_at + dt.timedelta(hours=EMERGENCY_VERIFY_HOURS)


def re_review_by(finalized_at: dt.datetime) -> dt.datetime:
    return finalized_at + dt.timedelta(hours=EMERGENCY_RE_REVIEW_HOURS)


def notice_due(decided_at: dt.datetime) -> dt.datetime:
    """When a notice to the worker is due, where the policy requires one."""
    return business_deadline(decided_at, NOTICE_BUSINESS_DAYS)
