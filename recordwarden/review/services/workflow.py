"""Moves, reviews, the timeline, tasks and notifications.

Every move is a compare-and-set on the request's status (``filter(pk=, status=old)
.update(...)``; no row updated means someone else moved it first) plus a ``RequestEvent``
row, inside the service's transaction with its audit entry. The status the caller saw
(``request.status`` on the object passed in) is the one compared, so a reviewer acting on
a stale page gets a Conflict instead of overwriting a colleague's decision.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from recordwarden.accounts.constants import Role
from recordwarden.audit.services import actor_ref, audit_record
from recordwarden.core.exceptions import Conflict, Forbidden
from recordwarden.intake.constants import RequestStatus
from recordwarden.intake.models import Request

from .. import constants as c
from .. import deadlines
from ..constants import (
    EventKind,
)
from ..models import (
    Notification,
    RequestEvent,
    Review,
    Task,
)
from ..permissions import (
    DECIDER_ROLES,
    holds,
    is_system,
    require,
)
from ..transitions import OPEN_STATES, move_for

DECIDED_STATES = frozenset(
    {RequestStatus.APPROVED, RequestStatus.DENIED, RequestStatus.QUASHED}
)
STALE = (
    "Someone else changed this request first. Reload the page to see where it stands."
)


def _user(actor):
    """The staff or portal user behind ``actor``; None for the system and for an API
    token's requester (recorded by ``actor_ref`` instead)."""
    from django.contrib.auth import get_user_model

    return actor if isinstance(actor, get_user_model()) else None


def _status_label(value: str) -> str:
    try:
        return RequestStatus(value).label.lower()
    except ValueError:
        return value


def event_add(
    *, request, kind: str, actor, data=None, source="", target=""
) -> RequestEvent:
    """Append a row to the request's timeline (and the letters/notices outbox)."""
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        from_status=source,
        to_status=target,
        actor=actor_ref(actor),
        user=_user(actor),
        created_at=timezone.now(),
        data=data or {},
    )


def _move(*, actor, request: Request, target: str, via: str, data=None) -> RequestEvent:
    """Move ``request`` from the status the caller saw to ``target``, or raise."""
    source = request.status
    move = move_for(source, target)
    if move is None or move.via != via:
        raise Conflict(
            f"A request that is {_status_label(source)} cannot become "
            f"{_status_label(target)}."
        )
    if not (holds(actor, *move.roles) or (move.system and is_system(actor))):
        raise Forbidden("Your role does not allow this step.")
    now = timezone.now()
    fields = {"status": target, "updated_at": now}
    if target in DECIDED_STATES:
        fields["decided_at"] = now
    updated = Request.objects.filter(pk=request.pk, status=source).update(**fields)
    if updated == 0:
        raise Conflict(STALE)
    request.status = target
    request.updated_at = now
    if "decided_at" in fields:
        request.decided_at = now
    event = event_add(
        request=request,
        kind=EventKind.TRANSITION,
        actor=actor,
        data=data,
        source=source,
        target=target,
    )
    audit_record(
        actor=actor,
        action=c.REQUEST_MOVED,
        target=request,
        # Free text (reasons) stays on the event: the public log holds codes and ids.
        data={
            "from": source,
            "to": target,
            "via": via,
            **{k: v for k, v in (data or {}).items() if k != "reason"},
        },
    )
    return event


@transaction.atomic
def request_transition(
    *, actor, request: Request, to: str, reason: str = ""
) -> Request:
    """Make a plain move (withdraw, release, close). Moves that need a decision or
    signatures go through their own services and are refused here."""
    _move(
        actor=actor,
        request=request,
        target=to,
        via="request_transition",
        data={"reason": reason[:500]} if reason else None,
    )
    if to in (RequestStatus.WITHDRAWN,):
        _close_open_review(request)
    return request


# --- Reviews -------------------------------------------------------------------------


def open_review(request) -> Review | None:
    return Review.objects.filter(request=request, closed_at__isnull=True).first()


def review_ensure(*, actor, request: Request, waiting_for: str = "") -> Review | None:
    """The request's open review, created (with its deadlines) if it is waiting for a
    decision and has none. The database allows only one open review per request."""
    if request.status not in OPEN_STATES:
        return None
    review = open_review(request)
    if review is not None:
        return review
    now = timezone.now()
    review = Review(
        request=request,
        opened_at=now,
        acknowledge_by=deadlines.acknowledge_by(request.received_at),
        due_at=deadlines.decision_due(request),
        waiting_for=waiting_for,
    )
    review.full_clean(exclude=["request"])
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        # Another screening opened it between our look and our insert.
        return open_review(request)
    audit_record(
        actor=actor,
        action=c.REVIEW_OPENED,
        target=request,
        data={"review": review.pk, "due_at": review.due_at.isoformat()},
    )
    return review


def _close_open_review(request) -> None:
    Review.objects.filter(request=request, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )


@transaction.atomic
def review_start(*, actor, request: Request) -> Review:
    """Take a received request into review (and assign it to the actor if they decide)."""
    _move(
        actor=actor, request=request, target=RequestStatus.IN_REVIEW, via="review_start"
    )
    review = review_ensure(actor=actor, request=request)
    if review.assigned_to_id is None and holds(actor, *DECIDER_ROLES):
        review.assigned_to = actor
        review.save(update_fields=["assigned_to"])
    return review


@transaction.atomic
def review_assign(*, actor, request: Request, assignee) -> Review:
    """Assign the open review to a reviewer or counsel."""
    require(actor, Role.REVIEWER, Role.COUNSEL, Role.APPROVER, Role.INTAKE_CLERK)
    if not holds(assignee, *DECIDER_ROLES):
        raise ValidationError(
            {"assignee": "Assign the review to a reviewer or counsel."}
        )
    review = review_ensure(actor=actor, request=request)
    if review is None:
        raise Conflict("This request has no open review to assign.")
    Review.objects.filter(pk=review.pk).update(assigned_to=assignee)
    review.assigned_to = assignee
    event_add(
        request=request,
        kind=EventKind.ASSIGNED,
        actor=actor,
        data={"assignee": assignee.get_username()},
    )
    audit_record(
        actor=actor,
        action=c.REVIEW_ASSIGNED,
        target=request,
        data={"review": review.pk, "assignee": actor_ref(assignee)},
    )
    return review


@transaction.atomic
def review_reopen(*, actor, request: Request, reason: str) -> Review:
    """Look at a denied request again (after a re-ask). The denial stays on file."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the request is looked at again."})
    _move(
        actor=actor,
        request=request,
        target=RequestStatus.IN_REVIEW,
        via="review_reopen",
        data={"reason": reason[:500]},
    )
    return review_ensure(actor=actor, request=request)


# --- Tasks and notifications -----------------------------------------------------------


def task_add(*, request, kind: str, due_at) -> Task | None:
    """Create an open task of ``kind`` unless one is open already."""
    if Task.objects.filter(request=request, kind=kind, done_at__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            return Task.objects.create(
                request=request, kind=kind, created_at=timezone.now(), due_at=due_at
            )
    except IntegrityError:
        return None


def notification_add(
    *, request, kind, recipient_role, dedupe_key, message, link_reference=""
) -> Notification | None:
    """Notify a role once per situation (``dedupe_key``)."""
    if Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(
                request=request,
                kind=kind,
                recipient_role=recipient_role,
                message=message[:500],
                link_reference=link_reference,
                dedupe_key=dedupe_key[:200],
                created_at=timezone.now(),
            )
    except IntegrityError:
        return None


@transaction.atomic
def notification_mark_read(*, actor, notification: Notification) -> Notification:
    require(actor, notification.recipient_role)
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now(), read_by=actor
    )
    notification.refresh_from_db()
    audit_record(
        actor=actor,
        action=c.NOTIFICATION_READ,
        target=notification.request,
        data={"notification": notification.pk, "kind": notification.kind},
    )
    return notification
