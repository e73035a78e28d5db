"""What the report keeps between refreshes, all derived from the audit log.

``RequestFact`` is one request as the log describes it (see fold.py); ``QuarterCounts``
holds each quarter's counters, updated by the difference each refresh makes;
``ReportCursor`` says how many of the log's entries have been folded in. Any of them
can be thrown away and rebuilt from the log (``transparency_report --rebuild``).

``QuarterlyReport`` is a signed-off quarterly report on immigration-agency requests: the
rows as signed, the PDF and its hash. Sign-offs are never changed; a later sign-off of
the same quarter is a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RequestFact(models.Model):
    # The request's primary key as the log names it (intake.request:<pk>): the report
    # stands on the log alone, so this is not a foreign key.
    request_id = models.BigIntegerField(unique=True)
    reference = models.CharField(max_length=32, unique=True)
    quarter = models.CharField(max_length=7, db_index=True)
    agency_type = models.CharField(max_length=32, blank=True)
    instrument = models.CharField(max_length=32)
    outcome = models.CharField(max_length=20)
    immigration = models.BooleanField(default=False)
    state = models.JSONField()

    class Meta:
        indexes = [
            models.Index(fields=["quarter", "immigration"], name="fact_quarter_imm")
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.quarter})"


class QuarterCounts(models.Model):
    quarter = models.CharField(max_length=7, unique=True)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["quarter"]
        verbose_name_plural = "quarter counts"

    def __str__(self) -> str:
        return self.quarter


class ReportCursor(models.Model):
    """One row (id 1): audit entries [0, position) are folded into the report."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    position = models.BigIntegerField(default=0)
    # RFC 9162 root of the first ``position`` entries (hex), shown beside the report.
    root_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"report at {self.position} entries"


class QuarterlyReport(models.Model):
    """A quarterly report on immigration-agency requests, signed off by an approver."""

    quarter = models.CharField(max_length=7)
    version = models.PositiveSmallIntegerField(default=1)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_by_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    log_size = models.BigIntegerField()
    log_root = models.CharField(max_length=64)
    rows = models.JSONField(default=list)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-quarter", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["quarter", "version"], name="quarterly_report_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quarter} v{self.version}"
