"""Screening: policy findings, subject matches, trust signals and related requests.

Intake calls ``screening_run`` whenever a request is created or changed; staff can run it
again at any time. Each run is stored as a ``Screening`` row (the newest is current), so
what a reviewer saw when deciding stays on file. A run also opens the request's review
(with its deadlines), creates the call-back and identity tasks the flags call for, and
notifies the approver of a re-ask after a denial.
"""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from recordwarden.accounts.constants import Role
from recordwarden.audit.services import actor_ref, audit_record
from recordwarden.intake.constants import Instrument, Purpose

from . import constants as c
from . import deadlines
from .constants import (
    CALLBACK_KINDS,
    CALLBACK_NOT_CONFIRMED_FLAG,
    RE_ASK_FLAG,
    UNVERIFIED_SENDER_FLAGS,
    EventKind,
    NotificationKind,
    Recommendation,
    TaskKind,
)
from .models import Screening, Task
from .permissions import CASEWORK_ROLES, holds
from .related import related_requests


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)


def _specific(subject) -> bool:
    if subject.ssn_hash:
        return True
    named = bool(subject.first_name and subject.last_name)
    return named and bool(subject.dob or subject.ssn_last4_hash or subject.street)


def subject_identified(subjects) -> bool:
    """Every person is named specifically enough to be matched: a full SSN, or a full
    name with a date of birth, the last four of the SSN or a street address.

    Deliberately not the match outcome: the recommendation must read the same whether
    or not the person is in the records (a release still needs a confirmed match)."""
    return bool(subjects) and all(_specific(s) for s in subjects)


def _verification(request) -> dict:
    """What call-backs and identity checks found so far."""
    done = list(
        Task.objects.filter(request=request, done_at__isnull=False).values_list(
            "kind", "confirmed"
        )
    )
    callbacks = [ok for kind, ok in done if kind in CALLBACK_KINDS]
    return {
        "identity_verified": any(
            ok for kind, ok in done if kind == TaskKind.IDENTITY_CHECK
        ),
        "identity_checked": any(kind == TaskKind.IDENTITY_CHECK for kind, _ in done),
        "callback_confirmed": any(callbacks),
        "callback_refused": bool(callbacks) and not any(callbacks),
    }


def _match_subjects(actor, subjects) -> list[dict]:
    """Resolve each subject. Staff resolve as themselves; a requester's own submission
    (portal user or API token) is resolved by screening as the system: the result is
    never shown to them."""
    from recordwarden.matching.services import subject_resolve

    resolver = actor if holds(actor, *CASEWORK_ROLES) else "system:screening"
    results = []
    for subject in subjects:
        match = subject_resolve(actor=resolver, subject=subject)
        results.append(
            {
                "subject": subject.pk,
                "position": subject.position,
                "outcome": str(match.outcome),
                "match": getattr(match, "pk", None),
            }
        )
    return results


# The least sensitive element: a forbid that fires for it fires for every element.
GUARD_PROBE = "name"


def _guards(facts, policy) -> list[dict]:
    """The forbids that bar any release whatever is asked (shown on the case page, and
    cited by a denial of a request that names no elements)."""
    from recordwarden.policy.engine import decide

    probe = decide(facts, [GUARD_PROBE], policy, quiet=True)[GUARD_PROBE]
    guards = []
    for rule_id, reason, citation in zip(
        probe.rule_ids, probe.reasons, probe.citations, strict=False
    ):
        try:
            effect = policy.rule(rule_id).effect
        except KeyError:
            continue
        if effect == "forbid":
            guards.append({"rule_id": rule_id, "reason": reason, "citation": citation})
    return guards


def _policy(actor, request, subjects, verification) -> tuple[dict, str, str, list]:
    from recordwarden.policy.engine import ElementDecision, active_policy, recommend
    from recordwarden.policy.facts import facts_for_request
    from recordwarden.policy.services import findings_record

    facts = facts_for_request(
        request,
        subject_identified=subject_identified(subjects),
        requester_is_subject=request.instrument == Instrument.OWN_REQUEST
        or request.purpose == Purpose.OWN_RECORDS,
        identity_verified=verification["identity_verified"],
    )
    # The policy app decides and stores the findings; the screening keeps a copy so
    # what the reviewer saw stays with the screening.
    findings = findings_record(actor=actor, request=request, facts=facts)
    decisions = {
        f.element: ElementDecision(
            outcome=f.outcome,
            rule_ids=tuple(f.rule_ids),
            reasons=tuple(f.reasons),
            citations=tuple(f.citations),
            errors=tuple(f.errors),
        )
        for f in findings
    }
    policy = active_policy()
    recommendation = str(recommend(decisions, facts))
    elements = {
        element: {
            "outcome": str(d.outcome),
            "rule_ids": sorted(d.rule_ids),
            "reasons": list(d.reasons),
            "citations": list(d.citations),
            "errors": list(d.errors),
        }
        for element, d in decisions.items()
    }
    return elements, recommendation, policy.version, _guards(facts, policy)


def screening_run(*, actor, request) -> Screening:
    """Screen ``request`` and store the result. Returns the stored screening.

    Screening only reads and records; it releases nothing, so intake may run it for any
    submitter. The doors that let staff re-run it check ``can_screen_request``."""
    with transaction.atomic():
        return _run(actor, request)


def _run(actor, request) -> Screening:
    from recordwarden.intake.models import Request
    from recordwarden.intake.signals import trust_signals

    started = time.perf_counter()
    timings: dict[str, float] = {}
    request = Request.objects.select_related("agency", "requester").get(pk=request.pk)
    subjects = list(request.subjects.all())
    submissions = list(request.submissions.all())

    step = time.perf_counter()
    flags = set(trust_signals(request))
    timings["trust"] = _ms(step)

    step = time.perf_counter()
    matches = _match_subjects(actor, subjects)
    timings["matching"] = _ms(step)

    step = time.perf_counter()
    related = related_requests(request, subjects, submissions)
    if related.re_ask:
        flags.add(RE_ASK_FLAG)
    timings["related"] = _ms(step)

    step = time.perf_counter()
    verification = _verification(request)
    if verification["identity_verified"]:
        flags.discard("identity_unverified")
    if verification["callback_refused"]:
        flags.add(CALLBACK_NOT_CONFIRMED_FLAG)
    elements, recommendation, version, guards = _policy(
        actor, request, subjects, verification
    )
    if verification["callback_refused"]:
        # The agency, called on its number on file, did not confirm the request.
        recommendation = Recommendation.DENY
    timings["policy"] = _ms(step)

    step = time.perf_counter()
    screening = Screening.objects.create(
        request=request,
        created_at=timezone.now(),
        actor=actor_ref(actor),
        flags=sorted(flags),
        instrument=request.instrument,
        recommendation=recommendation,
        subjects=matches,
        elements=elements,
        related=related.entries,
        guards=guards,
        employers=related.employers,
        re_ask=related.re_ask,
        policy_version=version,
        timings=timings,
    )
    _follow_up(actor, request, screening, verification)
    timings["store"] = _ms(step)
    screening.duration_ms = _ms(started)
    screening.timings = timings
    Screening.objects.filter(pk=screening.pk).update(
        duration_ms=screening.duration_ms, timings=timings
    )
    return screening


def _follow_up(actor, request, screening, verification) -> None:
    """Review, tasks, notifications, timeline and audit entry of one screening."""
    from .services import event_add, notification_add, review_ensure, task_add

    review_ensure(actor=actor, request=request)
    flags = set(screening.flags)
    # One call-back settles it: a refused one is not retried automatically (the
    # refusal stands; a clerk may still record another).
    called = _callback_done(request)
    if request.emergency and request.emergency_verified_at is None and not called:
        task_add(
            request=request,
            kind=TaskKind.EMERGENCY_CALLBACK,
            due_at=deadlines.emergency_verify_by(request.received_at),
        )
        notification_add(
            request=request,
            kind=NotificationKind.EMERGENCY,
            recipient_role=Role.INTAKE_CLERK,
            dedupe_key=f"emergency:{request.pk}",
            message=f"{request.reference}: emergency claimed. Call the agency back on "
            "its number on file within one hour.",
        )
    elif flags & UNVERIFIED_SENDER_FLAGS and not called:
        task_add(
            request=request,
            kind=TaskKind.REQUESTER_CALLBACK,
            due_at=deadlines.acknowledge_by(request.received_at),
        )
    if "identity_unverified" in flags and not verification["identity_checked"]:
        task_add(
            request=request,
            kind=TaskKind.IDENTITY_CHECK,
            due_at=deadlines.acknowledge_by(request.received_at),
        )
    if screening.re_ask:
        _notify_re_ask(request, screening, notification_add, event_add, actor)
    event_add(
        request=request,
        kind=EventKind.SCREENED,
        actor=actor,
        data={
            "screening": screening.pk,
            "recommendation": screening.recommendation,
            "flags": screening.flags,
        },
    )
    audit_record(
        actor=actor,
        action=c.SCREENED,
        target=request,
        data={
            "screening": screening.pk,
            "flags": screening.flags,
            "recommendation": screening.recommendation,
            "policy_version": screening.policy_version,
        },
    )


def _callback_done(request) -> bool:
    return Task.objects.filter(
        request=request, kind__in=CALLBACK_KINDS, done_at__isnull=False
    ).exists()


def _notify_re_ask(request, screening, notification_add, event_add, actor) -> None:
    re_ask = screening.re_ask
    newest = max(re_ask.get("submissions") or [0])
    key = f"re-ask:{request.pk}:{re_ask['decision']}:{newest}"
    note = notification_add(
        request=request,
        kind=NotificationKind.RE_ASK_AFTER_DENIAL,
        recipient_role=Role.APPROVER,
        dedupe_key=key,
        link_reference=re_ask["reference"],
        message=f"{request.reference} asks again for what was denied in "
        f"{re_ask['reference']}.",
    )
    if note is not None:
        event_add(request=request, kind=EventKind.RE_ASK, actor=actor, data=re_ask)


def latest_for(request) -> Screening | None:
    return (
        Screening.objects.filter(request=request).order_by("-created_at", "-id").first()
    )
