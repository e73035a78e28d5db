"""One case per ask: when a new submission joins an existing request.

The rule (also in docs/intake.md). A submission joins an existing request when all hold:

1. **Same party**: the same requester, or the same agency, or (for senders on no agency's
   file) the same sender address.
2. **Recent and open**: the request had a submission in the last ``JOIN_WINDOW_DAYS``
   days and is not released or withdrawn. A denied request still takes submissions:
   asking again after a denial is part of the same case, and the review app sees it.
3. **Same ask**, by the first of these that applies:
   a. *thread*: the message is in the same email thread (its Message-ID, In-Reply-To or
      References names a message already on the request), which also covers one message
      delivered to several staff inboxes;
   b. *case number*: both carry a case or docket number and they are the same. Two
      different case numbers are two cases, whatever else they share;
   c. *subject*: they name the same person (same SSN, or same first and last name with
      no conflicting date of birth or last four of the SSN);
   d. *bulk ask*: the same requester or sender address (not merely the same agency),
      neither names anyone, and both ask for bulk or standing access.

The newest matching request wins. Nothing else joins: a new subject from the same agency
with no case number in common is a new case.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from recordwarden.core import crypto

from .constants import JOIN_CLOSED_STATES, JOIN_WINDOW_DAYS
from .inputs import SubjectInput
from .keys import case_key, name_key
from .models import Request, Subject, Submission


@dataclass
class Ask:
    requester_id: int | None = None
    agency_id: int | None = None
    sender: str = ""
    case_number: str = ""
    subjects: list[SubjectInput] = field(default_factory=list)
    bulk_access: bool = False
    thread_ids: list[str] = field(default_factory=list)


def normalize_case_number(value: str) -> str:
    return case_key(value)


def _last4_hash(subject: SubjectInput) -> str:
    digits = re.sub(r"\D", "", subject.ssn_last4 or subject.ssn)[-4:]
    if len(digits) != 4:
        return ""
    return crypto.ssn_last4_hash(digits)


def _ssn_hash(subject: SubjectInput) -> str:
    try:
        return crypto.ssn_hash(crypto.normalize_ssn(subject.ssn)) if subject.ssn else ""
    except ValueError:
        return ""


def same_person(new: SubjectInput, known: Subject) -> bool:
    if new.ssn and known.ssn_hash:
        try:
            return crypto.ssn_hash(crypto.normalize_ssn(new.ssn)) == known.ssn_hash
        except ValueError:
            return False
    key = name_key(new.first_name, new.last_name)
    if not key or key != name_key(known.first_name, known.last_name):
        return False
    if new.dob and known.dob and new.dob != known.dob:
        return False
    mine = _last4_hash(new)
    return not (mine and known.ssn_last4_hash and mine != known.ssn_last4_hash)


def names_someone(subjects) -> bool:
    return any(
        (getattr(s, "last_name", "") and getattr(s, "first_name", ""))
        or getattr(s, "ssn", "")
        or getattr(s, "ssn_hash", "")
        for s in subjects
    )


def _candidates(ask: Ask, now: dt.datetime):
    """Open requests of the same party, recent, that share something the rules compare:
    found by indexed look-ups, then checked one by one by ``_rule``."""
    party = Q(pk__in=[])
    if ask.requester_id:
        party |= Q(requester_id=ask.requester_id)
    if ask.agency_id:
        party |= Q(agency_id=ask.agency_id)
    elif ask.sender:
        party |= Q(agency__isnull=True, submissions__sender=ask.sender)
    shared = Q(pk__in=[])
    if ask.thread_ids:
        shared |= Q(submissions__message_id__in=[t for t in ask.thread_ids if t])
    if key := case_key(ask.case_number):
        shared |= Q(case_key=key)
    if hashes := [h for h in map(_ssn_hash, ask.subjects) if h]:
        shared |= Q(subjects__ssn_hash__in=hashes)
    names = [k for s in ask.subjects if (k := name_key(s.first_name, s.last_name))]
    if names:
        shared |= Q(subjects__name_key__in=names)
    if ask.bulk_access and not names_someone(ask.subjects):
        shared |= Q(bulk_access=True)
    since = now - dt.timedelta(days=JOIN_WINDOW_DAYS)
    ids = (
        Request.objects.filter(party)
        .filter(shared)
        .filter(submissions__received_at__gte=since)
        .exclude(status__in=JOIN_CLOSED_STATES)
        .values_list("pk", flat=True)
        .distinct()
    )
    # Only what the rules read: a submission's raw bytes can be megabytes.
    slim = Submission.objects.only("id", "request_id", "message_id", "sender")
    return (
        Request.objects.filter(pk__in=list(ids[:50]))
        .prefetch_related("subjects", Prefetch("submissions", queryset=slim))
        .order_by("-received_at", "-pk")
    )


def _rule(ask: Ask, request: Request) -> str:
    known_ids = {s.message_id for s in request.submissions.all() if s.message_id}
    if known_ids & set(ask.thread_ids):
        return "thread"
    mine, theirs = case_key(ask.case_number), case_key(request.case_number)
    if mine and theirs:
        return "case_number" if mine == theirs else ""
    known = list(request.subjects.all())
    if any(same_person(new, old) for new in ask.subjects for old in known):
        return "subject"
    same_person_asking = bool(
        (ask.requester_id and ask.requester_id == request.requester_id)
        or (ask.sender and ask.sender in {s.sender for s in request.submissions.all()})
    )
    if (
        same_person_asking
        and ask.bulk_access
        and request.bulk_access
        and not names_someone(ask.subjects)
        and not names_someone(known)
    ):
        return "bulk_ask"
    return ""


def find_joinable(
    ask: Ask, *, now: dt.datetime | None = None
) -> tuple[Request | None, str]:
    """The request this ask joins and the rule that matched, or (None, "")."""
    if not (ask.requester_id or ask.agency_id or ask.sender):
        return None, ""
    for request in _candidates(ask, now or timezone.now()):
        rule = _rule(ask, request)
        if rule:
            return request, rule
    return None, ""
