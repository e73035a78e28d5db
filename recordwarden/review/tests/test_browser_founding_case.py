"""The founding case in a real browser: an immigration agency asks for direct access to
the database; the reviewer denies it with citations; the same ask re-sent to another
staff member is flagged as a re-ask at the top of the case and the approver is told; a
child-support request is approved with two signatures. Each person signs in with their
password and the current TOTP code. Screenshots of the screening page and of the denial
letter are saved under test-artifacts/."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import ARTIFACTS, axe_violations, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def as_user(browser, live_server):
    """as_user(user) -> a page in a fresh browser context, signed in as ``user``."""
    contexts = []

    def _open(user):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        browser_login(page, live_server, user)
        return page

    yield _open
    for context in contexts:
        context.close()


def test_the_founding_case_end_to_end(
    as_user,
    live_server,
    agencies,
    ingest,
    intake_clerk,
    reviewer,
    approver,
    csed_request,
):
    first = ingest("01-direct-access.eml", inbox="records@dws.example.nm.gov").request
    case_url = f"{live_server.url}/review/{first.reference}/"

    # The clerk finds it in the queue, flagged, and opens it.
    clerk = as_user(intake_clerk)
    clerk.goto(f"{live_server.url}/review/")
    assert axe_violations(clerk) == []
    clerk.get_by_role("link", name=first.reference).click()
    assert "bulk_or_standing_access" in clerk.locator("#flags").text_content()
    assert clerk.locator("#recommendation").text_content().strip() == "Deny"

    # The reviewer starts the review and denies it, with reasons.
    page = as_user(reviewer)
    page.goto(case_url)
    page.click("#start-review")
    page.click("label[for=rc-bulk_or_standing_access]")
    page.click("label[for=rc-no_specific_subject]")
    page.click("#decide-deny")
    assert page.locator("#request-status").text_content() == "Denied"
    assert page.locator("#letter-denial").count() == 1

    # The same ask, re-sent to another staff member.
    again = ingest("02-re-ask-other-staff.eml", inbox="k.tafoya@dws.example.nm.gov")
    assert again.request_id == first.pk

    # The approver is told, and sees the re-ask at the top of the case.
    boss = as_user(approver)
    boss.goto(f"{live_server.url}/review/")
    boss.locator("#notifications").get_by_role("link").first.click()
    banner = boss.locator("#re-ask-banner")
    assert banner.is_visible()
    assert "Asked again after a denial" in banner.inner_text()
    flags = boss.locator("#flags").text_content()
    assert "re_ask_after_denial" in flags and "multiple_inboxes" in flags
    assert "Reached 2 staff inboxes" in boss.locator("#inboxes").inner_text()
    assert axe_violations(boss) == []
    screenshot(boss, "review-screening-founding-case")

    # The denial letter, as sent: saved as PDF and as a picture of its first page.
    href = boss.locator("#letter-denial").get_attribute("href")
    pdf = boss.request.get(f"{live_server.url}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path = ARTIFACTS / "review-denial-letter.pdf"
    pdf_path.write_bytes(pdf.body())
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: apt-get install poppler-utils")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "100",
            "-singlefile",
            str(pdf_path),
            str(ARTIFACTS / "review-denial-letter"),
        ],
        check=True,
        timeout=60,
    )
    assert (ARTIFACTS / "review-denial-letter.png").stat().st_size > 10_000

    # A lawful request in the same queue: child support, approved with two signatures.
    csed_url = f"{live_server.url}/review/{csed_request.reference}/"
    page.goto(csed_url)
    page.click("#start-review")
    page.click("label[for=a-employer-approve]")
    page.click("label[for=a-wages-narrow]")
    page.fill("#n-wages", "2025 Q3 to 2026 Q2")
    page.click("#decide-release")
    assert page.locator("#request-status").text_content() == "Awaiting second signature"
    assert page.locator("#sign-form").count() == 0  # the reviewer cannot sign it too
    boss.goto(csed_url)
    boss.click("#sign-form button[type=submit]")
    errors = boss.locator("#action-errors")
    assert errors.count() == 0, errors.text_content()
    assert boss.locator("#request-status").text_content() == "Released"
    assert boss.locator("#letter-approval").count() == 1
    screenshot(boss, "review-child-support-approved")


def test_a_clerk_calls_back_a_spoofed_emergency_on_the_number_on_file(
    as_user, live_server, agencies, ingest, intake_clerk
):
    request = ingest(
        "06-spoofed-emergency.eml", inbox="k.tafoya@dws.example.nm.gov"
    ).request
    clerk = as_user(intake_clerk)
    clerk.goto(f"{live_server.url}/review/intake/")
    assert axe_violations(clerk) == []
    clerk.get_by_role("link", name=request.reference).first.click()
    form = clerk.locator("form[id^=callback-form]")
    # The agency it claims to be is offered with the number on file, not the caller's.
    selected = form.locator("select option:checked").text_content()
    assert "Sheriff" in selected and "+1-575-555-0140" in selected
    assert "575-555-0199" not in form.inner_text()
    form.locator("input[name=answered_by]").fill("Dispatcher L. Ortiz")
    form.locator("label[for$=-no]").click()
    form.locator("textarea[name=notes]").fill("No Sgt. Hale on duty; no such case.")
    form.locator("button[type=submit]").click()
    assert "callback_not_confirmed" in clerk.locator("#flags").text_content()
    assert clerk.locator("#recommendation").text_content().strip() == "Deny"
    assert axe_violations(clerk) == []
    screenshot(clerk, "review-callback-not-confirmed")
