"""Decisions and signatures: what the policy permits, for confirmed people only, with
two different signers (one an approver, counsel too when escalated)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from recordwarden.accounts.constants import Role
from recordwarden.audit.services import audit_record
from recordwarden.core.exceptions import Conflict, Forbidden
from recordwarden.intake.constants import Instrument, RequestStatus
from recordwarden.intake.models import Request
from recordwarden.records.catalogue import ELEMENTS

from .. import constants as c
from .. import deadlines
from ..constants import (
    DecisionKind,
    DecisionState,
    ElementAction,
    EventKind,
    NotificationKind,
    ReasonCode,
    SignatureRole,
    TaskKind,
    WaitingFor,
)
from ..models import (
    Decision,
    DecisionElement,
    Notification,
    Review,
    Screening,
    Signature,
)
from ..permissions import (
    DECIDER_ROLES,
    SIGNER_ROLES,
    holds,
    require,
)
from .workflow import (
    STALE,
    _move,
    event_add,
    notification_add,
    open_review,
    review_ensure,
    task_add,
)

# --- Decisions -----------------------------------------------------------------------


def latest_screening(request) -> Screening | None:
    return (
        Screening.objects.filter(request=request).order_by("-created_at", "-id").first()
    )


def _findings_summary(screening, elements) -> tuple[list[str], list[str]]:
    """Rule ids and citations behind the elements; for a request that names no
    elements (an ask for access), the forbids that bar any release."""
    if screening is None:
        return [], []
    findings = [screening.elements.get(e, {}) for e in elements]
    if not elements:
        findings = [
            {"rule_ids": [g["rule_id"]], "citations": [g["citation"]]}
            for g in screening.guards
        ]
    rule_ids: set[str] = set()
    citations: list[str] = []
    for finding in findings:
        rule_ids.update(finding.get("rule_ids", []))
        for citation in finding.get("citations", []):
            if citation not in citations:
                citations.append(citation)
    return sorted(rule_ids), citations


def _decision_base(*, actor, request, review, kind, screening, **extra) -> Decision:
    decision = Decision(
        request=request,
        review=review,
        screening=screening,
        kind=kind,
        decided_by=actor,
        decided_at=timezone.now(),
        policy_version=screening.policy_version if screening else "",
        recommendation=screening.recommendation if screening else "",
        submission_ids=sorted(request.submissions.values_list("pk", flat=True)),
        **extra,
    )
    decision.full_clean(exclude=["request", "review", "screening", "decided_by"])
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError as exc:
        raise Conflict(STALE) from exc
    return decision


def _validate_reason_codes(codes) -> list[str]:
    codes = list(dict.fromkeys(codes or []))
    bad = [code for code in codes if code not in ReasonCode.values]
    if bad:
        raise ValidationError(
            {"reason_codes": f"Unknown reason codes: {', '.join(bad)}"}
        )
    return codes


@transaction.atomic
def review_decide(
    *,
    actor,
    request: Request,
    kind: str,
    elements: dict | None = None,
    reason_codes=(),
    reasons: str = "",
) -> Decision:
    """Record a reviewer's decision.

    ``kind`` is ``release`` (``elements`` maps each element asked for to
    ``{"action": approve|narrow|deny, "reason": ..., "narrowing": ...}``; the
    decision then waits for signatures), ``deny`` (``reason_codes``), ``quash`` (a
    clerk-issued subpoena) or ``judicial_order`` (ask for a judge's order).
    Nobody can approve an element the policy does not permit, nor release about a person
    whose match is not confirmed."""
    require(actor, *DECIDER_ROLES, message="Only a reviewer or counsel decides.")
    if request.status != RequestStatus.IN_REVIEW:
        raise Conflict(
            "Start the review before deciding."
            if request.status == RequestStatus.RECEIVED
            else STALE
        )
    handlers = {
        "release": _decide_release,
        DecisionKind.DENY: _decide_deny,
        DecisionKind.QUASH: _decide_quash,
        DecisionKind.JUDICIAL_ORDER: _decide_judicial_order,
    }
    handler = handlers.get(kind)
    if handler is None:
        raise ValidationError(
            {"kind": "Choose release, deny, quash or judicial_order."}
        )
    review = open_review(request)
    if review is None:
        raise Conflict(STALE)
    return handler(
        actor=actor,
        request=request,
        review=review,
        elements=elements or {},
        reason_codes=_validate_reason_codes(reason_codes),
        reasons=reasons.strip(),
    )


def _clean_element_specs(request, specs: dict) -> dict[str, dict]:
    asked = list(request.elements or [])
    unknown = [e for e in specs if e not in ELEMENTS]
    if unknown:
        raise ValidationError({"elements": f"Unknown elements: {', '.join(unknown)}"})
    extra = [e for e in specs if e not in asked]
    if extra:
        raise Forbidden(f"Not asked for, so not released: {', '.join(extra)}.")
    cleaned = {}
    for element in asked:
        spec = specs.get(element) or {"action": ElementAction.DENY}
        action = spec.get("action", ElementAction.DENY)
        if action not in ElementAction.values:
            raise ValidationError({element: "Choose approve, narrow or deny."})
        narrowing = (spec.get("narrowing") or "").strip()
        if action == ElementAction.NARROW:
            _check_narrowing(element, narrowing)
        cleaned[element] = {
            "action": action,
            "reason": (spec.get("reason") or "").strip(),
            "narrowing": narrowing,
        }
    return cleaned


def _check_narrowing(element: str, narrowing: str) -> None:
    """A narrowing must be one the package builder can apply (quarters or fields):
    the reviewer hears it now, not the approver at signing."""
    from recordwarden.disclosure.narrowing import NarrowingError, parse

    if not narrowing:
        raise ValidationError({element: "Say how the element is narrowed."})
    try:
        parse(narrowing, element)
    except NarrowingError as exc:
        raise ValidationError({element: str(exc)}) from exc


def _check_release_allowed(request, releasing: list[str]) -> bool:
    """Refuse what the policy does not permit; return whether counsel must sign."""
    from recordwarden.policy.selectors import element_allowed, requires_escalation

    refused = [e for e in releasing if not element_allowed(request, e)]
    if refused:
        labels = ", ".join(ELEMENTS[e].label for e in refused)
        raise Forbidden(f"The policy does not permit releasing: {labels}.")
    _check_subjects_confirmed(request)
    return any(requires_escalation(request, e) for e in releasing)


def _check_subjects_confirmed(request) -> None:
    from recordwarden.matching.selectors import confirmed_worker

    subjects = list(request.subjects.all())
    if not subjects:
        raise Forbidden("Nothing is released without a specifically identified person.")
    if any(confirmed_worker(s) is None for s in subjects):
        raise Forbidden(
            "Confirm each person's match before releasing anything about them."
        )


def _decide_release(*, actor, request, review, elements, reason_codes, reasons):
    specs = _clean_element_specs(request, elements)
    releasing = [e for e, s in specs.items() if s["action"] != ElementAction.DENY]
    if not releasing:
        raise ValidationError({"elements": "Approve at least one element, or deny."})
    escalated = _check_release_allowed(request, releasing)
    _move(
        actor=actor,
        request=request,
        target=RequestStatus.AWAITING_APPROVAL,
        via="review_decide",
    )
    screening = latest_screening(request)
    rule_ids, citations = _findings_summary(screening, specs)
    kind = (
        DecisionKind.APPROVE if len(releasing) == len(specs) else DecisionKind.PARTIAL
    )
    if any(s["action"] == ElementAction.NARROW for s in specs.values()):
        kind = DecisionKind.PARTIAL
    decision = _decision_base(
        actor=actor,
        request=request,
        review=review,
        kind=kind,
        screening=screening,
        state=DecisionState.PENDING,
        reason_codes=reason_codes,
        reasons=reasons,
        rule_ids=rule_ids,
        citations=citations,
        escalated=escalated,
    )
    _store_elements(decision, specs, screening)
    role = _decider_capacity(actor, escalated)
    Signature.objects.create(
        decision=decision, signer=actor, role=role, signed_at=decision.decided_at
    )
    notification_add(
        request=request,
        kind=NotificationKind.AWAITING_SIGNATURE,
        recipient_role=Role.APPROVER,
        dedupe_key=f"sign:{decision.pk}",
        message=f"{request.reference}: a release waits for your signature.",
    )
    if escalated and role != SignatureRole.COUNSEL:
        notification_add(
            request=request,
            kind=NotificationKind.AWAITING_SIGNATURE,
            recipient_role=Role.COUNSEL,
            dedupe_key=f"sign-counsel:{decision.pk}",
            message=f"{request.reference}: escalated elements need counsel's signature.",
        )
    return _decided(
        actor,
        request,
        decision,
        data={
            "released": releasing,
            "withheld": [e for e in specs if e not in releasing],
            "escalated": escalated,
        },
    )


def _decider_capacity(actor, escalated: bool) -> str:
    if holds(actor, Role.COUNSEL) and (escalated or not holds(actor, Role.REVIEWER)):
        return SignatureRole.COUNSEL
    return SignatureRole.REVIEWER


def _store_elements(decision, specs: dict, screening) -> None:
    findings = screening.elements if screening else {}
    DecisionElement.objects.bulk_create(
        DecisionElement(
            decision=decision,
            element=element,
            action=spec["action"],
            reason=spec["reason"],
            narrowing=spec["narrowing"],
            policy_outcome=findings.get(element, {}).get("outcome", "deny"),
            rule_ids=findings.get(element, {}).get("rule_ids", []),
            citations=findings.get(element, {}).get("citations", []),
        )
        for element, spec in specs.items()
    )


def _decided(actor, request, decision, *, data=None, letter=None) -> Decision:
    payload = {"decision": decision.pk, "kind": decision.kind, "state": decision.state}
    if letter:
        payload["letter"] = letter
    event_add(request=request, kind=EventKind.DECIDED, actor=actor, data=payload)
    audit_record(
        actor=actor,
        action=c.DECIDED,
        target=request,
        data={
            "decision": decision.pk,
            "kind": decision.kind,
            "state": decision.state,
            "rule_ids": decision.rule_ids,
            "reason_codes": decision.reason_codes,
            "policy_version": decision.policy_version,
            **(data or {}),
        },
    )
    return decision


def _final_without_release(
    *, actor, request, review, kind, target, reason_codes, reasons
) -> Decision:
    _move(actor=actor, request=request, target=target, via="review_decide")
    screening = latest_screening(request)
    asked = list(request.elements or [])
    rule_ids, citations = _findings_summary(screening, asked)
    now = timezone.now()
    decision = _decision_base(
        actor=actor,
        request=request,
        review=review,
        kind=kind,
        screening=screening,
        state=DecisionState.FINAL,
        finalized_at=now,
        reason_codes=reason_codes,
        reasons=reasons,
        rule_ids=rule_ids,
        citations=citations,
    )
    _store_elements(
        decision,
        {
            e: {"action": ElementAction.DENY, "reason": "", "narrowing": ""}
            for e in asked
        },
        screening,
    )
    Signature.objects.create(
        decision=decision,
        signer=actor,
        role=_decider_capacity(actor, False),
        signed_at=now,
    )
    Review.objects.filter(pk=review.pk).update(closed_at=now)
    return _decided(actor, request, decision, letter=c.LETTER_FOR_DECISION[kind])


def _decide_deny(*, actor, request, review, elements, reason_codes, reasons):
    if not reason_codes:
        raise ValidationError(
            {"reason_codes": "Give at least one reason for the denial."}
        )
    if ReasonCode.OTHER in reason_codes and not reasons:
        raise ValidationError({"reasons": "Explain the other reason."})
    return _final_without_release(
        actor=actor,
        request=request,
        review=review,
        kind=DecisionKind.DENY,
        target=RequestStatus.DENIED,
        reason_codes=reason_codes,
        reasons=reasons,
    )


def _decide_quash(*, actor, request, review, elements, reason_codes, reasons):
    if request.instrument != Instrument.CLERK_SUBPOENA:
        raise Conflict("A motion to quash answers a clerk-issued subpoena only.")
    return _final_without_release(
        actor=actor,
        request=request,
        review=review,
        kind=DecisionKind.QUASH,
        target=RequestStatus.QUASHED,
        reason_codes=reason_codes,
        reasons=reasons,
    )


def _decide_judicial_order(*, actor, request, review, elements, reason_codes, reasons):
    """Ask the requester for a judge's order: this review closes, and a new one waits
    for the order (the 'awaiting information' state of the case)."""
    # Lock the review row by closing it first: a racing decision finds it closed.
    now = timezone.now()
    closed = Review.objects.filter(pk=review.pk, closed_at__isnull=True).update(
        closed_at=now
    )
    if closed == 0:
        raise Conflict(STALE)
    screening = latest_screening(request)
    rule_ids, citations = _findings_summary(screening, request.elements or [])
    decision = _decision_base(
        actor=actor,
        request=request,
        review=review,
        kind=DecisionKind.JUDICIAL_ORDER,
        screening=screening,
        state=DecisionState.FINAL,
        finalized_at=now,
        reason_codes=reason_codes,
        reasons=reasons,
        rule_ids=rule_ids,
        citations=citations,
    )
    Signature.objects.create(
        decision=decision,
        signer=actor,
        role=_decider_capacity(actor, False),
        signed_at=now,
    )
    waiting = review_ensure(
        actor=actor, request=request, waiting_for=WaitingFor.JUDICIAL_ORDER
    )
    event_add(
        request=request,
        kind=EventKind.JUDICIAL_ORDER_REQUESTED,
        actor=actor,
        data={
            "decision": decision.pk,
            "review": waiting.pk,
            "letter": c.LetterKind.JUDICIAL_ORDER,
        },
    )
    audit_record(
        actor=actor,
        action=c.DECIDED,
        target=request,
        data={
            "decision": decision.pk,
            "kind": decision.kind,
            "state": decision.state,
            "reason_codes": reason_codes,
        },
    )
    return decision


# --- Signatures ----------------------------------------------------------------------


def signatures_complete(decision, signatures) -> bool:
    """Two different people, one of them an approver; counsel too if escalated."""
    roles = {s.role for s in signatures}
    people = {s.signer_id for s in signatures}
    if len(people) < 2 or SignatureRole.APPROVER not in roles:
        return False
    return not decision.escalated or SignatureRole.COUNSEL in roles


@transaction.atomic
def decision_sign(*, actor, decision: Decision, role: str) -> Decision:
    """Add a signature to a release. The last needed signature approves the request."""
    if role not in (SignatureRole.APPROVER, SignatureRole.COUNSEL):
        raise ValidationError({"role": "Sign as approver or counsel."})
    require(
        actor, role, message=f"Only {SignatureRole(role).label.lower()} signs as such."
    )
    # Signers queue on the decision row, so the last signature sees all the others.
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    request = decision.request
    if decision.state != DecisionState.PENDING:
        raise Conflict("This decision is not waiting for signatures.")
    signatures = list(decision.signatures.all())
    if any(s.signer_id == actor.pk for s in signatures):
        raise Forbidden(
            "You have already signed this decision; a second person must sign."
        )
    if any(s.role == role for s in signatures):
        raise Conflict(f"This decision already has a {role} signature.")
    if role == SignatureRole.COUNSEL and not decision.escalated:
        raise Conflict("This decision needs no counsel signature.")
    now = timezone.now()
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                decision=decision, signer=actor, role=role, signed_at=now
            )
    except IntegrityError as exc:
        raise Conflict("Someone signed at the same moment. Reload the page.") from exc
    signatures.append(signature)
    event_add(
        request=request,
        kind=EventKind.SIGNED,
        actor=actor,
        data={"decision": decision.pk, "role": role},
    )
    audit_record(
        actor=actor,
        action=c.SIGNED,
        target=request,
        data={"decision": decision.pk, "role": role},
    )
    if signatures_complete(decision, signatures):
        _approve(actor=actor, request=request, decision=decision, now=now)
    return decision


def _approve(*, actor, request, decision, now) -> None:
    updated = Decision.objects.filter(
        pk=decision.pk, state=DecisionState.PENDING
    ).update(state=DecisionState.FINAL, finalized_at=now)
    if updated == 0:
        raise Conflict(STALE)
    decision.state, decision.finalized_at = DecisionState.FINAL, now
    _move(
        actor=actor,
        request=request,
        target=RequestStatus.APPROVED,
        via="decision_sign",
        data={"decision": decision.pk},
    )
    Review.objects.filter(pk=decision.review_id).update(closed_at=now)
    _settle_signature_notices(decision, now)
    if request.emergency:
        task_add(
            request=request,
            kind=TaskKind.RE_REVIEW_24H,
            due_at=deadlines.re_review_by(now),
        )
    _decided(actor, request, decision, letter=c.LetterKind.APPROVAL)
    # The package is built in this transaction: if it cannot be (no confirmed person,
    # nothing approved), PackageError (a Conflict) rolls the signature back.
    from recordwarden.disclosure.services import package_build

    package_build(actor=actor, decision=decision)


def _settle_signature_notices(decision, now) -> None:
    """A decision that no longer waits for signatures leaves nothing to sign in the
    approver's and counsel's lists."""
    Notification.objects.filter(
        dedupe_key__in=[f"sign:{decision.pk}", f"sign-counsel:{decision.pk}"],
        read_at__isnull=True,
    ).update(read_at=now)


@transaction.atomic
def decision_return(*, actor, decision: Decision, reason: str) -> Decision:
    """An approver (or counsel) sends a pending release back to the reviewer."""
    require(actor, *SIGNER_ROLES)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the decision goes back."})
    updated = Decision.objects.filter(
        pk=decision.pk, state=DecisionState.PENDING
    ).update(state=DecisionState.RETURNED, returned_reason=reason.strip()[:2000])
    if updated == 0:
        raise Conflict(STALE)
    decision.state = DecisionState.RETURNED
    _settle_signature_notices(decision, timezone.now())
    request = decision.request
    _move(
        actor=actor,
        request=request,
        target=RequestStatus.IN_REVIEW,
        via="decision_return",
        data={"decision": decision.pk},
    )
    event_add(
        request=request,
        kind=EventKind.RETURNED,
        actor=actor,
        data={"decision": decision.pk, "reason": reason.strip()[:500]},
    )
    audit_record(
        actor=actor,
        action=c.DECISION_RETURNED,
        target=request,
        data={"decision": decision.pk},
    )
    return decision
