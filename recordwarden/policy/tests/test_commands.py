"""manage.py policy_test and policy_whatif."""

from __future__ import annotations

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from recordwarden.policy import engine, services
from recordwarden.policy.facts import facts_for_request

from .helpers import baseline, without_rule


def test_policy_test_runs_the_scenario_tables():
    out = StringIO()
    call_command("policy_test", stdout=out)
    text = out.getvalue()
    assert f"Policy {baseline().version}" in text
    assert "FAIL" not in text
    assert "PASS guardrails.yaml#1:" in text
    assert "scenario rows passed." in text


def test_policy_test_fails_on_a_candidate_that_breaks_its_scenarios(tmp_path):
    policy = baseline()
    shutil.copy(engine.POLICY_DIR / engine.SCHEMA_FILE, tmp_path)
    (tmp_path / "all.cedar").write_text(without_rule(policy, "guard.ssn"))
    out = StringIO()
    with pytest.raises(CommandError, match="policy check"):
        call_command("policy_test", "--policy", str(tmp_path), stdout=out)
    assert "FAIL guardrails.yaml#16" in out.getvalue()
    assert "no rule 'guard.ssn' in this policy" in out.getvalue()


def test_policy_test_exhaustive_reports_a_broken_invariant(tmp_path):
    policy = baseline()
    shutil.copy(engine.POLICY_DIR / engine.SCHEMA_FILE, tmp_path)
    (tmp_path / "all.cedar").write_text(without_rule(policy, "guard.clerk-subpoena"))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "policy_test", "--policy", str(tmp_path), "--exhaustive", stdout=out
        )
    assert "clerk-subpoena-yields-no-data" in out.getvalue()


@pytest.mark.django_db
def test_policy_whatif_lists_each_changed_element_with_both_citations(
    tmp_path, csed_request
):
    services.findings_record(
        actor="system:test",
        request=csed_request,
        facts=facts_for_request(csed_request, subject_identified=True),
    )
    policy = baseline()
    shutil.copy(engine.POLICY_DIR / engine.SCHEMA_FILE, tmp_path)
    (tmp_path / "all.cedar").write_text(without_rule(policy, "permit.child-support"))
    out = StringIO()
    call_command("policy_whatif", "--policies", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert (
        "1 screened request(s), 3 element decision(s) re-decided, 2 would change"
        in text
    )
    assert f"{csed_request.reference} wages: permit -> deny" in text
    assert f"{csed_request.reference} employer: permit -> deny" in text
    assert "permit.child-support [20 CFR 603.6(b)" in text
    assert f"{engine.DEFAULT_DENY_ID} [{engine.DEFAULT_DENY_CITATION}]" in text
    assert "dob" not in text.split("would change")[1]


def test_policy_whatif_refuses_a_policy_it_cannot_load(tmp_path):
    shutil.copy(engine.POLICY_DIR / engine.SCHEMA_FILE, tmp_path)
    (tmp_path / "all.cedar").write_text("permit (")
    with pytest.raises(CommandError, match="do not parse"):
        call_command("policy_whatif", "--policy", str(tmp_path))
