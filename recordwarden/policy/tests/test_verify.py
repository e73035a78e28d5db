"""The exhaustive check: invariants over every combination of facts and elements; each
guardrail shown load-bearing by deleting it."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from recordwarden.accounts.constants import AgencyType
from recordwarden.intake.constants import Instrument, Purpose
from recordwarden.policy import engine, verify
from recordwarden.records.catalogue import ELEMENTS

from .helpers import baseline, with_extra, without_rule

GUARDRAILS = [rule.id for rule in engine.load_policy().rules if rule.effect == "forbid"]


def test_every_invariant_holds_over_the_whole_domain():
    report = verify.check(baseline())
    assert report.ok, report.summary()
    # agency types x verified x agreement x purposes x instruments x case number x
    # subject arrangements x worker x bulk x emergency x judge's order x consent x
    # elements, plus the notice grid.
    release_points = (
        (len(AgencyType.values) + 1)
        * 2
        * 3
        * len(Purpose.values)
        * len(Instrument.values)
        * 2
        * 20
        * 3
        * 2
        * 3
        * 3
        * 3
        * len(ELEMENTS)
    )
    assert report.points >= release_points
    assert report.seconds < 120


def test_the_domain_is_every_value_of_every_fact():
    axes = verify.AXIS_BY_NAME
    assert set(axes["agency_type"].values) == set(AgencyType.values) | {"none"}
    assert set(axes["purpose"].values) == set(Purpose.values)
    assert set(axes["instrument"].values) == set(Instrument.values)
    covered = {attr for axis in verify.AXES for _, attr in axis.reads}
    facts_context = set(engine.RequestFacts().context()) | {"instrument_subject_count"}
    principal = set(engine.RequestFacts().principal_attrs())
    assert covered == facts_context | principal


@pytest.mark.parametrize("rule_id", GUARDRAILS)
def test_each_guardrail_is_load_bearing(rule_id):
    policy = baseline()
    mutant = engine.load_policy_text(without_rule(policy, rule_id), policy.schema_text)
    report = verify.check(mutant, stop_at_first=True)
    assert not report.ok, f"deleting {rule_id} broke no invariant"


def test_the_mutants_break_the_invariant_each_guardrail_protects():
    expected = {
        "guard.subject-not-identified": "named-identified-subject",
        "guard.more-subjects-than-instrument": "named-identified-subject",
        "guard.bulk-or-standing-access": "no-bulk-access",
        "guard.civil-immigration-without-judicial-process": "civil-immigration-needs-judicial-instrument",
        "guard.clerk-subpoena": "clerk-subpoena-yields-no-data",
        "notice.delayed-by-court-order": "notice-to-worker",
    }
    policy = baseline()
    for rule_id, invariant in expected.items():
        mutant = engine.load_policy_text(
            without_rule(policy, rule_id), policy.schema_text
        )
        report = verify.check(mutant, stop_at_first=True)
        assert invariant in {v.invariant for v in report.violations}, rule_id


def test_a_permit_that_leaks_past_the_guardrails_is_caught_with_an_example():
    """No forbid guards the accounting of disclosures (deny by default does); a permit
    that hands it to police is caught by the invariant, with the facts that show it."""
    policy = baseline()
    leaky = with_extra(
        policy,
        '@id("test.police-get-accounting")\n@reason("r")\n@citation("c")\n'
        'permit (principal, action in Action::"disclose", resource)\n'
        'when { principal.type == "local_police" && resource.key == "accounting_of_disclosures" };\n',
    )
    report = verify.check(engine.load_policy_text(leaky, policy.schema_text))
    assert [v.invariant for v in report.violations] == ["accounting-only-to-worker"]
    example = report.violations[0].examples[0]
    assert example["element"] == "accounting_of_disclosures"
    assert example["rules"] == ["test.police-get-accounting"]
    assert example["outcome"] == "permit"
    assert "local_police" in example["facts"]
    assert report.violations[0].count > 0


def test_the_same_permit_for_ssn_is_stopped_by_the_guardrail():
    policy = baseline()
    text = with_extra(
        policy,
        '@id("test.police-get-ssn")\n@reason("r")\n@citation("c")\n'
        'permit (principal, action in Action::"disclose", resource)\n'
        'when { principal.type == "local_police" && resource.key == "ssn_last4" };\n',
    )
    assert verify.check(engine.load_policy_text(text, policy.schema_text)).ok


def _states(**named):
    model_axes = [a.name for a in verify.AXES]
    return {name: named.get(name, 0) for name in model_axes}


def _subject_state(named, count, identified):
    labels = verify.AXIS_BY_NAME["subjects"].labels
    for i, state in enumerate(verify.AXIS_BY_NAME["subjects"].states):
        values = state("name")
        if (
            values["subjects_named"],
            values["instrument_subject_count"],
            values["subject_identified"],
        ) == (named, count, identified):
            return i
    raise AssertionError(labels)


@pytest.mark.parametrize(
    "setting",
    [
        # verified agency, agreement / order / consent naming the element, a case number,
        # one identified subject the instrument names, a verified emergency.
        dict(
            agency_verified=1,
            agreement=1,
            case_number=1,
            subjects=(1, 1, True),
            emergency=2,
            judge_order=1,
            consent=1,
        ),
        # the verified worker, two named where the instrument names one, consent to
        # every other element, an unverified emergency.
        dict(worker=2, subjects=(2, 1, True), consent=2, emergency=1, agreement=2),
    ],
)
def test_the_model_agrees_with_the_engine(setting):
    """The combined per-rule tables give exactly engine.decide's outcome on every agency
    type x purpose x instrument x element, in two settings of the other facts."""
    policy = baseline()
    model = verify.release_model(policy)
    setting = dict(setting)
    setting["subjects"] = _subject_state(*setting["subjects"])
    mismatches = []
    for agency, purpose, instrument in itertools.product(
        range(verify.AXIS_BY_NAME["agency_type"].size),
        range(verify.AXIS_BY_NAME["purpose"].size),
        range(verify.AXIS_BY_NAME["instrument"].size),
    ):
        states = _states(
            **setting, agency_type=agency, purpose=purpose, instrument=instrument
        )
        index = tuple(states[name] for name in model.axes)
        for e_index, key in enumerate(verify.ELEMENT_KEYS):
            got = engine.decide(verify.facts_at(states, key), [key], policy)[key]
            want = model.outcome_at(e_index, index)
            if got.outcome != want:
                mismatches.append((key, states, got.outcome, want))
            forbids = {
                r.id
                for r in model.point(e_index, index)["held"]
                if r.effect == "forbid"
            }
            if forbids:
                # Forbid beats permit: the engine denies, naming exactly those forbids.
                assert got.outcome == "deny" and set(got.rule_ids) == forbids
    assert not mismatches, mismatches[:5]


def test_counting_without_building_the_grid_matches_counting_the_grid():
    from recordwarden.policy.verify.check import _count

    rng = np.random.default_rng(7)
    shape = (3, 4, 2, 5, 3)
    for _ in range(50):
        operands = []
        for _ in range(3):
            dims = [n if rng.random() < 0.5 else 1 for n in shape]
            operands.append(rng.random(dims) < 0.6)
        full = operands[0]
        for op in operands[1:]:
            full = full & op
        assert _count(shape, operands) == int(
            np.count_nonzero(np.broadcast_to(full, shape))
        )
