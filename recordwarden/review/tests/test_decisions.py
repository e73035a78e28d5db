"""Decisions and signatures: what the policy does not permit is never approved, whatever
the door; a release needs two different people, one an approver, and counsel too when
escalated; racing reviewers cannot both decide; every decision is data."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conftest import login_verified
from recordwarden.core.exceptions import Conflict, Forbidden
from recordwarden.intake.constants import RequestStatus as S
from recordwarden.intake.models import Request
from recordwarden.review import services
from recordwarden.review.constants import DecisionState, EventKind
from recordwarden.review.models import Decision, RequestEvent, Review, Signature

from .conftest import KELLER, audit_actions_for

pytestmark = pytest.mark.django_db

BOTH = {"employer": {"action": "approve"}, "wages": {"action": "approve"}}


@pytest.fixture
def in_review(police_request, reviewer):
    services.review_start(actor=reviewer, request=police_request)
    return police_request


@pytest.fixture
def ice_civil(submit, requester_ice, workers_on_file):
    """Civil immigration enforcement on an administrative subpoena, naming one person on
    file: the policy forbids every element."""
    return submit(
        requester_ice,
        instrument="administrative_subpoena",
        purpose="civil_immigration",
        elements=["address", "employer"],
        instrument_subject_count=1,
        subjects=[KELLER],
        purpose_text="Removal proceedings; DHS Form I-138 attached.",
    )


def test_the_police_warrant_is_permitted_for_employer_and_wages(in_review):
    from recordwarden.policy.selectors import element_allowed

    assert element_allowed(in_review, "employer")
    assert element_allowed(in_review, "wages")


def test_a_release_records_who_what_why_and_waits_for_the_approver(in_review, reviewer):
    decision = services.review_decide(
        actor=reviewer,
        request=in_review,
        kind="release",
        elements={
            "employer": {"action": "approve"},
            "wages": {"action": "narrow", "narrowing": "Q1-Q2 2026 only"},
        },
        reasons="Warrant names him; quarters limited to the warrant.",
    )
    in_review.refresh_from_db()
    assert in_review.status == S.AWAITING_APPROVAL
    assert decision.state == DecisionState.PENDING
    assert decision.kind == "partial"
    assert decision.decided_by == reviewer
    assert decision.policy_version
    assert decision.rule_ids and decision.citations
    rows = {e.element: e for e in decision.elements.all()}
    assert rows["wages"].narrowing == "Q1-Q2 2026 only"
    assert rows["employer"].policy_outcome == "permit" and rows["employer"].rule_ids
    assert [s.role for s in decision.signatures.all()] == ["reviewer"]
    assert audit_actions_for(in_review)[-1] == "review.decided"


def test_it_refuses_release_without_two_signatures(in_review, reviewer, approver):
    decision = services.review_decide(
        actor=reviewer, request=in_review, kind="release", elements=BOTH
    )
    in_review.refresh_from_db()
    assert in_review.status == S.AWAITING_APPROVAL  # one signature is not a release
    services.decision_sign(actor=approver, decision=decision, role="approver")
    in_review.refresh_from_db()
    decision.refresh_from_db()
    # Approved, and in the same transaction the package is built and the request
    # released (disclosure's move): the timeline shows both steps.
    assert in_review.status == S.RELEASED and decision.state == DecisionState.FINAL
    moves = list(
        RequestEvent.objects.filter(request=in_review, kind="transition").values_list(
            "from_status", "to_status", "actor"
        )
    )
    assert moves[-2][:2] == (S.AWAITING_APPROVAL, S.APPROVED)
    assert moves[-1][:2] == (S.APPROVED, S.RELEASED)
    assert moves[-1][2].startswith("system:")
    assert not Review.objects.filter(request=in_review, closed_at__isnull=True).exists()
    event = RequestEvent.objects.filter(
        request=in_review, kind=EventKind.DECIDED
    ).last()
    assert event.data["letter"] == "approval"
    from recordwarden.review.models import Notification

    note = Notification.objects.get(dedupe_key=f"sign:{decision.pk}")
    assert note.read_at is not None  # nothing left to sign in the approver's list
    assert "review.signed" in audit_actions_for(in_review)


def test_one_person_cannot_sign_twice(in_review, reviewer_approver):
    decision = services.review_decide(
        actor=reviewer_approver, request=in_review, kind="release", elements=BOTH
    )
    with pytest.raises(Forbidden, match="already signed"):
        services.decision_sign(
            actor=reviewer_approver, decision=decision, role="approver"
        )
    assert Signature.objects.filter(decision=decision).count() == 1
    in_review.refresh_from_db()
    assert in_review.status == S.AWAITING_APPROVAL


def test_the_database_refuses_a_second_signature_by_the_same_person(
    in_review, reviewer
):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    decision = services.review_decide(
        actor=reviewer, request=in_review, kind="release", elements=BOTH
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            decision=decision,
            signer=reviewer,
            role="approver",
            signed_at=timezone.now(),
        )


def test_only_an_approver_or_counsel_signs(
    in_review, reviewer, second_reviewer, intake_clerk
):
    decision = services.review_decide(
        actor=reviewer, request=in_review, kind="release", elements=BOTH
    )
    for person in (second_reviewer, intake_clerk):
        with pytest.raises(Forbidden):
            services.decision_sign(actor=person, decision=decision, role="approver")
    with pytest.raises(Conflict, match="no counsel"):
        from conftest import make_staff

        services.decision_sign(
            actor=make_staff("c2", "counsel"), decision=decision, role="counsel"
        )


def test_escalated_elements_need_counsel_and_approver(
    submit, requester_ice, reviewer, counsel, approver, workers_on_file
):
    """An immigration agency's criminal case on a judicial warrant: the policy permits it
    only with escalation (civil enforcement is often described as criminal)."""
    from recordwarden.policy.selectors import requires_escalation

    request = submit(
        requester_ice,
        instrument="judicial_warrant",
        case_number="HSI-2026-0441",
        purpose="criminal_investigation",
        elements=["employer"],
        instrument_subject_count=1,
        subjects=[KELLER],
        purpose_text="Wire fraud investigation; search warrant signed by a judge.",
    )
    assert requires_escalation(request, "employer")
    services.review_start(actor=reviewer, request=request)
    decision = services.review_decide(
        actor=reviewer,
        request=request,
        kind="release",
        elements={"employer": {"action": "approve"}},
    )
    assert decision.escalated
    services.decision_sign(actor=approver, decision=decision, role="approver")
    request.refresh_from_db()
    assert request.status == S.AWAITING_APPROVAL  # reviewer and approver are not enough
    services.decision_sign(actor=counsel, decision=decision, role="counsel")
    request.refresh_from_db()
    assert request.status == S.RELEASED
    assert sorted(s.role for s in decision.signatures.all()) == [
        "approver",
        "counsel",
        "reviewer",
    ]


def test_nobody_approves_a_forbidden_element_through_a_service(ice_civil, reviewer):
    services.review_start(actor=reviewer, request=ice_civil)
    with pytest.raises(Forbidden, match="does not permit"):
        services.review_decide(
            actor=reviewer,
            request=ice_civil,
            kind="release",
            elements={"address": {"action": "approve"}},
        )
    ice_civil.refresh_from_db()
    assert ice_civil.status == S.IN_REVIEW
    assert not Decision.objects.filter(request=ice_civil).exists()


def test_nobody_approves_a_forbidden_element_through_the_page(
    ice_civil, reviewer, client
):
    services.review_start(actor=reviewer, request=ice_civil)
    login_verified(client, reviewer)
    response = client.post(
        f"/review/{ice_civil.reference}/decide",
        {"kind": "release", "action_address": "approve", "action_employer": "deny"},
    )
    assert response.status_code == 403
    assert b"does not permit" in response.content
    ice_civil.refresh_from_db()
    assert ice_civil.status == S.IN_REVIEW
    assert not Decision.objects.filter(request=ice_civil).exists()


def test_nobody_approves_a_forbidden_element_through_the_api(
    ice_civil, reviewer, client
):
    services.review_start(actor=reviewer, request=ice_civil)
    login_verified(client, reviewer)
    response = client.post(
        f"/api/v1/review/requests/{ice_civil.reference}/decide",
        {"kind": "release", "elements": {"address": {"action": "approve"}}},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not Decision.objects.filter(request=ice_civil).exists()


def test_nothing_is_released_about_a_person_whose_match_is_not_confirmed(
    submit, requester_police, reviewer, workers_on_file
):
    request = submit(
        requester_police,
        instrument="judicial_warrant",
        case_number="26-2",
        purpose="criminal_investigation",
        elements=["employer"],
        instrument_subject_count=1,
        subjects=[
            {"first_name": "Nobody", "last_name": "Onfile", "dob": dt.date(1990, 1, 1)}
        ],
    )
    services.review_start(actor=reviewer, request=request)
    with pytest.raises(Forbidden, match="Confirm each person"):
        services.review_decide(
            actor=reviewer,
            request=request,
            kind="release",
            elements={"employer": {"action": "approve"}},
        )


def test_an_element_not_asked_for_is_never_released(in_review, reviewer):
    with pytest.raises(Forbidden, match="Not asked for"):
        services.review_decide(
            actor=reviewer,
            request=in_review,
            kind="release",
            elements={"address": {"action": "approve"}},
        )


def test_two_racing_reviewers_cannot_both_decide(in_review, reviewer, second_reviewer):
    """The second reviewer acts on the page they loaded before the first decided."""
    stale = Request.objects.get(pk=in_review.pk)
    services.review_decide(
        actor=reviewer, request=in_review, kind="deny", reason_codes=["no_legal_basis"]
    )
    with pytest.raises(Conflict):
        services.review_decide(
            actor=second_reviewer, request=stale, kind="release", elements=BOTH
        )
    assert Decision.objects.filter(request=in_review).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_the_same_moment_in_threads(
    police_request, reviewer, second_reviewer
):
    """Two threads, two connections: exactly one decision lands, the other is told."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip(
            "in-memory SQLite shares one cache across threads; the CAS race is "
            "covered by test_two_racing_reviewers_cannot_both_decide and runs "
            "in threads on PostgreSQL"
        )
    services.review_start(actor=reviewer, request=police_request)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(person, kind):
        from django.db import connections

        request = Request.objects.get(pk=police_request.pk)
        barrier.wait()
        try:
            services.review_decide(
                actor=person,
                request=request,
                kind=kind,
                reason_codes=["no_legal_basis"],
                elements=BOTH,
            )
            outcomes.append("decided")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(reviewer, "deny")),
        threading.Thread(target=decide, args=(second_reviewer, "deny")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "decided"]
    assert Decision.objects.filter(request=police_request).count() == 1


def test_a_denial_is_final_with_reasons_rules_letter_and_closed_review(
    in_review, reviewer
):
    decision = services.review_decide(
        actor=reviewer,
        request=in_review,
        kind="deny",
        reason_codes=["no_legal_basis", "other"],
        reasons="The warrant was not attached.",
    )
    in_review.refresh_from_db()
    assert in_review.status == S.DENIED and in_review.decided_at
    assert decision.state == DecisionState.FINAL
    assert decision.reason_codes == ["no_legal_basis", "other"]
    assert decision.submission_ids
    assert not Review.objects.filter(request=in_review, closed_at__isnull=True).exists()
    event = RequestEvent.objects.filter(
        request=in_review, kind=EventKind.DECIDED
    ).last()
    assert event.data["letter"] == "denial" and event.letters_done_at is None


def test_a_denial_needs_a_reason(in_review, reviewer):
    with pytest.raises(ValidationError):
        services.review_decide(actor=reviewer, request=in_review, kind="deny")
    with pytest.raises(ValidationError):
        services.review_decide(
            actor=reviewer, request=in_review, kind="deny", reason_codes=["other"]
        )
    with pytest.raises(ValidationError):
        services.review_decide(
            actor=reviewer, request=in_review, kind="deny", reason_codes=["because"]
        )


def test_only_a_reviewer_or_counsel_decides(in_review, approver, intake_clerk):
    for person in (approver, intake_clerk):
        with pytest.raises(Forbidden):
            services.review_decide(
                actor=person,
                request=in_review,
                kind="deny",
                reason_codes=["other"],
                reasons="x",
            )


def test_a_motion_to_quash_answers_a_clerk_subpoena_only(
    in_review, subpoena_request, reviewer
):
    with pytest.raises(Conflict, match="clerk-issued"):
        services.review_decide(actor=reviewer, request=in_review, kind="quash")
    services.review_start(actor=reviewer, request=subpoena_request)
    decision = services.review_decide(
        actor=reviewer, request=subpoena_request, kind="quash"
    )
    subpoena_request.refresh_from_db()
    assert subpoena_request.status == S.QUASHED
    assert decision.kind == "quash" and decision.state == DecisionState.FINAL


def test_asking_for_a_judicial_order_keeps_the_case_waiting(in_review, reviewer):
    services.review_decide(
        actor=reviewer,
        request=in_review,
        kind="judicial_order",
        reason_codes=["not_judicial"],
    )
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW
    waiting = Review.objects.get(request=in_review, closed_at__isnull=True)
    assert waiting.waiting_for == "judicial_order"
    # The order arrives: the reviewer can decide on the new review.
    services.review_decide(
        actor=reviewer, request=in_review, kind="release", elements=BOTH
    )


def test_the_approver_can_send_a_release_back(in_review, reviewer, approver):
    decision = services.review_decide(
        actor=reviewer, request=in_review, kind="release", elements=BOTH
    )
    services.decision_return(
        actor=approver,
        decision=decision,
        reason="Narrow wages to the warrant's quarters.",
    )
    in_review.refresh_from_db()
    decision.refresh_from_db()
    assert in_review.status == S.IN_REVIEW and decision.state == DecisionState.RETURNED
    with pytest.raises(Conflict):
        services.decision_sign(actor=approver, decision=decision, role="approver")
    again = services.review_decide(
        actor=reviewer,
        request=in_review,
        kind="release",
        elements={
            "employer": {"action": "approve"},
            "wages": {"action": "narrow", "narrowing": "Q1-Q2 2026"},
        },
    )
    assert again.state == DecisionState.PENDING
    assert "review.decision_returned" in audit_actions_for(in_review)


def test_an_emergency_release_gets_a_re_review_within_24_hours(
    submit,
    requester_police,
    reviewer,
    approver,
    counsel,
    intake_clerk,
    agencies,
    workers_on_file,
):
    from recordwarden.review.callbacks import callback_record
    from recordwarden.review.models import Task

    request = submit(
        requester_police,
        instrument="none",
        purpose="emergency",
        emergency=True,
        elements=["address"],
        subjects=[KELLER],
        purpose_text="Imminent danger: missing child, suspect believed armed.",
    )
    task = Task.objects.get(request=request, kind="emergency_callback")
    callback_record(
        actor=intake_clerk,
        task=task,
        agency=agencies["abq-police"],
        answered_by="Lt. R. Chavez, watch commander",
        confirmed=True,
    )
    request.refresh_from_db()
    assert request.emergency_verified_at is not None
    from recordwarden.policy.selectors import element_allowed

    if not element_allowed(request, "address"):
        pytest.fail("a verified police emergency should permit the address")
    services.review_start(actor=reviewer, request=request)
    decision = services.review_decide(
        actor=reviewer,
        request=request,
        kind="release",
        elements={"address": {"action": "approve"}},
    )
    assert decision.escalated  # emergency contact: counsel and the approver sign
    services.decision_sign(actor=approver, decision=decision, role="approver")
    services.decision_sign(actor=counsel, decision=decision, role="counsel")
    re_review = Task.objects.get(request=request, kind="re_review_24h")
    hours = (
        re_review.due_at - decision.__class__.objects.get(pk=decision.pk).finalized_at
    ).total_seconds() / 3600
    assert hours == pytest.approx(24)


def test_a_narrowing_the_package_cannot_apply_is_refused_when_deciding(
    in_review, reviewer
):
    with pytest.raises(ValidationError, match="quarters"):
        services.review_decide(
            actor=reviewer,
            request=in_review,
            kind="release",
            elements={
                "wages": {"action": "narrow", "narrowing": "only the recent ones"}
            },
        )
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW
