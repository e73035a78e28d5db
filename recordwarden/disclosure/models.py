"""Disclosure packages, their one-time download links, the accounting of disclosures per
worker, suspensions of that accounting, and notices to workers.

Rows here are written only by the disclosure services. A package's content is a snapshot
taken when its decision became final; it is stored encrypted and never rebuilt from live
records. Accounting entries point at their package and worker with PROTECT, so neither
can be deleted while the accounting stands (retention purges a package's content, never
the row, its hashes or the accounting).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .constants import DeliveryChannel, NoticeReason, NoticeStatus

USER = settings.AUTH_USER_MODEL


class DisclosurePackage(models.Model):
    """What was released under one final decision, exactly as released."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=40, unique=True)
    request = models.ForeignKey(
        "intake.Request", on_delete=models.PROTECT, related_name="packages"
    )
    decision = models.OneToOneField(
        "review.Decision", on_delete=models.PROTECT, related_name="package"
    )
    recipient_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="packages",
    )
    recipient_requester = models.ForeignKey(
        "accounts.Requester",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="packages",
    )
    # As printed on every page: who it was released to.
    recipient_label = models.CharField(max_length=300)
    # Catalogue keys released, in catalogue order; how many people are in it.
    elements = models.JSONField(default=list)
    subject_count = models.PositiveIntegerField()
    built_at = models.DateTimeField(db_index=True)
    built_by = models.CharField(max_length=64)
    # SHA-256 of each artefact as built; they stay after the content is purged.
    sha256 = models.CharField("SHA-256 of the JSON document", max_length=64)
    pdf_sha256 = models.CharField(max_length=64)
    csv_sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField(default=0)
    # AES-GCM ciphertexts (core.crypto); NULL once purged.
    json_encrypted = models.BinaryField(null=True, blank=True)
    csv_encrypted = models.BinaryField(null=True, blank=True)
    pdf_encrypted = models.BinaryField(null=True, blank=True)
    # The accounting letter when the worker asked for their accounting (own request).
    letter_pdf_encrypted = models.BinaryField(null=True, blank=True)
    letter_sha256 = models.CharField(max_length=64, blank=True)
    # Set once, by compare-and-set: the package is handed over one time only.
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_via = models.CharField(
        max_length=8, choices=DeliveryChannel.choices, blank=True
    )
    delivered_to = models.ForeignKey(
        "accounts.Requester",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-built_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient_agency", "-built_at"], name="package_agency"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None

    @property
    def is_delivered(self) -> bool:
        return self.delivered_at is not None

    @property
    def is_available(self) -> bool:
        return not self.is_purged and not self.is_delivered


class DownloadLink(models.Model):
    """A one-time, expiring link to a package. Only the token's SHA-256 is kept."""

    package = models.ForeignKey(
        DisclosurePackage, on_delete=models.PROTECT, related_name="links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    issued_by = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        "accounts.Requester",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A newer link, purge or delivery by another door retires the older ones.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"link {self.pk} to {self.package_id}"


class AccountingEntry(models.Model):
    """One disclosure about one worker (45 CFR 164.528(b)(2); 5 U.S.C. 552a(c)(1)):
    the date, the recipient and their address, what was disclosed and why."""

    worker = models.ForeignKey(
        "records.Worker", on_delete=models.PROTECT, related_name="accounting_entries"
    )
    package = models.ForeignKey(
        DisclosurePackage, on_delete=models.PROTECT, related_name="accounting_entries"
    )
    request = models.ForeignKey(
        "intake.Request", on_delete=models.PROTECT, related_name="accounting_entries"
    )
    disclosed_at = models.DateTimeField()
    recipient_name = models.CharField(max_length=300)
    recipient_address = models.TextField(max_length=1000)
    elements = models.JSONField(default=list)
    description = models.TextField(max_length=2000)
    purpose = models.TextField(max_length=6000)
    request_reference = models.CharField(max_length=20)
    retain_until = models.DateField()

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "worker"], name="accounting_one_per_package_worker"
            )
        ]
        indexes = [
            models.Index(fields=["worker", "-disclosed_at"], name="accounting_worker")
        ]

    def __str__(self) -> str:
        return f"accounting {self.pk}: {self.request_reference}"


class AccountingSuspension(models.Model):
    """A law-enforcement or oversight agency's statement asking that disclosures to it be
    left out of a worker's accounting until ``ends_on`` (45 CFR 164.528(a)(2))."""

    request = models.ForeignKey(
        "intake.Request",
        on_delete=models.PROTECT,
        related_name="accounting_suspensions",
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    statement_reference = models.CharField(max_length=200)
    written = models.BooleanField()
    reason = models.TextField(max_length=2000)
    ends_on = models.DateField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"suspension of {self.request_id} until {self.ends_on}"


class Notice(models.Model):
    """A notice to a worker that someone asked for records about them. Goes only to a
    worker a reviewer confirmed as the request's subject, at their address on file."""

    request = models.ForeignKey(
        "intake.Request", on_delete=models.PROTECT, related_name="notices"
    )
    subject = models.ForeignKey(
        "intake.Subject", on_delete=models.PROTECT, related_name="notices"
    )
    worker = models.ForeignKey(
        "records.Worker", on_delete=models.PROTECT, related_name="notices"
    )
    reason = models.CharField(max_length=32, choices=NoticeReason.choices)
    scheduled_at = models.DateTimeField()
    scheduled_by = models.CharField(max_length=64)
    # The deadline without a delay: NOTICE_BUSINESS_DAYS after the request arrived.
    due_on = models.DateField(db_index=True)
    # A judge's order delays the notice until this date (the latest order wins).
    delayed_until = models.DateField(null=True, blank=True)
    # The request says an order delays notice but its details are not recorded yet:
    # nothing is sent until they are.
    held = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.CharField(max_length=64, blank=True)
    pdf_encrypted = models.BinaryField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "worker"], name="notice_one_per_request_worker"
            )
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
                name="notice_outstanding",
            )
        ]

    def __str__(self) -> str:
        return f"notice {self.pk} for {self.request_id}"

    @property
    def status(self) -> str:
        if self.sent_at:
            return NoticeStatus.SENT
        if self.cancelled_at:
            return NoticeStatus.CANCELLED
        if self.held:
            return NoticeStatus.HELD
        if self.delayed_until and self.delayed_until >= timezone.localdate():
            return NoticeStatus.DELAYED
        return NoticeStatus.SCHEDULED

    @property
    def status_label(self) -> str:
        return NoticeStatus(self.status).label

    @property
    def has_address(self) -> bool:
        return bool(self.worker.street and self.worker.city)


class NoticeDelay(models.Model):
    """A judge's order delaying notice to the workers named in a request."""

    request = models.ForeignKey(
        "intake.Request", on_delete=models.PROTECT, related_name="notice_delays"
    )
    order_reference = models.CharField(max_length=200)
    court = models.CharField(max_length=200)
    ends_on = models.DateField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"notice delay on {self.request_id} until {self.ends_on}"
