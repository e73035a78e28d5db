"""The hand-over to the review app's real screening: every example email, once ingested,
is screened without an error (the other intake tests record the call instead)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from recordwarden.audit.models import AuditEntry
from recordwarden.intake.services import submission_ingest_email

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "requests"


@pytest.fixture
def screened():
    """Overrides the recording fixture: here the real screening_run runs."""
    return None


def test_every_example_is_screened_by_the_real_screening(agencies, caplog):
    caplog.set_level(logging.ERROR, logger="recordwarden.alerts")
    requests = set()
    for path in sorted(EXAMPLES.glob("*.eml")):
        submission = submission_ingest_email(
            actor="system:test", raw=path.read_bytes(), inbox=""
        )
        assert submission.request is not None, path.name
        requests.add(f"intake.request:{submission.request_id}")
    assert "screening failed" not in caplog.text
    screened = set(
        AuditEntry.objects.filter(action="review.screened").values_list(
            "target", flat=True
        )
    )
    assert requests <= screened
