"""The API against its own OpenAPI document, with schemathesis generating the calls.

For every operation in /api/openapi.json, valid and invalid inputs (few examples each,
so the run stays short) are sent through the Django WSGI application with a real token
(and, for the staff endpoints, a real signed-in session with a verified second factor).
Each answer must be no server error, documented (status, content type, headers, body
schema), and every error a problem+json document with a title that says what is wrong.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.db import OperationalError
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .world import build_world

pytestmark = pytest.mark.django_db

EXAMPLES = 12  # per operation and generation mode: bounded, so the run stays short
PROBLEM = "application/problem+json"


def problem_details(ctx, response, case):
    """An error is RFC 9457 problem details with a title and a status that matches."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith(PROBLEM), (
        f"{response.status_code} answered as {content_type!r}, not {PROBLEM}"
    )
    body = json.loads(response.content)
    assert isinstance(body.get("title"), str) and body["title"].strip(), body
    assert body.get("status") == response.status_code, body
    return True


def _checks():
    return [
        CHECKS.get_one("not_a_server_error"),
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        problem_details,
    ]


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Calls go through the plain WSGI application, which closes the database
    connection at the start and end of each request (on PostgreSQL that would end the
    test's transaction); Django's own test client switches this off the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _fast_and_unlimited(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RATE_LIMITS = {k: (100_000, 60) for k in settings.RATE_LIMITS}


@pytest.fixture
def credentials(request, tmp_path, client_for):
    """A police system's token and a reviewer's session (with its CSRF token)."""
    from recordwarden.accounts.services import api_token_create

    names = ("requester_police", "requester_ice", "reviewer", "approver")
    people = {n: request.getfixturevalue(n) for n in names}
    world = build_world(people, tmp_path)
    _, token = api_token_create(
        actor="system:test", requester=people["requester_police"], name="cms"
    )
    browser = client_for(people["reviewer"])
    browser.get("/")  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    return {
        "world": world,
        "headers": {"Authorization": f"Bearer {token}", "X-CSRFToken": csrf},
        "cookies": {"sessionid": browser.cookies["sessionid"].value, "csrftoken": csrf},
    }


def test_every_operation_answers_as_documented(
    credentials, wsgi_keeps_the_test_connection
):
    from recordwarden.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    world = credentials["world"]
    known = {
        "ref": world.reference,
        "reference": world.open_reference,
        "decision_id": world.decision_id,
        "package_id": world.package_id,
    }
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _explore(operation, mode, credentials, known)
    assert not failures, "\n\n".join(failures[:20])


def _explore(operation, mode, credentials, known) -> list[str]:
    failures: list[str] = []
    names = {p.name for p in operation.path_parameters}
    # Every other call names a real object, so that more than "not found" is met.
    fixed = {k: v for k, v in known.items() if k in names}
    calls = [0]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        calls[0] += 1
        if fixed and case.path_parameters and calls[0] % 2:
            case.path_parameters.update(fixed)
        response = case.call(
            headers=credentials["headers"], cookies=credentials["cookies"]
        )
        try:
            case.validate_response(response, checks=_checks())
        except (AssertionError, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label} [{mode.value}]\n{exc}"[:1500])

    try:
        run()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameters, no body).
        assert mode == GenerationMode.NEGATIVE, operation.label
    return failures[:2]


def test_a_request_submitted_through_the_api_is_screened(client, requester_police):
    """An API token's requester is the actor of screening: its timeline row has no
    user, and the audit entry names the requester (this once failed, leaving every
    API submission unscreened)."""
    from recordwarden.accounts.services import api_token_create
    from recordwarden.audit.models import AuditEntry
    from recordwarden.review.models import RequestEvent, Screening

    _, token = api_token_create(
        actor="system:test", requester=requester_police, name="x"
    )
    body = {
        "instrument": "judicial_warrant",
        "case_number": "26-1",
        "purpose": "criminal_investigation",
        "elements": ["employer"],
        "subjects": [{"first_name": "Ana", "last_name": "Ruiz", "dob": "1990-01-02"}],
    }
    response = client.post(
        "/api/v1/requests",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    reference = response.json()["reference"]
    screening = Screening.objects.get(request__reference=reference)
    event = RequestEvent.objects.get(request__reference=reference, kind="screened")
    assert event.user is None
    assert event.actor == f"accounts.requester:{requester_police.pk}"
    entry = AuditEntry.objects.get(action="review.screened")
    assert entry.actor == event.actor
    assert json.loads(entry.canonical)["data"]["screening"] == screening.pk


@pytest.mark.parametrize(
    "failure, status, title",
    [
        (OperationalError("database is locked"), 503, "Service busy"),
        (RuntimeError("a bug"), 500, "Server error"),
    ],
)
def test_a_failure_inside_the_api_is_a_problem_document_not_an_html_page(
    client, requester_police, monkeypatch, caplog, failure, status, title
):
    from recordwarden.accounts.services import api_token_create

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr("recordwarden.intake.api.request_list_for", fail)
    _, token = api_token_create(
        actor="system:test", requester=requester_police, name="x"
    )
    response = client.get("/api/v1/requests", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    assert response.json()["title"] == title
    assert "Idempotency-Key" in response.json()["detail"]
    if status == 503:
        assert response["Retry-After"] == "2"
    else:
        assert "a bug" in caplog.text  # logged with its traceback, never shown
        assert b"a bug" not in response.content
