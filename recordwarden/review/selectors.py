"""Reads of review: the queue, one case with everything about it, notifications, tasks.

The queue stays fast over 100k past requests: it filters on indexed columns, selects only
the columns a row shows, and takes due dates from the open review in one subquery.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from recordwarden.accounts.permissions import roles_of
from recordwarden.intake.constants import RequestStatus

from .constants import DecisionState, NotificationKind
from .models import Decision, Notification, RequestEvent, Review, Screening, Task
from .permissions import requests_visible_to
from .transitions import OPEN_STATES

QUEUE_FILTERS = {
    "open": ("Waiting for a decision", Q(status__in=OPEN_STATES)),
    "received": ("Received", Q(status=RequestStatus.RECEIVED)),
    "in_review": ("In review", Q(status=RequestStatus.IN_REVIEW)),
    "awaiting_approval": (
        "Awaiting signature",
        Q(status=RequestStatus.AWAITING_APPROVAL),
    ),
    "approved": ("Approved", Q(status=RequestStatus.APPROVED)),
    "denied": ("Denied", Q(status=RequestStatus.DENIED)),
    "quashed": ("Motion to quash", Q(status=RequestStatus.QUASHED)),
    "released": ("Released", Q(status=RequestStatus.RELEASED)),
    "closed": (
        "Closed or withdrawn",
        Q(status__in=[RequestStatus.CLOSED, RequestStatus.WITHDRAWN]),
    ),
    "all": ("All", Q()),
}


def request_queue_for(actor, *, status: str = "open", mine: bool = False):
    """Requests for the queue, overdue first, then by due date, then newest."""
    label_q = QUEUE_FILTERS.get(status, QUEUE_FILTERS["open"])[1]
    now = timezone.now()
    reviews = Review.objects.filter(request=OuterRef("pk"), closed_at__isnull=True)
    qs = (
        requests_visible_to(actor)
        .filter(label_q)
        .select_related("agency")
        .only(
            "id",
            "reference",
            "status",
            "instrument",
            "received_at",
            "emergency",
            "bulk_access",
            "claimed_agency",
            "agency__name",
            "agency__key",
        )
        .annotate(
            due_at=Subquery(reviews.values("due_at")[:1], output_field=DateTimeField()),
            assignee=Subquery(reviews.values("assigned_to__username")[:1]),
            re_ask=Exists(
                Notification.objects.filter(
                    request=OuterRef("pk"), kind=NotificationKind.RE_ASK_AFTER_DENIAL
                )
            ),
        )
    )
    if mine:
        qs = qs.filter(Exists(reviews.filter(assigned_to=getattr(actor, "pk", None))))
    if status in ("open", "received", "in_review", "awaiting_approval"):
        qs = qs.annotate(
            overdue=Case(
                When(due_at__lt=now, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("overdue", "due_at", "-received_at")
    else:
        qs = qs.annotate(overdue=Value(1, output_field=IntegerField())).order_by(
            "-received_at"
        )
    return qs


def get_request_for(actor, reference: str):
    """The request by reference, or the same 404 for missing and not visible."""
    request = (
        requests_visible_to(actor)
        .select_related("agency", "requester")
        .filter(reference=reference)
        .first()
    )
    if request is None:
        raise Http404("No such request")
    return request


def notifications_for(actor, *, limit: int = 20):
    roles = list(roles_of(actor))
    return (
        Notification.objects.filter(recipient_role__in=roles, read_at__isnull=True)
        .select_related("request")
        .only(
            "id",
            "kind",
            "message",
            "link_reference",
            "created_at",
            "request__reference",
            "recipient_role",
        )[:limit]
    )


def open_tasks_for(actor, *, limit: int = 50):
    return (
        Task.objects.filter(done_at__isnull=True)
        .select_related("request", "request__agency")
        .annotate(
            overdue=Case(
                When(due_at__lt=timezone.now(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("due_at")[:limit]
    )


@dataclass
class Case_:
    """Everything the case page shows, loaded in a fixed number of queries."""

    request: object
    screening: Screening | None
    review: Review | None
    subjects: list = field(default_factory=list)
    submissions: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    pending: Decision | None = None
    tasks: list = field(default_factory=list)
    events: list = field(default_factory=list)
    letters: list = field(default_factory=list)
    inboxes: list = field(default_factory=list)
    notifications: list = field(default_factory=list)


def case_for(actor, reference: str) -> Case_:
    request = get_request_for(actor, reference)
    screening = (
        Screening.objects.filter(request=request).order_by("-created_at", "-id").first()
    )
    submissions = list(request.submissions.all().defer("raw"))
    decisions = list(
        Decision.objects.filter(request=request)
        .select_related("decided_by")
        .prefetch_related("elements", "signatures__signer")
    )
    return Case_(
        request=request,
        screening=screening,
        review=Review.objects.filter(request=request, closed_at__isnull=True)
        .select_related("assigned_to")
        .first(),
        subjects=list(request.subjects.all()),
        submissions=submissions,
        documents=list(request.documents.all()),
        decisions=decisions,
        pending=next((d for d in decisions if d.state == DecisionState.PENDING), None),
        tasks=list(
            Task.objects.filter(request=request).select_related(
                "agency_called", "done_by"
            )
        ),
        events=list(
            RequestEvent.objects.filter(request=request).select_related("user")
        ),
        letters=list(request.letters.defer("pdf").order_by("-issued_at")),
        inboxes=sorted({s.inbox for s in submissions if s.inbox}),
        notifications=list(request.review_notifications.all()),
    )
