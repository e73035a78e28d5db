"""The reviewer's subject page: candidates with their evidence, the read logged inside
the case, confirm and reject by POST with CSRF, and nothing for anyone else."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from recordwarden.audit.models import AuditEntry
from recordwarden.audit.services import target_ref
from recordwarden.matching import constants as c
from recordwarden.matching.models import SubjectMatch
from recordwarden.matching.services import subject_resolve
from recordwarden.records.models import Worker

from .conftest import subject_fields

pytestmark = pytest.mark.django_db

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
ABSENT = {
    "first_name": "Evangeline",
    "last_name": "Oyelaran",
    "dob": dt.date(1971, 7, 7),
    "city": "Gallup",
    "zip": "87301",
}


@pytest.fixture
def two_subjects(indexed_state, submit, requester_police):
    """One subject who is in the records (worker), one who is not."""
    worker = Worker.objects.order_by("id")[2]
    request = submit(requester_police, [subject_fields(worker), ABSENT])
    subjects = list(request.subjects.order_by("position"))
    for subject in subjects:
        if not SubjectMatch.objects.filter(subject=subject).exists():
            subject_resolve(actor="system:test", subject=subject)
    return subjects, worker


def page(subject) -> str:
    return reverse("matching:subject", args=[subject.pk])


def test_a_reviewer_sees_each_candidates_evidence_and_the_view_is_logged(
    two_subjects, client_for, reviewer
):
    (subject, _), worker = two_subjects
    response = client_for(reviewer).get(page(subject))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"worker {worker.worker_id}" in html
    assert "Outcome: Match" in html
    assert "Date of birth" in html and "Running total" in html
    assert '<svg role="img"' in html
    match = SubjectMatch.objects.get(subject=subject)
    read = AuditEntry.objects.filter(
        target=target_ref(match), action="audit.record_read"
    )
    assert read.get().data == {
        "case": target_ref(subject.request),
        "what": "match_candidates",
    }


@pytest.mark.parametrize("persona", ["requester_police", "intake_clerk", "auditor"])
def test_others_get_the_same_refusal_for_a_match_and_for_nobody(
    two_subjects, client_for, persona, request
):
    (matched, nobody), _ = two_subjects
    user = request.getfixturevalue(persona)
    client = client_for(user)
    responses = [client.get(page(s)) for s in (matched, nobody)]
    responses.append(client.get(reverse("matching:subject", args=[999_999])))
    assert {r.status_code for r in responses} == {403}
    # Byte for byte the same page, once the per-response CSRF mask is set aside.
    bodies = {CSRF_VALUE.sub("", r.content.decode()) for r in responses}
    assert len(bodies) == 1
    assert not AuditEntry.objects.filter(action="audit.record_read").exists()


def test_anonymous_visitors_are_sent_to_sign_in(two_subjects):
    (subject, _), _ = two_subjects
    response = Client().get(page(subject))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_missing_subject_is_404_for_a_reviewer(db, client_for, reviewer):
    response = client_for(reviewer).get(reverse("matching:subject", args=[999_999]))
    assert response.status_code == 404


def _csrf_client(user) -> Client:
    return login_verified(Client(enforce_csrf_checks=True), user)


def test_confirming_needs_the_csrf_token_and_then_records_the_choice(
    two_subjects, reviewer
):
    (subject, _), worker = two_subjects
    client = _csrf_client(reviewer)
    url = reverse("matching:confirm", args=[subject.pk])
    assert client.post(url, {"worker": worker.pk}).status_code == 403
    client.get(page(subject))
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"worker": worker.pk, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    match = SubjectMatch.objects.get(subject=subject)
    assert match.confirmed_worker == worker and match.confirmed_by == reviewer
    assert AuditEntry.objects.filter(
        action=c.MATCH_CONFIRMED, target=target_ref(match)
    ).exists()
    html = client.get(page(subject)).content.decode()
    assert "Confirmed" in html


def test_rejecting_records_that_it_is_none_of_them(two_subjects, approver):
    (_, nobody), _ = two_subjects
    client = _csrf_client(approver)
    client.get(page(nobody))
    token = client.cookies["csrftoken"].value
    url = reverse("matching:reject", args=[nobody.pk])
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    match = SubjectMatch.objects.get(subject=nobody)
    assert match.rejected and match.rejected_by == approver


def test_confirming_someone_who_is_not_a_candidate_is_refused_with_a_message(
    two_subjects, client_for, counsel
):
    (subject, _), worker = two_subjects
    other = Worker.objects.exclude(pk=worker.pk).order_by("-id").first()
    client = client_for(counsel)
    response = client.post(
        reverse("matching:confirm", args=[subject.pk]),
        {"worker": other.pk},
        follow=True,
    )
    assert "not among this subject" in response.content.decode()
    assert SubjectMatch.objects.get(subject=subject).confirmed_worker is None


def test_a_reviewer_can_match_a_subject_again(two_subjects, client_for, reviewer):
    (subject, _), _ = two_subjects
    client = client_for(reviewer)
    before = AuditEntry.objects.filter(action=c.SUBJECT_RESOLVED).count()
    response = client.post(reverse("matching:resolve", args=[subject.pk]))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=c.SUBJECT_RESOLVED).count() == before + 1
