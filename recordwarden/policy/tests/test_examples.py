"""The example requests (examples/requests/expected.yaml): the policy's recommendation
for each, on the facts intake and screening establish for it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from recordwarden.policy import engine
from recordwarden.policy.facts import RequestFacts, agreement_elements_in_force

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
EXPECTED = yaml.safe_load((EXAMPLES / "requests" / "expected.yaml").read_text())
# What the messages say, as intake extracts it (the expected file lists the rest).
PURPOSES = {
    "01-direct-access.eml": "civil_immigration",
    "02-re-ask-other-staff.eml": "civil_immigration",
    "03-child-support.eml": "child_support",
    "04-police-warrant.eml": "criminal_investigation",
    "05-civil-immigration-as-criminal.eml": "criminal_investigation",
    "06-spoofed-emergency.eml": "emergency",
    "07-worker-own-records.eml": "own_records",
    "08-clerk-subpoena.eml": "civil_litigation",
}
ALL_RECORDS = ["name", "address", "employer", "wages", "claim_dates", "benefit_amounts"]


def _facts(name, entry, agencies) -> RequestFacts:
    agency = agencies.get(entry.get("agency"))
    subjects = entry.get("subjects") or []
    own = entry["instrument"] == "own_request"
    return RequestFacts(
        agency_type=agency.type if agency else "none",
        agency_verified=bool(agency and agency.verified),
        agreement_elements=agreement_elements_in_force(agency, dt.date(2026, 8, 4)),
        purpose=PURPOSES[name],
        instrument=entry["instrument"],
        case_number_present=bool(entry.get("case_number")),
        subjects_named=len(subjects),
        instrument_subject_count=len(subjects)
        if entry["instrument"] == "judicial_warrant"
        else None,
        subject_identified=bool(subjects),
        requester_is_subject=own,
        identity_verified=False,
        bulk_access="bulk_or_standing_access" in entry.get("flags", []),
        emergency="emergency_unverified" in entry.get("flags", []),
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_outcome(name, agencies):
    entry = EXPECTED[name]
    facts = _facts(name, entry, agencies)
    elements = entry.get("elements") or ALL_RECORDS
    decisions = engine.decide(facts, elements, engine.load_policy())
    assert engine.recommend(decisions, facts) == entry["outcome"], {
        k: (d.outcome, d.rule_ids) for k, d in decisions.items()
    }
