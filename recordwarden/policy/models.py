"""Policy versions and the findings made under them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from recordwarden.intake.models import Request

from .constants import GRANTED, Outcome


class PolicyVersion(models.Model):
    """One policy set and its schema, by content hash. At most one is active; which one,
    who activated it and why is also on the audit log (every activation, not only the
    latest)."""

    sha256 = models.CharField(max_length=64, unique=True)
    text = models.TextField()
    schema = models.TextField()
    created_at = models.DateTimeField()
    active = models.BooleanField(default=False)
    # The latest activation of this version.
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Who acted when it was not a person: "system" for the shipped baseline.
    activated_by_label = models.CharField(max_length=150, blank=True)
    reason = models.TextField(max_length=2000)

    class Meta:
        ordering = ["-activated_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"],
                condition=models.Q(active=True),
                name="policy_one_active_version",
            )
        ]

    def __str__(self) -> str:
        return self.sha256

    @property
    def short(self) -> str:
        return self.sha256[:12]


class Finding(models.Model):
    """The policy's decision on one element of one request. A screening run writes a
    new set and marks the previous set not current; history stays."""

    request = models.ForeignKey(
        Request, on_delete=models.PROTECT, related_name="findings"
    )
    element = models.CharField(max_length=64)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    rule_ids = models.JSONField(default=list)
    reasons = models.JSONField(default=list)
    citations = models.JSONField(default=list)
    errors = models.JSONField(default=list, blank=True)
    # The facts the decision rested on (RequestFacts.to_json), for what-if runs.
    facts = models.JSONField(default=dict)
    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="findings"
    )
    current = models.BooleanField(default=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["request", "id"]
        indexes = [models.Index(fields=["request", "current"])]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "element"],
                condition=models.Q(current=True),
                name="policy_one_current_finding_per_element",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.element}={self.outcome}"

    @property
    def granted(self) -> bool:
        return self.outcome in GRANTED
