"""Reads of review: the queue, one case with everything about it, notifications, tasks.

The queue stays fast over 100k past requests: open work is read from open reviews in
due order through a partial index, past work from requests newest first; only the
columns a row shows are loaded, and a page costs the same few queries however long the
queue is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Exists, OuterRef, Value, When
from django.http import Http404
from django.utils import timezone

from recordwarden.accounts.permissions import roles_of
from recordwarden.intake.constants import RequestStatus

from . import permissions
from .constants import DecisionState, NotificationKind
from .models import Decision, Notification, RequestEvent, Review, Screening, Task
from .permissions import requests_visible_to
from .transitions import OPEN_STATES

QUEUE_FILTERS = {
    "open": ("Waiting for a decision", OPEN_STATES),
    "received": ("Received", [RequestStatus.RECEIVED]),
    "in_review": ("In review", [RequestStatus.IN_REVIEW]),
    "awaiting_approval": ("Awaiting signature", [RequestStatus.AWAITING_APPROVAL]),
    "approved": ("Approved", [RequestStatus.APPROVED]),
    "denied": ("Denied", [RequestStatus.DENIED]),
    "quashed": ("Motion to quash", [RequestStatus.QUASHED]),
    "released": ("Released", [RequestStatus.RELEASED]),
    "closed": ("Closed or withdrawn", [RequestStatus.CLOSED, RequestStatus.WITHDRAWN]),
    "all": ("All", None),
}
# Filters answered from open reviews, in due order (overdue first, by construction).
OPEN_FILTERS = frozenset({"open", "received", "in_review", "awaiting_approval"})


def _when(moment) -> str:
    # strftime, not the template's date filter: a page formats a hundred of these.
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _case_url(reference: str) -> str:
    from django.urls import reverse

    return reverse("review:case", args=[reference])


@dataclass
class QueueRow:
    url: str
    reference: str
    status: str
    status_label: str
    instrument_label: str
    requester_label: str
    received_at: object
    emergency: bool
    received: str = ""
    due_at: object = None
    due: str = ""
    overdue: bool = False
    assignee: str = ""
    re_ask: bool = False


def _requester_label(request) -> str:
    if request.agency_id:
        return request.agency.name
    if request.claimed_agency:
        return f"Claims: {request.claimed_agency}"
    return "Not on file"


def _row(request, review=None, re_ask=False, now=None) -> QueueRow:
    return QueueRow(
        url=_case_url(request.reference),
        reference=request.reference,
        status=request.status,
        status_label=request.get_status_display(),
        instrument_label=request.get_instrument_display(),
        requester_label=_requester_label(request),
        received_at=request.received_at,
        received=_when(request.received_at),
        emergency=request.emergency,
        due_at=review.due_at if review else None,
        due=_when(review.due_at) if review else "",
        overdue=bool(review and now and review.due_at < now),
        assignee=review.assigned_to.username if review and review.assigned_to else "",
        re_ask=re_ask,
    )


_REQUEST_COLUMNS = (
    "id",
    "reference",
    "status",
    "instrument",
    "received_at",
    "emergency",
    "claimed_agency",
    "agency_id",
    "agency__name",
)


def request_queue_for(actor, *, status: str = "open", mine: bool = False):
    """The queue as a queryset for a paginator, and a function turning a page of it into
    rows. Open filters read open reviews by due date (the partial index
    ``review_open_by_due``), so the oldest deadline, overdue ones first, leads; the
    others read requests newest first."""
    statuses = QUEUE_FILTERS.get(status, QUEUE_FILTERS["open"])[1]
    if not requests_visible_to(actor).exists() and not permissions.can_view_queue(
        actor
    ):
        return Review.objects.none(), lambda page: []
    if status in OPEN_FILTERS:
        qs = Review.objects.filter(closed_at__isnull=True)
        if status != "open":
            # An open review means a request waiting for a decision; a narrower
            # filter adds the status (and the planner then starts from it).
            qs = qs.filter(request__status__in=statuses)
        qs = (
            qs.select_related("request", "request__agency", "assigned_to")
            .only(
                *(f"request__{c}" for c in _REQUEST_COLUMNS),
                "due_at",
                "assigned_to__username",
                "request_id",
                "assigned_to_id",
            )
            .order_by("due_at", "id")
        )
        if mine:
            qs = qs.filter(assigned_to=getattr(actor, "pk", None))
        return qs, _open_rows
    qs = requests_visible_to(actor)
    if statuses is not None:
        qs = qs.filter(status__in=statuses)
    if mine:
        qs = qs.filter(reviews__assigned_to=getattr(actor, "pk", None)).distinct()
    qs = (
        qs.select_related("agency")
        .only(*_REQUEST_COLUMNS)
        .order_by("-received_at", "-id")
    )
    return qs, lambda page: [_row(r) for r in page]


def _open_rows(page) -> list[QueueRow]:
    reviews = list(page)
    asked_again = set(
        Notification.objects.filter(
            request_id__in=[r.request_id for r in reviews],
            kind=NotificationKind.RE_ASK_AFTER_DENIAL,
        ).values_list("request_id", flat=True)
    )
    now = timezone.now()
    return [_row(r.request, r, r.request_id in asked_again, now) for r in reviews]


def unscreened_for(actor, *, limit: int = 20):
    """Requests waiting for a decision with no open review (screening failed or never
    ran): shown above the queue so none is lost."""
    open_review = Review.objects.filter(request=OuterRef("pk"), closed_at__isnull=True)
    return list(
        requests_visible_to(actor)
        .filter(status__in=OPEN_STATES)
        .exclude(Exists(open_review))
        .only("id", "reference", "received_at")
        .order_by("received_at")[:limit]
    )


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


def letters_for_requester(requester, request) -> list:
    """Letters a requester may download for ``request``: theirs, or their agency's."""
    from .models import Letter

    if requester is None or not _requester_owns(requester, request):
        return []
    return list(
        Letter.objects.filter(request=request).defer("pdf").order_by("issued_at")
    )


def _requester_owns(requester, request) -> bool:
    if request.requester_id == requester.pk:
        return True
    return bool(requester.agency_id and request.agency_id == requester.agency_id)


def letter_for_requester(requester, reference: str, letter_id: int):
    from recordwarden.intake.models import Request

    from .models import Letter

    request = Request.objects.filter(reference=reference).first()
    letter = Letter.objects.filter(pk=letter_id, request=request).first()
    if request is None or letter is None or requester is None:
        raise Http404("No such letter")
    if not _requester_owns(requester, request):
        raise Http404("No such letter")
    return letter
