from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models

from recordwarden.core.models import TimeStampedModel

from .constants import AgencyType


class Agency(TimeStampedModel):
    """An outside body that asks for records, as kept on the agency's registry."""

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=32, choices=AgencyType.choices)
    jurisdiction = models.CharField(max_length=120, blank=True)
    phone_on_file = models.CharField(max_length=32, blank=True)
    verified = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def domain_list(self) -> list[str]:
        return [d.domain for d in self.domains.all()]


class AgencyDomain(models.Model):
    """An email domain on the agency's file. A domain belongs to one agency."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    def __str__(self) -> str:
        return self.domain


class Agreement(TimeStampedModel):
    """A data-sharing agreement (20 CFR 603.10) on file, and the elements it covers."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="agreements"
    )
    reference = models.CharField(max_length=64)
    basis = models.CharField(max_length=200, blank=True)
    elements = models.JSONField(default=list)
    valid_from = models.DateField()
    valid_to = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "reference"], name="agreement_unique_reference"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="agreement_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def in_force_on(self, day) -> bool:
        return self.valid_from <= day <= self.valid_to


class Requester(TimeStampedModel):
    """A person who asks: at an agency, or a worker asking about themselves."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requester",
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requesters",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    phone = models.CharField(max_length=32, blank=True)
    verified = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class ApiToken(TimeStampedModel):
    """A hashed bearer token for an agency's system. The clear token is shown once."""

    requester = models.ForeignKey(
        Requester, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash_token(token: str) -> str:
        # Tokens are 256-bit random values, so a fast hash is enough (no dictionary risk).
        return hashlib.sha256(token.encode()).hexdigest()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginFailure(models.Model):
    """Failed log-in attempts, counted per username for lockout."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"failed log-in at {self.at:%Y-%m-%d %H:%M}"
