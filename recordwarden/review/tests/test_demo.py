"""The demo's cases come out as the story says, and seeding twice changes nothing."""

from __future__ import annotations

import io

import pytest

from recordwarden.intake.models import Request
from recordwarden.review.demo import founding_case_seed
from recordwarden.review.models import Decision, Notification

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_the_founding_case_and_two_releases(
    agencies, reviewer, approver, requester_csed, requester_police
):
    from recordwarden.records.services import state_synthesize

    state_synthesize(actor="system:test", workers=300, seed=505)
    out = io.StringIO()
    founding_case_seed(stdout=out)
    founding_case_seed(stdout=out)
    statuses = sorted(Request.objects.values_list("status", flat=True))
    assert statuses == ["denied", "released", "released"]
    assert Notification.objects.filter(kind="re_ask_after_denial").count() == 1
    narrowed = Decision.objects.get(request__case_number="APD-26-087112")
    assert narrowed.kind == "partial"
    assert sorted(s.role for s in narrowed.signatures.all()) == ["approver", "reviewer"]
    assert "founding case" in out.getvalue()
