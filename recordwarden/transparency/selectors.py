"""Reads of the transparency report. The public report takes no actor; the full report
(with the counts only restricted audit entries give) is for the staff pages, whose views
check the role."""

from __future__ import annotations

import base64

from django.conf import settings

from recordwarden.audit.checkpoints import checkpoint_latest

from .constants import PUBLIC
from .fold import scoped_counts
from .models import QuarterCounts, QuarterlyReport, ReportCursor
from .services import empty_root_hex
from .summary import Report, build_report, quarter_label


def report_counts(scope: str = PUBLIC) -> dict[str, dict[str, int]]:
    """The counters per quarter that the report of ``scope`` publishes, as kept up to
    date from the log."""
    kept = {
        row.quarter: row.counts for row in QuarterCounts.objects.order_by("quarter")
    }
    return scoped_counts(kept, scope)


def report_published(scope: str = PUBLIC) -> Report:
    """The report of ``scope`` (public, or full for staff), from the counters kept up
    to date from the log."""
    cursor = ReportCursor.objects.filter(pk=1).first()
    size = cursor.position if cursor else 0
    root_hex = cursor.root_hash if cursor and cursor.root_hash else empty_root_hex()
    report = build_report(
        report_counts(scope),
        log_size=size,
        log_root=base64.b64encode(bytes.fromhex(root_hex)).decode(),
        time_zone=settings.TIME_ZONE,
        scope=scope,
    )
    checkpoint = checkpoint_latest()
    if checkpoint is not None:
        report.checkpoint = {
            "origin": checkpoint.origin,
            "size": checkpoint.size,
            "root": base64.b64encode(bytes.fromhex(checkpoint.root_hash)).decode(),
            "created_at": checkpoint.created_at,
            "note": checkpoint.note,
        }
    return report


def quarterly_reports_signed() -> list[dict]:
    """The latest signed version of each quarter's report, newest quarter first."""
    latest: dict[str, QuarterlyReport] = {}
    rows = QuarterlyReport.objects.defer("pdf").order_by("-quarter", "-version")
    for report in rows:
        latest.setdefault(report.quarter, report)
    return [
        {"quarter": q, "label": quarter_label(q), "report": r}
        for q, r in latest.items()
    ]


def quarterly_report_latest(quarter: str) -> QuarterlyReport | None:
    return QuarterlyReport.objects.filter(quarter=quarter).order_by("-version").first()
