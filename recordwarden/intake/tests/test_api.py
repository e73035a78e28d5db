"""POST /api/v1/requests and GET /api/v1/requests/{ref}: token auth, idempotency,
problem details naming the field, and agencies seeing only their own requests."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recordwarden.accounts.services import api_token_create, requester_create
from recordwarden.audit.models import AuditEntry
from recordwarden.intake import constants as c
from recordwarden.intake.models import Request, Submission

PROBLEM = "application/problem+json"

BODY = {
    "instrument": "judicial_warrant",
    "case_number": "26-087112",
    "purpose": "criminal_investigation",
    "purpose_text": "Embezzlement by the person named in the warrant.",
    "elements": ["employer", "wages"],
    "date_from": "2026-01-01",
    "date_to": "2026-06-30",
    "subjects": [
        {
            "first_name": "Thomas",
            "middle_name": "A",
            "last_name": "Keller",
            "dob": "1979-07-02",
        }
    ],
}


def _token(requester) -> str:
    _, clear = api_token_create(actor="system:test", requester=requester, name="cms")
    return clear


@pytest.fixture
def police_api(client, requester_police):
    token = _token(requester_police)

    def call(method, path, body=None, key=None, token=token, raw=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if key:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        data = (
            raw if raw is not None else (json.dumps(body) if body is not None else None)
        )
        send = getattr(client, method)
        if data is None:
            return send(path, **headers)
        return send(path, data=data, content_type="application/json", **headers)

    return call


def test_it_creates_a_request_and_answers_with_its_reference(police_api, screened):
    response = police_api("post", "/api/v1/requests", BODY, key="k-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(r"RW-\d{4}-\d{6}", body["reference"])
    assert body["status"] == "received"
    assert body["status_label"] == "Received"
    assert body["subjects"][0]["last_name"] == "Keller"
    assert body["joined_existing"] is False
    request = Request.objects.get(reference=body["reference"])
    assert request.channel == c.Channel.API
    assert request.agency.key == "abq-police"
    submission = request.submissions.get()
    assert submission.raw_bytes() == json.dumps(BODY).encode()
    entry = AuditEntry.objects.get(
        action=c.REQUEST_SUBMITTED, target=f"intake.request:{request.pk}"
    )
    assert entry.data["channel"] == "api"
    assert entry.actor.startswith("accounts.requester:")
    assert screened == [request.reference]


def test_the_same_key_twice_makes_one_request_and_the_same_answer(police_api):
    first = police_api("post", "/api/v1/requests", BODY, key="retry-me")
    second = police_api("post", "/api/v1/requests", BODY, key="retry-me")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Request.objects.count() == 1
    assert Submission.objects.count() == 1


def test_the_same_key_with_another_body_is_a_conflict(police_api):
    police_api("post", "/api/v1/requests", BODY, key="once")
    other = dict(BODY, case_number="26-999999")
    response = police_api("post", "/api/v1/requests", other, key="once")
    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert "Idempotency-Key" in response.json()["detail"]
    assert Request.objects.count() == 1


def test_without_a_key_each_post_is_a_submission(police_api):
    police_api("post", "/api/v1/requests", BODY)
    police_api("post", "/api/v1/requests", BODY)
    # The same ask twice is still one case: the second joins the first by case number.
    assert Submission.objects.count() == 2
    assert Request.objects.count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"subjects": []}, "subjects"),
        ({"elements": ["everything"]}, "elements.0"),
        ({"elements": []}, "elements"),
        ({"instrument": "a note from my boss"}, "instrument"),
        ({"subjects": [{"first_name": "Ann"}]}, "subjects.0.last_name"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"bulk": True}, "bulk"),
    ],
)
def test_invalid_input_is_a_problem_naming_the_field(police_api, change, field):
    response = police_api("post", "/api/v1/requests", {**BODY, **change})
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == PROBLEM
    fields = [e["field"] for e in response.json()["errors"]]
    assert field in fields
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    "subject, field, words",
    [
        ({"ssn": "000-12-3456"}, "subjects.0.ssn", "cannot start with 000"),
        ({"ssn": "12345"}, "subjects.0.ssn", "nine digits"),
        ({"dob": "2999-01-01"}, "subjects.0.dob", "future"),
        ({"state": "N1"}, "subjects.0.state", "two-letter"),
    ],
)
def test_service_checks_are_problems_in_plain_words(police_api, subject, field, words):
    body = {**BODY, "subjects": [{**BODY["subjects"][0], **subject}]}
    response = police_api("post", "/api/v1/requests", body)
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert words in errors[field]


def test_dates_out_of_order_name_the_end_date(police_api):
    response = police_api(
        "post",
        "/api/v1/requests",
        {**BODY, "date_from": "2026-06-30", "date_to": "2026-01-01"},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["date_to"]


def test_more_people_than_a_case_can_name_is_refused(police_api):
    person = BODY["subjects"][0]
    many = [dict(person, last_name=f"Keller{i}") for i in range(c.MAX_SUBJECTS + 1)]
    response = police_api("post", "/api/v1/requests", {**BODY, "subjects": many})
    assert response.status_code == 422
    assert "subjects" in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    "raw, status",
    [(b"{not json", 400), (b"\x00\xff\xfe\x00", 400), (b"[1, 2]", 422), (b"", 422)],
)
def test_junk_bodies_are_problems_not_errors(police_api, raw, status):
    response = police_api("post", "/api/v1/requests", raw=raw)
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM


def test_an_oversized_body_is_a_413_problem(police_api):
    huge = {**BODY, "purpose_text": "x" * (3 * 1024 * 1024)}
    response = police_api("post", "/api/v1/requests", huge)
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM


def test_without_a_token_it_is_401(client, db):
    response = client.post(
        "/api/v1/requests", data=json.dumps(BODY), content_type="application/json"
    )
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    bad = client.get(
        "/api/v1/requests/RW-2026-000001", HTTP_AUTHORIZATION="Bearer rw_nope"
    )
    assert bad.status_code == 401


def test_another_agency_gets_not_found_for_a_request_it_does_not_own(
    client, police_api, requester_ice
):
    reference = police_api("post", "/api/v1/requests", BODY).json()["reference"]
    ice = {"HTTP_AUTHORIZATION": f"Bearer {_token(requester_ice)}"}
    theirs = client.get(f"/api/v1/requests/{reference}", **ice)
    missing = client.get("/api/v1/requests/RW-1999-999999", **ice)
    assert theirs.status_code == missing.status_code == 404
    assert theirs["Content-Type"] == PROBLEM
    assert theirs.json() == missing.json()
    listed = client.get("/api/v1/requests", **ice).json()
    assert listed == []


def test_a_colleague_at_the_same_agency_can_follow_the_request(
    client, police_api, agencies
):
    reference = police_api("post", "/api/v1/requests", BODY).json()["reference"]
    colleague = requester_create(
        actor="system:test",
        name="Sgt. B. Ortiz",
        email="bortiz@abqpd.example.gov",
        agency=agencies["abq-police"],
        verified=True,
    )
    token = _token(colleague)
    response = client.get(
        f"/api/v1/requests/{reference}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    assert response.json()["reference"] == reference


def test_documents_are_checked_by_content(client, police_api, requester_police):
    reference = police_api("post", "/api/v1/requests", BODY).json()["reference"]
    token = _token(requester_police)
    pdf = SimpleUploadedFile("warrant.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    ok = client.post(
        f"/api/v1/requests/{reference}/documents",
        {"files": [pdf]},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()[0]["content_type"] == "application/pdf"
    fake = SimpleUploadedFile("warrant.pdf", b"<html><script>alert(1)</script></html>")
    bad = client.post(
        f"/api/v1/requests/{reference}/documents",
        {"files": [fake]},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert bad.status_code == 422
    assert bad["Content-Type"] == PROBLEM
    assert "web page (HTML)" in bad.json()["errors"][0]["message"]
    assert Request.objects.get(reference=reference).documents.count() == 1


def test_a_document_over_the_limit_is_413(
    client, police_api, requester_police, settings
):
    settings.UPLOAD_MAX_BYTES = 1024
    reference = police_api("post", "/api/v1/requests", BODY).json()["reference"]
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * 2048)
    response = client.post(
        f"/api/v1/requests/{reference}/documents",
        {"files": [big]},
        HTTP_AUTHORIZATION=f"Bearer {_token(requester_police)}",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM


def test_another_agency_cannot_attach_documents(client, police_api, requester_ice):
    reference = police_api("post", "/api/v1/requests", BODY).json()["reference"]
    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4 x")
    response = client.post(
        f"/api/v1/requests/{reference}/documents",
        {"files": [pdf]},
        HTTP_AUTHORIZATION=f"Bearer {_token(requester_ice)}",
    )
    assert response.status_code == 404


def test_the_openapi_document_describes_the_requests_api(client, db):
    schema = client.get("/api/openapi.json").json()
    post = schema["paths"]["/api/v1/requests"]["post"]
    assert "201" in post["responses"] and "422" in post["responses"]
    assert "409" in post["responses"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    get = schema["paths"]["/api/v1/requests/{ref}"]["get"]
    ok = get["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/RequestOut")
    out = schema["components"]["schemas"]["RequestOut"]["properties"]
    assert {"reference", "status", "subjects", "elements"} <= set(out)
    assert set(out["status"]["enum"]) == set(c.OutwardStatus.values)
    assert "bearer" in json.dumps(schema["components"]["securitySchemes"]).lower()
