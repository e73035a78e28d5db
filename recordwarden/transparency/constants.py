"""Choices, thresholds and audit actions of the transparency report."""

from __future__ import annotations

from django.db import models

from recordwarden.audit import actions as audit_actions

# Counts of 1 to SMALL_COUNT_MAX in a breakdown are published as "<5", never exactly.
SMALL_COUNT_MAX = 4
SMALL_COUNT_LABEL = "<5"
WITHHELD_LABEL = "withheld"
# Medians and 90th percentiles are published for at least this many decided requests.
MIN_DECIDED_FOR_TIMES = 5
# How many quarters the charts show (the tables show every quarter).
CHART_QUARTERS = 12
# Audit entries folded per database round trip when refreshing the report.
REFRESH_BATCH = 5000
# A page view folds at most this many new entries; the refresh task and the command do
# the rest (the page then says how far the report reaches).
PAGE_REFRESH_LIMIT = 50_000
NO_AGENCY = "none"

# Which report: the public one, computed from public audit entries alone, or the full
# one (staff), computed from every entry, restricted ones included (see fold.py).
PUBLIC = "public"
FULL = "full"
SCOPES = (PUBLIC, FULL)


class Outcome(models.TextChoices):
    """Where a request stands, from the log: its last status and last final decision."""

    PENDING = "pending", "Pending"
    AWAITING_ORDER = "awaiting_order", "Waiting for a judge's order"
    RELEASED = "released", "Released in full"
    RELEASED_IN_PART = "released_in_part", "Released in part"
    DENIED = "denied", "Denied"
    QUASHED = "quashed", "Answered with a motion to quash"
    WITHDRAWN = "withdrawn", "Withdrawn"


RELEASED_OUTCOMES = frozenset({Outcome.RELEASED, Outcome.RELEASED_IN_PART})


class CellStatus(models.TextChoices):
    EXACT = "exact", "Exact"
    BANDED = "banded", "Between 1 and 4 (shown as <5)"
    WITHHELD = "withheld", "Withheld so that a small count cannot be worked out"
    NOT_PUBLISHED = "not_published", "Fewer than 5 decided requests"


# Audit actions.
QUARTERLY_REPORT_SIGNED = "transparency.quarterly_report_signed"

audit_actions.register(QUARTERLY_REPORT_SIGNED)
