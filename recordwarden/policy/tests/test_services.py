"""Activating policy versions and recording findings: what is stored and audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from recordwarden.audit.models import AuditEntry
from recordwarden.core.exceptions import Forbidden
from recordwarden.intake.models import Request
from recordwarden.policy import constants, engine, selectors, services
from recordwarden.policy.facts import facts_for_request
from recordwarden.policy.models import Finding, PolicyVersion

from .helpers import baseline, with_extra, without_rule

pytestmark = pytest.mark.django_db


def _facts(request, **kwargs):
    return facts_for_request(request, subject_identified=True, **kwargs)


def test_the_baseline_is_activated_on_first_findings_and_audited(csed_request):
    assert not PolicyVersion.objects.exists()
    services.findings_record(
        actor="system:test", request=csed_request, facts=_facts(csed_request)
    )
    version = PolicyVersion.objects.get(active=True)
    assert version.sha256 == baseline().version
    assert version.activated_by is None
    assert version.activated_by_label == "system:baseline"
    assert version.reason == services.BASELINE_REASON
    entry = AuditEntry.objects.get(action=constants.POLICY_VERSION_ACTIVATED)
    assert entry.actor == "system:baseline"
    assert entry.data["sha256"] == version.sha256
    assert entry.data["previous"] is None


def test_findings_record_stores_each_element_with_its_rules_citations_and_facts(
    csed_request,
):
    facts = _facts(csed_request)
    findings = services.findings_record(
        actor="system:test", request=csed_request, facts=facts
    )
    by_element = {f.element: f for f in findings}
    assert set(by_element) == {"employer", "wages", "dob"}
    assert by_element["wages"].outcome == "permit"
    assert by_element["wages"].rule_ids == ["permit.child-support"]
    assert "20 CFR 603.6(b)" in by_element["wages"].citations[0]
    assert by_element["dob"].outcome == "deny"
    assert by_element["dob"].rule_ids == [engine.DEFAULT_DENY_ID]
    assert by_element["wages"].facts == facts.to_json()
    assert by_element["wages"].policy_version.active
    entry = AuditEntry.objects.get(action=constants.FINDINGS_RECORDED)
    assert entry.target == f"intake.request:{csed_request.pk}"
    assert entry.actor == "system:test"
    assert {f["element"]: f["outcome"] for f in entry.data["findings"]} == {
        "employer": "permit",
        "wages": "permit",
        "dob": "deny",
    }
    assert {
        "element": "wages",
        "outcome": "permit",
        "rules": ["permit.child-support"],
    } in (entry.data["findings"])
    assert entry.data["recommendation"] == "review"
    assert entry.data["policy_version"] == baseline().version
    assert not AuditEntry.objects.filter(action=constants.POLICY_ALERT).exists()


def test_a_new_screening_keeps_history_and_only_the_latest_is_current(csed_request):
    services.findings_record(
        actor="system:test", request=csed_request, facts=_facts(csed_request)
    )
    services.findings_record(
        actor="system:test",
        request=csed_request,
        facts=facts_for_request(csed_request, subject_identified=False),
    )
    assert Finding.objects.filter(request=csed_request).count() == 6
    current = selectors.current_findings(csed_request)
    assert {f.outcome for f in current.values()} == {"deny"}
    assert current["wages"].rule_ids == ["guard.subject-not-identified"]
    assert len(selectors.findings_history(csed_request)) == 6
    assert AuditEntry.objects.filter(action=constants.FINDINGS_RECORDED).count() == 2


def test_an_element_the_policy_cannot_decide_is_denied_and_the_alert_audited(
    csed_request,
):
    # A stored request naming an element the catalogue no longer has.
    Request.objects.filter(pk=csed_request.pk).update(
        elements=["wages", "salary_history"]
    )
    csed_request.refresh_from_db()
    findings = services.findings_record(
        actor="system:test", request=csed_request, facts=_facts(csed_request)
    )
    odd = next(f for f in findings if f.element == "salary_history")
    assert odd.outcome == "deny"
    assert odd.rule_ids == [engine.FAIL_CLOSED_ID]
    assert "unknown data element" in odd.errors[0]
    alert = AuditEntry.objects.get(action=constants.POLICY_ALERT)
    assert alert.data["element"] == "salary_history"
    assert alert.target == f"intake.request:{csed_request.pk}"


def test_element_allowed_and_requires_escalation(requester_ice, submit, csed_request):
    assert not selectors.element_allowed(csed_request, "wages")  # never screened
    services.findings_record(
        actor="system:test", request=csed_request, facts=_facts(csed_request)
    )
    assert selectors.element_allowed(csed_request, "wages")
    assert not selectors.requires_escalation(csed_request, "wages")
    assert not selectors.element_allowed(csed_request, "dob")
    assert not selectors.element_allowed(csed_request, "ssn")  # not asked for
    hsi = submit(
        requester_ice,
        instrument="judicial_warrant",
        purpose="criminal_investigation",
        case_number="HSI-26-1",
        instrument_subject_count=1,
        elements=["employer", "ssn"],
    )
    services.findings_record(actor="system:test", request=hsi, facts=_facts(hsi))
    assert selectors.element_allowed(hsi, "employer")
    assert selectors.requires_escalation(hsi, "employer")
    assert not selectors.element_allowed(hsi, "ssn")
    assert not selectors.requires_escalation(hsi, "ssn")


def test_an_administrator_activates_a_version_with_a_reason(
    administrator, csed_request
):
    services.policy_version_ensure_active()
    policy = baseline()
    text = without_rule(policy, "permit.child-support")
    version = services.policy_version_activate(
        actor=administrator,
        text=text,
        schema=policy.schema_text,
        reason="Agreement DSA-2024-07 suspended pending audit.",
    )
    assert version.active and version.activated_by == administrator
    assert PolicyVersion.objects.filter(active=True).get() == version
    entry = AuditEntry.objects.filter(action=constants.POLICY_VERSION_ACTIVATED).last()
    assert entry.actor == f"user:{administrator.pk}"
    assert entry.data["previous"] == policy.version
    assert entry.data["reason"] == "Agreement DSA-2024-07 suspended pending audit."
    assert "permit.child-support" not in entry.data["rules"]
    # Decisions now follow the new version.
    findings = services.findings_record(
        actor="system:test", request=csed_request, facts=_facts(csed_request)
    )
    assert {f.outcome for f in findings} == {"deny"}
    assert {f.policy_version_id for f in findings} == {version.pk}
    assert engine.active_policy().version == version.sha256


def test_reactivating_an_earlier_version_reuses_its_row(administrator):
    first = services.policy_version_ensure_active()
    policy = baseline()
    services.policy_version_activate(
        actor=administrator,
        text=without_rule(policy, "permit.emergency-contact"),
        schema=policy.schema_text,
        reason="Emergency releases paused.",
    )
    again = services.policy_version_activate(
        actor=administrator,
        text=policy.text,
        schema=policy.schema_text,
        reason="Emergency releases resume.",
    )
    assert again.pk == first.pk
    assert again.active and again.reason == "Emergency releases resume."
    assert PolicyVersion.objects.count() == 2
    assert (
        AuditEntry.objects.filter(action=constants.POLICY_VERSION_ACTIVATED).count()
        == 3
    )


@pytest.mark.parametrize("role_fixture", ["reviewer", "counsel", "approver"])
def test_only_administrators_activate(request, role_fixture):
    actor = request.getfixturevalue(role_fixture)
    policy = baseline()
    with pytest.raises(Forbidden):
        services.policy_version_activate(
            actor=actor, text=policy.text, schema=policy.schema_text, reason="because"
        )
    assert not PolicyVersion.objects.exists()
    assert not AuditEntry.objects.filter(
        action=constants.POLICY_VERSION_ACTIVATED
    ).exists()


def test_activation_needs_a_reason(administrator):
    policy = baseline()
    with pytest.raises(ValidationError) as excinfo:
        services.policy_version_activate(
            actor=administrator,
            text=policy.text,
            schema=policy.schema_text,
            reason="  ",
        )
    assert "reason" in excinfo.value.message_dict
    assert not PolicyVersion.objects.exists()


def test_a_broken_version_is_refused_with_its_problems(administrator):
    services.policy_version_ensure_active()
    policy = baseline()
    text = with_extra(
        policy, '@id("x")\n@reason("r")\npermit (principal, action, resource);'
    )
    with pytest.raises(ValidationError) as excinfo:
        services.policy_version_activate(
            actor=administrator, text=text, schema=policy.schema_text, reason="try"
        )
    assert any("@citation" in p for p in excinfo.value.message_dict["text"])
    assert PolicyVersion.objects.get(active=True).sha256 == policy.version
    assert (
        AuditEntry.objects.filter(action=constants.POLICY_VERSION_ACTIVATED).count()
        == 1
    )


def test_a_reason_holding_personal_data_is_refused(administrator):
    policy = baseline()
    with pytest.raises(ValidationError) as excinfo:
        services.policy_version_activate(
            actor=administrator,
            text=policy.text,
            schema=policy.schema_text,
            reason="Asked by jane.doe@example.gov",
        )
    assert "personal data" in excinfo.value.message_dict["reason"][0]
    assert not PolicyVersion.objects.exists()


def test_activating_the_active_version_again_is_refused(administrator):
    services.policy_version_ensure_active()
    policy = baseline()
    with pytest.raises(ValidationError, match="already active"):
        services.policy_version_activate(
            actor=administrator,
            text=policy.text,
            schema=policy.schema_text,
            reason="again",
        )
