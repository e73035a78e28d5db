from django.db import models


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
