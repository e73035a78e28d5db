"""Review pages: the queue, the case page with everything at once, and its forms.

Thin: parse, call the service, render. A refused step re-renders the case page with the
reason and the status code that says why (400 invalid, 403 not allowed, 409 stale).
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from recordwarden.accounts.constants import Role
from recordwarden.accounts.models import Agency
from recordwarden.accounts.permissions import (
    requester_of,
    requester_required,
    role_required,
    roles_of,
)
from recordwarden.audit.services import audit_read
from recordwarden.core.exceptions import Conflict, Forbidden
from recordwarden.records.catalogue import ELEMENTS

from . import callbacks, services
from .constants import CALLBACK_KINDS, DecisionState, ReasonCode
from .forms import (
    AssignForm,
    CallbackForm,
    DecisionForm,
    QueueFilterForm,
    ReasonForm,
    SignForm,
    TaskForm,
)
from .letters import letter_issue
from .models import Decision, Letter, Notification, Task
from .permissions import (
    CASEWORK_ROLES,
    can_decide_request,
    can_record_callback,
    can_sign_decision,
    holds,
)
from .screening import screening_run
from .selectors import (
    case_for,
    get_request_for,
    letter_for_requester,
    notifications_for,
    open_tasks_for,
    request_queue_for,
    unscreened_for,
)
from .transitions import targets_from

casework = role_required(*CASEWORK_ROLES)
logger = logging.getLogger("recordwarden.alerts")
PAGE_SIZE = 50


def _default_filter(user) -> str:
    """Each role's queue: an approver who neither decides nor takes in requests starts
    with the releases waiting for a signature; everyone else with all open work."""
    only_signs = holds(user, Role.APPROVER) and not holds(
        user, Role.REVIEWER, Role.COUNSEL, Role.INTAKE_CLERK
    )
    return "awaiting_approval" if only_signs else "open"


@require_GET
@casework
def queue(request):
    default = _default_filter(request.user)
    form = QueueFilterForm(request.GET or None, initial={"status": default})
    status, mine = default, False
    if form.is_valid():
        status = form.cleaned_data["status"] or default
        mine = form.cleaned_data["mine"]
    queryset, to_rows = request_queue_for(request.user, status=status, mine=mine)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = to_rows(page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "review/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "unscreened": unscreened_for(request.user),
            "status": status,
            "query": query.urlencode(),
            "notifications": notifications_for(request.user),
            "tasks": open_tasks_for(request.user)
            if holds(request.user, Role.INTAKE_CLERK, Role.REVIEWER)
            else [],
        },
    )


@require_GET
@casework
def intake_desk(request):
    """The clerk's desk: call-backs due, submissions that need a clerk, and the way to
    record a request that came by email, paper or fax."""
    from recordwarden.intake.models import Submission

    triage = (
        Submission.objects.filter(needs_triage=True, triaged_at__isnull=True)
        .select_related("request")
        .only(
            "id",
            "channel",
            "sender",
            "inbox",
            "subject_line",
            "received_at",
            "request__reference",
        )
        .order_by("received_at")[:100]
    )
    return render(
        request,
        "review/intake_desk.html",
        {
            "tasks": open_tasks_for(request.user),
            "triage": triage,
            "paper_url": _intake_url("intake:paper"),
            "triage_url": _intake_url("intake:triage"),
        },
    )


def _intake_url(name: str) -> str:
    from django.urls import NoReverseMatch

    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _case_context(request, reference: str, **extra) -> dict:
    case = case_for(request.user, reference)
    user = request.user
    screening = case.screening
    policy_rows = []
    permitted = set()
    for key in case.request.elements or []:
        finding = (screening.elements if screening else {}).get(key, {})
        outcome = finding.get("outcome", "not screened")
        if outcome in ("permit", "escalate"):
            permitted.add(key)
        policy_rows.append(
            {
                "key": key,
                "label": ELEMENTS[key].label if key in ELEMENTS else key,
                "outcome": outcome,
                "rule_ids": finding.get("rule_ids", []),
                "citations": finding.get("citations", []),
                "reasons": finding.get("reasons", []),
            }
        )
    matches = {m["subject"]: m for m in (screening.subjects if screening else [])}
    subjects = [{"subject": s, "match": matches.get(s.pk, {})} for s in case.subjects]
    context = {
        "case": case,
        "req": case.request,
        "screening": screening,
        "policy_rows": policy_rows,
        "permitted": permitted,
        "subjects": subjects,
        "flag_help": FLAG_HELP,
        "can_decide": can_decide_request(user, case.request),
        "can_sign": can_sign_decision(user, case.pending),
        "can_callback": can_record_callback(user),
        "signer_roles": [r for r in ("approver", "counsel") if r in roles_of(user)],
        "can_start": holds(user, Role.REVIEWER, Role.COUNSEL, Role.APPROVER)
        and "in_review" in targets_from(case.request.status)
        and case.request.status == "received",
        "can_reopen": holds(user, Role.REVIEWER, Role.COUNSEL, Role.APPROVER)
        and case.request.status == "denied",
        "decision_form": DecisionForm(elements=case.request.elements or []),
        "reason_codes": ReasonCode.choices,
        "assign_form": AssignForm(),
        "callback_form": CallbackForm(initial=_callback_initial(case.request)),
        "task_form": TaskForm(),
        "reason_form": ReasonForm(),
        "callback_kinds": CALLBACK_KINDS,
        "final_without_letter": [
            d
            for d in case.decisions
            if d.state == DecisionState.FINAL
            and not any(letter.decision_id == d.pk for letter in case.letters)
        ],
    }
    context.update(extra)
    return context


def _callback_initial(req) -> dict:
    if req.agency_id:
        return {"agency": req.agency_id}
    if req.claimed_agency:
        words = [w for w in req.claimed_agency.replace("-", " ").split() if len(w) > 3]
        for agency in Agency.objects.exclude(phone_on_file="").only("id", "name"):
            name = agency.name.lower().replace("ñ", "n")
            if words and sum(w.lower() in name for w in words) >= min(2, len(words)):
                return {"agency": agency.pk}
    return {}


FLAG_HELP = {
    "bulk_or_standing_access": "Asks for access, extracts, rosters or all employees of an "
    "employer, not named people.",
    "no_named_subject": "No person is identified specifically enough to match.",
    "civil_immigration_purpose": "The purpose is civil immigration enforcement.",
    "re_ask_after_denial": "The same requester or agency asks again for what was denied.",
    "multiple_inboxes": "The same ask reached more than one staff inbox.",
    "emergency_unverified": "Claims an emergency that no call-back has confirmed.",
    "sender_not_on_file": "The sender's address is not on any agency's file.",
    "free_mail_domain": "Sent from a consumer mail provider.",
    "lookalike_domain": "The domain is one edit or homoglyph away from an agency's.",
    "reply_to_mismatch": "Reply-To or Return-Path differs from From.",
    "display_name_claims_agency": "The display name claims an agency the address does "
    "not belong to.",
    "identity_unverified": "A worker's own request before identity verification.",
    "callback_not_confirmed": "The agency, called on its number on file, did not "
    "confirm the request.",
}


@require_GET
@casework
def case(request, reference: str):
    context = _case_context(request, reference)
    # The page shows the people named and the policy's findings: a read inside a case.
    audit_read(
        actor=request.user, target=context["req"], what="case_page", case=context["req"]
    )
    return render(request, "review/case.html", context)


def _act(request, reference: str, action, success: str):
    """Run ``action(req)``; on refusal re-render the case with the reason."""
    req = get_request_for(request.user, reference)
    try:
        action(req)
    except ValidationError as exc:
        return _refused(request, reference, _messages_of(exc), 400)
    except Forbidden as exc:
        return _refused(request, reference, [str(exc)], 403)
    except Conflict as exc:
        return _refused(request, reference, [str(exc)], 409)
    messages.success(request, success)
    return redirect("review:case", reference=reference)


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [f"{m}" for values in exc.message_dict.values() for m in values]
    return list(exc.messages)


def _refused(request, reference, errors, status):
    context = _case_context(request, reference, action_errors=errors)
    return render(request, "review/case.html", context, status=status)


@require_POST
@casework
def start(request, reference: str):
    return _act(
        request,
        reference,
        lambda req: services.review_start(actor=request.user, request=req),
        "Review started and assigned to you.",
    )


@require_POST
@casework
def rescreen(request, reference: str):
    return _act(
        request,
        reference,
        lambda req: screening_run(actor=request.user, request=req),
        "Screened again.",
    )


@require_POST
@casework
def assign(request, reference: str):
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _refused(request, reference, ["Choose a reviewer or counsel."], 400)
    return _act(
        request,
        reference,
        lambda req: services.review_assign(
            actor=request.user, request=req, assignee=form.cleaned_data["assignee"]
        ),
        "Assigned.",
    )


@require_POST
@casework
def decide(request, reference: str):
    req = get_request_for(request.user, reference)
    form = DecisionForm(request.POST, elements=req.elements or [])
    if not form.is_valid():
        return _refused(request, reference, _form_errors(form), 400)
    kind = form.cleaned_data["kind"]

    def action(req):
        decision = services.review_decide(
            actor=request.user,
            request=req,
            kind=kind,
            elements=form.element_specs() if kind == "release" else None,
            reason_codes=form.cleaned_data["reason_codes"],
            reasons=form.cleaned_data["reasons"],
        )
        if decision.state == DecisionState.FINAL:
            _issue_letter(request.user, decision)

    return _act(request, reference, action, "Decision recorded.")


def _issue_letter(user, decision) -> None:
    """Issue the letter at once so it can be downloaded now. The decision is already
    committed; if rendering fails, the letters outbox issues it later."""
    try:
        letter_issue(actor=user, decision=decision)
    except Exception:  # noqa: BLE001 - the outbox retries; the decision stands
        logger.exception("letter for decision %s not issued now", decision.pk)


def _form_errors(form) -> list[str]:
    return [f"{field}: {e}" for field, errs in form.errors.items() for e in errs]


def _decision_of(req, decision_id) -> Decision:
    return get_object_or_404(Decision, pk=decision_id, request=req)


@require_POST
@casework
def sign(request, reference: str, decision_id: int):
    form = SignForm(request.POST)
    if not form.is_valid():
        return _refused(request, reference, ["Choose the capacity you sign in."], 400)

    def action(req):
        decision = services.decision_sign(
            actor=request.user,
            decision=_decision_of(req, decision_id),
            role=form.cleaned_data["role"],
        )
        if decision.state == DecisionState.FINAL:
            _issue_letter(request.user, decision)

    return _act(request, reference, action, "Signed.")


@require_POST
@casework
def return_decision(request, reference: str, decision_id: int):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _refused(request, reference, ["Say why the decision goes back."], 400)
    return _act(
        request,
        reference,
        lambda req: services.decision_return(
            actor=request.user,
            decision=_decision_of(req, decision_id),
            reason=form.cleaned_data["reason"],
        ),
        "Returned to the reviewer.",
    )


@require_POST
@casework
def reopen(request, reference: str):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, reference, ["Say why the request is looked at again."], 400
        )
    return _act(
        request,
        reference,
        lambda req: services.review_reopen(
            actor=request.user, request=req, reason=form.cleaned_data["reason"]
        ),
        "Reopened for review.",
    )


@require_POST
@casework
def withdraw(request, reference: str):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _refused(request, reference, ["Say why the request is withdrawn."], 400)
    return _act(
        request,
        reference,
        lambda req: services.request_transition(
            actor=request.user,
            request=req,
            to="withdrawn",
            reason=form.cleaned_data["reason"],
        ),
        "Withdrawn.",
    )


@require_POST
@casework
def task_record(request, reference: str, task_id: int):
    req = get_request_for(request.user, reference)
    task = get_object_or_404(Task, pk=task_id, request=req)
    if task.kind in CALLBACK_KINDS:
        form = CallbackForm(request.POST)
        if not form.is_valid():
            return _refused(request, reference, _form_errors(form), 400)
        return _act(
            request,
            reference,
            lambda r: callbacks.callback_record(
                actor=request.user,
                task=task,
                agency=form.cleaned_data["agency"],
                answered_by=form.cleaned_data["answered_by"],
                confirmed=form.cleaned_data["confirmed"],
                notes=form.cleaned_data["notes"],
            ),
            "Call-back recorded; the request was screened again.",
        )
    form = TaskForm(request.POST)
    if not form.is_valid():
        return _refused(request, reference, _form_errors(form), 400)
    return _act(
        request,
        reference,
        lambda r: callbacks.task_complete(
            actor=request.user,
            task=task,
            confirmed=form.cleaned_data["confirmed"],
            notes=form.cleaned_data["notes"],
        ),
        "Task completed.",
    )


@require_POST
@casework
def letter_prepare(request, reference: str, decision_id: int):
    return _act(
        request,
        reference,
        lambda req: letter_issue(
            actor=request.user, decision=_decision_of(req, decision_id)
        ),
        "Letter prepared.",
    )


@require_GET
@casework
def letter_download(request, reference: str, letter_id: int):
    req = get_request_for(request.user, reference)
    letter = Letter.objects.filter(pk=letter_id, request=req).first()
    if letter is None:
        raise Http404("No such letter")
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{req.reference}-{letter.kind}.pdf"'
    )
    return response


@require_POST
@casework
def notification_read(request, notification_id: int):
    note = get_object_or_404(Notification, pk=notification_id)
    try:
        services.notification_mark_read(actor=request.user, notification=note)
    except Forbidden as exc:
        raise Http404("No such notification") from exc
    return redirect("review:queue")


@require_GET
@requester_required
def requester_letter(request, reference: str, letter_id: int):
    """A requester downloads a letter about their own (or their agency's) request: the
    same 404 for a letter that does not exist and one that is not theirs."""
    letter = letter_for_requester(requester_of(request.user), reference, letter_id)
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{reference}-{letter.kind}.pdf"'
    )
    return response
