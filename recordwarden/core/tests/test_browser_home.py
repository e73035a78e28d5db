"""The base layout in a real browser: skip link, landmarks, no accessibility violations."""

import pytest

from conftest import axe_violations, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_and_login_pages_pass_axe(live_server, page):
    for path in ["/", "/accounts/login/"]:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("a.usa-skipnav").count() == 1
        assert page.locator("main#main-content").count() == 1
        assert axe_violations(page) == [], path
    screenshot(page, "login")


def test_a_reviewer_signs_in_with_a_code_and_sees_their_work(
    live_server, page, reviewer
):
    browser_login(page, live_server, reviewer)
    assert page.locator("#staff-links").is_visible()
    assert page.get_by_role("link", name="Request queue").count() == 1
    assert axe_violations(page) == []
