"""Screening: policy findings, subject matches, trust signals and related requests.

Intake calls ``screening_run`` whenever a request is created or changed. The review app
owns the implementation.
"""

from __future__ import annotations


def screening_run(*, actor, request):
    """Screen ``request`` and store the result. Returns the stored screening."""
    return None
