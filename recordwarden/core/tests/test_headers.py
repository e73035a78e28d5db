"""Every page carries the security headers; staff pages are not cached."""


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_signed_in_pages_are_not_cached(client_for, requester_police):
    response = client_for(requester_police).get("/")
    assert response["Cache-Control"] == "no-store"


def test_forms_need_a_csrf_token(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403


def test_healthz_answers_without_a_session(client, db):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}
    assert "sessionid" not in response.cookies
