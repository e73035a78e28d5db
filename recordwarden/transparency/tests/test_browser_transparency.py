"""The public report and the approver's sign-off page in a real browser: charts with
their numbers, no accessibility violations, no script or style outside the CSP."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import axe_violations, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(db, settings):
    """Two years of synthetic past requests (see synthetic.py), then a checkpoint."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from recordwarden.audit.checkpoints import checkpoint_sign
    from recordwarden.transparency.synthetic import write_history

    write_history(320, start=dt.date(2024, 1, 2), days=2 * 365, seed=7)
    return checkpoint_sign(actor="system:test")


def test_the_public_report_shows_accessible_charts_beside_their_numbers(
    live_server, page, history
):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/transparency/")
    assert page.locator("h1").inner_text() == "Transparency report"
    assert page.locator("#log-size").inner_text() == str(history.size)
    charts = page.locator("svg.rw-chart")
    assert charts.count() >= 4
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart_id = chart.get_attribute("id")
        assert chart.get_attribute("role") == "img"
        assert (
            chart.locator("title").count() == 1 and chart.locator("desc").count() == 1
        )
        assert page.locator(f"#{chart_id}-table").is_visible()
    assert page.get_by_role("link", name="Download the figures (CSV)").count() == 1
    assert page.locator("#checkpoint").is_visible()
    assert axe_violations(page) == []
    assert not [e for e in errors if "Content Security Policy" in e], errors
    screenshot(page, "transparency-report")


def test_an_approver_signs_off_a_quarter_in_the_browser(
    live_server, page, history, approver
):
    browser_login(page, live_server, approver)
    page.goto(f"{live_server.url}/transparency/quarterly/2025-Q3/")
    assert page.locator("#quarterly-rows tbody tr").count() > 0
    assert axe_violations(page) == []
    screenshot(page, "transparency-quarterly")
    page.get_by_role("button", name="Sign off the 2025 Q3 report as approver").click()
    page.wait_for_load_state()
    assert (
        "signed off (version 1)"
        in page.locator(".usa-alert--success").first.inner_text()
    )
    page.goto(f"{live_server.url}/transparency/")
    assert page.get_by_role("link", name="2025 Q3 (PDF)").count() == 1
