"""Which audit entries the public may read.

The log's tree is public (every entry's index and leaf hash, every checkpoint), but an
entry's *content* is public only if it cannot tell anyone whether a person named in a
request is in the records before a release was approved (DESIGN.md: "A denial never
says whether the person is in the records"). A requester knows their request's
reference and can follow its entries, so an entry such as ``matching.subject_resolved``
(``"outcome": "match"``) or ``disclosure.notice_sent`` (a notice only goes to a
confirmed worker) would answer the question the agency refuses to answer.

Every registered action is classified here, after reading the data its service writes
(the table and the reasons are in docs/audit-verification.md). Anything not in the
table is **restricted**: an action registered without a classification fails closed.
Restricted entries carry a random salt inside their hashed text (services._build), so
their leaf hash cannot be confirmed by guessing their content.

Only auditors and administrators (second factor verified) read restricted content:
``/api/v1/audit/entries/full`` and the staff page ``/audit/``.
"""

from __future__ import annotations

from django.db import models


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: content served to anyone"
    RESTRICTED = "restricted", "Restricted: index and leaf hash only"


P, R = Visibility.PUBLIC, Visibility.RESTRICTED

# action -> visibility. Keep one line per registered action (a test checks that every
# registered action is here). When in doubt: restricted.
CLASSIFICATION: dict[str, Visibility] = {
    # accounts
    "accounts.agency_registry_loaded": P,  # counts of agencies created/updated
    "accounts.staff_role_granted": P,  # a staff id and a role
    "accounts.api_token_created": R,  # a requester's token prefix
    "accounts.api_token_revoked": R,  # the same requester's tokens
    "accounts.login_locked": R,  # an unkeyed hash of a (guessable) user name
    # audit
    "audit.record_read": R,  # which worker a staff member opened, in which case
    # intake: what the requester sent, identical whoever the subject is
    "intake.submission_received": P,
    "intake.submission_joined": P,
    "intake.submission_triaged": P,
    "intake.request_submitted": P,
    "intake.request_updated": P,
    "intake.request_confirmed": P,
    "intake.document_stored": P,
    "intake.acknowledgement_queued": P,
    # policy: decided from the request's facts, never from the match
    "policy.version_activated": P,
    "policy.findings_recorded": P,
    "policy.alert": P,
    # matching: every entry says whether, or whom, the records hold
    "matching.subject_resolved": R,
    "matching.match_confirmed": R,
    "matching.match_rejected": R,
    "matching.batch_resolved": R,
    "matching.index_built": R,
    "matching.matcher_trained": R,  # parameters estimated from subjects on file
    # review: flags, recommendation and decisions are match-blind by design
    "review.screened": P,  # flags and recommendation only (no subject outcomes)
    "review.opened": P,
    "review.assigned": P,
    "review.request_moved": P,
    "review.decided": P,  # kind, rule ids, reason codes: none says "no match"
    "review.signed": P,
    "review.decision_returned": P,
    "review.callback_recorded": P,  # the agency's call-back, about the requester
    "review.notification_read": P,
    "review.letter_issued": P,  # the letter's hash: the requester holds the letter
    "review.task_completed": R,  # an identity check of a worker against the records
    # disclosure: packages exist only after an approved release
    "disclosure.package_built": P,
    "disclosure.package_downloaded": P,
    "disclosure.download_refused": P,
    "disclosure.link_issued": P,
    "disclosure.package_purged": P,
    "disclosure.accounting_recorded": R,  # entries per worker disclosed to
    "disclosure.accounting_suspended": R,
    # notices go to confirmed workers only, also when the request is denied
    "disclosure.notice_scheduled": R,
    "disclosure.notice_sent": R,
    "disclosure.notice_cancelled": R,
    "disclosure.notice_delayed": R,  # names notices, or counts them per request
    # records: loads of the agency's own files, about no request
    "records.state_synthesized": P,
    "records.workers_imported": P,
    "records.wages_imported": P,
    # transparency
    "transparency.quarterly_report_signed": P,
}


def visibility(action: str) -> Visibility:
    """The action's classification; restricted for anything not classified."""
    return CLASSIFICATION.get(action, Visibility.RESTRICTED)


def is_public(action: str) -> bool:
    return visibility(action) == Visibility.PUBLIC


def public_actions() -> frozenset[str]:
    return frozenset(a for a, v in CLASSIFICATION.items() if v == Visibility.PUBLIC)


def unclassified(registered: frozenset[str] | set[str]) -> list[str]:
    """Registered actions nobody has classified yet (treated as restricted)."""
    return sorted(a for a in registered if a not in CLASSIFICATION)
