"""Policy tests record findings explicitly: screening (the review app) is replaced by a
recorder, as intake's tests do, so these tests do not depend on matching and review."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture(autouse=True)
def _no_screening(monkeypatch):
    monkeypatch.setattr(
        "recordwarden.review.screening.screening_run", lambda *, actor, request: None
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def submit():
    """submit(requester, **fields) files a portal request through intake's service."""
    from recordwarden.intake.inputs import RequestInput, SubjectInput
    from recordwarden.intake.services import request_submit

    def _submit(requester, **fields):
        subjects = fields.pop(
            "subjects",
            [
                SubjectInput(
                    first_name="Daniel",
                    middle_name="R",
                    last_name="Ortega",
                    dob=dt.date(1988, 3, 14),
                )
            ],
        )
        data = RequestInput(subjects=subjects, **fields)
        return request_submit(
            actor=requester.user,
            requester=requester,
            channel="portal",
            data=data,
            raw=repr(fields).encode(),
        )

    return _submit


@pytest.fixture
def csed_request(requester_csed, submit):
    return submit(
        requester_csed,
        instrument="data_sharing_agreement",
        purpose="child_support",
        case_number="2026-118734",
        elements=["employer", "wages", "dob"],
    )
