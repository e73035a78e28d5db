"""A requester makes a request through the portal in a real browser and sees its status.
The pages of the form pass axe-core."""

from __future__ import annotations

import pytest

from conftest import axe_violations, browser_login, screenshot
from recordwarden.intake.models import Request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_requester_submits_a_request_and_sees_its_status(
    live_server, page, requester_police, tmp_path
):
    browser_login(page, live_server, requester_police)
    page.goto(f"{live_server.url}/portal/new/")

    # Step 1: legal process.
    assert page.locator(".usa-step-indicator__current-step").inner_text() == "1"
    assert axe_violations(page) == []
    page.select_option("#id_instrument", "judicial_warrant")
    page.fill("#id_case_number", "26-087112")
    page.select_option("#id_purpose", "criminal_investigation")
    page.fill("#id_purpose_text", "Embezzlement by the person named in the warrant.")
    page.click("button[name=next]")

    # Step 2: people. First a mistake, answered in plain words.
    page.fill("#id_subjects-0-first_name", "Thomas")
    page.fill("#id_subjects-0-ssn", "000-12-3456")
    page.click("button[name=next]")
    assert "Enter the person's last name." in page.content().replace("&#x27;", "'")
    assert "An SSN cannot start with 000, 666 or 9." in page.content()
    assert axe_violations(page) == []
    page.fill("#id_subjects-0-last_name", "Keller")
    page.fill("#id_subjects-0-middle_name", "A")
    page.fill("#id_subjects-0-ssn", "")
    page.fill("#id_subjects-0-dob", "1979-07-02")
    page.click("button[name=add_subject]")
    assert page.locator("#subject-2").count() == 1
    assert page.input_value("#id_subjects-0-last_name") == "Keller"
    page.fill("#id_subjects-1-first_name", "Ana")
    page.fill("#id_subjects-1-last_name", "Ruiz")
    page.fill("#id_subjects-1-ssn_last4", "4417")
    page.click("button[name=next]")

    # Step 3: records and dates.
    # USWDS draws its own checkbox; people click the label.
    page.locator("label.usa-checkbox__label", has_text="Employer").click()
    page.locator("label.usa-checkbox__label", has_text="Quarterly wages").click()
    assert page.is_checked("input[value=employer]") and page.is_checked(
        "input[value=wages]"
    )
    page.fill("#id_date_from", "2026-01-01")
    page.fill("#id_date_to", "2026-06-30")
    assert axe_violations(page) == []
    page.click("button[name=next]")

    # Step 4: documents.
    warrant = tmp_path / "warrant.pdf"
    warrant.write_bytes(PDF)
    page.set_input_files("#id_files", str(warrant))
    page.click("button[name=next]")

    # Step 5: review, then send.
    assert page.locator(".usa-step-indicator__current-step").inner_text() == "5"
    assert "Thomas A Keller" in page.locator("#review-subjects").inner_text()
    assert "warrant.pdf" in page.content()
    assert axe_violations(page) == []
    page.click("#submit-request")

    reference = page.locator("#reference").inner_text()
    assert reference.startswith("RW-")
    assert page.locator("#status").text_content() == "Received"
    screenshot(page, "intake-confirmation")
    request = Request.objects.get(reference=reference)
    assert request.subjects.count() == 2
    assert request.documents.get().content_type == "application/pdf"

    page.goto(f"{live_server.url}/portal/")
    row = page.locator("#requests tbody tr", has_text=reference)
    assert "Received" in row.inner_text()
    assert axe_violations(page) == []
    row.get_by_role("link", name=reference).click()
    assert page.locator("#status").text_content() == "Received"
