"""Choices, deadlines and audit actions of the review app."""

from __future__ import annotations

from django.db import models

from recordwarden.audit import actions as audit_actions


class Recommendation(models.TextChoices):
    """The policy's overall recommendation before any human act."""

    DENY = "deny", "Deny"
    REVIEW = "review", "Review: release needs two signatures"
    QUASH = "quash", "Answer with a motion to quash"
    SELF = "self", "The worker's own records, after identity verification"


class EventKind(models.TextChoices):
    """Rows of the request timeline; they double as the outbox for letters and notices."""

    SCREENED = "screened", "Screened"
    TRANSITION = "transition", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    DECIDED = "decided", "Decided"
    SIGNED = "signed", "Signed"
    RETURNED = "returned", "Returned to the reviewer"
    JUDICIAL_ORDER_REQUESTED = "judicial_order_requested", "Judicial order requested"
    CALLBACK = "callback", "Call-back recorded"
    TASK_DONE = "task_done", "Task completed"
    RE_ASK = "re_ask", "Asked again after a denial"
    LETTER = "letter", "Letter issued"


class DecisionKind(models.TextChoices):
    APPROVE = "approve", "Approve"
    PARTIAL = "partial", "Partly approve"
    DENY = "deny", "Deny"
    QUASH = "quash", "Motion to quash"
    JUDICIAL_ORDER = "judicial_order", "Ask for a judicial order"


RELEASE_KINDS = frozenset({DecisionKind.APPROVE, DecisionKind.PARTIAL})


class DecisionState(models.TextChoices):
    PENDING = "pending", "Awaiting signatures"
    FINAL = "final", "Final"
    RETURNED = "returned", "Returned by the approver"


class ElementAction(models.TextChoices):
    APPROVE = "approve", "Approve"
    NARROW = "narrow", "Approve narrowed"
    DENY = "deny", "Deny"


RELEASING_ACTIONS = frozenset({ElementAction.APPROVE, ElementAction.NARROW})


class SignatureRole(models.TextChoices):
    """In what capacity a staff member signs: the same person never signs twice."""

    REVIEWER = "reviewer", "Reviewer"
    COUNSEL = "counsel", "Counsel"
    APPROVER = "approver", "Approver"


class ReasonCode(models.TextChoices):
    """Why a request (or an element) is denied. The letter explains each in words."""

    BULK_OR_STANDING_ACCESS = (
        "bulk_or_standing_access",
        "Asks for bulk, standing or direct access",
    )
    NO_SPECIFIC_SUBJECT = "no_specific_subject", "No specifically identified person"
    CIVIL_IMMIGRATION = (
        "civil_immigration",
        "Civil immigration enforcement without a judge's order",
    )
    NOT_JUDICIAL = "not_judicial", "The legal process is not signed by a judge"
    PROTECTED_FIELDS = "protected_fields", "Asks for protected fields"
    NO_LEGAL_BASIS = "no_legal_basis", "No legal basis for the elements asked for"
    OUTSIDE_AGREEMENT = "outside_agreement", "Outside the data-sharing agreement"
    REQUESTER_UNVERIFIED = "requester_unverified", "The requester could not be verified"
    EMERGENCY_NOT_VERIFIED = "emergency_not_verified", "The emergency was not confirmed"
    POLICY_FORBIDS = "policy_forbids", "The policy forbids this release"
    OTHER = "other", "Other (explained in the reasons)"


class TaskKind(models.TextChoices):
    EMERGENCY_CALLBACK = "emergency_callback", "Call back to confirm the emergency"
    REQUESTER_CALLBACK = "requester_callback", "Call back to verify the requester"
    IDENTITY_CHECK = "identity_check", "Verify the worker's identity"
    RE_REVIEW_24H = "re_review_24h", "Re-review the emergency release within 24 hours"


CALLBACK_KINDS = frozenset({TaskKind.EMERGENCY_CALLBACK, TaskKind.REQUESTER_CALLBACK})


class NotificationKind(models.TextChoices):
    RE_ASK_AFTER_DENIAL = "re_ask_after_denial", "Asked again after a denial"
    EMERGENCY = "emergency", "Emergency request"
    AWAITING_SIGNATURE = "awaiting_signature", "Awaiting your signature"


class WaitingFor(models.TextChoices):
    """What an open review waits for from outside (the 'awaiting information' state)."""

    NOTHING = "", "Nothing"
    JUDICIAL_ORDER = "judicial_order", "A judicial order"
    CALLBACK = "callback", "A call-back"
    IDENTITY = "identity", "Identity verification"


class LetterKind(models.TextChoices):
    DENIAL = "denial", "Denial"
    QUASH = "quash", "Motion-to-quash response"
    APPROVAL = "approval", "Approval cover letter"
    JUDICIAL_ORDER = "judicial_order", "Request for a judicial order"


# The letter each decision kind produces.
LETTER_FOR_DECISION = {
    DecisionKind.DENY: LetterKind.DENIAL,
    DecisionKind.QUASH: LetterKind.QUASH,
    DecisionKind.APPROVE: LetterKind.APPROVAL,
    DecisionKind.PARTIAL: LetterKind.APPROVAL,
    DecisionKind.JUDICIAL_ORDER: LetterKind.JUDICIAL_ORDER,
}

# Flags that mean the sender is not who they appear to be: a call-back to the number on
# file is needed before anything else.
UNVERIFIED_SENDER_FLAGS = frozenset(
    {
        "sender_not_on_file",
        "lookalike_domain",
        "reply_to_mismatch",
        "display_name_claims_agency",
    }
)
RE_ASK_FLAG = "re_ask_after_denial"
CALLBACK_NOT_CONFIRMED_FLAG = "callback_not_confirmed"

# Deadlines. Counted in business days (recordwarden.core.clock) unless named in hours.
ACKNOWLEDGE_BUSINESS_DAYS = 1
EMERGENCY_VERIFY_HOURS = 1
EMERGENCY_RE_REVIEW_HOURS = 24
NOTICE_BUSINESS_DAYS = 3
# The statutory or practical clock for a decision, per instrument. Court process is
# answered before its return date; ten business days is the agency's internal limit so
# that a motion to quash can still be filed in time (20 CFR 603.7). IV-D agreements set
# five business days for employment verification. A worker's own request is answered
# within New Mexico's fifteen calendar days (NMSA 14-2-8), about ten business days.
DECISION_BUSINESS_DAYS = {
    "judicial_warrant": 10,
    "court_order": 10,
    "grand_jury_subpoena": 10,
    "clerk_subpoena": 10,
    "administrative_subpoena": 10,
    "administrative_warrant": 10,
    "data_sharing_agreement": 5,
    "written_consent": 10,
    "own_request": 10,
    "none": 10,
}
EMERGENCY_DECISION_BUSINESS_DAYS = 0

# How far back related requests are looked for, and how many of each kind are shown.
RELATED_LOOKBACK_DAYS = 3 * 365
RELATED_LIMIT = 10

# Audit actions.
SCREENED = "review.screened"
REVIEW_OPENED = "review.opened"
REVIEW_ASSIGNED = "review.assigned"
REQUEST_MOVED = "review.request_moved"
DECIDED = "review.decided"
SIGNED = "review.signed"
DECISION_RETURNED = "review.decision_returned"
CALLBACK_RECORDED = "review.callback_recorded"
TASK_COMPLETED = "review.task_completed"
NOTIFICATION_READ = "review.notification_read"
LETTER_ISSUED = "review.letter_issued"

audit_actions.register(
    SCREENED,
    REVIEW_OPENED,
    REVIEW_ASSIGNED,
    REQUEST_MOVED,
    DECIDED,
    SIGNED,
    DECISION_RETURNED,
    CALLBACK_RECORDED,
    TASK_COMPLETED,
    NOTIFICATION_READ,
    LETTER_ISSUED,
)
