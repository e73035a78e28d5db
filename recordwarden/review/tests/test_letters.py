"""Letters: real PDFs from versioned templates, kept as issued, citing the findings, and
never saying whether a person is in the records."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core import mail

from recordwarden.review import services
from recordwarden.review.letters import letter_html, letter_issue, letters_dispatch
from recordwarden.review.models import Letter, RequestEvent

from .conftest import audit_actions_for

pytestmark = pytest.mark.django_db


def deny(request, reviewer, codes=("no_legal_basis",)):
    services.review_start(actor=reviewer, request=request)
    return services.review_decide(
        actor=reviewer, request=request, kind="deny", reason_codes=list(codes)
    )


def body_text(html: str, reference: str) -> str:
    """The letter's words, with the parts that differ by case (reference, date) out."""
    text = re.sub(r"<[^>]+>", " ", html)
    text = text.replace(reference, "REF")
    return " ".join(text.split())


def test_the_founding_denial_cites_its_rules_and_states_the_case_by_case_stance(
    agencies, ingest, reviewer
):
    request = ingest("01-direct-access.eml").request
    decision = deny(
        request, reviewer, ["bulk_or_standing_access", "no_specific_subject"]
    )
    html = letter_html(decision, "denial")
    assert "case by case" in html
    assert "specifically identifiable criminal conduct" in html
    assert "direct, standing or bulk access" in html
    # The request names no elements: the denial cites the forbids that bar any release.
    assert decision.rule_ids and "guard.bulk-or-standing-access" in decision.rule_ids
    for citation in decision.citations:
        assert citation in html
    assert "does not confirm or deny" in html


def test_a_denial_reads_the_same_whether_or_not_the_person_is_on_file(
    submit, requester_police, reviewer, second_reviewer, workers_on_file
):
    on_file = submit(
        requester_police,
        instrument="none",
        purpose="other",
        elements=["address"],
        purpose_text="Address please.",
        subjects=[
            {
                "first_name": "Thomas",
                "middle_name": "A",
                "last_name": "Keller",
                "dob": dt.date(1979, 7, 2),
            }
        ],
    )
    not_on_file = submit(
        requester_police,
        instrument="none",
        purpose="other",
        elements=["address"],
        purpose_text="Address please.",
        subjects=[
            {
                "first_name": "Nadie",
                "last_name": "Ningunlado",
                "dob": dt.date(1970, 1, 1),
            }
        ],
    )
    assert on_file.pk != not_on_file.pk
    one = deny(on_file, reviewer)
    other = deny(not_on_file, second_reviewer)
    assert one.screening.subjects[0]["outcome"] == "match"
    assert other.screening.subjects[0]["outcome"] == "none"
    first = body_text(letter_html(one, "denial"), on_file.reference)
    second = body_text(letter_html(other, "denial"), not_on_file.reference)
    first = first.replace(reviewer.username, "SIGNER")
    second = second.replace(second_reviewer.username, "SIGNER")
    assert first == second
    assert "Keller" not in first


def test_a_letter_is_a_real_pdf_kept_with_its_hash_and_audited(
    agencies, ingest, reviewer
):
    request = ingest("01-direct-access.eml").request
    decision = deny(request, reviewer)
    letter = letter_issue(actor=reviewer, decision=decision)
    pdf = bytes(letter.pdf)
    assert pdf.startswith(b"%PDF-")
    assert letter.sha256 == hashlib.sha256(pdf).hexdigest()
    assert letter.template == "letters/denial.v1.html"
    assert letter_issue(actor=reviewer, decision=decision).pk == letter.pk  # once
    assert "review.letter_issued" in audit_actions_for(request)


def test_the_quash_letter_answers_a_clerk_subpoena_under_603_7(
    subpoena_request, reviewer
):
    services.review_start(actor=reviewer, request=subpoena_request)
    decision = services.review_decide(
        actor=reviewer, request=subpoena_request, kind="quash"
    )
    html = letter_html(decision, "quash")
    assert "20 CFR 603.7" in html and "motion to quash" in html
    assert "D-101-DM-2026-0212" in html
    assert "Lopez" not in html


def test_the_approval_letter_lists_only_what_is_released(
    police_request, reviewer, approver
):
    services.review_start(actor=reviewer, request=police_request)
    decision = services.review_decide(
        actor=reviewer,
        request=police_request,
        kind="release",
        elements={"employer": {"action": "approve"}, "wages": {"action": "deny"}},
    )
    decision = services.decision_sign(
        actor=approver, decision=decision, role="approver"
    )
    html = letter_html(decision, "approval")
    released = html[html.index("Released") : html.index("Not released")]
    assert "Employer" in released and "Quarterly wages" not in released
    assert "approved in part" in html


def test_the_outbox_sends_each_letter_once(agencies, ingest, reviewer):
    request = ingest("01-direct-access.eml").request
    deny(request, reviewer)
    assert letters_dispatch() == 1
    assert letters_dispatch() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rdelgado@ice.example.gov"]
    assert message.attachments[0][2] == "application/pdf"
    assert Letter.objects.filter(request=request).count() == 1
    event = RequestEvent.objects.get(request=request, kind="decided")
    assert event.letters_done_at is not None


def test_the_requester_downloads_their_letter_and_nobody_else_can(
    submit, requester_ice, requester_police, reviewer, client_for
):
    request = submit(
        requester_ice,
        instrument="administrative_subpoena",
        purpose="civil_immigration",
        elements=["address"],
        subjects=[
            {"first_name": "Ana", "last_name": "Ruiz", "dob": dt.date(1990, 5, 5)}
        ],
        purpose_text="Form I-138 attached.",
    )
    decision = deny(request, reviewer, ["civil_immigration"])
    letter = letter_issue(actor=reviewer, decision=decision)
    url = f"/review/letters/{request.reference}/{letter.pk}.pdf"
    mine = client_for(requester_ice).get(url)
    assert mine.status_code == 200 and mine.content.startswith(b"%PDF-")
    assert client_for(requester_police).get(url).status_code == 404
    missing = f"/review/letters/{request.reference}/{letter.pk + 99}.pdf"
    assert client_for(requester_ice).get(missing).status_code == 404
    assert client_for(reviewer).get(url).status_code == 403
