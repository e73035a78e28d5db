"""Shared test helpers: facts for common cases, policy variants, submitting requests."""

from __future__ import annotations

import json
from dataclasses import replace

import cedarpy

from recordwarden.policy import engine
from recordwarden.policy.facts import RequestFacts

CHILD_SUPPORT = RequestFacts(
    agency_type="child_support",
    agency_verified=True,
    agreement_elements=frozenset(
        {"name", "address", "employer", "wages", "benefit_amounts", "ssn"}
    ),
    purpose="child_support",
    instrument="data_sharing_agreement",
    subjects_named=1,
    subject_identified=True,
)
POLICE_WARRANT = RequestFacts(
    agency_type="local_police",
    agency_verified=True,
    purpose="criminal_investigation",
    instrument="judicial_warrant",
    case_number_present=True,
    subjects_named=1,
    instrument_subject_count=1,
    subject_identified=True,
)
WORKER = RequestFacts(
    instrument="own_request",
    purpose="own_records",
    requester_is_subject=True,
    identity_verified=True,
    subjects_named=1,
    subject_identified=True,
)


def baseline() -> engine.LoadedPolicy:
    return engine.load_policy()


def without_rule(policy: engine.LoadedPolicy, rule_id: str) -> str:
    """The policy text with one rule deleted (through Cedar's own JSON form)."""
    doc = json.loads(cedarpy.policies_to_json_str(policy.text))
    doc["staticPolicies"].pop(policy.rule(rule_id).policy_id)
    return cedarpy.policies_from_json_str(json.dumps(doc))


def with_extra(policy: engine.LoadedPolicy, cedar: str) -> str:
    return policy.text + "\n" + cedar


__all__ = [
    "CHILD_SUPPORT",
    "POLICE_WARRANT",
    "WORKER",
    "baseline",
    "replace",
    "with_extra",
    "without_rule",
]
