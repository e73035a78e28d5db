"""Screening: stored, repeatable and quick; related requests and the re-ask after a
denial; call-backs to the number on file; identity checks."""

from __future__ import annotations

import pytest

from recordwarden.core.exceptions import Forbidden
from recordwarden.review import services
from recordwarden.review.callbacks import callback_record, task_complete
from recordwarden.review.constants import NotificationKind
from recordwarden.review.models import (
    Notification,
    RequestEvent,
    Review,
    Screening,
    Task,
)
from recordwarden.review.screening import screening_run

from .conftest import KELLER, audit_actions_for

pytestmark = pytest.mark.django_db


def test_screening_is_stored_repeatable_and_well_under_a_second(
    police_request, reviewer
):
    first = Screening.objects.filter(request=police_request).get()
    second = screening_run(actor=reviewer, request=police_request)
    assert Screening.objects.filter(request=police_request).count() == 2
    assert second.recommendation == first.recommendation == "review"
    assert second.flags == first.flags == []
    assert second.elements["employer"]["outcome"] == "permit"
    assert second.elements["employer"]["rule_ids"]
    assert second.subjects[0]["outcome"] == "match"
    assert set(second.timings) >= {"trust", "matching", "related", "policy", "store"}
    assert 0 < second.duration_ms < 1000
    assert second.policy_version
    assert audit_actions_for(police_request).count("review.screened") == 2


def test_screening_opens_one_review_with_its_deadlines(police_request, reviewer):
    screening_run(actor=reviewer, request=police_request)
    review = Review.objects.get(request=police_request)
    assert review.acknowledge_by < review.due_at
    assert review.due_at > police_request.received_at


def test_a_denied_ask_re_sent_to_another_inbox_is_a_re_ask(agencies, ingest, reviewer):
    first = ingest("01-direct-access.eml", inbox="records@dws.example.nm.gov").request
    services.review_start(actor=reviewer, request=first)
    denial = services.review_decide(
        actor=reviewer,
        request=first,
        kind="deny",
        reason_codes=["bulk_or_standing_access"],
    )
    again = ingest("02-re-ask-other-staff.eml", inbox="k.tafoya@dws.example.nm.gov")
    assert again.request_id == first.pk
    screening = Screening.objects.filter(request=first).first()
    assert "re_ask_after_denial" in screening.flags
    assert screening.re_ask["decision"] == denial.pk
    assert screening.re_ask["inboxes"] == ["k.tafoya@dws.example.nm.gov"]
    note = Notification.objects.get(kind=NotificationKind.RE_ASK_AFTER_DENIAL)
    assert note.recipient_role == "approver" and note.read_at is None
    assert RequestEvent.objects.filter(request=first, kind="re_ask").count() == 1
    # Screening again does not notify again.
    screening_run(actor=reviewer, request=first)
    assert Notification.objects.filter(kind="re_ask_after_denial").count() == 1


def test_no_re_ask_before_any_denial(agencies, ingest):
    request = ingest("01-direct-access.eml").request
    ingest("02-re-ask-other-staff.eml", inbox="k.tafoya@dws.example.nm.gov")
    screening = Screening.objects.filter(request=request).first()
    assert "re_ask_after_denial" not in screening.flags
    assert "multiple_inboxes" in screening.flags
    assert not Notification.objects.filter(kind="re_ask_after_denial").exists()


@pytest.fixture
def weeks_ago(monkeypatch):
    """Run a block 40 days in the past (the clock is the one thing we may mock)."""
    import contextlib
    import datetime as dt

    from django.utils import timezone

    real_now = timezone.now

    @contextlib.contextmanager
    def _past():
        monkeypatch.setattr(timezone, "now", lambda: real_now() - dt.timedelta(days=40))
        try:
            yield
        finally:
            monkeypatch.setattr(timezone, "now", real_now)

    return _past


def test_the_same_requester_asking_again_about_the_same_person_is_a_re_ask(
    submit, requester_police, reviewer, workers_on_file, weeks_ago
):
    """Weeks after a denial (too late to join the old case) the same officer asks again
    about the same man: a new case, flagged, linked to the denial."""
    with weeks_ago():
        earlier = submit(
            requester_police,
            instrument="none",
            purpose="criminal_investigation",
            elements=["address"],
            subjects=[KELLER],
            purpose_text="Need his address.",
        )
        services.review_start(actor=reviewer, request=earlier)
        services.review_decide(
            actor=reviewer, request=earlier, kind="deny", reason_codes=["not_judicial"]
        )
    again = submit(
        requester_police,
        instrument="none",
        purpose="criminal_investigation",
        elements=["address"],
        subjects=[KELLER],
        purpose_text="Need his home address for an interview.",
    )
    assert again.pk != earlier.pk
    screening = Screening.objects.filter(request=again).first()
    assert "re_ask_after_denial" in screening.flags
    assert screening.re_ask["reference"] == earlier.reference
    related = {r["reference"]: r["relations"] for r in screening.related}
    assert {"same_requester", "same_subject", "earlier_denial"} <= set(
        related[earlier.reference]
    )
    assert Notification.objects.filter(
        kind="re_ask_after_denial", request=again
    ).exists()


def test_the_same_ask_denied_in_one_case_and_answered_in_it_again_is_a_re_ask(
    police_request, submit, requester_police, reviewer
):
    """Within the joining window the repeat joins the denied case: still a re-ask."""
    services.review_start(actor=reviewer, request=police_request)
    services.review_decide(
        actor=reviewer,
        request=police_request,
        kind="deny",
        reason_codes=["no_legal_basis"],
    )
    again = submit(
        requester_police,
        instrument="none",
        purpose="criminal_investigation",
        elements=["address"],
        subjects=[KELLER],
        purpose_text="Need his home address for an interview.",
    )
    assert again.pk == police_request.pk
    screening = Screening.objects.filter(request=again).first()
    assert "re_ask_after_denial" in screening.flags


def test_another_person_at_the_agency_naming_an_employer_is_related_not_a_re_ask(
    agencies, ingest, reviewer
):
    """Example 05 after 01/02 were denied: same agency and employer, different
    requester, no named person: shown as related, not flagged."""
    first = ingest("01-direct-access.eml").request
    services.review_start(actor=reviewer, request=first)
    services.review_decide(
        actor=reviewer,
        request=first,
        kind="deny",
        reason_codes=["bulk_or_standing_access"],
    )
    ingest("02-re-ask-other-staff.eml", inbox="k.tafoya@dws.example.nm.gov")
    later = ingest("05-civil-immigration-as-criminal.eml").request
    screening = Screening.objects.filter(request=later).first()
    assert "re_ask_after_denial" not in screening.flags
    related = {r["reference"]: set(r["relations"]) for r in screening.related}
    assert {"same_agency", "same_employer", "earlier_denial"} <= related[
        first.reference
    ]


def test_an_unrelated_request_has_no_related_requests(police_request, csed_request):
    screening = Screening.objects.filter(request=csed_request).first()
    assert screening.related == []


def test_an_emergency_gets_a_call_back_to_the_number_on_file(
    agencies, ingest, intake_clerk
):
    request = ingest("06-spoofed-emergency.eml").request
    task = Task.objects.get(request=request, kind="emergency_callback")
    assert (task.due_at - request.received_at).total_seconds() == 3600
    assert Notification.objects.filter(
        request=request, kind="emergency", recipient_role="intake_clerk"
    ).exists()
    sheriff = agencies["dona-ana-sheriff"]
    callback_record(
        actor=intake_clerk,
        task=task,
        agency=sheriff,
        answered_by="Dispatcher L. Ortiz",
        confirmed=False,
        notes="No Sgt. Hale; no such case.",
    )
    task.refresh_from_db()
    # The number dialled is the registry's, not the one in the message (575-555-0199).
    assert task.phone_called == sheriff.phone_on_file == "+1-575-555-0140"
    request.refresh_from_db()
    assert request.emergency_verified_at is None
    screening = Screening.objects.filter(request=request).first()
    assert "callback_not_confirmed" in screening.flags
    assert screening.recommendation == "deny"
    assert "review.callback_recorded" in audit_actions_for(request)
    # The refusal stands: no new call-back is opened by screening again.
    screening_run(actor=intake_clerk, request=request)
    assert not Task.objects.filter(request=request, done_at__isnull=True).exists()


def test_a_confirmed_call_back_verifies_the_emergency_and_screens_again(
    submit, requester_police, intake_clerk, agencies, workers_on_file
):
    request = submit(
        requester_police,
        instrument="none",
        purpose="emergency",
        emergency=True,
        elements=["address"],
        subjects=[KELLER],
        purpose_text="Imminent danger to life.",
    )
    assert "emergency_unverified" in Screening.objects.filter(request=request)[0].flags
    task = Task.objects.get(request=request, kind="emergency_callback")
    before = Screening.objects.filter(request=request).count()
    callback_record(
        actor=intake_clerk,
        task=task,
        agency=agencies["abq-police"],
        answered_by="Lt. R. Chavez",
        confirmed=True,
    )
    request.refresh_from_db()
    assert request.emergency_verified_at is not None
    latest = Screening.objects.filter(request=request).first()
    assert Screening.objects.filter(request=request).count() == before + 1
    assert "emergency_unverified" not in latest.flags
    assert latest.elements["address"]["outcome"] in ("permit", "escalate")


def test_only_a_clerk_or_reviewer_records_a_call_back(
    agencies, ingest, approver, auditor
):
    request = ingest("06-spoofed-emergency.eml").request
    task = Task.objects.get(request=request, kind="emergency_callback")
    for person in (approver, auditor):
        with pytest.raises(Forbidden):
            callback_record(
                actor=person,
                task=task,
                agency=agencies["dona-ana-sheriff"],
                answered_by="x",
                confirmed=True,
            )


def test_an_unverified_sender_gets_a_requester_call_back(agencies, ingest):
    request = ingest("08-clerk-subpoena.eml").request
    assert Task.objects.filter(request=request, kind="requester_callback").exists()


def test_a_worker_is_verified_before_their_own_records(agencies, ingest, intake_clerk):
    request = ingest("07-worker-own-records.eml").request
    screening = Screening.objects.filter(request=request).first()
    assert "identity_unverified" in screening.flags
    task = Task.objects.get(request=request, kind="identity_check")
    task_complete(
        actor=intake_clerk,
        task=task,
        confirmed=True,
        notes="Claim ID and date of birth matched; called the phone on the claim.",
    )
    latest = Screening.objects.filter(request=request).first()
    assert "identity_unverified" not in latest.flags
    assert latest.recommendation == "self"
