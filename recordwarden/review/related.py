"""Related requests and the re-ask after a denial.

A request is related to another when they share the requester (the registered requester,
or failing that a sender address), the agency, a named person or an employer. Above all,
screening looks for an earlier denial of the same ask:

* the same case got a new submission after it was denied (the founding case: the ask
  was re-sent to another staff member), or
* the same requester asks again about the same person or employer, or again for bulk
  access, after a denial of that ask; or
* another person at the same agency asks about the same named person after a denial.

An agency-level match needs the same named person: an agency once refused must not have
every later request flagged, only the ones that ask for what was refused.

Screening indexes what each request can be related by (``RelatedKey``: sender, person,
employer), so the look-ups stay index look-ups over a decade of requests.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone

from recordwarden.core import crypto
from recordwarden.intake.models import Request

from .constants import RELATED_LIMIT, RELATED_LOOKBACK_DAYS, DecisionKind, DecisionState
from .models import Decision, RelatedKey

SAME_REQUESTER = "same_requester"
SAME_AGENCY = "same_agency"
SAME_SUBJECT = "same_subject"
SAME_EMPLOYER = "same_employer"
BOTH_BULK = "both_bulk_access"
EARLIER_DENIAL = "earlier_denial"
NEW_SUBMISSION_AFTER_DENIAL = "new_submission_after_denial"


@dataclass
class Related:
    entries: list[dict] = field(default_factory=list)
    re_ask: dict = field(default_factory=dict)
    employers: list[str] = field(default_factory=list)


def _sender_addresses(submissions) -> set[str]:
    return {s.sender.lower() for s in submissions if s.sender}


# "all employees of Sunland Dairy LLC", "workers at Acme Corp.", "FEIN 85-0000000".
_EMPLOYER_RE = re.compile(
    r"\b(?:employees|workers|staff|payroll|employer|employed)\s+(?:of|at|by)\s+"
    r"(?:the\s+)?((?:[A-Z][\w&'.-]*[ \t]+){0,5}[A-Z][\w&'.-]*)"
)
_FEIN_RE = re.compile(r"\bFEIN\s*:?\s*(\d{2}-?\d{7})\b", re.IGNORECASE)
_LEGAL_SUFFIXES = {
    "llc",
    "l.l.c",
    "inc",
    "co",
    "corp",
    "corporation",
    "company",
    "ltd",
    "the",
}


def employers_in(text: str) -> set[str]:
    """Employers a request's text names: normalised names and "fein:<digits>"."""
    found: set[str] = set()
    for match in _EMPLOYER_RE.finditer(text or ""):
        name = _norm_employer(match.group(1))
        if name:
            found.add(name)
    for match in _FEIN_RE.finditer(text or ""):
        found.add("fein:" + match.group(1).replace("-", ""))
    return found


def employers_of(request, submissions) -> set[str]:
    """Employers named in the request and in every submission that reached it (a joined
    email's text is not merged into the request's)."""
    from recordwarden.intake.constants import Channel
    from recordwarden.intake.mail import parse_email

    found = employers_in(request.purpose_text)
    for submission in submissions:
        if submission.channel == Channel.EMAIL and not submission.raw_storage_name:
            found |= employers_in(parse_email(bytes(submission.raw)).text)
    return found


def _norm_employer(name: str) -> str:
    words = [w.strip(".,").lower() for w in name.split()]
    return " ".join(w for w in words if w and w not in _LEGAL_SUFFIXES)


def _deny_decisions(request_ids) -> dict[int, Decision]:
    """The earliest final denial of each request in ``request_ids``."""
    found: dict[int, Decision] = {}
    rows = (
        Decision.objects.filter(
            request_id__in=list(request_ids),
            kind=DecisionKind.DENY,
            state=DecisionState.FINAL,
        )
        .only("id", "request_id", "decided_at", "submission_ids")
        .order_by("decided_at", "id")
    )
    for decision in rows:
        found.setdefault(decision.request_id, decision)
    return found


def same_case_re_ask(request, submissions) -> dict:
    """A submission that reached a denied request after its denial."""
    denials = list(
        Decision.objects.filter(
            request=request, kind=DecisionKind.DENY, state=DecisionState.FINAL
        ).order_by("decided_at", "id")
    )
    for denial in denials:
        answered = set(denial.submission_ids or [])
        later = [s for s in submissions if s.pk not in answered]
        if later:
            return {
                "request": request.pk,
                "reference": request.reference,
                "decision": denial.pk,
                "relations": [NEW_SUBMISSION_AFTER_DENIAL],
                "submissions": sorted(s.pk for s in later),
                "inboxes": sorted({s.inbox for s in later if s.inbox}),
            }
    return {}


def _h(value: str) -> str:
    return crypto.keyed_hash(value.strip().lower(), purpose="review.related")


def keys_for(request, subjects, submissions, employers) -> set[str]:
    """The keys ``request`` can be related by (see ``RelatedKey``)."""
    keys = {f"sender:{_h(a)}" for a in _sender_addresses(submissions)}
    for s in subjects:
        if s.ssn_hash:
            keys.add(f"ssn:{s.ssn_hash}")
        if s.last_name and s.dob:
            keys.add(f"person:{_h(f'{s.last_name}|{s.dob.isoformat()}')}")
        if s.first_name and s.last_name and s.ssn_last4_hash:
            keys.add(
                f"person4:{_h(f'{s.first_name}|{s.last_name}')}:{s.ssn_last4_hash}"
            )
    keys |= {f"employer:{e}"[:200] for e in employers}
    return keys


def index_keys(request, keys: set[str]) -> None:
    """Store the request's keys (idempotent; stale keys removed)."""
    RelatedKey.objects.filter(request=request).exclude(key__in=keys).delete()
    RelatedKey.objects.bulk_create(
        [RelatedKey(request=request, key=k) for k in sorted(keys)],
        ignore_conflicts=True,
    )


_KIND = {
    "sender": SAME_REQUESTER,
    "ssn": SAME_SUBJECT,
    "person": SAME_SUBJECT,
    "person4": SAME_SUBJECT,
    "employer": SAME_EMPLOYER,
}


def related_requests(request, subjects, submissions) -> Related:
    """Related requests (newest first, at most RELATED_LIMIT per kind of link) and the
    re-ask, if this request asks again for what was denied. Indexes the request's own
    keys first, so later requests find it."""
    since = timezone.now() - dt.timedelta(days=RELATED_LOOKBACK_DAYS)
    employers = employers_of(request, submissions)
    keys = keys_for(request, subjects, submissions, employers)
    index_keys(request, keys)
    relations: dict[int, set[str]] = {}

    def add(ids, label):
        for pk in ids:
            if pk != request.pk:
                relations.setdefault(pk, set()).add(label)

    recent = Request.objects.exclude(pk=request.pk).filter(received_at__gte=since)
    if request.requester_id:
        add(_ids(recent.filter(requester_id=request.requester_id)), SAME_REQUESTER)
    if request.agency_id:
        add(_ids(recent.filter(agency_id=request.agency_id)), SAME_AGENCY)
    if keys:
        shared = (
            RelatedKey.objects.filter(key__in=keys)
            .exclude(request_id=request.pk)
            .order_by("-request_id")
            .values_list("request_id", "key")[: RELATED_LIMIT * 10]
        )
        per_kind: dict[str, int] = {}
        for pk, key in shared:
            label = _KIND[key.split(":", 1)[0]]
            if pk in relations and label in relations[pk]:
                continue
            if per_kind.get(label, 0) < RELATED_LIMIT:
                per_kind[label] = per_kind.get(label, 0) + 1
                add([pk], label)
    result = _assemble(request, relations, submissions, since)
    result.employers = sorted(employers)
    return result


def _ids(queryset) -> list[int]:
    return list(
        queryset.order_by("-received_at").values_list("pk", flat=True)[:RELATED_LIMIT]
    )


def _assemble(request, relations: dict[int, set[str]], submissions, since) -> Related:
    rows = (
        Request.objects.filter(pk__in=list(relations), received_at__gte=since)
        .select_related("agency")
        .only(
            "id",
            "reference",
            "status",
            "received_at",
            "created_at",
            "bulk_access",
            "agency__key",
            "agency__name",
        )
    )
    others = {r.pk: r for r in rows}
    denials = _deny_decisions(others)
    result = Related(re_ask=same_case_re_ask(request, submissions))
    for pk, labels in relations.items():
        other = others.get(pk)
        if other is None:
            continue
        denial = denials.get(pk)
        if request.bulk_access and other.bulk_access and SAME_REQUESTER in labels:
            labels.add(BOTH_BULK)
        if denial is not None:
            labels.add(EARLIER_DENIAL)
        entry = {
            "request": pk,
            "reference": other.reference,
            "status": other.status,
            "received_at": other.received_at.isoformat(),
            "agency": other.agency.key if other.agency_id else None,
            "relations": sorted(labels),
            "denial": denial.pk if denial is not None else None,
        }
        result.entries.append(entry)
        if not result.re_ask and _is_re_ask(request, labels, denial):
            result.re_ask = {
                "request": pk,
                "reference": other.reference,
                "decision": denial.pk,
                "relations": sorted(labels),
            }
    result.entries.sort(key=lambda e: e["received_at"], reverse=True)
    return result


def _is_re_ask(request, labels: set[str], denial) -> bool:
    if denial is None or denial.decided_at > request.created_at:
        return False
    if SAME_REQUESTER in labels:
        return bool(labels & {SAME_SUBJECT, SAME_EMPLOYER, BOTH_BULK})
    return SAME_AGENCY in labels and SAME_SUBJECT in labels
