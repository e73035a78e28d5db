"""Review endpoints for staff, under /api/v1/review/. Session authentication (the staff
member's signed-in browser session with its second factor); the same services as the
pages, so the same refusals: 403 for what a role or the policy does not allow, 409 for a
stale or impossible move."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.security import SessionAuth

from recordwarden.accounts.permissions import has_role
from recordwarden.core.exceptions import Forbidden

from . import services
from .models import Decision
from .permissions import CASEWORK_ROLES
from .report import screening_data
from .screening import latest_for, screening_run
from .selectors import get_request_for

PREFIX = "review"
router = Router(auth=SessionAuth(), tags=["review"])


def _staff(request):
    if not has_role(request.auth, *CASEWORK_ROLES):
        raise Forbidden("Staff with a verified second factor only.")
    return request.auth


def _invalid(request, exc: ValidationError):
    """A 422 problem naming each field, like the rest of the API."""
    from recordwarden.api import problem

    messages = getattr(exc, "message_dict", None) or {"body": exc.messages}
    errors = [{"field": k, "message": " ".join(v)} for k, v in messages.items()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(request, 422, "The request is not valid", detail, errors)


class ElementIn(Schema):
    action: str
    reason: str = ""
    narrowing: str = ""


class DecideIn(Schema):
    kind: str
    elements: dict[str, ElementIn] = {}
    reason_codes: list[str] = []
    reasons: str = ""


class SignIn(Schema):
    role: str


class ReasonIn(Schema):
    reason: str


class DecisionOut(Schema):
    id: int
    kind: str
    state: str
    request_status: str
    signatures: list[str]


def _decision_out(decision) -> dict:
    decision.request.refresh_from_db(fields=["status"])
    return {
        "id": decision.pk,
        "kind": decision.kind,
        "state": decision.state,
        "request_status": decision.request.status,
        "signatures": [s.role for s in decision.signatures.all()],
    }


@router.get("/requests/{reference}", summary="The request's current screening")
def screening_get(request, reference: str):
    actor = _staff(request)
    req = get_request_for(actor, reference)
    return screening_data(req, latest_for(req))


@router.post("/requests/{reference}/screen", summary="Screen the request again")
def screening_rerun(request, reference: str):
    actor = _staff(request)
    req = get_request_for(actor, reference)
    return screening_data(req, screening_run(actor=actor, request=req))


@router.post(
    "/requests/{reference}/start", summary="Take a received request into review"
)
def review_start(request, reference: str):
    actor = _staff(request)
    req = get_request_for(actor, reference)
    services.review_start(actor=actor, request=req)
    return {"reference": req.reference, "status": req.status}


@router.post(
    "/requests/{reference}/decide",
    response=DecisionOut,
    summary="Decide: release (for signature), deny, quash or judicial_order",
)
def review_decide(request, reference: str, payload: DecideIn):
    actor = _staff(request)
    req = get_request_for(actor, reference)
    try:
        decision = services.review_decide(
            actor=actor,
            request=req,
            kind=payload.kind,
            elements={k: v.dict() for k, v in payload.elements.items()},
            reason_codes=payload.reason_codes,
            reasons=payload.reasons,
        )
    except ValidationError as exc:
        return _invalid(request, exc)
    return _decision_out(decision)


@router.post(
    "/decisions/{decision_id}/sign",
    response=DecisionOut,
    summary="Sign a pending release as approver or counsel",
)
def decision_sign(request, decision_id: int, payload: SignIn):
    actor = _staff(request)
    decision = get_object_or_404(Decision, pk=decision_id)
    try:
        decision = services.decision_sign(
            actor=actor, decision=decision, role=payload.role
        )
    except ValidationError as exc:
        return _invalid(request, exc)
    return _decision_out(decision)


@router.post(
    "/decisions/{decision_id}/return",
    response=DecisionOut,
    summary="Send a pending release back to the reviewer",
)
def decision_return(request, decision_id: int, payload: ReasonIn):
    actor = _staff(request)
    decision = get_object_or_404(Decision, pk=decision_id)
    try:
        decision = services.decision_return(
            actor=actor, decision=decision, reason=payload.reason
        )
    except ValidationError as exc:
        return _invalid(request, exc)
    return _decision_out(decision)
