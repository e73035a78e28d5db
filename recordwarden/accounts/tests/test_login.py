"""Staff need a second factor; failed log-ins lock the account for a while."""

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from conftest import totp_now
from recordwarden.accounts.models import LoginFailure
from recordwarden.audit.models import AuditEntry

PASSWORD = "correct horse battery"


def _login(client, username, password=PASSWORD, otp=""):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password, "otp_token": otp},
    )


def test_staff_cannot_log_in_without_a_second_factor(client, reviewer):
    response = _login(client, reviewer.username)
    assert response.status_code == 400
    assert b"six-digit code" in response.content
    assert "_auth_user_id" not in client.session


def test_staff_cannot_log_in_with_a_wrong_code(client, reviewer):
    wrong = f"{(int(totp_now(reviewer.totp)) + 1) % 1_000_000:06d}"
    response = _login(client, reviewer.username, otp=wrong)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_staff_log_in_with_password_and_current_code(client, reviewer):
    response = _login(client, reviewer.username, otp=totp_now(reviewer.totp))
    assert response.status_code == 302
    assert client.session[DEVICE_ID_SESSION_KEY] == reviewer.totp.persistent_id
    home = client.get("/")
    assert b"Request queue" in home.content


def test_a_code_cannot_be_replayed(client, reviewer):
    code = totp_now(reviewer.totp)
    assert _login(client, reviewer.username, otp=code).status_code == 302
    client.post("/accounts/logout/")
    assert _login(client, reviewer.username, otp=code).status_code == 400


def test_requester_logs_in_with_password_only(client, requester_police):
    response = _login(client, "officer")
    assert response.status_code == 302
    assert b"Make a request" in client.get("/").content


def test_staff_session_without_second_factor_reaches_no_staff_page(
    client, administrator
):
    client.force_login(
        administrator
    )  # password only: no verified device in the session
    assert client.get("/accounts/agencies/").status_code == 403
    assert b"second factor" in client.get("/").content


@pytest.mark.parametrize("bad", ["", "x" * 5000, "' OR 1=1 --", "\x00\x01"])
def test_malformed_log_in_gets_a_plain_answer(client, db, bad):
    response = _login(client, bad, password=bad)
    assert response.status_code == 400
    assert b"Please fix the following" in response.content or b"do not match" in (
        response.content
    )


def test_repeated_failures_lock_the_account(client, requester_police, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert _login(client, "officer", password="wrong password").status_code == 400
    response = _login(client, "officer")  # right password, but locked
    assert response.status_code == 400
    assert b"locked" in response.content
    assert LoginFailure.objects.filter(username="officer").count() == 3
    assert AuditEntry.objects.filter(action="accounts.login_locked").exists()


def test_a_successful_log_in_clears_earlier_failures(client, requester_police):
    _login(client, "officer", password="wrong password")
    assert _login(client, "officer").status_code == 302
    assert not LoginFailure.objects.filter(username="officer").exists()


def test_log_in_does_not_redirect_off_site(client, requester_police):
    response = client.post(
        "/accounts/login/?next=https://evil.example.com/",
        {
            "username": "officer",
            "password": PASSWORD,
            "next": "https://evil.example.com/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_log_in_attempts_are_rate_limited_per_address(
    client, db, settings, monkeypatch
):
    # The clock is fixed so the four attempts cannot straddle a window boundary.
    monkeypatch.setattr(
        "recordwarden.core.ratelimit.time.time", lambda: 1_800_000_030.0
    )
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": (3, 60)}
    codes = [_login(client, f"user{i}", password="nope").status_code for i in range(4)]
    assert codes == [400, 400, 400, 429]
    assert client.get("/accounts/login/").status_code == 200  # reading is not limited
