"""The quarterly report on immigration-agency requests and the approver's sign-off."""

from __future__ import annotations

import subprocess

import pytest
from django.core.exceptions import ValidationError

from recordwarden.core.exceptions import Conflict, Forbidden
from recordwarden.transparency.tests.conftest import ORTEGA, PERIOD, sign_checkpoint

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.fixture
def first_quarter(
    clock, workers_on_file, submit, casework, requester_ice, requester_police
):
    """Two immigration-agency requests (denied, then pending) and one police request in
    2025 Q1; a checkpoint signed after the quarter ended."""
    clock.at("2025-02-03 16:00")
    denied = submit(
        requester_ice,
        instrument="administrative_subpoena",
        purpose="civil_immigration",
        elements=["address"],
        instrument_subject_count=1,
        subjects=[ORTEGA],
        **PERIOD,
    )
    clock.advance(days=1)
    casework.deny(denied, "civil_immigration")
    clock.at("2025-03-25 16:00")
    pending = submit(
        requester_ice,
        instrument="administrative_warrant",
        case_number="I-200-77",
        purpose="civil_immigration",
        elements=["employer"],
        instrument_subject_count=1,
        subjects=[ORTEGA],
        **PERIOD,
    )
    submit(
        requester_police,
        instrument="judicial_warrant",
        case_number="26-0001",
        purpose="criminal_investigation",
        elements=["employer"],
        instrument_subject_count=1,
        subjects=[ORTEGA],
        **PERIOD,
    )
    clock.at("2025-04-02 16:00")
    sign_checkpoint()
    return denied, pending


def test_an_approver_signs_off_the_quarter_and_the_pdf_shows_who_and_when(
    first_quarter, approver, client, tmp_path
):
    from recordwarden.audit.models import AuditEntry
    from recordwarden.transparency.services import quarterly_report_sign

    denied, pending = first_quarter
    approver.first_name, approver.last_name = "Ana", "Sandoval"
    approver.save()
    report = quarterly_report_sign(actor=approver, quarter="2025-Q1")

    assert (report.quarter, report.version, report.signed_by) == (
        "2025-Q1",
        1,
        approver,
    )
    assert [r["reference"] for r in report.rows] == [
        denied.reference,
        pending.reference,
    ]
    assert [r["outcome"] for r in report.rows] == ["Denied", "Pending"]
    entry = AuditEntry.objects.get(action="transparency.quarterly_report_signed")
    assert entry.actor == f"user:{approver.pk}"
    assert entry.target == f"transparency.quarterlyreport:{report.pk}"
    assert entry.data["sha256"] == report.sha256
    assert entry.data["quarter"] == "2025-Q1" and entry.data["requests"] == 2
    assert entry.data["role"] == "approver"

    text = pdf_text(bytes(report.pdf), tmp_path)
    assert "2025 Q1" in text and denied.reference in text and pending.reference in text
    assert "Signed off by Ana Sandoval, Approver" in text
    assert "April 2, 2025" in text  # 16:00 UTC is 10:00 in Denver
    assert "Ortega" not in text and "Daniel" not in text  # no personal data

    # Public: the PDF downloads without an account, and the page lists it.
    download = client.get("/transparency/quarterly/2025-Q1.pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content == bytes(report.pdf)
    assert (
        b"/transparency/quarterly/2025-Q1.pdf" in client.get("/transparency/").content
    )

    again = quarterly_report_sign(actor=approver, quarter="2025-Q1")
    assert again.version == 2
    assert client.get("/transparency/quarterly/2025-Q1.pdf").content == bytes(again.pdf)


def test_only_an_approver_signs_and_only_a_finished_quarter(
    first_quarter, reviewer, approver, counsel, clock
):
    from recordwarden.transparency.models import QuarterlyReport
    from recordwarden.transparency.services import quarterly_report_sign

    for someone in (reviewer, counsel):
        with pytest.raises(Forbidden):
            quarterly_report_sign(actor=someone, quarter="2025-Q1")
    with pytest.raises(ValidationError):
        quarterly_report_sign(actor=approver, quarter="2025-Q2")
    assert not QuarterlyReport.objects.exists()


def test_no_sign_off_before_a_checkpoint_covers_the_end_of_the_quarter(clock, approver):
    from recordwarden.transparency.services import quarterly_report_sign

    clock.at("2025-03-30 16:00")
    sign_checkpoint()
    clock.at("2025-04-03 16:00")
    with pytest.raises(Conflict, match="checkpoint"):
        quarterly_report_sign(actor=approver, quarter="2025-Q1")


def test_the_attestation_cannot_be_signed_when_the_log_shows_a_prohibited_release(
    clock, approver
):
    """A release to an immigration agency under an administrative subpoena cannot be
    made through the services (the policy forbids it), so the log of one is written
    here directly: it stands for a release made before the policy, or around it."""
    from recordwarden.audit.services import audit_record
    from recordwarden.transparency.services import quarterly_report_sign

    clock.at("2025-01-15 16:00")
    target = "intake.request:501"
    audit_record(
        actor="user:9",
        action="intake.request_submitted",
        target=target,
        data={
            "reference": "RW-2025-000501",
            "agency_type": "immigration_enforcement",
            "instrument": "administrative_subpoena",
            "purpose": "civil_immigration",
            "emergency": False,
        },
    )
    for to in ("in_review", "awaiting_approval", "approved", "released"):
        audit_record(
            actor="user:9",
            action="review.request_moved",
            target=target,
            data={"to": to},
        )
    audit_record(
        actor="user:9",
        action="review.decided",
        target=target,
        data={"kind": "approve", "state": "final"},
    )
    clock.at("2025-04-02 16:00")
    sign_checkpoint()
    with pytest.raises(Conflict, match="RW-2025-000501"):
        quarterly_report_sign(actor=approver, quarter="2025-Q1")


def test_the_staff_page_and_the_sign_button_follow_roles(
    first_quarter, client_for, approver, auditor, outsider, reviewer, client
):
    assert client.get("/transparency/quarterly/2025-Q1/").status_code == 302
    assert (
        client_for(outsider).get("/transparency/quarterly/2025-Q1/").status_code == 403
    )
    seen = client_for(auditor).get("/transparency/quarterly/2025-Q1/")
    assert (
        seen.status_code == 200 and b"Sign off the 2025 Q1 report" not in seen.content
    )
    as_approver = client_for(approver)
    page = as_approver.get("/transparency/quarterly/2025-Q1/")
    assert b"Sign off the 2025 Q1 report as approver" in page.content
    refused = client_for(reviewer).post("/transparency/quarterly/2025-Q1/sign/")
    assert refused.status_code == 403
    signed = as_approver.post("/transparency/quarterly/2025-Q1/sign/", follow=True)
    assert b"is signed off (version 1)" in signed.content
    assert client.get("/transparency/quarterly/2025-Q2.pdf").status_code == 404
    assert client.get("/transparency/quarterly/nonsense.pdf").status_code == 404
