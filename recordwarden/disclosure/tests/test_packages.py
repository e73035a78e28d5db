"""Building a package when a release becomes final: what goes in, what stays out, the
hashes on the audit log, the watermark on every page, and failing closed."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest

from recordwarden.disclosure import constants as c
from recordwarden.disclosure.models import AccountingEntry, DisclosurePackage
from recordwarden.disclosure.services import package_build, package_files
from recordwarden.intake.constants import RequestStatus
from recordwarden.review.constants import DecisionState

from .conftest import (
    GARCIA,
    KELLER,
    ORTEGA,
    PERIOD,
    audit_entries,
    package_document,
    pdf_pages,
)

pytestmark = pytest.mark.django_db


def test_a_final_release_builds_a_package_of_exactly_the_approved_elements(
    police_request, release
):
    decision = release(
        police_request,
        {"employer": "approve", "wages": "approve", "claim_dates": "deny"},
    )
    package = DisclosurePackage.objects.get(decision=decision)
    assert package.elements == ["employer", "wages"]
    assert package.subject_count == 1
    doc = package_document(package)
    assert [e["key"] for e in doc["elements"]] == ["employer", "wages"]
    (subject,) = doc["subjects"]
    assert set(subject["data"]) == {"employer", "wages"}
    assert {e["fein"] for e in subject["data"]["employer"]} == {
        "85-0123456",
        "85-0999111",
    }
    assert [
        (w["year"], w["quarter"], w["wages"]) for w in subject["data"]["wages"]
    ] == [
        (2025, 1, "9100.00"),
        (2025, 2, "9350.50"),
        (2025, 3, "4000.00"),
    ]
    text = "\n".join(
        package_files(package).get(f"{package.reference}.csv").decode().splitlines()
    )
    assert (
        "Keller" not in text and "525-44-1234" not in text
    )  # name and SSN not released


def test_the_hash_and_element_list_go_on_the_audit_log(police_request, release):
    decision = release(police_request, {"employer": "approve", "wages": "approve"})
    package = decision.package
    (entry,) = audit_entries(c.PACKAGE_BUILT, package)
    files = package_files(package)
    assert (
        entry.data["sha256"]
        == hashlib.sha256(files[f"{package.reference}.json"]).hexdigest()
    )
    assert (
        entry.data["pdf_sha256"]
        == hashlib.sha256(files[f"{package.reference}.pdf"]).hexdigest()
    )
    assert (
        entry.data["csv_sha256"]
        == hashlib.sha256(files[f"{package.reference}.csv"]).hexdigest()
    )
    assert entry.data["elements"] == ["employer", "wages"]
    assert entry.data["subjects"] == 1
    assert entry.data["decision"] == decision.pk


def test_the_request_is_released_and_the_accounting_written_in_the_same_step(
    police_request, release, workers_on_file
):
    decision = release(police_request, {"employer": "approve", "wages": "approve"})
    police_request.refresh_from_db()
    assert police_request.status == RequestStatus.RELEASED
    (entry,) = AccountingEntry.objects.filter(package=decision.package)
    assert entry.worker == workers_on_file["Keller"]
    assert "Albuquerque Police Department" in entry.recipient_name
    assert "Embezzlement investigation" in entry.purpose
    assert police_request.reference in entry.purpose
    assert entry.description == (
        "Employer (quarters 2025 Q1 to 2025 Q4); "
        "Quarterly wages (quarters 2025 Q1 to 2025 Q4)"
    )
    assert audit_entries(c.ACCOUNTING_RECORDED, decision.package)


def test_wages_without_the_employer_element_do_not_name_the_employer(
    police_request, release
):
    decision = release(police_request, {"employer": "deny", "wages": "approve"})
    package = decision.package
    doc = package_document(package)
    labels = {w["employer"] for w in doc["subjects"][0]["data"]["wages"]}
    assert labels == {"Employer 1", "Employer 2"}
    everything = b"".join(package_files(package).values())
    assert b"85-0123456" not in everything and b"Sandia Widget" not in everything


def test_every_pdf_page_carries_the_reference_and_the_recipient(
    submit, requester_police, workers_on_file, release, tmp_path
):
    request = submit(
        requester_police,
        instrument="judicial_warrant",
        case_number="26-1",
        purpose="criminal_investigation",
        elements=["employer", "wages"],
        instrument_subject_count=3,
        subjects=[KELLER, ORTEGA, GARCIA],
        purpose_text="Fraud ring.",
        **PERIOD,
    )
    decision = release(request, {"employer": "approve", "wages": "approve"})
    package = decision.package
    assert package.subject_count == 3
    pages = pdf_pages(package_files(package)[f"{package.reference}.pdf"], tmp_path)
    assert len(pages) >= 4  # cover letter and one page per person
    for text in pages:
        flat = " ".join(text.split())
        assert request.reference in flat
        assert "Albuquerque Police Department" in flat


def test_the_content_is_encrypted_at_rest_and_never_rebuilt_from_live_records(
    police_request, release, workers_on_file
):
    from recordwarden.records.models import WageRecord

    decision = release(police_request, {"employer": "approve", "wages": "approve"})
    package = DisclosurePackage.objects.get(pk=decision.package.pk)
    for blob in (package.json_encrypted, package.csv_encrypted, package.pdf_encrypted):
        assert b"9100.00" not in bytes(blob) and b"Sandia" not in bytes(blob)
    before = package_files(package)
    WageRecord.objects.filter(worker=workers_on_file["Keller"]).update(wages_cents=1)
    again = package_build(actor="system:test", decision=decision)
    assert again.pk == package.pk
    assert package_files(again) == before
    assert b"9100.00" in before[f"{package.reference}.csv"]


def test_the_csv_says_what_the_json_says(police_request, release):
    decision = release(police_request, {"employer": "approve", "wages": "approve"})
    package = decision.package
    rows = list(
        csv.DictReader(
            io.StringIO(package_files(package)[f"{package.reference}.csv"].decode())
        )
    )
    assert {r["element"] for r in rows} == {"employer", "wages"}
    wages = [
        r["value"] for r in rows if r["element"] == "wages" and r["field"] == "wages"
    ]
    assert wages == ["9100.00", "9350.50", "4000.00"]
    assert {r["package"] for r in rows} == {package.reference}


def test_a_release_with_no_confirmed_person_fails_closed(
    police_request, release, reviewer
):
    """The match is rejected after the decision: the approver's signature cannot make
    the release final, and nothing is built or released."""
    from recordwarden.core.exceptions import Conflict
    from recordwarden.matching.models import SubjectMatch
    from recordwarden.matching.services import match_reject
    from recordwarden.review.models import Decision
    from recordwarden.review.services import decision_sign, review_decide, review_start

    review_start(actor=reviewer, request=police_request)
    police_request.refresh_from_db()
    decision = review_decide(
        actor=reviewer,
        request=police_request,
        kind="release",
        elements={"employer": {"action": "approve"}, "wages": {"action": "approve"}},
    )
    match = SubjectMatch.objects.get(subject__request=police_request)
    match_reject(actor=reviewer, subject_match=match)
    from conftest import make_staff

    approver = make_staff("approver-x", "approver")
    with pytest.raises(Conflict, match="No person named in this request is confirmed"):
        decision_sign(actor=approver, decision=decision, role="approver")
    decision = Decision.objects.get(pk=decision.pk)
    assert decision.state == DecisionState.PENDING
    assert decision.signatures.count() == 1
    police_request.refresh_from_db()
    assert police_request.status == RequestStatus.AWAITING_APPROVAL
    assert not DisclosurePackage.objects.exists()
    assert not audit_entries(c.PACKAGE_BUILT)


def test_a_pending_or_denied_decision_builds_nothing(police_request, reviewer):
    from recordwarden.core.exceptions import Conflict
    from recordwarden.review.services import review_decide, review_start

    review_start(actor=reviewer, request=police_request)
    police_request.refresh_from_db()
    decision = review_decide(
        actor=reviewer,
        request=police_request,
        kind="release",
        elements={"employer": {"action": "approve"}},
    )
    with pytest.raises(Conflict, match="not final"):
        package_build(actor="system:test", decision=decision)
    assert not DisclosurePackage.objects.exists()


def test_the_requester_is_told_by_mail_without_a_link(
    police_request, release, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        release(police_request, {"employer": "approve", "wages": "approve"})
    mail = [m for m in mailoutbox if "Records ready" in m.subject]
    assert len(mail) == 1
    assert mail[0].to == ["dwhitehorse@abqpd.example.gov"]
    assert "/disclosure/download/" not in mail[0].body


def test_people_keep_their_place_in_the_request_and_an_unconfirmed_one_is_left_out(
    submit, requester_police, workers_on_file, reviewer, approver, counsel
):
    """Ortega (second in the request) is rejected as a match after the decision was
    taken on all three, so only the first and the third are in the package."""
    from recordwarden.matching.models import SubjectMatch
    from recordwarden.matching.services import match_reject
    from recordwarden.review.services import decision_sign, review_decide, review_start

    request = submit(
        requester_police,
        instrument="judicial_warrant",
        case_number="26-3",
        purpose="criminal_investigation",
        elements=["employer", "wages"],
        instrument_subject_count=3,
        subjects=[KELLER, ORTEGA, GARCIA],
        purpose_text="Fraud ring.",
        **PERIOD,
    )
    review_start(actor=reviewer, request=request)
    request.refresh_from_db()
    decision = review_decide(
        actor=reviewer,
        request=request,
        kind="release",
        elements={"employer": {"action": "approve"}, "wages": {"action": "approve"}},
    )
    ortega = SubjectMatch.objects.get(
        subject__request=request, subject__last_name="Ortega"
    )
    match_reject(actor=reviewer, subject_match=ortega)
    decision = decision_sign(actor=approver, decision=decision, role="approver")
    doc = package_document(decision.package)
    assert [s["position"] for s in doc["subjects"]] == [1, 3]
    assert "6120.00" not in str(doc)  # Ortega's wages
    assert decision.package.subject_count == 2
    assert set(
        decision.package.accounting_entries.values_list("worker__last_name", flat=True)
    ) == {
        "Keller",
        "Garcia",
    }


def test_a_name_and_an_address_narrowed_to_city_and_state(
    police_request, release, tmp_path
):
    decision = release(
        police_request, {"name": "approve", "address": "narrow", "employer": "approve"}
    )
    package = decision.package
    data = package_document(package)["subjects"][0]["data"]
    assert data["name"]["full"] == "Thomas A Keller"
    assert data["address"] == {"city": "Albuquerque", "state": "NM"}
    files = package_files(package)
    assert b"12 Elm St" not in files[f"{package.reference}.csv"]
    text = " ".join(
        " ".join(pdf_pages(files[f"{package.reference}.pdf"], tmp_path)).split()
    )
    assert "Thomas A Keller" in text and "12 Elm St" not in text
    by_key = {e["key"]: e for e in package_document(package)["elements"]}
    assert by_key["address"]["fields"] == ["city", "state"]
