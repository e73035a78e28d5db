"""`manage.py screen` and `manage.py decide`: the same services from the command line."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from recordwarden.review.models import Decision

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_screen_prints_the_screening_as_json_and_in_words(police_request):
    data = json.loads(run("screen", police_request.reference, "--json"))
    assert data["instrument"] == "judicial_warrant"
    assert data["recommendation"] == "review"
    assert data["policy"]["wages"]["rule_ids"]
    assert data["subjects"][0]["last_name"] == "Keller"
    text = run("screen", police_request.reference, "--rerun")
    assert "recommendation: review" in text and "match=match" in text


def test_screen_refuses_an_unknown_reference(db):
    with pytest.raises(CommandError):
        run("screen", "RW-2026-999999")


def test_decide_denies_with_a_reason_code(police_request, reviewer):
    out = run(
        "decide",
        police_request.reference,
        "--deny",
        "no_legal_basis",
        "--by",
        reviewer.username,
    )
    assert "is final" in out and "denied" in out
    decision = Decision.objects.get(request=police_request)
    assert decision.decided_by == reviewer
    assert police_request.letters.count() == 1


def test_decide_approves_once_per_signer(police_request, reviewer, approver):
    first = run(
        "decide",
        police_request.reference,
        "--approve",
        "employer",
        "--by",
        reviewer.username,
    )
    assert "pending" in first
    with pytest.raises(CommandError, match="exactly those elements"):
        run(
            "decide",
            police_request.reference,
            "--approve",
            "employer,wages",
            "--by",
            approver.username,
        )
    with pytest.raises(CommandError, match="neither an approver nor counsel"):
        run(
            "decide",
            police_request.reference,
            "--approve",
            "employer",
            "--by",
            reviewer.username,
        )
    last = run(
        "decide",
        police_request.reference,
        "--approve",
        "employer",
        "--by",
        approver.username,
    )
    assert "is final" in last


def test_decide_refuses_what_the_role_or_policy_does_not_allow(
    police_request, intake_clerk, reviewer
):
    with pytest.raises(CommandError):
        run(
            "decide",
            police_request.reference,
            "--deny",
            "other",
            "--by",
            intake_clerk.username,
        )
    with pytest.raises(CommandError, match="Not asked for"):
        run(
            "decide",
            police_request.reference,
            "--approve",
            "ssn",
            "--by",
            reviewer.username,
        )
