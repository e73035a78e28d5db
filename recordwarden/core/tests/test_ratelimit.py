"""Rate limits (per token on the API, per person on portal form posts): a 429 says when
to come back (Retry-After) and, on the API, is a problem document. And the limits on
what any request may carry (its size, NUL characters), enforced before it is read."""

from __future__ import annotations

import pytest

from recordwarden.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _token(requester) -> str:
    return api_token_create(actor="system:test", requester=requester, name="cms")[1]


def test_an_api_token_over_its_limit_gets_a_429_problem_with_retry_after(
    client, settings, requester_police
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": (3, 60)}
    first, second = _token(requester_police), _token(requester_police)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {first}"}
    assert [client.get("/api/v1/requests", **auth).status_code for _ in range(3)] == [
        200,
        200,
        200,
    ]
    refused = client.get("/api/v1/requests", **auth)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    body = refused.json()
    assert body["status"] == 429 and body["title"] == "Too many requests"
    assert "Idempotency-Key" in body["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    # The limit is per token: the agency's other system is not held up.
    other = client.get("/api/v1/requests", HTTP_AUTHORIZATION=f"Bearer {second}")
    assert other.status_code == 200


def test_calls_without_a_token_are_limited_by_address(client, settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": (2, 60)}
    codes = [client.get("/api/v1/audit/tree").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_portal_form_posts_are_limited_per_person_and_reading_is_not(
    client_for, settings, requester_police, requester_ice
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "portal": (2, 60)}
    client = client_for(requester_police.user)
    codes = [client.post("/portal/new/who/", {}).status_code for _ in range(3)]
    assert codes[:2] == [400, 400] and codes[2] == 429
    refused = client.post("/portal/new/who/", {})
    assert b"Too many attempts" in refused.content
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert client.get("/portal/new/who/").status_code == 200
    other = client_for(requester_ice.user)
    assert other.post("/portal/new/who/", {}).status_code == 400


@pytest.mark.parametrize("path", ["/portal/new/documents/", "/accounts/login/"])
def test_a_body_over_the_request_limit_is_refused_before_it_is_read(
    client, settings, path
):
    """Anyone (even signed out, holding only a CSRF cookie) could otherwise make the
    server spool an endless upload to disk while it looks for the CSRF token."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.get("/accounts/login/")  # the CSRF cookie a visitor gets
    response = strict.post(
        path,
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1),
    )
    assert response.status_code == 413
    assert b"larger than" in response.content
    assert "Content-Security-Policy" in response


def test_an_api_body_over_the_request_limit_is_a_413_problem(client, settings, db):
    response = client.post(
        "/api/v1/requests",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1),
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Request body too large"


def test_nul_characters_are_refused_before_they_reach_the_database(
    client, requester_police
):
    """PostgreSQL cannot compare or store text holding NUL: an id such as %00 was a
    server error there, and JSON text with \\u0000 too."""
    token = _token(requester_police)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    page = client.get("/portal/requests/RW-2026%00/")
    assert page.status_code == 404 and b"Page not found" in page.content
    api = client.get("/api/v1/requests/RW-2026%00", **auth)
    assert api.status_code == 404 and api["Content-Type"] == "application/problem+json"
    query = client.get("/api/v1/requests?limit=%00", **auth)
    assert query.status_code == 400
    body = '{"instrument": "none", "purpose": "other", "elements": ["name"], '
    body += '"subjects": [{"first_name": "A\\u0000", "last_name": "B"}]}'
    refused = client.post(
        "/api/v1/requests", body, content_type="application/json", **auth
    )
    assert refused.status_code == 422
    assert "NUL" in refused.json()["detail"]
    from recordwarden.intake.models import Submission

    assert not Submission.objects.exists()
