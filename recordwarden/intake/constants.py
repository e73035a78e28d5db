from django.db import models

from recordwarden.audit import actions as audit_actions


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    API = "api", "API"
    EMAIL = "email", "Email"
    PAPER = "paper", "Paper or fax"


class Instrument(models.TextChoices):
    """The legal process behind a request: where the law turns."""

    JUDICIAL_WARRANT = "judicial_warrant", "Judicial warrant"
    COURT_ORDER = "court_order", "Court order signed by a judge"
    GRAND_JURY_SUBPOENA = "grand_jury_subpoena", "Grand-jury subpoena"
    CLERK_SUBPOENA = "clerk_subpoena", "Clerk-issued subpoena"
    ADMINISTRATIVE_SUBPOENA = "administrative_subpoena", "Administrative subpoena"
    ADMINISTRATIVE_WARRANT = "administrative_warrant", "Administrative warrant"
    DATA_SHARING_AGREEMENT = "data_sharing_agreement", "Data-sharing agreement"
    WRITTEN_CONSENT = "written_consent", "Worker's written consent"
    OWN_REQUEST = "own_request", "The worker's own request"
    NONE = "none", "None"


JUDICIAL_INSTRUMENTS = frozenset(
    {
        Instrument.JUDICIAL_WARRANT,
        Instrument.COURT_ORDER,
        Instrument.GRAND_JURY_SUBPOENA,
    }
)


class Purpose(models.TextChoices):
    CRIMINAL_INVESTIGATION = "criminal_investigation", "Criminal investigation"
    CHILD_SUPPORT = "child_support", "Child support (IV-D)"
    CIVIL_IMMIGRATION = "civil_immigration", "Civil immigration enforcement"
    CIVIL_LITIGATION = "civil_litigation", "Civil litigation"
    EMERGENCY = "emergency", "Emergency: imminent danger to life"
    OWN_RECORDS = "own_records", "The worker's own records"
    BENEFITS_ADMINISTRATION = "benefits_administration", "Benefits administration"
    OTHER = "other", "Other"


class RequestStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    IN_REVIEW = "in_review", "In review"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting second signature"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    QUASHED = "quashed", "Motion to quash"
    RELEASED = "released", "Released"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# What a requester is told: never whether a subject matched.
OUTWARD_STATUS = {
    RequestStatus.RECEIVED: "Received",
    RequestStatus.IN_REVIEW: "Under review",
    RequestStatus.AWAITING_APPROVAL: "Under review",
    RequestStatus.APPROVED: "Approved: a download will be available",
    RequestStatus.DENIED: "Closed: no records released",
    RequestStatus.QUASHED: "Closed: no records released",
    RequestStatus.RELEASED: "Released",
    RequestStatus.CLOSED: "Closed: no records released",
    RequestStatus.WITHDRAWN: "Withdrawn",
}


class OutwardStatus(models.TextChoices):
    """Stable codes for OUTWARD_STATUS, for the API. Several inner states share one."""

    RECEIVED = "received", "Received"
    UNDER_REVIEW = "under_review", "Under review"
    APPROVED = "approved", "Approved: a download will be available"
    CLOSED = "closed", "Closed: no records released"
    RELEASED = "released", "Released"
    WITHDRAWN = "withdrawn", "Withdrawn"


OUTWARD_CODE = {
    inner: OutwardStatus(next(c for c, label in OutwardStatus.choices if label == text))
    for inner, text in OUTWARD_STATUS.items()
}


class ProblemCode(models.TextChoices):
    """Why a submission needs a clerk's eyes. Each is stored with a plain message."""

    UNPARSEABLE = "unparseable", "The message could not be read"
    TOO_LARGE = "too_large", "Too large to read automatically"
    NO_SENDER = "no_sender", "No sender address"
    UNKNOWN_SENDER = "unknown_sender", "Sender is not on file"
    EMPTY_BODY = "empty_body", "No text in the message"
    HTML_ONLY = "html_only", "HTML only: read from a text rendering"
    BAD_CHARSET = "bad_charset", "Text in an unknown or wrong character set"
    ATTACHMENT_REFUSED = (
        "attachment_refused",
        "An attachment was not kept as a document",
    )
    HEADER_INJECTION = (
        "header_injection",
        "A header carried line breaks or control characters",
    )
    NOTHING_EXTRACTED = (
        "nothing_extracted",
        "No instrument, subject or element was found",
    )
    MESSAGE_ID_REUSED = "message_id_reused", "A different message reused a Message-ID"
    SPOOFING_SIGNS = "spoofing_signs", "Signs of a spoofed sender"
    INVALID_VALUE = "invalid_value", "A value found in the message was not valid"


# Joining: a submission joins an open request of the same requester, agency or sender
# received within this many days when they name the same person, case number or thread,
# or both ask for bulk access to no named person. See docs/intake.md.
JOIN_WINDOW_DAYS = 30
# Requests in these states take no more submissions: a new ask opens a new case.
JOIN_CLOSED_STATES = frozenset({RequestStatus.RELEASED, RequestStatus.WITHDRAWN})
# A request names people, not categories: more than this many is refused at the door
# (portal and API) and flagged for a clerk (email).
MAX_SUBJECTS = 50
# An email above this size is stored but not parsed (settings.INTAKE_MAX_EMAIL_BYTES wins).
DEFAULT_MAX_EMAIL_BYTES = 25 * 1024 * 1024

# Audit actions.
REQUEST_SUBMITTED = "intake.request_submitted"
REQUEST_UPDATED = "intake.request_updated"
REQUEST_CONFIRMED = "intake.request_confirmed"
SUBMISSION_RECEIVED = "intake.submission_received"
SUBMISSION_JOINED = "intake.submission_joined"
SUBMISSION_TRIAGED = "intake.submission_triaged"
DOCUMENT_STORED = "intake.document_stored"
ACKNOWLEDGEMENT_QUEUED = "intake.acknowledgement_queued"

audit_actions.register(
    REQUEST_SUBMITTED,
    REQUEST_UPDATED,
    REQUEST_CONFIRMED,
    SUBMISSION_RECEIVED,
    SUBMISSION_JOINED,
    SUBMISSION_TRIAGED,
    DOCUMENT_STORED,
    ACKNOWLEDGEMENT_QUEUED,
)
