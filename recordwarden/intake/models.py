from __future__ import annotations

from django.conf import settings
from django.db import models

from recordwarden.accounts.models import Agency, Requester
from recordwarden.core import crypto
from recordwarden.core.fields import EncryptedBytesField
from recordwarden.core.models import TimeStampedModel

from .constants import Channel, Instrument, Purpose, RequestStatus


class Request(TimeStampedModel):
    """The case: one ask, however many submissions and inboxes it came through."""

    reference = models.CharField(max_length=20, unique=True)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    requester = models.ForeignKey(
        Requester,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    # When the sender is not on file, who they claim to be (display name, signature).
    claimed_agency = models.CharField(max_length=200, blank=True)
    instrument = models.CharField(
        max_length=32, choices=Instrument.choices, default=Instrument.NONE
    )
    case_number = models.CharField(max_length=64, blank=True)
    # case_number normalised (keys.case_key), for the joining rule's look-up.
    case_key = models.CharField(max_length=64, blank=True, db_index=True)
    purpose = models.CharField(
        max_length=32, choices=Purpose.choices, default=Purpose.OTHER
    )
    purpose_text = models.TextField(max_length=5000, blank=True)
    elements = models.JSONField(default=list, blank=True)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    emergency = models.BooleanField(default=False)
    emergency_verified_at = models.DateTimeField(null=True, blank=True)
    # Asks for access, extracts or rosters rather than named people.
    bulk_access = models.BooleanField(default=False)
    # How many people the legal instrument names (None: not stated).
    instrument_subject_count = models.PositiveIntegerField(null=True, blank=True)
    notice_delay_order = models.BooleanField(default=False)
    status = models.CharField(
        max_length=24,
        choices=RequestStatus.choices,
        default=RequestStatus.RECEIVED,
        db_index=True,
    )
    received_at = models.DateTimeField(db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The door of the first submission (later ones may come through others).
    channel = models.CharField(
        max_length=8, choices=Channel.choices, default=Channel.PORTAL
    )
    # Email requests are extracted by rules; a clerk confirms or edits them.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["agency", "received_at"])]

    def __str__(self) -> str:
        return self.reference


class Subject(models.Model):
    """A person named in a request. Identifiers are encrypted like the records'."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="subjects"
    )
    position = models.PositiveSmallIntegerField(default=0)
    first_name = models.CharField(max_length=80, blank=True)
    middle_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=120, blank=True)
    suffix = models.CharField(max_length=10, blank=True)
    # First and last name normalised (keys.name_key), for the joining rule's look-up.
    name_key = models.CharField(max_length=200, blank=True, db_index=True)
    dob = models.DateField(null=True, blank=True)
    ssn_encrypted = models.BinaryField(null=True, blank=True)
    ssn_hash = models.CharField(max_length=64, blank=True, db_index=True)
    ssn_last4_encrypted = models.BinaryField(null=True, blank=True)
    ssn_last4_hash = models.CharField(max_length=64, blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["request", "position"]

    def __str__(self) -> str:
        return " ".join(
            p for p in [self.first_name, self.middle_name, self.last_name] if p
        )

    def set_ssn(self, raw: str) -> None:
        digits = crypto.normalize_ssn(raw)
        self.ssn_encrypted = crypto.encrypt(digits, context="subject.ssn")
        self.ssn_hash = crypto.ssn_hash(digits)
        self.set_ssn_last4(digits[-4:])

    def set_ssn_last4(self, last4: str) -> None:
        self.ssn_last4_hash = crypto.ssn_last4_hash(last4)
        self.ssn_last4_encrypted = crypto.encrypt(last4, context="subject.ssn_last4")

    def ssn_last4(self) -> str:
        if not self.ssn_last4_encrypted:
            return ""
        return crypto.decrypt(self.ssn_last4_encrypted, context="subject.ssn_last4")

    @property
    def has_ssn(self) -> bool:
        return bool(self.ssn_hash)

    @property
    def has_ssn_last4(self) -> bool:
        return bool(self.ssn_last4_hash)


class Submission(models.Model):
    """One inbound item, kept exactly as received."""

    request = models.ForeignKey(
        Request,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # Exactly as received, encrypted at rest: an email or API body may hold an SSN.
    raw = EncryptedBytesField(context="submission.raw")
    sha256 = models.CharField(max_length=64, db_index=True)
    received_at = models.DateTimeField(db_index=True)
    requester = models.ForeignKey(
        Requester,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    sender = models.CharField(max_length=320, blank=True)
    sender_display_name = models.CharField(max_length=200, blank=True)
    reply_to = models.CharField(max_length=320, blank=True)
    return_path = models.CharField(max_length=320, blank=True)
    inbox = models.CharField(max_length=320, blank=True)
    message_id = models.CharField(max_length=500, blank=True, db_index=True)
    subject_line = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True)
    # Size of the raw item; above the email limit it is kept on disk, not in ``raw``.
    size = models.PositiveBigIntegerField(default=0)
    raw_storage_name = models.CharField(max_length=200, blank=True)
    # Email threading and the sender's own date (not trusted for anything but display).
    sent_at = models.DateTimeField(null=True, blank=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(max_length=5000, blank=True)
    # Same message reaching the same inbox twice: see services._email_dedup_key.
    dedup_key = models.CharField(max_length=64, blank=True)
    # What the rules found (email) or what was entered (portal, API, paper).
    extracted = models.JSONField(default=dict, blank=True)
    # [{"code": ProblemCode, "message": plain words}]; any problem puts it in triage.
    problems = models.JSONField(default=list, blank=True)
    needs_triage = models.BooleanField(default=False, db_index=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    triage_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="submission_idempotency_unique",
            ),
            models.UniqueConstraint(
                fields=["dedup_key"],
                condition=~models.Q(dedup_key=""),
                name="submission_dedup_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.sha256[:12]}"

    @property
    def problem_codes(self) -> list[str]:
        return [p.get("code", "") for p in self.problems or []]

    def raw_bytes(self) -> bytes:
        """The item exactly as received, from the row or from disk."""
        if self.raw_storage_name:
            from .storage import blob_read

            return blob_read(self.raw_storage_name)
        return bytes(self.raw)


class Document(models.Model):
    """Legal process or identity proof attached to a request, stored by hash."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="documents"
    )
    submission = models.ForeignKey(
        Submission,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.filename


class ReferenceCounter(models.Model):
    """Per-year sequence for public references like RW-2026-000123."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
