"""Screenings, reviews, decisions, signatures, tasks, notifications, letters and the
request timeline.

Rows here are written only by ``review.services`` (and ``review.screening``); the
database enforces what it can: one open review per request, one live decision per
review, one signature per person and per capacity on a decision, one open task of a kind.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from recordwarden.intake.models import Request

from .constants import (
    DecisionKind,
    DecisionState,
    ElementAction,
    EventKind,
    LetterKind,
    NotificationKind,
    Recommendation,
    SignatureRole,
    TaskKind,
    WaitingFor,
)

USER = settings.AUTH_USER_MODEL


class Screening(models.Model):
    """One run of screening: what the policy, matching, trust signals and related requests
    said at that moment. Repeatable; the newest row is the current screening."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="screenings"
    )
    created_at = models.DateTimeField()
    actor = models.CharField(max_length=64)
    flags = models.JSONField(default=list)
    instrument = models.CharField(max_length=32)
    recommendation = models.CharField(max_length=8, choices=Recommendation.choices)
    # [{"subject": pk, "position": n, "outcome": match|ambiguous|none, "match": pk}]
    subjects = models.JSONField(default=list)
    # {element: {"outcome", "rule_ids", "reasons", "citations", "errors"}}
    elements = models.JSONField(default=dict)
    # [{"request": pk, "reference", "status", "relations": [...]}]
    related = models.JSONField(default=list)
    # Employers the request names (normalised; "fein:<digits>"), for related requests.
    employers = models.JSONField(default=list, blank=True)
    # Forbids that fire whatever element is asked (bulk access, no identified person,
    # civil immigration without a judge...): [{"rule_id", "reason", "citation"}].
    guards = models.JSONField(default=list, blank=True)
    # The denial this request re-asks, if any: {"request", "reference", "decision"}.
    re_ask = models.JSONField(default=dict, blank=True)
    policy_version = models.CharField(max_length=64, blank=True)
    timings = models.JSONField(default=dict)
    duration_ms = models.FloatField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["request", "-created_at"], name="screening_latest")
        ]

    def __str__(self) -> str:
        return f"screening {self.pk} of {self.request_id}"


class Review(models.Model):
    """The period in which a request waits for a decision. Closed when it is decided;
    reopened (as a new row) if the case is looked at again."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="reviews"
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledge_by = models.DateTimeField()
    due_at = models.DateTimeField()
    waiting_for = models.CharField(
        max_length=16,
        choices=WaitingFor.choices,
        default=WaitingFor.NOTHING,
        blank=True,
    )

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(closed_at__isnull=True),
                name="review_one_open_per_request",
            )
        ]
        # The queue reads open reviews in due order and stops at a page.
        indexes = [
            models.Index(
                fields=["due_at", "id"],
                condition=Q(closed_at__isnull=True),
                name="review_open_by_due",
            )
        ]

    def __str__(self) -> str:
        return f"review {self.pk} of {self.request_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Decision(models.Model):
    """Who decided what, when, why, under which rules and which policy version."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="decisions"
    )
    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, related_name="decisions"
    )
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=DecisionKind.choices)
    state = models.CharField(max_length=10, choices=DecisionState.choices)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    finalized_at = models.DateTimeField(null=True, blank=True)
    reason_codes = models.JSONField(default=list, blank=True)
    reasons = models.TextField(max_length=5000, blank=True)
    rule_ids = models.JSONField(default=list, blank=True)
    citations = models.JSONField(default=list, blank=True)
    policy_version = models.CharField(max_length=64, blank=True)
    recommendation = models.CharField(max_length=8, blank=True)
    # Submissions the decision answered: a later one on a denied request is a re-ask.
    submission_ids = models.JSONField(default=list, blank=True)
    escalated = models.BooleanField(default=False)
    returned_reason = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review"],
                condition=~Q(state=DecisionState.RETURNED),
                name="decision_one_live_per_review",
            )
        ]
        indexes = [models.Index(fields=["request", "kind", "state"])]

    def __str__(self) -> str:
        return f"{self.kind} decision {self.pk}"

    @property
    def releases(self) -> bool:
        return self.kind in (DecisionKind.APPROVE, DecisionKind.PARTIAL)


class DecisionElement(models.Model):
    """The decision on one data element, with the policy's word on it at the time."""

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="elements"
    )
    element = models.CharField(max_length=40)
    action = models.CharField(max_length=8, choices=ElementAction.choices)
    reason = models.TextField(max_length=2000, blank=True)
    narrowing = models.CharField(max_length=500, blank=True)
    policy_outcome = models.CharField(max_length=10)
    rule_ids = models.JSONField(default=list, blank=True)
    citations = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["decision", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "element"], name="decision_element_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.element}: {self.action}"


class Signature(models.Model):
    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="signatures"
    )
    signer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=SignatureRole.choices)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "signer"], name="signature_one_per_person"
            ),
            models.UniqueConstraint(
                fields=["decision", "role"], name="signature_one_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} signature on {self.decision_id}"


class RequestEvent(models.Model):
    """The request's timeline. Letters and notices read it as their outbox: a consumer
    handles each event once and stamps its own column."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    actor = models.CharField(max_length=64)
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    letters_done_at = models.DateTimeField(null=True, blank=True)
    notices_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["request", "created_at"], name="event_timeline"),
            models.Index(
                fields=["kind", "letters_done_at"], name="event_letter_outbox"
            ),
            models.Index(
                fields=["kind", "notices_done_at"], name="event_notice_outbox"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_status}->{self.to_status}"


class Task(models.Model):
    """Work for a person outside the decision itself: call-backs, identity checks,
    the 24-hour re-review of an emergency release."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=24, choices=TaskKind.choices)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Call-backs: the agency called (its number on file, copied at the time), who
    # answered, whether they confirmed. Others: the outcome in words.
    agency_called = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone_called = models.CharField(max_length=32, blank=True)
    answered_by = models.CharField(max_length=200, blank=True)
    confirmed = models.BooleanField(null=True, blank=True)
    notes = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind"],
                condition=Q(done_at__isnull=True),
                name="task_one_open_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.request_id}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None


class Notification(models.Model):
    """Something a role must see: a re-ask after a denial, an emergency, a signature due."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="review_notifications"
    )
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    recipient_role = models.CharField(max_length=16)
    message = models.CharField(max_length=500)
    link_reference = models.CharField(max_length=20, blank=True)
    # The same situation notifies once, however often screening runs.
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient_role", "read_at"], name="notification_inbox"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_role}"


class Letter(models.Model):
    """A letter as issued: the PDF bytes, their hash and the template version used."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="letters"
    )
    decision = models.ForeignKey(
        Decision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters",
    )
    kind = models.CharField(max_length=16, choices=LetterKind.choices)
    template = models.CharField(max_length=100)
    issued_at = models.DateTimeField()
    issued_by = models.CharField(max_length=64)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "kind"], name="letter_one_per_decision_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} letter for {self.request_id}"


class RelatedKey(models.Model):
    """What a request can be related by, indexed: sender addresses, people named (keyed
    hashes, never names in clear) and employers. Written by screening, so finding the
    requests that share a key is an index look-up however many past requests there are.

    Keys: ``sender:<hash>``, ``ssn:<hash>``, ``person:<hash of last name and date of
    birth>``, ``person4:<hash of name and last four>``, ``employer:<name>``,
    ``employer:fein:<digits>``."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "key"], name="related_key_unique"
            )
        ]
        indexes = [models.Index(fields=["key"], name="related_key_lookup")]

    def __str__(self) -> str:
        return self.key
