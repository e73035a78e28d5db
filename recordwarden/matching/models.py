"""Subject matches, their candidates, the blocking-key index and trained models."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .constants import KeyType, Outcome


class BlockingKey(models.Model):
    """One blocking key of one worker. ``key_value`` is a 64-bit hash of the key type
    and its text (see ``engine.keys.key_hash``), so the index is compact and a
    look-up is an index-only scan of (key_value, worker)."""

    worker = models.ForeignKey(
        "records.Worker", on_delete=models.CASCADE, related_name="+"
    )
    key_type = models.PositiveSmallIntegerField(choices=KeyType.choices)
    key_value = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["key_value", "worker"], name="matching_key_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_type_display()} {self.key_value} -> {self.worker_id}"


class MatcherModel(models.Model):
    """A trained Fellegi–Sunter model (``engine.Model.to_dict()``). The newest row is
    the one in use; older rows stay so every SubjectMatch names the model behind it."""

    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=64)
    population = models.PositiveIntegerField()
    params = models.JSONField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"matcher model {self.pk} ({self.population} workers)"


class SubjectMatch(models.Model):
    """The resolution of one subject of a request, and a reviewer's decision on it."""

    subject = models.OneToOneField(
        "intake.Subject", on_delete=models.CASCADE, related_name="match"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    best_weight = models.FloatField(null=True, blank=True)
    matcher_model = models.ForeignKey(
        MatcherModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Hash of the subject's identifying fields when it was resolved: a reviewer's
    # decision survives re-screening only while the subject is unchanged.
    fingerprint = models.CharField(max_length=64)
    resolved_at = models.DateTimeField()
    elapsed_ms = models.FloatField(default=0)
    too_common = models.BooleanField(default=False)
    confirmed_worker = models.ForeignKey(
        "records.Worker",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    rejected = models.BooleanField(default=False)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~(
                    models.Q(rejected=True) & models.Q(confirmed_worker__isnull=False)
                ),
                name="matching_not_both_confirmed_and_rejected",
            )
        ]

    def __str__(self) -> str:
        return f"subject {self.subject_id}: {self.outcome}"


class MatchCandidate(models.Model):
    """A worker scored against a subject, with the evidence per field."""

    subject_match = models.ForeignKey(
        SubjectMatch, on_delete=models.CASCADE, related_name="candidates"
    )
    worker = models.ForeignKey(
        "records.Worker", on_delete=models.CASCADE, related_name="+"
    )
    rank = models.PositiveSmallIntegerField()
    weight = models.FloatField()  # posterior log-odds, bits
    probability = models.FloatField()
    evidence = (
        models.JSONField()
    )  # [{"field", "label", "level", "agreement", "weight"}]
    names_swapped = models.BooleanField(default=False)

    class Meta:
        ordering = ["subject_match", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_match", "worker"], name="matching_candidate_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_match_id}#{self.rank} worker {self.worker_id}"
