"""request_submit and the clerk services: what they store, what they refuse, the audit
entries they write, when a submission joins an existing case, and references."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from recordwarden.audit.models import AuditEntry
from recordwarden.core import crypto
from recordwarden.core.exceptions import Conflict, Forbidden
from recordwarden.intake import constants as c
from recordwarden.intake.documents import DocumentInput
from recordwarden.intake.inputs import RequestInput, SubjectInput
from recordwarden.intake.models import Document, ReferenceCounter, Request, Submission
from recordwarden.intake.references import reference_allocate
from recordwarden.intake.services import (
    request_document_add,
    request_submit,
    request_update,
    submission_ingest_email,
    submission_triage_resolve,
)
from recordwarden.intake.signals import trust_signals
from recordwarden.intake.storage import blob_read

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "requests"


def keller(**changes) -> RequestInput:
    data = RequestInput(
        instrument=c.Instrument.JUDICIAL_WARRANT,
        case_number="26-087112",
        purpose=c.Purpose.CRIMINAL_INVESTIGATION,
        purpose_text="Embezzlement.",
        elements=["wages", "employer"],
        subjects=[
            SubjectInput(
                first_name="Thomas",
                middle_name="A",
                last_name="Keller",
                dob=dt.date(1979, 7, 2),
                ssn="123-45-6789",
            )
        ],
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def submit(requester, data=None, channel=c.Channel.PORTAL, **kwargs):
    actor = kwargs.pop("actor", requester.user if requester else None)
    return request_submit(
        actor=actor,
        requester=requester,
        channel=channel,
        data=data or keller(),
        raw=kwargs.pop("raw", b'{"form": "portal"}'),
        **kwargs,
    )


def entries(action, target=None):
    qs = AuditEntry.objects.filter(action=action)
    return qs.filter(target=target) if target else qs


# ---------------------------------------------------------------------------- submit


def test_a_portal_request_is_stored_with_its_raw_form_and_audited(
    requester_police, screened, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(
            requester_police, documents=[DocumentInput("warrant.pdf", PDF)]
        )
    assert re.fullmatch(rf"RW-{timezone.localdate().year}-\d{{6}}", request.reference)
    assert request.agency.key == "abq-police"
    assert request.elements == ["employer", "wages"]  # catalogue order
    assert request.confirmed_at is not None
    subject = request.subjects.get()
    assert subject.has_ssn and subject.ssn_last4() == "6789"
    assert b"123-45-6789" not in bytes(subject.ssn_encrypted)
    assert subject.ssn_hash == crypto.ssn_hash("123456789")
    submission = request.submissions.get()
    assert submission.raw_bytes() == b'{"form": "portal"}'
    target = f"intake.request:{request.pk}"
    submitted = entries(c.REQUEST_SUBMITTED, target).get()
    assert submitted.data["subjects"] == 1
    assert submitted.actor == f"user:{requester_police.user.pk}"
    assert entries(c.SUBMISSION_RECEIVED, f"intake.submission:{submission.pk}").exists()
    assert (
        entries(c.DOCUMENT_STORED).get().data["sha256"]
        == request.documents.get().sha256
    )
    assert entries(c.ACKNOWLEDGEMENT_QUEUED, target).exists()
    assert screened == [request.reference]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["dwhitehorse@abqpd.example.gov"]
    assert request.reference in mailoutbox[0].subject
    assert request.reference in mailoutbox[0].body


def test_documents_are_stored_once_by_hash_and_never_by_their_name(
    requester_police, settings
):
    request = submit(
        requester_police, documents=[DocumentInput("../../etc/passwd.pdf", PDF)]
    )
    document = request.documents.get()
    stored = Path(settings.MEDIA_ROOT) / document.storage_name
    assert blob_read(document.storage_name) == PDF
    assert b"%PDF" not in stored.read_bytes()  # encrypted at rest
    assert stored.name == document.sha256
    assert document.filename == "passwd.pdf"
    request_document_add(
        actor=requester_police.user,
        request=request,
        documents=[DocumentInput("copy.pdf", PDF)],
    )
    names = set(Document.objects.values_list("storage_name", flat=True))
    assert len(names) == 1


@pytest.mark.parametrize(
    "content, words",
    [
        (b"<!DOCTYPE html><html><script>x</script>", "web page (HTML)"),
        (b"PK\x03\x04zipzipzip", "zip archive"),
        (b"MZ\x90\x00program", "a program"),
        (b"", "is empty"),
    ],
)
def test_a_document_that_is_not_a_pdf_or_image_is_refused_in_plain_words(
    requester_police, content, words
):
    with pytest.raises(ValidationError) as info:
        submit(requester_police, documents=[DocumentInput("warrant.pdf", content)])
    assert words in " ".join(info.value.message_dict["documents"])
    assert Submission.objects.count() == 0


def test_a_document_over_the_size_limit_is_refused(requester_police, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as info:
        submit(requester_police, documents=[DocumentInput("w.pdf", PDF + b"0" * 200)])
    assert "the limit is" in info.value.message_dict["documents"][0]


@pytest.mark.parametrize(
    "content, kind",
    [
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"II*\x00tiff", "image/tiff"),
        (b"MM\x00*tiff", "image/tiff"),
    ],
)
def test_images_are_typed_by_content_whatever_the_name(requester_police, content, kind):
    request = submit(requester_police, documents=[DocumentInput("scan.pdf", content)])
    assert request.documents.get().content_type == kind


def test_a_requester_cannot_submit_in_someone_elses_name(
    requester_police, requester_ice
):
    with pytest.raises(Forbidden):
        submit(requester_ice, actor=requester_police.user)
    with pytest.raises(Forbidden):
        submit(requester_ice, actor=requester_police, channel=c.Channel.API)
    assert Request.objects.count() == 0


def test_only_an_intake_clerk_records_paper(intake_clerk, reviewer, agencies):
    data = keller(agency=agencies["abq-police"])
    with pytest.raises(Forbidden):
        request_submit(
            actor=reviewer, requester=None, channel=c.Channel.PAPER, data=data, raw=PDF
        )
    request = request_submit(
        actor=intake_clerk,
        requester=None,
        channel=c.Channel.PAPER,
        data=data,
        raw=PDF,
        documents=[DocumentInput("scan.pdf", PDF)],
    )
    assert request.agency.key == "abq-police"
    assert request.channel == c.Channel.PAPER
    assert request.confirmed_by == intake_clerk
    assert request.submissions.get().raw_bytes() == PDF


def test_a_portal_request_must_name_someone(requester_police):
    with pytest.raises(ValidationError) as info:
        submit(requester_police, keller(subjects=[]))
    assert "Name at least one person" in info.value.message_dict["subjects"][0]


def test_the_same_idempotency_key_returns_the_first_request(requester_police):
    first = submit(requester_police, idempotency_key="abc")
    again = submit(requester_police, idempotency_key="abc")
    assert again.pk == first.pk and again.intake_replayed
    with pytest.raises(Conflict):
        submit(requester_police, idempotency_key="abc", raw=b"other body")
    assert Submission.objects.count() == 1


def test_a_bulk_ask_in_the_text_is_marked_even_from_the_portal(requester_police):
    request = submit(
        requester_police,
        keller(
            purpose_text="Also please set up a nightly extract of all employees of ACME."
        ),
    )
    assert request.bulk_access
    assert "bulk_or_standing_access" in trust_signals(request)


# ---------------------------------------------------------------------------- joining


def test_the_same_person_asked_again_by_the_agency_joins_the_case(
    requester_police, agencies, screened
):
    first = submit(requester_police, keller(case_number=""))
    colleague_data = keller(
        case_number="",
        elements=["address"],
        subjects=[
            SubjectInput(
                first_name="THOMAS", last_name="Keller", dob=dt.date(1979, 7, 2)
            )
        ],
    )
    second = submit(requester_police, colleague_data, channel=c.Channel.PORTAL)
    assert second.pk == first.pk and second.intake_joined
    second.refresh_from_db()
    assert second.elements == ["address", "employer", "wages"]
    assert second.subjects.count() == 1
    joined = entries(c.SUBMISSION_JOINED).get()
    assert joined.data["rule"] == "subject"
    assert joined.data["changed"] == ["elements"]
    assert screened == [first.reference, first.reference]


def test_two_different_case_numbers_are_two_cases(requester_police):
    first = submit(requester_police)
    second = submit(requester_police, keller(case_number="26-999999"))
    assert first.pk != second.pk


def test_a_different_person_from_the_same_agency_is_a_new_case(requester_police):
    first = submit(requester_police, keller(case_number=""))
    other = keller(
        case_number="",
        subjects=[
            SubjectInput(first_name="Ana", last_name="Ruiz", dob=dt.date(1990, 1, 1))
        ],
    )
    assert submit(requester_police, other).pk != first.pk


def test_a_conflicting_date_of_birth_is_not_the_same_person(requester_police):
    first = submit(requester_police, keller(case_number=""))
    other = keller(case_number="")
    other.subjects[0].dob = dt.date(1980, 1, 1)
    other.subjects[0].ssn = ""
    assert submit(requester_police, other).pk != first.pk


def test_another_agency_never_joins(requester_police, requester_ice):
    first = submit(requester_police)
    assert submit(requester_ice).pk != first.pk


def test_after_the_window_the_same_ask_is_a_new_case(requester_police, monkeypatch):
    first = submit(requester_police)
    later = timezone.now() + dt.timedelta(days=c.JOIN_WINDOW_DAYS + 1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    assert submit(requester_police).pk != first.pk


def test_a_released_request_takes_no_more_submissions(requester_police):
    first = submit(requester_police)
    # The review app owns status changes; here the state is set as it would leave it.
    Request.objects.filter(pk=first.pk).update(status=c.RequestStatus.RELEASED)
    assert submit(requester_police).pk != first.pk


def test_a_denied_request_still_gathers_the_re_asks(requester_police):
    first = submit(requester_police)
    Request.objects.filter(pk=first.pk).update(status=c.RequestStatus.DENIED)
    assert submit(requester_police).pk == first.pk


def test_one_message_delivered_to_two_inboxes_is_one_case_with_two_inboxes(agencies):
    raw = (EXAMPLES / "04-police-warrant.eml").read_bytes()
    a = submission_ingest_email(
        actor="system:test", raw=raw, inbox="records@dws.example.nm.gov"
    )
    b = submission_ingest_email(
        actor="system:test", raw=raw, inbox="k.tafoya@dws.example.nm.gov"
    )
    assert a.pk != b.pk and a.request_id == b.request_id
    assert entries(c.SUBMISSION_JOINED).get().data["rule"] == "thread"
    assert "multiple_inboxes" in trust_signals(a.request)
    again = submission_ingest_email(
        actor="system:test", raw=raw, inbox="records@dws.example.nm.gov"
    )
    assert again.pk == a.pk


def test_a_reply_in_the_thread_joins_even_without_naming_anyone(agencies):
    raw = (EXAMPLES / "03-child-support.eml").read_bytes()
    first = submission_ingest_email(actor="system:test", raw=raw, inbox="")
    reply = (
        b"From: m.archuleta@csed.example.nm.gov\r\nTo: records@dws.example.nm.gov\r\n"
        b"Subject: Re: IV-D employment verification\r\n"
        b"Message-ID: <reply-1@csed.example.nm.gov>\r\n"
        b"In-Reply-To: <csed-2026-118734@csed.example.nm.gov>\r\n\r\n"
        b"Please also send the benefit amounts.\r\n"
    )
    second = submission_ingest_email(actor="system:test", raw=reply, inbox="")
    assert second.request_id == first.request_id
    second.request.refresh_from_db()
    assert "benefit_amounts" in second.request.elements


# ---------------------------------------------------------------------------- screening


def test_a_failing_screening_loses_nothing(requester_police, monkeypatch, caplog):
    def broken(*, actor, request):
        raise RuntimeError("policy engine down")

    monkeypatch.setattr("recordwarden.review.screening.screening_run", broken)
    request = submit(requester_police)
    assert Request.objects.filter(pk=request.pk).exists()
    assert "screening failed" in caplog.text


# ---------------------------------------------------------------------------- clerks


def test_a_clerk_confirms_and_corrects_an_email_request(
    intake_clerk, agencies, screened
):
    raw = (EXAMPLES / "03-child-support.eml").read_bytes()
    request = submission_ingest_email(actor="system:test", raw=raw, inbox="").request
    assert request.confirmed_at is None
    data = keller(
        instrument=c.Instrument.DATA_SHARING_AGREEMENT,
        purpose=c.Purpose.CHILD_SUPPORT,
        case_number="2026-118734",
        elements=["employer", "wages", "address"],
        subjects=[
            SubjectInput(first_name="Daniel", middle_name="R", last_name="Ortega")
        ],
    )
    updated = request_update(
        actor=intake_clerk, request=request, data=data, confirm=True
    )
    assert updated.confirmed_by == intake_clerk and updated.confirmed_at
    assert updated.elements == ["address", "employer", "wages"]
    entry = entries(c.REQUEST_CONFIRMED, f"intake.request:{request.pk}").get()
    assert "elements" in entry.data["changed"]
    assert screened[-1] == request.reference


def test_a_clerks_edit_keeps_an_ssn_the_form_does_not_show(
    intake_clerk, requester_police
):
    request = submit(requester_police)
    data = keller()
    data.subjects[0].ssn = ""
    data.subjects[0].street = "1 Main St"
    request_update(actor=intake_clerk, request=request, data=data)
    subject = request.subjects.get()
    assert subject.ssn_hash == crypto.ssn_hash("123456789")
    assert subject.street == "1 Main St"


def test_only_clerks_edit_and_only_before_review(
    intake_clerk, reviewer, requester_police
):
    request = submit(requester_police)
    with pytest.raises(Forbidden):
        request_update(actor=reviewer, request=request, data=keller())
    Request.objects.filter(pk=request.pk).update(status=c.RequestStatus.IN_REVIEW)
    with pytest.raises(Conflict):
        request_update(actor=intake_clerk, request=request, data=keller())


def test_a_clerk_resolves_a_triaged_submission_once(intake_clerk, reviewer, agencies):
    junk = submission_ingest_email(
        actor="system:test", raw=b"\x00\x01garbage", inbox="x@y.z"
    )
    assert junk.needs_triage and junk.request is None
    with pytest.raises(Forbidden):
        submission_triage_resolve(actor=reviewer, submission=junk, note="seen")
    with pytest.raises(ValidationError):
        submission_triage_resolve(actor=intake_clerk, submission=junk, note="  ")
    done = submission_triage_resolve(actor=intake_clerk, submission=junk, note="Spam.")
    assert done.triaged_by == intake_clerk
    assert entries(c.SUBMISSION_TRIAGED, f"intake.submission:{junk.pk}").exists()
    with pytest.raises(Conflict):
        submission_triage_resolve(actor=intake_clerk, submission=junk, note="again")


# ---------------------------------------------------------------------------- references


def test_references_count_up_per_year(db):
    first, second = reference_allocate(), reference_allocate()
    year = timezone.localdate().year
    assert first == f"RW-{year}-000001" and second == f"RW-{year}-000002"
    assert ReferenceCounter.objects.get(year=year).last == 2


@pytest.mark.django_db(transaction=True)
def test_references_are_unique_under_concurrent_allocation():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        # In-memory SQLite shares one cache between threads and ignores busy_timeout;
        # a lock error there says nothing about the allocator. PostgreSQL runs it.
        threads_count, per_thread = 4, 5
    else:
        threads_count, per_thread = 8, 10
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads_count)

    def work():
        from django.db import connection as conn

        try:
            barrier.wait()
            for _ in range(per_thread):
                for attempt in range(20):
                    try:
                        ref = reference_allocate()
                        break
                    except Exception as exc:  # noqa: BLE001
                        if "locked" not in str(exc) or attempt == 19:
                            raise
                        time.sleep(0.005 * (attempt + 1))
                with lock:
                    results.append(ref)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == threads_count * per_thread
    assert len(set(results)) == len(results)
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in results)
    assert numbers == list(range(1, len(results) + 1))


def test_an_email_is_acknowledged_once_to_its_sender(
    agencies, mailoutbox, django_capture_on_commit_callbacks
):
    raw = (EXAMPLES / "04-police-warrant.eml").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        first = submission_ingest_email(actor="system:test", raw=raw, inbox="a@dws.gov")
        submission_ingest_email(actor="system:test", raw=raw, inbox="b@dws.gov")
        submission_ingest_email(actor="system:test", raw=raw, inbox="a@dws.gov")
    assert [m.to for m in mailoutbox] == [["sgarcia@abqpd.example.gov"]]
    assert first.request.reference in mailoutbox[0].body
    entry = entries(c.ACKNOWLEDGEMENT_QUEUED).get()
    assert entry.data["to_domain"] == "abqpd.example.gov"


def test_junk_is_never_acknowledged(
    agencies, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission_ingest_email(actor="system:test", raw=b"\x00junk", inbox="a@dws.gov")
    assert mailoutbox == []


def test_case_numbers_match_whatever_their_punctuation(requester_police):
    first = submit(requester_police, keller(case_number="26-087112"))
    other = keller(
        case_number="26 087112",
        subjects=[
            SubjectInput(first_name="Ana", last_name="Ruiz", dob=dt.date(1990, 1, 1))
        ],
    )
    joined = submit(requester_police, other)
    assert joined.pk == first.pk
    assert entries(c.SUBMISSION_JOINED).get().data["rule"] == "case_number"
    assert joined.subjects.count() == 2


def test_names_match_across_accents_and_capitals(requester_police):
    accented = SubjectInput(
        first_name="José", last_name="Núñez", dob=dt.date(1984, 3, 5)
    )
    first = submit(requester_police, keller(case_number="", subjects=[accented]))
    plain = SubjectInput(first_name="JOSE", last_name="NUNEZ")
    assert (
        submit(requester_police, keller(case_number="", subjects=[plain])).pk
        == first.pk
    )


def test_a_document_added_later_is_audited_and_screened(requester_police, screened):
    request = submit(requester_police)
    request_document_add(
        actor=requester_police.user,
        request=request,
        documents=[DocumentInput("order.pdf", PDF)],
    )
    assert entries(c.DOCUMENT_STORED).get().data["request"] == request.reference
    assert screened == [request.reference, request.reference]
