"""Review endpoints: staff sessions only, the same services and refusals as the pages."""

from __future__ import annotations

import pytest

from recordwarden.review import services

pytestmark = pytest.mark.django_db


def test_a_reviewer_reads_the_screening(client_for, reviewer, police_request):
    response = client_for(reviewer).get(
        f"/api/v1/review/requests/{police_request.reference}"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["recommendation"] == "review"
    assert data["policy"]["employer"]["outcome"] == "permit"
    assert data["subjects"][0]["match"] == "match"


def test_no_session_is_401_and_non_staff_are_403(
    client, client_for, requester_police, auditor, police_request
):
    url = f"/api/v1/review/requests/{police_request.reference}"
    assert client.get(url).status_code == 401
    assert client_for(requester_police).get(url).status_code == 403
    assert client_for(auditor).get(url).status_code == 403


def test_an_unknown_reference_is_404(client_for, reviewer):
    response = client_for(reviewer).get("/api/v1/review/requests/RW-2026-999999")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_decide_and_sign_through_the_api(
    client_for, reviewer, approver, police_request
):
    rev = client_for(reviewer)
    ref = police_request.reference
    assert rev.post(f"/api/v1/review/requests/{ref}/start").status_code == 200
    response = rev.post(
        f"/api/v1/review/requests/{ref}/decide",
        {
            "kind": "release",
            "elements": {
                "employer": {"action": "approve"},
                "wages": {"action": "deny", "reason": "Not in the warrant"},
            },
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    decision = response.json()
    assert decision["state"] == "pending" and decision["signatures"] == ["reviewer"]
    own = rev.post(
        f"/api/v1/review/decisions/{decision['id']}/sign",
        {"role": "approver"},
        content_type="application/json",
    )
    assert own.status_code == 403  # a reviewer is not an approver
    signed = client_for(approver).post(
        f"/api/v1/review/decisions/{decision['id']}/sign",
        {"role": "approver"},
        content_type="application/json",
    )
    assert signed.status_code == 200
    assert signed.json()["state"] == "final"
    again = client_for(approver).post(
        f"/api/v1/review/decisions/{decision['id']}/sign",
        {"role": "approver"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_invalid_input_is_422_naming_the_field(client_for, reviewer, police_request):
    services.review_start(actor=reviewer, request=police_request)
    response = client_for(reviewer).post(
        f"/api/v1/review/requests/{police_request.reference}/decide",
        {"kind": "deny", "reason_codes": []},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "reason_codes"
