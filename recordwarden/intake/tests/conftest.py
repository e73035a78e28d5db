"""Intake tests record the calls to screening instead of running it: the review app
owns screening and tests it; here what matters is that every new or changed request is
handed to it, after the intake transaction, and that a failure there loses nothing."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def screened(monkeypatch):
    calls: list = []

    def record(*, actor, request):
        calls.append(request.reference)

    monkeypatch.setattr("recordwarden.review.screening.screening_run", record)
    return calls


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas get log-ins; a fast hasher keeps fixture set-up from dominating."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
