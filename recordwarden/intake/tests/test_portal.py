"""The requester portal: the step-by-step form, plain-language errors, and status pages
that show only the requester's own agency's requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recordwarden.intake import constants as c
from recordwarden.intake.forms import PORTAL_MAX_SUBJECTS
from recordwarden.intake.inputs import RequestInput, SubjectInput
from recordwarden.intake.models import Request
from recordwarden.intake.services import request_submit

PDF = b"%PDF-1.7\n%%EOF\n"


def person(i=0, **fields):
    base = {
        "first_name": "Thomas",
        "middle_name": "A",
        "last_name": "Keller",
        "suffix": "",
        "dob": "1979-07-02",
        "ssn": "",
        "ssn_last4": "",
        "street": "",
        "city": "",
        "state": "",
        "zip": "",
    }
    base.update(fields)
    return {f"subjects-{i}-{k}": v for k, v in base.items()}


def people(*rows):
    data = {
        "subjects-TOTAL_FORMS": str(len(rows)),
        "subjects-INITIAL_FORMS": "0",
        "subjects-MIN_NUM_FORMS": "1",
        "subjects-MAX_NUM_FORMS": "50",
    }
    for row in rows:
        data.update(row)
    return data


WHO = {
    "instrument": "judicial_warrant",
    "case_number": "26-087112",
    "purpose": "criminal_investigation",
    "purpose_text": "Embezzlement.",
    "instrument_subject_count": "1",
}


def walk_to_review(client, who=None, subjects=None, elements=("employer", "wages")):
    assert client.get("/portal/new/").status_code == 302
    assert client.post("/portal/new/who/", who or WHO).status_code == 302
    response = client.post("/portal/new/people/", subjects or people(person()))
    assert response.status_code == 302, response.content.decode()[:2000]
    records = {
        "elements": list(elements),
        "date_from": "2026-01-01",
        "date_to": "2026-06-30",
    }
    assert client.post("/portal/new/records/", records).status_code == 302
    upload = SimpleUploadedFile("warrant.pdf", PDF, content_type="application/pdf")
    assert client.post("/portal/new/documents/", {"files": [upload]}).status_code == 302


def test_a_requester_walks_the_steps_and_gets_a_reference(
    client_for, requester_police, screened
):
    client = client_for(requester_police)
    walk_to_review(client)
    review = client.get("/portal/new/review/")
    assert review.status_code == 200
    page = review.content.decode()
    assert "Judicial warrant" in page and "Thomas A Keller" in page
    assert "warrant.pdf" in page and "Quarterly wages" in page
    done = client.post("/portal/new/review/")
    assert done.status_code == 302
    request = Request.objects.get()
    assert done["Location"] == f"/portal/submitted/{request.reference}/"
    confirmation = client.get(done["Location"]).content.decode()
    assert request.reference in confirmation and "Received" in confirmation
    assert request.documents.get().filename == "warrant.pdf"
    assert request.date_to == dt.date(2026, 6, 30)
    assert screened == [request.reference]
    # Sending the same form again (a double click) opens nothing new.
    again = client.post("/portal/new/review/")
    assert again.status_code == 302 and Request.objects.count() == 1


def test_add_another_person_keeps_what_was_typed(client_for, requester_police):
    client = client_for(requester_police)
    client.post("/portal/new/who/", WHO)
    data = people(person(last_name="Keller"))
    data["add_subject"] = "1"
    response = client.post("/portal/new/people/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Keller"' in page
    assert "Person 2" in page
    assert "usa-error-message" not in page


@pytest.mark.parametrize(
    "row, message",
    [
        ({"last_name": ""}, "Enter the person&#x27;s last name."),
        ({"ssn": "000-11-2222"}, "An SSN cannot start with 000, 666 or 9."),
        ({"ssn": "123"}, "An SSN is nine digits, with or without dashes."),
        ({"dob": "2999-01-01"}, "The date of birth is in the future."),
        ({"ssn_last4": "12a4"}, "The last four of an SSN are four digits."),
    ],
)
def test_people_errors_are_in_plain_words(client_for, requester_police, row, message):
    client = client_for(requester_police)
    client.post("/portal/new/who/", WHO)
    response = client.post("/portal/new/people/", people(person(**row)))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_naming_nobody_is_refused_in_plain_words(client_for, requester_police):
    client = client_for(requester_police)
    client.post("/portal/new/who/", WHO)
    blank = person(first_name="", middle_name="", last_name="", dob="")
    response = client.post("/portal/new/people/", people(blank))
    assert response.status_code == 400
    assert "Enter the person&#x27;s first name." in response.content.decode()


def test_more_people_than_the_portal_takes_are_refused_in_plain_words(
    client_for, requester_police
):
    client = client_for(requester_police)
    client.post("/portal/new/who/", WHO)
    limit = PORTAL_MAX_SUBJECTS
    rows = [person(i, last_name=f"Keller{chr(65 + i % 26)}") for i in range(limit + 1)]
    response = client.post("/portal/new/people/", people(*rows))
    assert response.status_code == 400
    assert f"Name at most {limit} people in one request." in response.content.decode()


def test_a_form_stuffed_past_the_field_limit_is_a_plain_bad_request(
    client_for, requester_police
):
    client = client_for(requester_police)
    client.post("/portal/new/who/", WHO)
    rows = [person(i) for i in range(60)]
    response = client.post("/portal/new/people/", people(*rows))
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()


def test_records_and_documents_errors(client_for, requester_police):
    client = client_for(requester_police)
    client.post("/portal/new/who/", WHO)
    client.post("/portal/new/people/", people(person()))
    none = client.post("/portal/new/records/", {"elements": []})
    assert "Choose at least one kind of record." in none.content.decode()
    backwards = client.post(
        "/portal/new/records/",
        {"elements": ["wages"], "date_from": "2026-06-30", "date_to": "2026-01-01"},
    )
    assert "The end of the period is before its start." in backwards.content.decode()
    client.post("/portal/new/records/", {"elements": ["wages"]})
    fake = SimpleUploadedFile("warrant.pdf", b"<html>not a pdf</html>")
    bad = client.post("/portal/new/documents/", {"files": [fake]})
    assert bad.status_code == 400
    assert "web page (HTML)" in bad.content.decode()


def test_skipping_ahead_goes_back_to_the_first_missing_step(
    client_for, requester_police
):
    client = client_for(requester_police)
    client.get("/portal/new/")
    assert client.get("/portal/new/review/")["Location"] == "/portal/new/who/"
    client.post("/portal/new/who/", WHO)
    assert client.get("/portal/new/review/")["Location"] == "/portal/new/people/"


def _submit_for(requester, last_name="Keller"):
    return request_submit(
        actor=requester.user,
        requester=requester,
        channel=c.Channel.PORTAL,
        raw=b"{}",
        data=RequestInput(
            instrument=c.Instrument.JUDICIAL_WARRANT,
            purpose=c.Purpose.CRIMINAL_INVESTIGATION,
            case_number=f"case-{last_name}",
            elements=["wages"],
            subjects=[
                SubjectInput(
                    first_name="T", last_name=last_name, dob=dt.date(1979, 7, 2)
                )
            ],
        ),
    )


def test_the_status_list_shows_only_the_agencys_own_requests(
    client_for, requester_police, requester_ice, requester_worker
):
    ours = _submit_for(requester_police)
    theirs = _submit_for(requester_ice, "Ruiz")
    own = _submit_for(requester_worker, "Tapia")
    page = client_for(requester_police).get("/portal/").content.decode()
    assert ours.reference in page
    assert theirs.reference not in page and own.reference not in page
    worker_page = client_for(requester_worker).get("/portal/").content.decode()
    assert own.reference in worker_page and ours.reference not in worker_page


def test_another_agencys_request_is_not_found(
    client_for, requester_police, requester_ice
):
    theirs = _submit_for(requester_ice, "Ruiz")
    client = client_for(requester_police)
    other = client.get(f"/portal/requests/{theirs.reference}/")
    missing = client.get("/portal/requests/RW-1999-000001/")
    assert other.status_code == missing.status_code == 404
    assert client.get(f"/portal/submitted/{theirs.reference}/").status_code == 404


@pytest.mark.parametrize(
    "status, shown",
    [
        (c.RequestStatus.RECEIVED, "Received"),
        (c.RequestStatus.AWAITING_APPROVAL, "Under review"),
        (c.RequestStatus.DENIED, "Closed: no records released"),
        (c.RequestStatus.QUASHED, "Closed: no records released"),
    ],
)
def test_the_detail_page_shows_only_the_outward_status(
    client_for, requester_police, status, shown
):
    request = _submit_for(requester_police)
    # The review app moves the status; here it is set as it would leave it.
    Request.objects.filter(pk=request.pk).update(status=status)
    page = client_for(requester_police).get(f"/portal/requests/{request.reference}/")
    text = page.content.decode()
    assert shown in text
    assert "Denied" not in text and "quash" not in text.lower()


@pytest.mark.parametrize("persona", ["intake_clerk", "reviewer", "outsider"])
def test_people_who_are_not_requesters_cannot_use_the_portal(
    request, client_for, persona
):
    user = request.getfixturevalue(persona)
    assert client_for(user).get("/portal/").status_code == 403
    assert client_for(user).get("/portal/new/who/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/portal/new/who/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_worker_starts_with_their_own_records(client_for, requester_worker):
    page = client_for(requester_worker).get("/portal/new/who/").content.decode()
    assert 'value="own_request" selected' in page
