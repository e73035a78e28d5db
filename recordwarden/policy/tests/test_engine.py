"""The engine: per-element decisions with rule ids and citations, failing closed."""

from __future__ import annotations

import logging
from dataclasses import replace

import cedarpy
import pytest

from recordwarden.policy import engine
from recordwarden.policy.facts import RequestFacts
from recordwarden.records.catalogue import ELEMENTS

from .helpers import CHILD_SUPPORT, POLICE_WARRANT, WORKER, baseline, with_extra

SIX = ["name", "address", "employer", "wages", "benefit_amounts", "ssn"]


def test_it_permits_child_support_elements_with_rule_and_citation():
    decisions = engine.decide(CHILD_SUPPORT, ["employer", "wages"], baseline())
    for decision in decisions.values():
        assert decision.outcome == "permit"
        assert decision.rule_ids == ("permit.child-support",)
        assert "20 CFR 603.6(b)" in decision.citations[0]
        assert decision.reasons[0].startswith("A child-support (IV-D) agency")
        assert decision.errors == ()


def test_it_returns_decisions_in_the_order_asked_without_duplicates():
    decisions = engine.decide(CHILD_SUPPORT, ["wages", "name", "wages"], baseline())
    assert list(decisions) == ["wages", "name"]


def test_a_forbid_beats_a_permit_and_names_only_the_forbids():
    decision = engine.decide(
        replace(CHILD_SUPPORT, bulk_access=True), ["wages"], baseline()
    )["wages"]
    assert decision.outcome == "deny"
    assert decision.rule_ids == ("guard.bulk-or-standing-access",)


def test_determining_rule_ids_are_sorted():
    facts = RequestFacts(
        purpose="civil_immigration", instrument="clerk_subpoena", bulk_access=True
    )
    decision = engine.decide(facts, ["address"], baseline())["address"]
    assert decision.rule_ids == tuple(sorted(decision.rule_ids))
    assert set(decision.rule_ids) == {
        "guard.bulk-or-standing-access",
        "guard.civil-immigration-without-judicial-process",
        "guard.clerk-subpoena",
        "guard.subject-not-identified",
    }
    assert len(decision.citations) == len(decision.rule_ids) == len(decision.reasons)


def test_absence_of_a_permit_is_a_denial_with_the_default_rule():
    decision = engine.decide(CHILD_SUPPORT, ["dob"], baseline())["dob"]
    assert decision.outcome == "deny"
    assert decision.rule_ids == (engine.DEFAULT_DENY_ID,)
    assert decision.citations == (engine.DEFAULT_DENY_CITATION,)


def test_escalation_only_permits_give_escalate():
    facts = replace(POLICE_WARRANT, agency_type="immigration_enforcement")
    decision = engine.decide(facts, ["employer"], baseline())["employer"]
    assert decision.outcome == "escalate"
    assert decision.rule_ids == ("permit.criminal-investigation-by-immigration-agency",)


def test_one_evaluation_gives_the_same_outcome_as_evaluating_both_actions():
    """The engine evaluates release_escalated only; check it against Cedar evaluating
    release and release_escalated separately, on a spread of facts and every element."""
    policy = baseline()
    samples = [
        CHILD_SUPPORT,
        POLICE_WARRANT,
        WORKER,
        replace(POLICE_WARRANT, agency_type="immigration_enforcement"),
        replace(
            POLICE_WARRANT, judge_order_names_fields=frozenset({"sex", "claim_dates"})
        ),
        RequestFacts(
            agency_type="local_police",
            agency_verified=True,
            emergency=True,
            emergency_verified=True,
            subjects_named=1,
            subject_identified=True,
        ),
        replace(CHILD_SUPPORT, instrument="clerk_subpoena"),
    ]
    for facts in samples:
        decisions = engine.decide(facts, list(ELEMENTS), policy)
        for key, decision in decisions.items():
            allowed = {}
            for action in (engine.RELEASE, engine.ESCALATED):
                result = cedarpy.is_authorized(
                    {
                        "principal": engine.PRINCIPAL_UID,
                        "action": {"type": "Action", "id": action},
                        "resource": {"type": "Element", "id": key},
                        "context": facts.context(),
                    },
                    policy.policy_set,
                    policy.entities_for(facts),
                    policy.schema,
                )
                assert not result.diagnostics.errors
                allowed[action] = result.allowed
            expected = (
                "permit"
                if allowed[engine.RELEASE]
                else "escalate"
                if allowed[engine.ESCALATED]
                else "deny"
            )
            assert decision.outcome == expected, (facts, key)


# --- failing closed -----------------------------------------------------------------


def test_an_unknown_element_is_denied_and_alerted(caplog):
    with caplog.at_level(logging.WARNING, logger="recordwarden.alerts"):
        decisions = engine.decide(CHILD_SUPPORT, ["wages", "salary", ""], baseline())
    assert decisions["wages"].outcome == "permit"
    for key in ("salary", ""):
        assert decisions[key].outcome == "deny"
        assert decisions[key].rule_ids == (engine.FAIL_CLOSED_ID,)
        assert "unknown data element" in decisions[key].errors[0]
    alerts = [r for r in caplog.records if r.name == "recordwarden.alerts"]
    assert {r.policy_alert["kind"] for r in alerts} == {"unknown_element"}
    assert len(alerts) == 2


def test_a_missing_attribute_is_denied_and_alerted(caplog):
    # purpose=None leaves "purpose" out of the context: Cedar refuses the request.
    facts = replace(CHILD_SUPPORT, purpose=None)
    with caplog.at_level(logging.WARNING, logger="recordwarden.alerts"):
        decisions = engine.decide(facts, ["wages", "employer"], baseline())
    for decision in decisions.values():
        assert decision.outcome == "deny"
        assert decision.errors
        assert "purpose" in " ".join(decision.errors)
    assert any(
        r.policy_alert["kind"] == "evaluation_error"
        for r in caplog.records
        if r.name == "recordwarden.alerts"
    )


def test_a_principal_the_schema_refuses_is_denied_and_alerted(caplog):
    facts = replace(CHILD_SUPPORT, agency_verified="yes")  # not a Bool
    with caplog.at_level(logging.WARNING, logger="recordwarden.alerts"):
        decision = engine.decide(facts, ["wages"], baseline())["wages"]
    assert decision.outcome == "deny"
    assert decision.errors
    assert any(
        r.policy_alert["kind"] == "evaluation_failed"
        for r in caplog.records
        if r.name == "recordwarden.alerts"
    )


def test_a_rule_that_errors_at_evaluation_denies_even_where_a_permit_holds(caplog):
    """A forbid that errors would be skipped by Cedar; the engine denies instead."""
    policy = baseline()
    text = with_extra(
        policy,
        '@id("test.overflow")\n@reason("r")\n@citation("c")\n'
        'forbid (principal, action in Action::"disclose", resource)\n'
        "when { context.subjects_named * 9223372036854775807 > 0 };\n",
    )
    broken = engine.load_policy_text(text, policy.schema_text)
    facts = replace(CHILD_SUPPORT, subjects_named=2)
    with caplog.at_level(logging.WARNING, logger="recordwarden.alerts"):
        decision = engine.decide(facts, ["wages"], broken)["wages"]
    assert decision.outcome == "deny"
    assert decision.rule_ids == (engine.FAIL_CLOSED_ID,)
    assert any("overflow" in e for e in decision.errors)
    assert any(r.name == "recordwarden.alerts" for r in caplog.records)


def test_nodecision_is_a_denial(caplog):
    # A context value of the wrong type: Cedar returns NoDecision.
    facts = replace(CHILD_SUPPORT, subjects_named="one")
    with caplog.at_level(logging.WARNING, logger="recordwarden.alerts"):
        decision = engine.decide(facts, ["wages"], baseline())["wages"]
    assert decision.outcome == "deny"
    assert decision.errors


def test_broken_policy_text_is_refused_at_load():
    policy = baseline()
    with pytest.raises(engine.PolicyError, match="do not parse"):
        engine.load_policy_text(
            policy.text + "\npermit (principal, action, resource", policy.schema_text
        )


def test_a_policy_that_cannot_be_loaded_denies_everything_with_an_alert(caplog, db):
    from recordwarden.policy.models import PolicyVersion

    PolicyVersion.objects.create(
        sha256="0" * 64,
        text="permit (principal,",
        schema="entity X;",
        active=True,
        created_at="2026-01-01T00:00:00Z",
        reason="corrupted on purpose",
    )
    engine._CACHE.pop("0" * 64, None)
    with caplog.at_level(logging.WARNING, logger="recordwarden.alerts"):
        decisions = engine.decide(CHILD_SUPPORT, ["wages", "name"])
    assert {d.outcome for d in decisions.values()} == {"deny"}
    assert all("could not be loaded" in d.errors[0] for d in decisions.values())
    assert any(
        r.policy_alert["kind"] == "load_failed"
        for r in caplog.records
        if r.name == "recordwarden.alerts"
    )


@pytest.mark.parametrize(
    ("cedar", "problem"),
    [
        (
            '@id("x")\n@reason("r")\npermit (principal, action in Action::"disclose", resource);',
            "@citation",
        ),
        (
            '@reason("r")\n@citation("c")\npermit (principal, action in Action::"disclose", resource);',
            "@id",
        ),
        (
            '@id("guard.ssn")\n@reason("r")\n@citation("c")\nforbid (principal, action, resource);',
            "used twice",
        ),
        (
            '@id("x")\n@reason("r")\n@citation("c")\n'
            'forbid (principal, action == Action::"release", resource);',
            "must bind both release actions",
        ),
        (
            '@id("x")\n@reason("r")\n@citation("c")\n'
            'permit (principal, action == Action::"release", resource);',
            "must also bind release_escalated",
        ),
        (
            '@id("x")\n@reason("r")\n@citation("c")\n'
            'permit (principal, action in Action::"disclose", resource)\n'
            'when { action == Action::"release" };',
            "must not look at `action`",
        ),
        (
            '@id("x")\n@reason("r")\n@citation("c")\n'
            'permit (principal, action in Action::"disclose", resource)\n'
            "when { context.no_such_fact };",
            "x:",
        ),
    ],
)
def test_load_refuses_rules_the_engine_cannot_rely_on(cedar, problem):
    policy = baseline()
    with pytest.raises(engine.PolicyError) as excinfo:
        engine.load_policy_text(with_extra(policy, cedar), policy.schema_text)
    assert any(problem in p for p in excinfo.value.problems), excinfo.value.problems


def test_a_schema_the_engine_cannot_fill_is_refused_at_load():
    policy = baseline()
    schema = policy.schema_text.replace(
        '"purpose": String,', '"purpose": String,\n  "county": String,'
    )
    with pytest.raises(engine.PolicyError, match="default facts"):
        engine.load_policy_text(policy.text, schema)


def test_entities_are_built_with_the_schema():
    policy = baseline()
    schema = policy.schema_text.replace(
        '"category": String,', '"category": String,\n  "owner": String,'
    )
    with pytest.raises(engine.PolicyError, match="catalogue elements do not fit"):
        engine.load_policy_text(policy.text, schema)


def test_version_is_the_sha256_of_text_and_schema():
    policy = baseline()
    assert policy.version == engine.policy_version_hash(policy.text, policy.schema_text)
    assert len(policy.version) == 64
    other = engine.policy_version_hash(policy.text, policy.schema_text + "\n")
    assert other != policy.version


def test_every_rule_has_id_reason_and_citation():
    for rule in baseline().rules:
        assert rule.id and rule.reason and rule.citation


# --- notice and recommendation -------------------------------------------------------


def test_notice_is_required_for_an_immigration_agency_request_about_a_worker():
    facts = RequestFacts(
        agency_type="immigration_enforcement", subjects_named=1, subject_identified=True
    )
    assert engine.notice_required(facts, baseline()) is True
    assert (
        engine.notice_required(replace(facts, notice_delay_order=True), baseline())
        is False
    )
    assert engine.notice_required(CHILD_SUPPORT, baseline()) is False


def test_notice_fails_towards_telling_the_worker_unless_delayed(caplog):
    facts = replace(CHILD_SUPPORT, purpose=None)
    with caplog.at_level(logging.WARNING, logger="recordwarden.alerts"):
        assert engine.notice_required(facts, baseline()) is True
        assert (
            engine.notice_required(replace(facts, notice_delay_order=True), baseline())
            is False
        )
    assert any(r.name == "recordwarden.alerts" for r in caplog.records)


@pytest.mark.parametrize(
    ("facts", "elements", "expected"),
    [
        (CHILD_SUPPORT, ["employer", "wages"], "review"),
        (replace(CHILD_SUPPORT, bulk_access=True), ["employer"], "deny"),
        (replace(CHILD_SUPPORT, instrument="clerk_subpoena"), ["wages"], "quash"),
        (replace(WORKER, identity_verified=False), ["wages"], "self"),
        (WORKER, ["wages"], "self"),
        (replace(WORKER, bulk_access=True), ["wages"], "deny"),
        (RequestFacts(), [], "deny"),
    ],
)
def test_recommend(facts, elements, expected):
    decisions = engine.decide(facts, elements, baseline())
    assert engine.recommend(decisions, facts) == expected


def test_six_elements_are_decided_in_one_batch_with_citations():
    decisions = engine.decide(CHILD_SUPPORT, SIX, baseline())
    assert [d.outcome for d in decisions.values()] == ["permit"] * 6
    assert all(d.citations for d in decisions.values())
