"""End-to-end journeys in Chromium, one per kind of user, over the pages the other
browser tests do not visit (the portal's request steps, the review queue and case page,
the download link, the transparency report and the quarterly sign-off have their own).

Each person signs in through the real form (staff type their current TOTP code) and
works through their pages; axe-core runs on every page visited and must find nothing.
Each journey also checks one refusal that person meets, in the words they see.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import axe_violations, browser_login, screenshot

from .world import PDF, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSONAS = (
    "requester_police",
    "requester_ice",
    "intake_clerk",
    "reviewer",
    "approver",
    "auditor",
)


@pytest.fixture
def world(request, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    people = {p: request.getfixturevalue(p) for p in PERSONAS}
    return people, build_world(people, tmp_path)


class Journey:
    """A signed-in browser page that checks each page it lands on."""

    def __init__(self, browser, live_server, user):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.base = live_server.url
        self.visited: dict[str, list] = {}
        self.csp_errors: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.csp_errors.append(m.text)
                if "Content Security Policy" in m.text
                else None
            ),
        )
        browser_login(self.page, live_server, user)
        self.check()

    def go(self, path: str, status: int = 200):
        response = self.page.goto(f"{self.base}{path}")
        assert response.status == status, (path, response.status)
        return self.check()

    def check(self):
        """axe-core on the page as it is now (after a click, a form, a redirect)."""
        self.page.wait_for_load_state()
        path = self.page.url.removeprefix(self.base)
        self.visited[path] = axe_violations(self.page)
        return self.page

    def done(self, name: str) -> None:
        screenshot(self.page, f"journey-{name}")
        failing = {p: v for p, v in self.visited.items() if v}
        assert not failing, failing
        assert not self.csp_errors, self.csp_errors
        self.context.close()


@pytest.fixture
def journey(browser, live_server):
    def start(user) -> Journey:
        return Journey(browser, live_server, user)

    return start


def text(page, selector: str = "main") -> str:
    return re.sub(r"\s+", " ", page.locator(selector).inner_text())


def test_a_requester_follows_their_request_and_manages_api_tokens(world, journey):
    people, w = world
    j = journey(people["requester_police"])
    page = j.go("/portal/")
    page.locator("#requests").get_by_role("link", name=w.reference).click()
    j.check()
    assert w.reference in text(page, "h1")
    page = j.go("/accounts/tokens/")
    page.get_by_role("button", name="Issue a token").click()  # no name yet
    j.check()
    assert page.locator(".usa-error-message").count() == 1
    page.get_by_label("Name").fill("Case management system")
    page.get_by_role("button", name="Issue a token").click()
    j.check()
    assert re.fullmatch(r"rw_[A-Za-z0-9_-]{40,}", text(page, "#new-token"))
    page.get_by_role("button", name="Revoke Case management system").click()
    j.check()
    assert "Revoked" in text(page, "table")
    page = j.go("/disclosure/packages/")
    assert page.get_by_role("button", name=re.compile("Get a download link")).count()
    j.done("requester")

    # Another agency's officer: the same address is a plain "not found".
    other = journey(people["requester_ice"])
    page = other.go(f"/portal/requests/{w.reference}/", status=404)
    assert "Page not found" in text(page, "h1")
    other.done("requester-other-agency")


def test_an_intake_clerk_records_a_paper_request_and_confirms_it(
    world, journey, tmp_path
):
    people, w = world
    j = journey(people["intake_clerk"])
    page = j.go("/portal/clerk/")
    page.get_by_role("link", name="Record a paper or fax request").click()
    j.check()
    page.get_by_role("button", name="Record the request").click()  # empty: told why
    j.check()
    assert "Attach the scan of the paper or fax." in text(page)
    page.get_by_label("Agency on file").select_option(
        label="Albuquerque Police Department"
    )
    page.locator("#id_instrument").select_option("judicial_warrant")
    page.get_by_label("Case or docket number").fill("26-PAPER-7")
    page.locator("#id_purpose").select_option("criminal_investigation")
    page.get_by_label("Employer", exact=True).check()
    # A single checkbox is drawn by USWDS beside its label (it once sat off-screen).
    box = page.locator("label[for=id_emergency]")
    assert box.bounding_box()["x"] >= 0
    box.click()
    assert page.is_checked("#id_emergency")
    box.click()
    page.fill("#id_subjects-0-first_name", "Daniel")
    page.fill("#id_subjects-0-last_name", "Ortega")
    scan = tmp_path / "fax.pdf"
    scan.write_bytes(PDF)
    page.set_input_files("#id_scan", str(scan))
    page.get_by_role("button", name="Record the request").click()
    j.check()
    assert "Recorded as RW-" in text(page)
    page.get_by_role("button", name="Save and confirm").click()
    j.check()
    assert "saved and screened again" in text(page)
    page = j.go(f"/portal/clerk/submissions/{w.submission_pk}/")
    page = j.go("/review/intake/")
    # The audit log is not a clerk's: refused, in plain words.
    page = j.go("/audit/", status=403)
    assert "You do not have access to this page" in text(page, "h1")
    j.done("clerk")


def test_a_reviewer_checks_a_match_and_the_package_released(world, journey):
    people, w = world
    j = journey(people["reviewer"])
    page = j.go("/review/")
    page = j.go(f"/review/{w.reference}/")
    page = j.go(f"/matching/subject/{w.subject_id}/")
    assert "Outcome: " in text(page, "#outcome-heading")
    page = j.go("/disclosure/")
    page.get_by_role("link", name=re.compile(f"{w.reference}-P")).first.click()
    j.check()
    assert w.package_id in page.url
    page = j.go(f"/disclosure/cases/{w.reference}/accounting/")
    assert "W-100001" in text(page)
    j.done("reviewer")


def test_an_approver_records_a_court_order_delaying_notice(world, journey):
    people, w = world
    j = journey(people["approver"])
    page = j.go("/disclosure/notices/")
    page = j.go(f"/disclosure/cases/{w.ice_reference}/notice-delay/")
    page.get_by_label(re.compile("Order reference")).fill("D-2026-0415")
    page.get_by_label("Court and judge").fill("Second Judicial District, Judge Baca")
    page.get_by_label(re.compile("Notice delayed until")).fill("2020-01-01")
    page.get_by_role("button", name="Record the order").click()
    j.check()
    assert page.locator(".usa-error-message").count() >= 1  # a date in the past
    ends = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    page.get_by_label(re.compile("Notice delayed until")).fill(ends)
    page.get_by_role("button", name="Record the order").click()
    j.check()
    assert "court order delaying notice is recorded" in text(page)
    page = j.go(f"/disclosure/cases/{w.reference}/suspend-accounting/")
    page = j.go("/policy/")
    page = j.go(f"/policy/versions/{w.policy_sha256}/")
    j.done("approver")


def test_an_auditor_signs_a_checkpoint_and_reads_the_accounting(world, journey):
    people, w = world
    j = journey(people["auditor"])
    page = j.go("/audit/")
    before = int(text(page, "#tree-size"))
    page.get_by_role("button", name="Sign a checkpoint now").click()
    j.check()
    assert int(text(page, "#checkpoint dd:nth-of-type(2)")) >= before
    page = j.go("/policy/")
    page = j.go("/disclosure/")
    page = j.go(f"/disclosure/cases/{w.reference}/accounting/")
    page = j.go("/transparency/quarterly/")
    # An auditor reads the record; the case page is casework.
    page = j.go(f"/review/{w.reference}/", status=403)
    assert "You do not have access to this page" in text(page, "h1")
    j.done("auditor")
