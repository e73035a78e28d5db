"""Requester trust signals: what about a request's sender and wording calls for care.

``trust_signals(request)`` returns names from the vocabulary at the top of
examples/requests/expected.yaml, computed afresh from the request and its submissions.
``re_ask_after_denial`` is not here: it needs decisions, which the review app owns.
(These are trust *signals*; the module has nothing to do with Django's signals.)
"""

from __future__ import annotations

from .constants import Channel, Instrument, Purpose
from .domains import (
    agency_for_domain,
    display_name_claim,
    domain_of,
    is_free_mail,
    lookalike_of,
)
from .extract import bulk_phrases, mentions_civil_immigration
from .models import Request

BULK_OR_STANDING_ACCESS = "bulk_or_standing_access"
NO_NAMED_SUBJECT = "no_named_subject"
CIVIL_IMMIGRATION_PURPOSE = "civil_immigration_purpose"
MULTIPLE_INBOXES = "multiple_inboxes"
EMERGENCY_UNVERIFIED = "emergency_unverified"
SENDER_NOT_ON_FILE = "sender_not_on_file"
FREE_MAIL_DOMAIN = "free_mail_domain"
LOOKALIKE_DOMAIN = "lookalike_domain"
REPLY_TO_MISMATCH = "reply_to_mismatch"
DISPLAY_NAME_CLAIMS_AGENCY = "display_name_claims_agency"
IDENTITY_UNVERIFIED = "identity_unverified"

SIGNALS = (
    BULK_OR_STANDING_ACCESS,
    NO_NAMED_SUBJECT,
    CIVIL_IMMIGRATION_PURPOSE,
    MULTIPLE_INBOXES,
    EMERGENCY_UNVERIFIED,
    SENDER_NOT_ON_FILE,
    FREE_MAIL_DOMAIN,
    LOOKALIKE_DOMAIN,
    REPLY_TO_MISMATCH,
    DISPLAY_NAME_CLAIMS_AGENCY,
    IDENTITY_UNVERIFIED,
)


def _own_request(request: Request) -> bool:
    return (
        request.instrument == Instrument.OWN_REQUEST
        or request.purpose == Purpose.OWN_RECORDS
    )


def _specific(subject) -> bool:
    """Identified well enough to match: a full SSN, or a full name with a date of birth,
    the last four of the SSN or a street address."""
    if subject.ssn_hash:
        return True
    named = bool(subject.first_name and subject.last_name)
    return named and bool(subject.dob or subject.ssn_last4_hash or subject.street)


def _inboxes(submissions) -> set[str]:
    """Staff inboxes reached: each submission's inbox, plus any other address on the
    same staff domains that an email was also sent to (To or Cc)."""
    reached = {s.inbox for s in submissions if s.inbox}
    staff_domains = {domain_of(a) for a in reached}
    for submission in submissions:
        for address in (submission.extracted or {}).get("recipients", []) or []:
            if domain_of(address) in staff_domains:
                reached.add(address)
    return reached


def _reply_mismatch(submission) -> bool:
    sender = submission.sender.lower()
    if not sender:
        return False
    if submission.reply_to and submission.reply_to.lower() != sender:
        return True
    # Bounce addresses vary their local part (VERP); the domain must still agree.
    return bool(
        submission.return_path
        and domain_of(submission.return_path) != domain_of(sender)
    )


def _sender_signals(request: Request, emails) -> set[str]:
    found: set[str] = set()
    own = _own_request(request)
    for submission in emails:
        sender_domain = domain_of(submission.sender)
        sender_agency = agency_for_domain(sender_domain) if sender_domain else None
        domains = [sender_domain, domain_of(submission.reply_to)]
        if not own and any(d and is_free_mail(d) for d in domains):
            found.add(FREE_MAIL_DOMAIN)
        if any(d and lookalike_of(d) for d in domains):
            found.add(LOOKALIKE_DOMAIN)
        if _reply_mismatch(submission):
            found.add(REPLY_TO_MISMATCH)
        if display_name_claim(submission.sender_display_name, sender_agency):
            found.add(DISPLAY_NAME_CLAIMS_AGENCY)
    return found


def trust_signals(request: Request) -> list[str]:
    """The trust signals that apply to ``request``, in vocabulary order."""
    submissions = list(request.submissions.all())
    emails = [s for s in submissions if s.channel == Channel.EMAIL]
    subjects = list(request.subjects.all())
    found = _sender_signals(request, emails)
    own = _own_request(request)
    if request.bulk_access or bulk_phrases(request.purpose_text):
        found.add(BULK_OR_STANDING_ACCESS)
    if not any(_specific(s) for s in subjects):
        found.add(NO_NAMED_SUBJECT)
    if request.purpose == Purpose.CIVIL_IMMIGRATION or mentions_civil_immigration(
        f"{request.purpose_text} {request.case_number}"
    ):
        found.add(CIVIL_IMMIGRATION_PURPOSE)
    if len(_inboxes(submissions)) > 1:
        found.add(MULTIPLE_INBOXES)
    if request.emergency and request.emergency_verified_at is None:
        found.add(EMERGENCY_UNVERIFIED)
    requester = request.requester
    verified_requester = bool(requester and requester.verified)
    if request.agency_id is None and not own and not verified_requester:
        found.add(SENDER_NOT_ON_FILE)
    if own and not verified_requester:
        found.add(IDENTITY_UNVERIFIED)
    return [name for name in SIGNALS if name in found]
