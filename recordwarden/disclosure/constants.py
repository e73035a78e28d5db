"""Choices, time limits and audit actions of the disclosure app."""

from __future__ import annotations

from django.db import models

from recordwarden.audit import actions as audit_actions

# The package document's format name, written into every JSON snapshot.
SNAPSHOT_FORMAT = "recordwarden.disclosure/1"

# Without a date range on the request, employment, wage and claim elements cover the
# last this many complete quarters before the request was received: the least data that
# still answers "where does this person work".
DEFAULT_QUARTERS = 4

# HIPAA 45 CFR 164.530(j)(2) keeps documentation six years; the Privacy Act (5 U.S.C.
# 552a(c)(2)) five years or the life of the record. Six years, at least.
ACCOUNTING_RETENTION_YEARS = 6

# Worker notice after an immigration-agency request (the baseline policy).
NOTICE_BUSINESS_DAYS = 3
# The scan for notices owed looks at requests with activity (received, a subject
# matched or confirmed) in this many days (settings.NOTICE_SCAN_DAYS overrides).
NOTICE_SCAN_DAYS = 30

# 45 CFR 164.528(a)(2)(ii): an oral request to suspend the accounting lasts at most 30
# days unless a written statement follows.
ORAL_SUSPENSION_MAX_DAYS = 30

# Download tokens: 32 random bytes, URL-safe (43 characters).
TOKEN_BYTES = 32


class DeliveryChannel(models.TextChoices):
    PORTAL = "portal", "Portal download link"
    API = "api", "API download"


class PackageFormat(models.TextChoices):
    PDF = "pdf", "PDF (for people)"
    JSON = "json", "JSON (for systems)"
    CSV = "csv", "CSV (for systems)"
    ZIP = "zip", "ZIP (PDF, JSON and CSV)"


class NoticeReason(models.TextChoices):
    IMMIGRATION_REQUEST = (
        "immigration_request",
        "An immigration agency asked for records about the worker",
    )


class NoticeStatus(models.TextChoices):
    """Computed from a notice's columns; never stored."""

    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held: a court order is on file but not yet recorded"
    DELAYED = "delayed", "Delayed by a court order"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"


# Audit actions.
PACKAGE_BUILT = "disclosure.package_built"
PACKAGE_DOWNLOADED = "disclosure.package_downloaded"
DOWNLOAD_REFUSED = "disclosure.download_refused"
LINK_ISSUED = "disclosure.link_issued"
PACKAGE_PURGED = "disclosure.package_purged"
ACCOUNTING_RECORDED = "disclosure.accounting_recorded"
ACCOUNTING_SUSPENDED = "disclosure.accounting_suspended"
NOTICE_SCHEDULED = "disclosure.notice_scheduled"
NOTICE_DELAYED = "disclosure.notice_delayed"
NOTICE_SENT = "disclosure.notice_sent"
NOTICE_CANCELLED = "disclosure.notice_cancelled"

audit_actions.register(
    PACKAGE_BUILT,
    PACKAGE_DOWNLOADED,
    DOWNLOAD_REFUSED,
    LINK_ISSUED,
    PACKAGE_PURGED,
    ACCOUNTING_RECORDED,
    ACCOUNTING_SUSPENDED,
    NOTICE_SCHEDULED,
    NOTICE_DELAYED,
    NOTICE_SENT,
    NOTICE_CANCELLED,
)
