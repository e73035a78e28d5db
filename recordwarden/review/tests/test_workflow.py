"""The workflow nobody can bend: every move in the table is made by the right service and
role, every other move is refused, moves are compare-and-set, and each leaves an event
and an audit entry."""

from __future__ import annotations

import itertools

import pytest

from recordwarden.core.exceptions import Conflict, Forbidden
from recordwarden.intake.constants import RequestStatus as S
from recordwarden.intake.models import Request
from recordwarden.review import services
from recordwarden.review.constants import EventKind
from recordwarden.review.models import RequestEvent, Review
from recordwarden.review.transitions import MOVES, TRANSITIONS, move_for

from .conftest import audit_actions_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(police_request, reviewer, approver):
    """The police request walked through approval: signing builds the package and
    releases it in the same transaction."""
    services.review_start(actor=reviewer, request=police_request)
    decision = services.review_decide(
        actor=reviewer,
        request=police_request,
        kind="release",
        elements={"employer": {"action": "approve"}, "wages": {"action": "approve"}},
    )
    services.decision_sign(actor=approver, decision=decision, role="approver")
    police_request.refresh_from_db()
    assert police_request.status == S.RELEASED
    return police_request


def walk_to(status, *, request, reviewer, approver, counsel, subpoena=None):
    """Bring ``request`` (the police request, its subject on file) to ``status`` the way
    a case gets there; 'quashed' is reached by ``subpoena`` (a clerk's subpoena)."""
    if status == S.QUASHED:
        services.review_start(actor=reviewer, request=subpoena)
        services.review_decide(actor=reviewer, request=subpoena, kind="quash")
        return subpoena
    if status == S.RECEIVED:
        return request
    if status == S.QUASHED:
        return request
    if status == S.WITHDRAWN:
        return services.request_transition(
            actor=reviewer, request=request, to=S.WITHDRAWN
        )
    services.review_start(actor=reviewer, request=request)
    if status == S.IN_REVIEW:
        return request
    if status in (S.DENIED, S.CLOSED):
        services.review_decide(
            actor=reviewer,
            request=request,
            kind="deny",
            reason_codes=["other"],
            reasons="Test denial.",
        )
        if status == S.CLOSED:
            services.request_transition(actor=reviewer, request=request, to=S.CLOSED)
        return request
    decision = services.review_decide(
        actor=reviewer,
        request=request,
        kind="release",
        elements={"employer": {"action": "approve"}, "wages": {"action": "deny"}},
    )
    if status == S.AWAITING_APPROVAL:
        return request
    services.decision_sign(actor=approver, decision=decision, role="approver")
    request.refresh_from_db()
    if status == S.APPROVED:
        # 'Approved' lasts only inside the signing transaction (the package is built
        # and the request released in it): this is the request as the signer saw it.
        request.status = S.APPROVED
    return request


def test_every_state_named_in_the_table_is_a_status_and_every_status_is_reachable():
    named = {m.source for m in MOVES} | {m.target for m in MOVES}
    assert named == set(S.values)
    assert move_for(S.RECEIVED, S.APPROVED) is None


GENERIC = [(m.source, m.target) for m in MOVES if m.via == "request_transition"]
NOT_GENERIC = [
    pair
    for pair in itertools.product(S.values, S.values)
    if pair[0] != pair[1]
    and (pair not in TRANSITIONS or TRANSITIONS[pair].via != "request_transition")
]


@pytest.mark.parametrize(("source", "target"), GENERIC)
def test_each_plain_move_is_allowed_for_its_roles_and_leaves_event_and_audit(
    source, target, police_request, subpoena_request, reviewer, approver, counsel
):
    request = walk_to(
        source,
        request=police_request,
        reviewer=reviewer,
        approver=approver,
        counsel=counsel,
        subpoena=subpoena_request,
    )
    if source == S.APPROVED:
        # Made by disclosure as the system, inside the signing transaction.
        event = RequestEvent.objects.filter(request=request, to_status=target).get()
        assert (event.from_status, event.actor) == (S.APPROVED, "system:disclosure")
        return
    request.refresh_from_db()
    assert request.status == source
    actor = reviewer
    services.request_transition(actor=actor, request=request, to=target, reason="test")
    request.refresh_from_db()
    assert request.status == target
    event = RequestEvent.objects.filter(
        request=request, kind=EventKind.TRANSITION
    ).last()
    assert (event.from_status, event.to_status) == (source, target)
    assert audit_actions_for(request)[-1] == "review.request_moved"


@pytest.mark.parametrize("source", S.values)
def test_every_other_move_is_refused_by_the_plain_transition(
    source, police_request, subpoena_request, reviewer, approver, counsel
):
    request = walk_to(
        source,
        request=police_request,
        reviewer=reviewer,
        approver=approver,
        counsel=counsel,
        subpoena=subpoena_request,
    )
    before = Request.objects.get(pk=request.pk).status
    refused = [target for (s, target) in NOT_GENERIC if s == source]
    assert refused
    for target in refused:
        with pytest.raises(Conflict):
            services.request_transition(actor=approver, request=request, to=target)
        assert Request.objects.get(pk=request.pk).status == before, target


def test_a_move_is_refused_to_a_role_not_in_the_table(
    police_request, intake_clerk, auditor
):
    with pytest.raises(Forbidden):
        services.review_start(actor=intake_clerk, request=police_request)
    with pytest.raises(Forbidden):
        services.request_transition(
            actor=auditor, request=police_request, to=S.WITHDRAWN
        )
    police_request.refresh_from_db()
    assert police_request.status == S.RECEIVED


def test_a_system_actor_may_close_a_released_request_but_not_start_a_review(
    released, csed_request
):
    services.request_transition(actor="system:retention", request=released, to=S.CLOSED)
    released.refresh_from_db()
    assert released.status == S.CLOSED
    with pytest.raises(Forbidden):
        services.review_start(actor="system:anything", request=csed_request)


def test_a_move_from_a_stale_page_is_a_conflict(
    police_request, reviewer, second_reviewer
):
    stale = Request.objects.get(pk=police_request.pk)
    services.review_start(actor=reviewer, request=police_request)
    with pytest.raises(Conflict):
        services.review_start(actor=second_reviewer, request=stale)
    assert (
        Review.objects.filter(request=police_request, closed_at__isnull=True).count()
        == 1
    )


def test_the_database_allows_one_open_review_per_request(police_request, reviewer):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    review = services.review_start(actor=reviewer, request=police_request)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            request=police_request,
            opened_at=timezone.now(),
            acknowledge_by=review.acknowledge_by,
            due_at=review.due_at,
        )


def test_a_denied_request_can_be_reopened_with_a_reason(police_request, reviewer):
    walk_to(
        S.DENIED, request=police_request, reviewer=reviewer, approver=None, counsel=None
    )
    with pytest.raises(Exception, match="reason|Say why"):
        services.review_reopen(actor=reviewer, request=police_request, reason=" ")
    services.review_reopen(
        actor=reviewer,
        request=police_request,
        reason="The requester sent a judge's order.",
    )
    police_request.refresh_from_db()
    assert police_request.status == S.IN_REVIEW
    assert Review.objects.filter(request=police_request).count() == 2
    assert (
        Review.objects.filter(request=police_request, closed_at__isnull=True).count()
        == 1
    )


def test_withdrawing_closes_the_open_review(police_request, reviewer):
    services.review_start(actor=reviewer, request=police_request)
    services.request_transition(
        actor=reviewer,
        request=police_request,
        to=S.WITHDRAWN,
        reason="Withdrawn by the requester by phone.",
    )
    assert not Review.objects.filter(
        request=police_request, closed_at__isnull=True
    ).exists()


def test_assignment_goes_to_a_reviewer_or_counsel_only(
    police_request, reviewer, counsel, approver, intake_clerk
):
    from django.core.exceptions import ValidationError

    services.review_start(actor=reviewer, request=police_request)
    review = services.review_assign(
        actor=intake_clerk, request=police_request, assignee=counsel
    )
    assert review.assigned_to == counsel
    with pytest.raises(ValidationError):
        services.review_assign(
            actor=reviewer, request=police_request, assignee=approver
        )
    assert "review.assigned" in audit_actions_for(police_request)
