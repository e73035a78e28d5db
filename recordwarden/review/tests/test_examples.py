"""The example emails, ingested in file-name order into an empty system with the example
agency registry, screen exactly as examples/requests/expected.yaml says, read through
`manage.py screen REF --json`. Request 01 is denied before 02 arrives."""

from __future__ import annotations

import io
import json

import pytest
import yaml
from django.core.management import call_command

from recordwarden.review import services

from .conftest import EXAMPLES

EXPECTED = yaml.safe_load((EXAMPLES / "requests" / "expected.yaml").read_text())
FLAG_VOCABULARY = [
    "bulk_or_standing_access",
    "no_named_subject",
    "civil_immigration_purpose",
    "re_ask_after_denial",
    "multiple_inboxes",
    "emergency_unverified",
    "sender_not_on_file",
    "free_mail_domain",
    "lookalike_domain",
    "reply_to_mismatch",
    "display_name_claims_agency",
    "identity_unverified",
]
INBOXES = {
    "02-re-ask-other-staff.eml": "k.tafoya@dws.example.nm.gov",
    "06-spoofed-emergency.eml": "k.tafoya@dws.example.nm.gov",
}


def screen_json(reference: str) -> dict:
    out = io.StringIO()
    call_command("screen", reference, "--json", stdout=out)
    return json.loads(out.getvalue())


def check(name: str, data: dict, references: dict) -> None:
    expected = EXPECTED[name]
    assert data["agency"] == expected["agency"], name
    assert data["instrument"] == expected["instrument"], name
    assert data["recommendation"] == expected["outcome"], name
    raised = set(data["flags"])
    for flag in FLAG_VOCABULARY:
        assert (flag in raised) == (flag in expected["flags"]), (name, flag, raised)
    if "case_number" in expected:
        assert data["case_number"] == expected["case_number"], name
    if "elements" in expected:
        assert sorted(data["elements"]) == sorted(expected["elements"]), name
    assert len(data["subjects"]) == len(expected["subjects"]), name
    for got, want in zip(data["subjects"], expected["subjects"], strict=True):
        for key, value in want.items():
            assert str(got[key]) == str(value), (name, key, got)
        assert got["match"] in {"match", "ambiguous", "none"}, name
    for element, finding in data["policy"].items():
        assert finding["outcome"] in {"permit", "escalate", "deny"}, (name, element)
        assert finding["rule_ids"], (name, element)
    if "joins" in expected:
        assert data["reference"] == references[expected["joins"]], name


@pytest.mark.django_db
def test_the_examples_screen_as_expected(agencies, ingest, reviewer):
    references: dict[str, str] = {}
    for path in sorted((EXAMPLES / "requests").glob("*.eml")):
        name = path.name
        submission = ingest(name, inbox=INBOXES.get(name, "records@dws.example.nm.gov"))
        assert submission.request is not None, name
        reference = submission.request.reference
        references[name] = reference
        data = screen_json(reference)
        check(name, data, references)
        if name == "01-direct-access.eml":
            request = submission.request
            services.review_start(actor=reviewer, request=request)
            services.review_decide(
                actor=reviewer,
                request=request,
                kind="deny",
                reason_codes=["bulk_or_standing_access", "no_specific_subject"],
            )
    # The re-ask links to the denial and the approver has been told.
    founding = screen_json(references["02-re-ask-other-staff.eml"])
    assert founding["re_ask"]["reference"] == references["01-direct-access.eml"]
    assert founding["inboxes"] == [
        "k.tafoya@dws.example.nm.gov",
        "records@dws.example.nm.gov",
    ]
    from recordwarden.review.models import Notification

    note = Notification.objects.get(kind="re_ask_after_denial")
    assert note.recipient_role == "approver"
    assert note.request.reference == references["01-direct-access.eml"]
