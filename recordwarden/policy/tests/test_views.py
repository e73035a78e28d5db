"""The staff policy page: who may see it, who may activate, preview with what-if."""

from __future__ import annotations

import pytest

from recordwarden.audit.models import AuditEntry
from recordwarden.policy import constants, services
from recordwarden.policy.facts import facts_for_request
from recordwarden.policy.models import PolicyVersion

from .helpers import baseline, without_rule

pytestmark = pytest.mark.django_db


def test_an_administrator_sees_versions_and_the_rule_table_with_citations(
    administrator, client_for
):
    services.policy_version_ensure_active()
    response = client_for(administrator).get("/policy/")
    assert response.status_code == 200
    body = response.content.decode()
    for rule in baseline().rules:
        assert rule.id in body
    assert "20 CFR 603.7" in body
    assert baseline().version[:12] in body
    assert "system:baseline" in body
    assert services.BASELINE_REASON in body
    assert "Activate this version" in body


def test_counsel_may_read_and_preview_but_not_activate(counsel, client_for):
    client = client_for(counsel)
    response = client.get("/policy/")
    assert response.status_code == 200
    assert "Activate this version" not in response.content.decode()
    policy = baseline()
    response = client.post(
        "/policy/activate/",
        {"text": policy.text, "schema": policy.schema_text, "reason": "x"},
    )
    assert response.status_code == 403
    assert not PolicyVersion.objects.exists()


@pytest.mark.parametrize(
    "persona", ["reviewer", "intake_clerk", "outsider", "requester_police"]
)
def test_others_may_not_see_the_policy_page(request, persona, client_for):
    user = request.getfixturevalue(persona)
    assert client_for(user).get("/policy/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/policy/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_activating_through_the_form_records_who_and_why(administrator, client_for):
    services.policy_version_ensure_active()
    policy = baseline()
    text = without_rule(policy, "permit.emergency-contact")
    response = client_for(administrator).post(
        "/policy/activate/",
        {
            "text": text,
            "schema": policy.schema_text,
            "reason": "Emergency releases paused.",
        },
    )
    assert response.status_code == 302
    version = PolicyVersion.objects.get(active=True)
    assert version.activated_by == administrator
    assert version.reason == "Emergency releases paused."
    entry = AuditEntry.objects.filter(action=constants.POLICY_VERSION_ACTIVATED).last()
    assert entry.actor == f"user:{administrator.pk}"
    page = client_for(administrator).get("/policy/").content.decode()
    assert "Emergency releases paused." in page
    assert "permit.emergency-contact" not in page.split("<h2>Versions</h2>")[0]


def test_activating_without_a_reason_shows_the_error_and_changes_nothing(
    administrator, client_for
):
    policy = baseline()
    response = client_for(administrator).post(
        "/policy/activate/",
        {"text": policy.text, "schema": policy.schema_text, "reason": ""},
    )
    assert response.status_code == 400
    assert "Say why this version is being activated." in response.content.decode()
    assert not PolicyVersion.objects.exists()


def test_preview_shows_broken_invariants_and_changed_decisions(
    administrator, client_for, csed_request
):
    services.findings_record(
        actor="system:test",
        request=csed_request,
        facts=facts_for_request(csed_request, subject_identified=False),
    )
    policy = baseline()
    text = without_rule(policy, "guard.subject-not-identified")
    response = client_for(administrator).post(
        "/policy/preview/", {"text": text, "schema": policy.schema_text, "reason": ""}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This version breaks invariants" in body
    assert "named-identified-subject" in body
    assert csed_request.reference in body
    assert "guard.subject-not-identified" in body  # the rule deciding it now
    assert not AuditEntry.objects.filter(
        action=constants.POLICY_VERSION_ACTIVATED, actor=f"user:{administrator.pk}"
    ).exists()


def test_preview_of_text_that_does_not_parse_shows_the_problem(
    administrator, client_for
):
    response = client_for(administrator).post(
        "/policy/preview/", {"text": "permit (", "schema": baseline().schema_text}
    )
    assert response.status_code == 400
    assert "do not parse" in response.content.decode()


def test_a_version_page_shows_its_text(administrator, client_for):
    version = services.policy_version_ensure_active()
    client = client_for(administrator)
    response = client.get(f"/policy/versions/{version.sha256}/")
    assert response.status_code == 200
    assert "guard.clerk-subpoena" in response.content.decode()
    assert client.get(f"/policy/versions/{'f' * 64}/").status_code == 404
