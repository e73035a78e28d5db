"""The example emails ingest into the requests and trust signals the examples folder
expects (read from examples/requests/expected.yaml), in file-name order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from recordwarden.audit.models import AuditEntry
from recordwarden.intake import constants as c
from recordwarden.intake.models import Request, Submission
from recordwarden.intake.services import submission_ingest_email
from recordwarden.intake.signals import trust_signals

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "requests"
EXPECTED = yaml.safe_load((EXAMPLES / "expected.yaml").read_text())
# Needs a denial, which the review app records; intake cannot raise it.
NOT_INTAKES = {"re_ask_after_denial"}


@pytest.fixture
def ingested(agencies):
    """Every example, ingested in file-name order into an empty system, with the trust
    signals of its request as they stood right after it arrived."""
    out = {}
    for path in sorted(EXAMPLES.glob("*.eml")):
        submission = submission_ingest_email(
            actor="system:test", raw=path.read_bytes(), inbox=""
        )
        signals = trust_signals(submission.request) if submission.request else None
        out[path.name] = (submission, signals)
    return out


def _subject_dict(subject) -> dict:
    return {
        "first_name": subject.first_name,
        "middle_name": subject.middle_name,
        "last_name": subject.last_name,
        "dob": subject.dob,
        "ssn_last4": subject.ssn_last4(),
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_example_becomes_the_expected_request(ingested, name):
    expected = EXPECTED[name]
    request = ingested[name][0].request
    assert request is not None, f"{name} opened no request"
    assert (request.agency.key if request.agency else None) == expected["agency"]
    assert request.instrument == expected["instrument"]
    if "case_number" in expected:
        assert request.case_number == expected["case_number"]
    if "elements" in expected:
        assert set(request.elements) == set(expected["elements"])
    subjects = [_subject_dict(s) for s in request.subjects.all()]
    assert len(subjects) == len(expected["subjects"])
    for got, want in zip(subjects, expected["subjects"], strict=True):
        for key, value in want.items():
            if key == "dob":
                value = dt.date.fromisoformat(str(value))
            assert got[key] == value, (name, key)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_example_raises_exactly_the_expected_trust_signals(ingested, name):
    expected = set(EXPECTED[name]["flags"]) - NOT_INTAKES
    submission, signals = ingested[name]
    assert signals is not None, f"{name} opened no request"
    assert set(signals) == expected


def test_the_re_ask_to_another_inbox_joins_the_first_request(ingested):
    first = ingested["01-direct-access.eml"][0]
    second = ingested["02-re-ask-other-staff.eml"][0]
    assert second.request_id == first.request_id
    assert second.inbox != first.inbox
    request = first.request
    assert sorted(s.inbox for s in request.submissions.all()) == [
        "k.tafoya@dws.example.nm.gov",
        "records@dws.example.nm.gov",
    ]
    joined = AuditEntry.objects.get(
        action=c.SUBMISSION_JOINED, target=f"intake.submission:{second.pk}"
    )
    assert joined.data["rule"] == "bulk_ask"
    assert joined.data["request"] == request.reference


def test_eight_examples_make_seven_requests_each_with_its_raw_message(ingested):
    assert Request.objects.count() == 7
    assert Submission.objects.count() == 8
    for name, (submission, _) in ingested.items():
        raw = (EXAMPLES / name).read_bytes()
        assert submission.raw_bytes() == raw
        assert len(submission.sha256) == 64
        assert AuditEntry.objects.filter(
            action=c.SUBMISSION_RECEIVED,
            target=f"intake.submission:{submission.pk}",
            data__sha256=submission.sha256,
        ).exists()


def test_ingesting_the_same_message_twice_is_one_submission(ingested):
    path = EXAMPLES / "04-police-warrant.eml"
    again = submission_ingest_email(
        actor="system:test", raw=path.read_bytes(), inbox=""
    )
    assert again.pk == ingested[path.name][0].pk
    assert Submission.objects.count() == 8
