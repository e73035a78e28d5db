"""The agency's records: employers, workers, quarterly wages and UI claims.

SSNs and a claim's protected attributes are stored only encrypted (AES-GCM, see
``recordwarden.core.crypto``); SSNs also carry keyed HMACs for exact look-up of the
whole number and of its last four digits. The Worker table is kept lean because subject
matching scans and indexes it.
"""

from __future__ import annotations

from django.db import models

from recordwarden.core import crypto

from .constants import (
    CTX_ALIEN_NUMBER,
    CTX_SAVE_RESULT,
    CTX_SEX,
    CTX_SSN,
    CTX_WORK_AUTHORIZATION,
    ClaimStatus,
    HardCaseKind,
    WorkerOrigin,
)


def _decrypt_or_blank(blob, context: str) -> str:
    return crypto.decrypt(blob, context=context) if blob else ""


class Employer(models.Model):
    fein = models.CharField("FEIN", max_length=9, unique=True)
    # Unknown (null) for an employer first seen on a CSV wage report.
    state_account_number = models.CharField(
        max_length=15, unique=True, null=True, blank=True
    )
    legal_name = models.CharField(max_length=120)
    trade_name = models.CharField(max_length=120, blank=True)
    street = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=60, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip = models.CharField("ZIP", max_length=10, blank=True)
    county = models.CharField(max_length=40, blank=True)
    naics = models.CharField("NAICS", max_length=6, blank=True)

    class Meta:
        ordering = ["legal_name"]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.fein_display})"

    @property
    def fein_display(self) -> str:
        return f"{self.fein[:2]}-{self.fein[2:]}"


class Worker(models.Model):
    worker_id = models.CharField(max_length=20, unique=True)
    first_name = models.CharField(max_length=60)
    middle_name = models.CharField(max_length=60, blank=True)
    last_name = models.CharField(max_length=80)
    suffix = models.CharField(max_length=10, blank=True)
    dob = models.DateField("date of birth", null=True, blank=True)
    street = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=60, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip = models.CharField("ZIP", max_length=10, blank=True)
    county = models.CharField(max_length=40, blank=True)
    ssn_encrypted = models.BinaryField()
    ssn_hash = models.CharField(max_length=64, unique=True)
    ssn_last4_hash = models.CharField(max_length=64, db_index=True)
    origin = models.CharField(
        max_length=12, choices=WorkerOrigin.choices, default=WorkerOrigin.IMPORT
    )

    def __str__(self) -> str:
        return f"{self.worker_id} {self.full_name}"

    @property
    def full_name(self) -> str:
        parts = [self.first_name, self.middle_name, self.last_name, self.suffix]
        return " ".join(p for p in parts if p)

    def decrypt_ssn(self) -> str:
        """The nine digits. Callers must be inside a case and audit the look-up."""
        return crypto.decrypt(self.ssn_encrypted, context=CTX_SSN)

    def decrypt_ssn_last4(self) -> str:
        return self.decrypt_ssn()[-4:]


class WageRecord(models.Model):
    # The unique constraint below starts with worker, so it serves as the worker index.
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="wages", db_index=False
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="wages"
    )
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    wages_cents = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "employer", "year", "quarter"],
                name="records_wage_one_per_worker_employer_quarter",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="records_wage_quarter_1_to_4",
            ),
            models.CheckConstraint(
                condition=models.Q(wages_cents__gte=0),
                name="records_wage_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.year}Q{self.quarter} {self.wages_cents}"


class Claim(models.Model):
    """An unemployment-insurance claim, with its protected attributes encrypted."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="claims")
    claim_number = models.CharField(max_length=20, unique=True)
    separating_employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filed_on = models.DateField()
    effective_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    weekly_benefit_cents = models.IntegerField()
    status = models.CharField(max_length=12, choices=ClaimStatus.choices)
    phone = models.CharField(max_length=20, blank=True)
    work_authorization_encrypted = models.BinaryField(null=True, blank=True)
    alien_number_encrypted = models.BinaryField(null=True, blank=True)
    save_result_encrypted = models.BinaryField(null=True, blank=True)
    sex_encrypted = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["-filed_on"]

    def __str__(self) -> str:
        return self.claim_number

    def decrypt_work_authorization(self) -> str:
        return _decrypt_or_blank(
            self.work_authorization_encrypted, CTX_WORK_AUTHORIZATION
        )

    def decrypt_alien_number(self) -> str:
        return _decrypt_or_blank(self.alien_number_encrypted, CTX_ALIEN_NUMBER)

    def decrypt_save_result(self) -> str:
        return _decrypt_or_blank(self.save_result_encrypted, CTX_SAVE_RESULT)

    def decrypt_sex(self) -> str:
        return _decrypt_or_blank(self.sex_encrypted, CTX_SEX)


class HardCase(models.Model):
    """Ground truth written by the synthetic-state generator: which workers form a
    household, a pair of twins, a Jr/Sr pair or a common-name cluster. ``group``
    numbers the members of one such group within a kind. Tests and the matching
    benchmark use it; nothing in a request's path reads it."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=HardCaseKind.choices)
    group = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["kind", "group"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.group}: worker {self.worker_id}"
