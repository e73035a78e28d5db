"""Intake clerk pages: the triage list, a submission, paper requests, confirming an
email request, and downloading a document (as an attachment, never rendered)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recordwarden.audit.models import AuditEntry
from recordwarden.intake import constants as c
from recordwarden.intake.models import Request, Submission
from recordwarden.intake.services import submission_ingest_email

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "requests"
PDF = b"%PDF-1.7\n%%EOF\n"

PAGES = ["/portal/clerk/", "/portal/clerk/paper/"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "persona, status",
    [
        ("intake_clerk", 200),
        ("reviewer", 403),
        ("requester_police", 403),
        ("outsider", 403),
    ],
)
def test_only_intake_clerks_reach_the_clerk_pages(
    request, client_for, page, persona, status
):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(page).status_code == status


def test_a_clerk_without_the_second_factor_is_refused(client, intake_clerk):
    client.force_login(intake_clerk)
    assert client.get("/portal/clerk/").status_code == 403


def test_junk_is_listed_and_shown_without_being_rendered(
    client_for, intake_clerk, agencies
):
    raw = (
        b"From: someone@nowhere.example\r\nSubject: <script>alert(1)</script>\r\n"
        b"Content-Type: text/html\r\n\r\n<p>hello</p><script>alert(2)</script>"
    )
    submission = submission_ingest_email(
        actor="system:test", raw=raw, inbox="records@x.gov"
    )
    client = client_for(intake_clerk)
    listing = client.get("/portal/clerk/").content.decode()
    assert f"/portal/clerk/submissions/{submission.pk}/" in listing
    assert "<script>alert(1)</script>" not in listing
    page = client.get(f"/portal/clerk/submissions/{submission.pk}/").content.decode()
    assert submission.sha256 in page
    assert "hello" in page
    assert "<script>" not in page.split("<main", 1)[1].split("</main>")[0]
    assert "HTML part" in page


def test_a_clerk_attaches_a_triaged_submission_to_a_request(
    client_for, intake_clerk, agencies
):
    first = submission_ingest_email(
        actor="system:test",
        raw=(EXAMPLES / "04-police-warrant.eml").read_bytes(),
        inbox="",
    )
    junk = submission_ingest_email(
        actor="system:test", raw=b"\xff\xfe", inbox="a@b.gov"
    )
    client = client_for(intake_clerk)
    missing = client.post(
        f"/portal/clerk/submissions/{junk.pk}/",
        {"note": "Scan of the warrant, unreadable", "reference": "RW-1999-000001"},
    )
    assert "There is no request with this reference." in missing.content.decode()
    done = client.post(
        f"/portal/clerk/submissions/{junk.pk}/",
        {"note": "Scan of the warrant", "reference": first.request.reference},
    )
    assert done.status_code == 302
    junk.refresh_from_db()
    assert junk.request_id == first.request_id and junk.triaged_by == intake_clerk
    assert junk not in Submission.objects.filter(triaged_at__isnull=True)


def _paper_post(**changes):
    data = {
        "agency": "",
        "claimed_agency": "Lopez Family Law",
        "instrument": "clerk_subpoena",
        "case_number": "D-101-DM-2026-0212",
        "purpose": "civil_litigation",
        "purpose_text": "Subpoena duces tecum, by fax.",
        "elements": ["wages"],
        "subjects-TOTAL_FORMS": "1",
        "subjects-INITIAL_FORMS": "0",
        "subjects-MIN_NUM_FORMS": "0",
        "subjects-MAX_NUM_FORMS": "30",
        "subjects-0-first_name": "Jorge",
        "subjects-0-last_name": "Lopez",
        "subjects-0-dob": "1985-05-19",
        "scan": SimpleUploadedFile("fax.pdf", PDF),
    }
    data.update(changes)
    return data


def test_a_clerk_records_a_faxed_subpoena_with_its_scan(
    client_for, intake_clerk, agencies
):
    response = client_for(intake_clerk).post("/portal/clerk/paper/", _paper_post())
    assert response.status_code == 302
    request = Request.objects.get()
    assert response["Location"] == f"/portal/clerk/requests/{request.reference}/"
    assert request.channel == c.Channel.PAPER and request.agency is None
    assert request.claimed_agency == "Lopez Family Law"
    assert request.subjects.get().last_name == "Lopez"
    assert request.submissions.get().raw_bytes() == PDF
    assert request.documents.get().sha256 == request.submissions.get().sha256
    assert AuditEntry.objects.filter(
        action=c.REQUEST_SUBMITTED, actor=f"user:{intake_clerk.pk}"
    ).exists()


def test_a_paper_form_with_a_fake_scan_is_refused(client_for, intake_clerk, agencies):
    fake = SimpleUploadedFile("fax.pdf", b"<html>nope</html>")
    response = client_for(intake_clerk).post(
        "/portal/clerk/paper/", _paper_post(scan=fake)
    )
    assert response.status_code == 400
    assert "web page (HTML)" in response.content.decode()
    assert Request.objects.count() == 0


def test_a_clerk_confirms_an_email_request(
    client_for, intake_clerk, agencies, screened
):
    submission = submission_ingest_email(
        actor="system:test",
        raw=(EXAMPLES / "06-spoofed-emergency.eml").read_bytes(),
        inbox="",
    )
    request = submission.request
    client = client_for(intake_clerk)
    page = client.get(f"/portal/clerk/requests/{request.reference}/").content.decode()
    for signal in ("emergency_unverified", "free_mail_domain", "reply_to_mismatch"):
        assert signal in page
    assert "not yet confirmed" in page
    form = {
        "agency": "",
        "claimed_agency": "Doña Ana County Sheriff's Office",
        "instrument": "none",
        "case_number": "",
        "purpose": "emergency",
        "purpose_text": request.purpose_text,
        "elements": ["address", "phone"],
        "emergency": "on",
        "subjects-TOTAL_FORMS": "1",
        "subjects-INITIAL_FORMS": "1",
        "subjects-MIN_NUM_FORMS": "0",
        "subjects-MAX_NUM_FORMS": "30",
        "subjects-0-first_name": "Maria",
        "subjects-0-last_name": "Soto",
        "subjects-0-ssn_last4": "4471",
        "confirm": "1",
    }
    response = client.post(f"/portal/clerk/requests/{request.reference}/", form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    request.refresh_from_db()
    assert request.confirmed_by == intake_clerk
    assert request.subjects.get().ssn_last4() == "4471"
    assert screened[-1] == request.reference
    assert request not in Request.objects.filter(confirmed_at__isnull=True)


def test_documents_download_as_attachments_for_staff_only(
    client_for, intake_clerk, reviewer, requester_police, agencies
):
    client_for(intake_clerk).post("/portal/clerk/paper/", _paper_post())
    document = Request.objects.get().documents.get()
    url = f"/portal/clerk/documents/{document.pk}/"
    response = client_for(reviewer).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="fax.pdf"')
    assert response["Content-Type"] == "application/octet-stream"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF
    assert client_for(requester_police).get(url).status_code == 403
    assert (
        client_for(intake_clerk).get("/portal/clerk/documents/999999/").status_code
        == 404
    )
