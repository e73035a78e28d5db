"""Reads of the matching app."""

from __future__ import annotations

from django.http import Http404

from .constants import Outcome
from .models import SubjectMatch
from .permissions import can_view_candidates, subject_matches_visible_to

# What anyone outside the agency may be told about a subject, whatever matching
# found: the subject as they named it, and that it is under review.
OUTWARD_SUBJECT_STATUS = "Received for review"


def confirmed_worker(subject):
    """The worker this subject is, for building a disclosure: the worker a reviewer
    confirmed, else the automatic match unless a reviewer rejected it; otherwise None.
    Internal: callers are services that have already checked their actor."""
    match = (
        SubjectMatch.objects.select_related("confirmed_worker")
        .filter(subject=subject)
        .first()
    )
    if match is None or match.rejected:
        return None
    if match.confirmed_worker is not None:
        return match.confirmed_worker
    if match.outcome == Outcome.MATCH:
        best = match.candidates.select_related("worker").order_by("rank").first()
        return best.worker if best else None
    return None


def subject_for(actor, subject_pk):
    """The subject with its match (or None if unresolved), for staff who decide
    matches. Raises the same 404 for a missing subject and for anyone else."""
    from recordwarden.intake.models import Subject

    if not can_view_candidates(actor):
        raise Http404("No such subject.")
    try:
        subject = Subject.objects.select_related("request").get(pk=subject_pk)
    except (Subject.DoesNotExist, ValueError, TypeError):
        raise Http404("No such subject.") from None
    match = (
        subject_matches_visible_to(actor)
        .select_related("confirmed_worker", "confirmed_by", "rejected_by")
        .filter(subject=subject)
        .first()
    )
    return subject, match


def candidates_for(actor, subject_match):
    if not can_view_candidates(actor) or subject_match is None:
        return []
    return list(subject_match.candidates.select_related("worker").order_by("rank"))


def subject_outward(actor, subject) -> dict:
    """How a subject appears to the requester who named it. It never depends on the
    match: no outcome, no count of candidates, no worker, no timing."""
    return {
        "position": subject.position,
        "name": str(subject),
        "status": OUTWARD_SUBJECT_STATUS,
    }


def subject_status_for(actor, subject) -> dict:
    """The subject's matching status for ``actor``: the real outcome for staff who
    decide matches, the outward representation for everyone else."""
    if not can_view_candidates(actor):
        return subject_outward(actor, subject)
    match = SubjectMatch.objects.filter(subject=subject).first()
    return {
        **subject_outward(actor, subject),
        "outcome": match.outcome if match else None,
        "confirmed_worker": match.confirmed_worker_id if match else None,
        "rejected": bool(match and match.rejected),
    }
