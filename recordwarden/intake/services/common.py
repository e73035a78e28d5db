"""What every door shares: subjects, requests, joining, documents, audit entries,
acknowledgements and the hand-over to screening."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from recordwarden.audit.services import audit_record
from recordwarden.records.catalogue import validate_elements

from .. import constants as c
from ..constants import Channel, Instrument, Purpose, RequestStatus
from ..documents import safe_filename
from ..domains import domain_of
from ..inputs import RequestInput, SubjectInput
from ..joining import Ask, find_joinable, same_person
from ..keys import case_key, name_key
from ..models import Document, Request, Subject, Submission
from ..references import reference_allocate
from ..storage import blob_store

logger = logging.getLogger("recordwarden.intake")
alerts = logging.getLogger("recordwarden.alerts")


def user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def report_codes(request: Request) -> dict:
    """The request's codes as they stand, for the transparency report (which is
    computed from the audit log alone): codes only, never personal data."""
    return {
        "agency_type": request.agency.type if request.agency_id else None,
        "instrument": str(request.instrument),
        "purpose": str(request.purpose),
        "emergency": bool(request.emergency),
    }


def screen(*, actor, request: Request) -> None:
    """Ask the review app to screen. A failure there never loses the request: it is
    logged as an alert and the request can be screened again."""
    from recordwarden.review.screening import screening_run

    try:
        with transaction.atomic():
            screening_run(actor=actor, request=request)
    except Exception:  # noqa: BLE001 - intake must keep what it received
        alerts.exception("screening failed for %s; it is kept unscreened", request)


def queue_acknowledgement(*, actor, request: Request, to: str, joined: bool) -> None:
    """Email the reference to the requester once the transaction commits."""
    if not to:
        return
    body = render_to_string(
        "intake/email/acknowledgement.txt", {"request": request, "joined": joined}
    )
    subject = f"Your request {request.reference} was received"
    audit_record(
        actor=actor,
        action=c.ACKNOWLEDGEMENT_QUEUED,
        target=request,
        data={"to_domain": domain_of(to), "joined": joined},
    )

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
        except Exception:  # noqa: BLE001 - mail leaves the machine and may fail
            alerts.exception("acknowledgement for %s was not sent", request)

    transaction.on_commit(send)


def store_documents(
    *, actor, request: Request, submission: Submission | None, documents
) -> list[Document]:
    stored = []
    for doc, content_type in documents:
        name, digest = blob_store(doc.content, kind="documents")
        document = Document(
            request=request,
            submission=submission,
            filename=safe_filename(doc.filename),
            content_type=content_type,
            size=len(doc.content),
            sha256=digest,
            storage_name=name,
            uploaded_at=timezone.now(),
        )
        document.full_clean()
        document.save()
        audit_record(
            actor=actor,
            action=c.DOCUMENT_STORED,
            target=document,
            data={
                "request": request.reference,
                "sha256": digest,
                "content_type": content_type,
                "size": document.size,
            },
        )
        stored.append(document)
    return stored


def make_subject(request: Request, position: int, data: SubjectInput) -> Subject:
    subject = Subject(
        request=request,
        position=position,
        first_name=data.first_name,
        middle_name=data.middle_name,
        last_name=data.last_name,
        suffix=data.suffix,
        dob=data.dob,
        street=data.street,
        city=data.city,
        state=data.state,
        zip=data.zip,
        name_key=name_key(data.first_name, data.last_name),
    )
    if data.ssn:
        subject.set_ssn(data.ssn)
    elif data.ssn_last4:
        subject.set_ssn_last4(data.ssn_last4)
    subject.full_clean()
    subject.save()
    return subject


def create_request(
    *, data: RequestInput, requester, agency, channel, now, confirmed_by=None
) -> Request:
    request = Request(
        reference=reference_allocate(),
        agency=agency,
        requester=requester,
        claimed_agency=data.claimed_agency[:200],
        instrument=data.instrument,
        case_number=data.case_number,
        case_key=case_key(data.case_number),
        purpose=data.purpose,
        purpose_text=data.purpose_text,
        elements=list(data.elements),
        date_from=data.date_from,
        date_to=data.date_to,
        emergency=data.emergency,
        bulk_access=data.bulk_access,
        instrument_subject_count=data.instrument_subject_count,
        notice_delay_order=data.notice_delay_order,
        status=RequestStatus.RECEIVED,
        received_at=now,
        channel=channel,
        confirmed_at=None if channel == Channel.EMAIL else now,
        confirmed_by=confirmed_by,
    )
    # The reference is unique by construction (reference_allocate); the index guards it.
    request.full_clean(validate_unique=False)
    request.save()
    for position, subject in enumerate(data.subjects):
        make_subject(request, position, subject)
    return request


def merge_into(request: Request, data: RequestInput) -> list[str]:
    """Add what a joining submission brings; never drop what the request had.
    Returns the names of the fields that changed."""
    changed = []
    known = list(request.subjects.all())
    position = len(known)
    for subject in data.subjects:
        if position >= c.MAX_SUBJECTS:
            break
        if not any(same_person(subject, old) for old in known):
            known.append(make_subject(request, position, subject))
            position += 1
            if "subjects" not in changed:
                changed.append("subjects")
    elements = validate_elements([*request.elements, *data.elements])
    if elements != request.elements:
        request.elements = elements
        changed.append("elements")
    fills = {
        "case_number": data.case_number,
        "instrument_subject_count": data.instrument_subject_count,
        "date_from": data.date_from,
        "date_to": data.date_to,
        "claimed_agency": data.claimed_agency,
    }
    for name, value in fills.items():
        if value not in (None, "") and getattr(request, name) in (None, ""):
            setattr(request, name, value)
            changed.append(name)
    if data.date_from and request.date_from and data.date_from < request.date_from:
        request.date_from = data.date_from
        changed.append("date_from")
    if data.date_to and request.date_to and data.date_to > request.date_to:
        request.date_to = data.date_to
        changed.append("date_to")
    if request.instrument == Instrument.NONE and data.instrument != Instrument.NONE:
        request.instrument = data.instrument
        changed.append("instrument")
    # Civil immigration enforcement, once shown, decides how the case is screened.
    if data.purpose == Purpose.CIVIL_IMMIGRATION or (
        request.purpose == Purpose.OTHER and data.purpose != Purpose.OTHER
    ):
        if request.purpose != data.purpose:
            request.purpose = data.purpose
            changed.append("purpose")
    for flag in ("bulk_access", "emergency", "notice_delay_order"):
        if getattr(data, flag) and not getattr(request, flag):
            setattr(request, flag, True)
            changed.append(flag)
    if changed:
        request.case_key = case_key(request.case_number)
        request.full_clean()
        request.save()
    return sorted(set(changed))


def ask_for(data: RequestInput, *, requester, agency, sender="", thread_ids=()) -> Ask:
    return Ask(
        requester_id=requester.pk if requester else None,
        agency_id=agency.pk if agency else None,
        sender=sender,
        case_number=data.case_number,
        subjects=list(data.subjects),
        bulk_access=data.bulk_access,
        thread_ids=list(thread_ids),
    )


def open_or_join(
    *, actor, data, requester, agency, channel, now, submission, ask, confirmed_by=None
) -> tuple[Request, bool]:
    """Join the request this ask belongs to, or open a new one; audit either way."""
    existing, rule = find_joinable(ask, now=now)
    if existing is not None:
        # A fresh row, locked: the candidate carries prefetched (stale) relations, and
        # two submissions joining at once must not both merge into the same old state.
        existing = Request.objects.select_for_update().get(pk=existing.pk)
        changed = merge_into(existing, data)
        submission.request = existing
        submission.save(update_fields=["request"])
        audit_record(
            actor=actor,
            action=c.SUBMISSION_JOINED,
            target=submission,
            data={
                "request": existing.reference,
                "rule": rule,
                "changed": changed,
                **report_codes(existing),
            },
        )
        return existing, True
    request = create_request(
        data=data,
        requester=requester,
        agency=agency,
        channel=channel,
        now=now,
        confirmed_by=confirmed_by,
    )
    submission.request = request
    submission.save(update_fields=["request"])
    audit_record(
        actor=actor,
        action=c.REQUEST_SUBMITTED,
        target=request,
        data={
            "reference": request.reference,
            "channel": str(channel),
            "agency": agency.key if agency else None,
            "instrument": str(request.instrument),
            "purpose": str(request.purpose),
            "elements": list(request.elements),
            "subjects": len(data.subjects),
            "submission": submission.pk,
            **report_codes(request),
        },
    )
    return request, False


def received_entry(*, actor, submission: Submission) -> None:
    audit_record(
        actor=actor,
        action=c.SUBMISSION_RECEIVED,
        target=submission,
        data={
            "channel": submission.channel,
            "sha256": submission.sha256,
            "size": submission.size,
            "sender_domain": domain_of(submission.sender),
            "problems": submission.problem_codes,
        },
    )
