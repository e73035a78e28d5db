"""The reviewer's page for one subject: candidates, the evidence per field, and the
confirm / reject decisions. Thin: parse, call the service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from recordwarden.accounts.permissions import role_required
from recordwarden.audit.services import audit_read
from recordwarden.core.exceptions import Conflict, Forbidden
from recordwarden.records.models import Worker

from . import services
from .permissions import DECIDING_ROLES
from .selectors import candidates_for, subject_for
from .waterfall import waterfall


def _log_view(actor, subject, match) -> None:
    """Viewing candidates is a look-up of worker records: logged inside the case."""
    target = match if match is not None else subject
    audit_read(
        actor=actor, target=target, what="match_candidates", case=subject.request
    )


@require_GET
@role_required(*DECIDING_ROLES)
def subject_detail(request, subject_id: int):
    subject, match = subject_for(request.user, subject_id)
    candidates = candidates_for(request.user, match)
    _log_view(request.user, subject, match)
    rows = [
        {
            "candidate": cand,
            "worker": cand.worker,
            # The prior the score was computed with: what the evidence leaves over.
            "chart": waterfall(
                cand.evidence, cand.weight - sum(e["weight"] for e in cand.evidence)
            ),
        }
        for cand in candidates
    ]
    return render(
        request,
        "matching/subject_detail.html",
        {"subject": subject, "match": match, "rows": rows},
    )


def _decide(request, subject_id: int, action) -> None:
    subject, match = subject_for(request.user, subject_id)
    if match is None:
        raise Http404("This subject has not been resolved.")
    try:
        action(subject, match)
    except (Conflict, Forbidden) as exc:
        messages.error(request, str(exc))


@require_POST
@role_required(*DECIDING_ROLES)
def subject_confirm(request, subject_id: int):
    def act(subject, match):
        try:
            worker = Worker.objects.get(pk=int(request.POST.get("worker", "")))
        except (ValueError, Worker.DoesNotExist):
            raise Conflict("Choose one of the candidates.") from None
        services.match_confirm(actor=request.user, subject_match=match, worker=worker)
        messages.success(
            request, f"Confirmed: the subject is worker {worker.worker_id}."
        )

    _decide(request, subject_id, act)
    return redirect("matching:subject", subject_id=subject_id)


@require_POST
@role_required(*DECIDING_ROLES)
def subject_reject(request, subject_id: int):
    def act(subject, match):
        services.match_reject(actor=request.user, subject_match=match)
        messages.success(request, "Recorded: the subject is none of these workers.")

    _decide(request, subject_id, act)
    return redirect("matching:subject", subject_id=subject_id)


@require_POST
@role_required(*DECIDING_ROLES)
def subject_resolve(request, subject_id: int):
    subject, _ = subject_for(request.user, subject_id)
    services.subject_resolve(actor=request.user, subject=subject)
    messages.success(request, "The subject was matched again against the records.")
    return redirect("matching:subject", subject_id=subject_id)
