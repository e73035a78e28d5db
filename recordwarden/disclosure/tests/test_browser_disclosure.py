"""The demo in a real browser: the demo's approved requests have produced packages,
accounting entries and a notice. The police officer downloads the package once (the
link then says it was used), an auditor opens the accounting of disclosures, and the
approver opens the notice sent to the worker. Pages pass axe; screenshots go to
test-artifacts/."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.management import call_command

from conftest import axe_violations, browser_login, screenshot
from recordwarden.core.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    call_command("seed_demo", workers=200, stdout=io.StringIO())


def _person(username: str):
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user).first()
    if device is not None:
        user.totp = device
    return user


@pytest.fixture
def as_user(browser, live_server):
    contexts = []

    def _open(username):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        browser_login(page, live_server, _person(username), password=DEMO_PASSWORD)
        return page

    yield _open
    for context in contexts:
        context.close()


def test_the_demo_package_accounting_and_notice_open_in_a_browser(
    demo, as_user, live_server, tmp_path
):
    from recordwarden.disclosure.models import (
        AccountingEntry,
        DisclosurePackage,
        Notice,
    )

    package = DisclosurePackage.objects.get(recipient_agency__key="abq-police")
    assert AccountingEntry.objects.filter(package=package).count() == 1
    notice = Notice.objects.get(request__agency__key="ice-elpaso")
    assert notice.sent_at is not None

    # The officer downloads the package once.
    officer = as_user("officer")
    officer.goto(f"{live_server.url}/disclosure/packages/")
    assert axe_violations(officer) == []
    officer.get_by_role(
        "button", name=f"Get a download link for {package.reference}"
    ).click()
    link_url = officer.url
    assert "/disclosure/download/" in link_url
    assert axe_violations(officer) == []
    screenshot(officer, "disclosure-download-page")
    with officer.expect_download() as info:
        officer.click("#download-button")
    saved = tmp_path / "package.zip"
    info.value.save_as(saved)
    archive = zipfile.ZipFile(saved)
    data = archive.read(f"{package.reference}.json")
    assert hashlib.sha256(data).hexdigest() == package.sha256
    assert archive.read(f"{package.reference}.pdf").startswith(b"%PDF")
    officer.goto(link_url)
    assert "already been used" in officer.locator("h1").inner_text()
    assert axe_violations(officer) == []
    screenshot(officer, "disclosure-link-used")

    # An auditor opens the package record and the accounting of disclosures.
    auditor = as_user("auditor")
    auditor.goto(f"{live_server.url}/disclosure/")
    auditor.get_by_role("link", name=package.reference).click()
    assert package.sha256 in auditor.locator("#package-facts").inner_text()
    assert "Portal download link" in auditor.locator("#package-facts").inner_text()
    auditor.get_by_role("link", name="Accounting of disclosures", exact=False).click()
    table = auditor.locator("table.accounting").first.inner_text()
    assert "Albuquerque Police Department" in table
    assert axe_violations(auditor) == []
    screenshot(auditor, "disclosure-accounting")

    # The approver sees the notice that went to the worker, and opens it.
    approver = as_user("approver")
    approver.goto(f"{live_server.url}/disclosure/notices/")
    sent = approver.locator("#sent")
    assert notice.request.reference in sent.inner_text()
    assert axe_violations(approver) == []
    screenshot(approver, "disclosure-notices")
    href = sent.get_by_role(
        "link", name="Open the notice", exact=False
    ).first.get_attribute("href")
    response = approver.context.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.body().startswith(b"%PDF")
