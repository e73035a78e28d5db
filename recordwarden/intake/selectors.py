"""Reads of the intake app, always narrowed to what the actor may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from .constants import Channel
from .models import Request, Submission
from .permissions import can_triage, request_visible_to


def request_list_for(actor) -> QuerySet[Request]:
    return (
        request_visible_to(actor)
        .select_related("agency")
        .order_by("-received_at", "-pk")
    )


def get_request_for(actor, reference: str) -> Request:
    """The request with this reference if the actor may see it; the same 404 otherwise,
    so a reference tells nobody whether someone else's request exists."""
    request = (
        request_visible_to(actor)
        .select_related("agency", "requester")
        .filter(reference=str(reference or "")[:20])
        .first()
    )
    if request is None:
        raise Http404("No such request.")
    return request


def triage_list_for(actor) -> QuerySet[Submission]:
    """Submissions a clerk must look at: any problem, or no request could be opened."""
    if not can_triage(actor):
        return Submission.objects.none()
    return (
        Submission.objects.filter(triaged_at__isnull=True)
        .filter(Q(needs_triage=True) | Q(request__isnull=True))
        .select_related("request")
        .defer("raw")
        .order_by("received_at", "pk")
    )


def unconfirmed_requests_for(actor) -> QuerySet[Request]:
    """Email requests whose extraction no clerk has confirmed yet."""
    if not can_triage(actor):
        return Request.objects.none()
    return (
        Request.objects.filter(channel=Channel.EMAIL, confirmed_at__isnull=True)
        .select_related("agency")
        .order_by("received_at", "pk")
    )


def get_submission_for(actor, pk) -> Submission:
    if not can_triage(actor):
        raise Http404("No such submission.")
    submission = Submission.objects.select_related("request").filter(pk=pk).first()
    if submission is None:
        raise Http404("No such submission.")
    return submission
