"""Writes of the intake app: every door (portal, API, email, paper) ends here.

``request_submit`` takes structured input (portal, API, a clerk's paper form);
``submission_ingest_email`` takes a raw message. Both keep the raw item with its SHA-256,
join an existing request when the ask is the same (see joining.py), write the audit
entries in the same transaction, and then ask the review app to screen the request.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from recordwarden.accounts.constants import Role
from recordwarden.accounts.models import Requester
from recordwarden.accounts.permissions import requester_of
from recordwarden.audit.services import audit_record
from recordwarden.core.exceptions import Conflict, Forbidden, NotFound

from . import constants as c
from .constants import Channel, Instrument, ProblemCode, Purpose, RequestStatus
from .documents import DocumentInput, DocumentRejected, check_document, safe_filename
from .domains import display_name_claim, domain_of, lookalike_of
from .extract import Extraction, bulk_phrases, extract
from .inputs import RequestInput, SubjectInput
from .joining import Ask, find_joinable, same_person
from .mail import ParsedEmail, message_ids, parse_email
from .models import Document, Request, Subject, Submission
from .permissions import can_add_documents, holds_role
from .references import reference_allocate
from .storage import blob_store, sha256_hex
from .validation import clean_extracted_input, clean_request_input

logger = logging.getLogger("recordwarden.intake")
alerts = logging.getLogger("recordwarden.alerts")


# ---------------------------------------------------------------------------- helpers


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _report_codes(request: Request) -> dict:
    """The request's codes as they stand, for the transparency report (which is
    computed from the audit log alone): codes only, never personal data."""
    return {
        "agency_type": request.agency.type if request.agency_id else None,
        "instrument": str(request.instrument),
        "purpose": str(request.purpose),
        "emergency": bool(request.emergency),
    }


def _screen(*, actor, request: Request) -> None:
    """Ask the review app to screen. A failure there never loses the request: it is
    logged as an alert and the request can be screened again."""
    from recordwarden.review.screening import screening_run

    try:
        with transaction.atomic():
            screening_run(actor=actor, request=request)
    except Exception:  # noqa: BLE001 - intake must keep what it received
        alerts.exception("screening failed for %s; it is kept unscreened", request)


def _queue_acknowledgement(*, actor, request: Request, to: str, joined: bool) -> None:
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


def _store_documents(
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


def _make_subject(request: Request, position: int, data: SubjectInput) -> Subject:
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
    )
    if data.ssn:
        subject.set_ssn(data.ssn)
    elif data.ssn_last4:
        subject.set_ssn_last4(data.ssn_last4)
    subject.full_clean()
    subject.save()
    return subject


def _create_request(
    *, data: RequestInput, requester, agency, channel, now, confirmed_by=None
) -> Request:
    request = Request(
        reference=reference_allocate(),
        agency=agency,
        requester=requester,
        claimed_agency=data.claimed_agency[:200],
        instrument=data.instrument,
        case_number=data.case_number,
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
    request.full_clean()
    request.save()
    for position, subject in enumerate(data.subjects):
        _make_subject(request, position, subject)
    return request


def _merge_into(request: Request, data: RequestInput) -> list[str]:
    """Add what a joining submission brings; never drop what the request had.
    Returns the names of the fields that changed."""
    changed = []
    known = list(request.subjects.all())
    position = len(known)
    for subject in data.subjects:
        if position >= c.MAX_SUBJECTS:
            break
        if not any(same_person(subject, old) for old in known):
            known.append(_make_subject(request, position, subject))
            position += 1
            if "subjects" not in changed:
                changed.append("subjects")
    from recordwarden.records.catalogue import validate_elements

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
        request.full_clean()
        request.save()
    return sorted(set(changed))


def _ask_for(data: RequestInput, *, requester, agency, sender="", thread_ids=()) -> Ask:
    return Ask(
        requester_id=requester.pk if requester else None,
        agency_id=agency.pk if agency else None,
        sender=sender,
        case_number=data.case_number,
        subjects=list(data.subjects),
        bulk_access=data.bulk_access,
        thread_ids=list(thread_ids),
    )


def _open_or_join(
    *, actor, data, requester, agency, channel, now, submission, ask, confirmed_by=None
) -> tuple[Request, bool]:
    """Join the request this ask belongs to, or open a new one; audit either way."""
    existing, rule = find_joinable(ask, now=now)
    if existing is not None:
        # A fresh row, locked: the candidate carries prefetched (stale) relations, and
        # two submissions joining at once must not both merge into the same old state.
        existing = Request.objects.select_for_update().get(pk=existing.pk)
        changed = _merge_into(existing, data)
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
                **_report_codes(existing),
            },
        )
        return existing, True
    request = _create_request(
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
            **_report_codes(request),
        },
    )
    return request, False


def _received_entry(*, actor, submission: Submission) -> None:
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


# ---------------------------------------------------------------------------- request_submit


def _check_submitter(actor, requester, channel) -> None:
    if channel == Channel.EMAIL:
        raise ValueError("email comes in through submission_ingest_email")
    if channel == Channel.PAPER:
        if not holds_role(actor, Role.INTAKE_CLERK):
            raise Forbidden("Only an intake clerk records paper requests.")
        return
    if requester is None:
        raise Forbidden("A portal or API request needs a requester.")
    if isinstance(actor, Requester):
        if actor.pk != requester.pk:
            raise Forbidden("A token submits only for its own requester.")
        return
    mine = requester_of(actor)
    if mine is None or mine.pk != requester.pk:
        raise Forbidden("You can submit requests only for yourself.")


def _checked_documents(documents) -> list[tuple[DocumentInput, str]]:
    checked, errors = [], []
    for doc in documents:
        try:
            checked.append((doc, check_document(doc)))
        except DocumentRejected as exc:
            errors.append(str(exc))
    if errors:
        raise ValidationError({"documents": errors})
    return checked


def _replay(requester, key: str, digest: str) -> Request | None:
    """The request an earlier call with this Idempotency-Key made, if any."""
    earlier = (
        Submission.objects.select_related("request")
        .filter(requester=requester, idempotency_key=key)
        .first()
    )
    if earlier is None:
        return None
    if earlier.sha256 != digest:
        raise Conflict(
            "This Idempotency-Key was already used with a different request. "
            "Use a new key for a new request."
        )
    request = earlier.request
    request.intake_submission = earlier
    request.intake_joined = (
        earlier.request.submissions.order_by("pk").first() != earlier
    )
    request.intake_replayed = True
    return request


def request_submit(
    *,
    actor,
    requester: Requester | None,
    channel: str,
    data: RequestInput,
    raw: bytes,
    idempotency_key: str = "",
    documents=(),
) -> Request:
    """Record a structured request from the portal, the API or a clerk's paper form.

    Raises ValidationError (a dict naming each field) for input that cannot be accepted,
    Forbidden if the actor may not submit it, and Conflict if ``idempotency_key`` was
    used before with a different body. The same key with the same body returns the
    request the first call made. The returned request carries ``intake_joined`` (True
    when the submission joined an existing case) and ``intake_submission``."""
    _check_submitter(actor, requester, channel)
    digest = sha256_hex(raw)
    key = (idempotency_key or "").strip()
    if len(key) > 200:
        raise ValidationError(
            {"idempotency_key": ["Use a key of at most 200 characters."]}
        )
    if key and (replayed := _replay(requester, key, digest)) is not None:
        return replayed
    data = clean_request_input(data, channel=channel)
    checked = _checked_documents(documents)
    try:
        request = _submit(
            actor=actor,
            requester=requester,
            channel=channel,
            data=data,
            raw=raw,
            digest=digest,
            key=key,
            documents=checked,
        )
    except IntegrityError:
        # Two calls with one key raced; the other committed first.
        if key and (replayed := _replay(requester, key, digest)) is not None:
            return replayed
        raise
    _screen(actor=actor, request=request)
    return request


@transaction.atomic
def _submit(*, actor, requester, channel, data, raw, digest, key, documents) -> Request:
    now = timezone.now()
    agency = requester.agency if requester is not None else data.agency
    submission = Submission(
        channel=channel,
        raw=raw,
        sha256=digest,
        size=len(raw),
        received_at=now,
        requester=requester,
        sender=requester.email if requester else "",
        sender_display_name=(requester.name if requester else "")[:200],
        idempotency_key=key,
        extracted=data.summary(),
    )
    submission.full_clean()
    submission.save()
    _received_entry(actor=actor, submission=submission)
    request, joined = _open_or_join(
        actor=actor,
        data=data,
        requester=requester,
        agency=agency,
        channel=channel,
        now=now,
        submission=submission,
        ask=_ask_for(data, requester=requester, agency=agency),
        confirmed_by=_user(actor) if channel == Channel.PAPER else None,
    )
    _store_documents(
        actor=actor, request=request, submission=submission, documents=documents
    )
    if channel == Channel.PORTAL and requester is not None:
        _queue_acknowledgement(
            actor=actor, request=request, to=requester.email, joined=joined
        )
    request.intake_submission = submission
    request.intake_joined = joined
    request.intake_replayed = False
    return request


# ---------------------------------------------------------------------------- email


def _max_email_bytes() -> int:
    return int(getattr(settings, "INTAKE_MAX_EMAIL_BYTES", c.DEFAULT_MAX_EMAIL_BYTES))


def _dedup_key(parsed: ParsedEmail, inbox: str, digest: str) -> str:
    """The same message reaching the same inbox again is the same submission: keyed on
    its Message-ID, sender and text (copies differ in delivery headers), or on its bytes
    when it has no Message-ID."""
    if parsed.message_id:
        text_hash = hashlib.sha256(parsed.text.encode("utf-8", "replace")).hexdigest()
        parts = ["email", inbox, parsed.message_id, parsed.sender, text_hash]
    else:
        parts = ["email", inbox, digest]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _sender_problems(parsed: ParsedEmail, agency, own: bool) -> list[dict]:
    problems = []
    if parsed.sender and agency is None and not own:
        problems.append(
            {
                "code": ProblemCode.UNKNOWN_SENDER,
                "message": f"{domain_of(parsed.sender)} is not on any agency's file; "
                "verify the sender by calling the agency's number on file.",
            }
        )
    signs = []
    if claim := display_name_claim(parsed.display_name, agency):
        signs.append(f"the display name claims {claim}")
    for label, address in (("sender", parsed.sender), ("Reply-To", parsed.reply_to)):
        if address and (known := lookalike_of(domain_of(address))):
            signs.append(f"the {label} domain imitates {known}")
    if parsed.reply_to and parsed.reply_to != parsed.sender:
        signs.append("replies would go to a different address")
    if signs:
        problems.append(
            {"code": ProblemCode.SPOOFING_SIGNS, "message": "; ".join(signs) + "."}
        )
    return problems


def _input_from_extraction(
    found: Extraction, parsed: ParsedEmail, agency
) -> tuple[RequestInput, bool]:
    own = agency is None and found.own_request_language
    instrument = found.instrument
    purpose = found.purpose
    if own and instrument == Instrument.NONE:
        instrument, purpose = Instrument.OWN_REQUEST, Purpose.OWN_RECORDS
    claimed = display_name_claim(parsed.display_name, agency) if agency is None else ""
    data = RequestInput(
        instrument=instrument,
        case_number=found.case_number,
        purpose=purpose,
        purpose_text=parsed.text[:5000],
        elements=list(found.elements),
        date_from=found.date_from,
        date_to=found.date_to,
        emergency=found.emergency,
        instrument_subject_count=found.instrument_subject_count,
        subjects=[
            SubjectInput.from_dict(dataclasses.asdict(s)) for s in found.subjects
        ],
        bulk_access=found.bulk_access,
        claimed_agency=claimed,
    )
    return data, own


def _attachments(parsed: ParsedEmail) -> tuple[list, list[dict]]:
    kept, problems = [], []
    for attachment in parsed.attachments:
        doc = DocumentInput(filename=attachment.filename, content=attachment.content)
        try:
            kept.append((doc, check_document(doc)))
        except DocumentRejected as exc:
            problems.append(
                {
                    "code": ProblemCode.ATTACHMENT_REFUSED,
                    "message": f"{exc} It is kept in the raw message only.",
                }
            )
    return kept, problems


def submission_ingest_email(*, actor, raw: bytes, inbox: str) -> Submission:
    """Store one inbound email and turn it into a request, or join it to one.

    Never raises on the message's content: what cannot be read is stored raw with its
    SHA-256 and put in the clerk's triage list with the reason. ``inbox`` is the staff
    address it reached; if empty, Delivered-To, X-Original-To or the first recipient.
    The same message reaching the same inbox twice returns the first submission."""
    digest = sha256_hex(raw)
    if len(raw) > _max_email_bytes():
        return _store_unread(actor=actor, raw=raw, digest=digest, inbox=inbox)
    parsed = parse_email(raw)
    inbox = (inbox or parsed.default_inbox).strip().lower()[:320]
    dedup = _dedup_key(parsed, inbox, digest)
    if (existing := Submission.objects.filter(dedup_key=dedup).first()) is not None:
        return existing
    try:
        submission, request = _ingest(
            actor=actor, raw=raw, digest=digest, parsed=parsed, inbox=inbox, dedup=dedup
        )
    except IntegrityError:
        existing = Submission.objects.filter(dedup_key=dedup).first()
        if existing is None:
            raise
        return existing
    if request is not None:
        _screen(actor=actor, request=request)
    return submission


@transaction.atomic
def _store_unread(*, actor, raw: bytes, digest: str, inbox: str) -> Submission:
    """Too large to read: keep the bytes on disk by hash, and tell a clerk."""
    name, _ = blob_store(raw, kind="raw")
    limit = _max_email_bytes()
    submission = Submission(
        channel=Channel.EMAIL,
        raw=b"",
        raw_storage_name=name,
        sha256=digest,
        size=len(raw),
        received_at=timezone.now(),
        inbox=(inbox or "").strip().lower()[:320],
        dedup_key=hashlib.sha256(f"email\x00{inbox}\x00{digest}".encode()).hexdigest(),
        problems=[
            {
                "code": ProblemCode.TOO_LARGE,
                "message": f"The message is {len(raw) / 1048576:.1f} MB; messages over "
                f"{limit / 1048576:.0f} MB are kept as received but not read "
                "automatically.",
            }
        ],
        needs_triage=True,
    )
    existing = Submission.objects.filter(dedup_key=submission.dedup_key).first()
    if existing is not None:
        return existing
    submission.full_clean(exclude=["raw"])
    submission.save()
    _received_entry(actor=actor, submission=submission)
    return submission


@transaction.atomic
def _ingest(*, actor, raw, digest, parsed: ParsedEmail, inbox, dedup):
    from .domains import agency_for_domain

    now = timezone.now()
    requester = (
        Requester.objects.select_related("agency").filter(email=parsed.sender).first()
        if parsed.sender
        else None
    )
    agency = (requester.agency if requester else None) or agency_for_domain(
        domain_of(parsed.sender)
    )
    found = extract(parsed.subject, parsed.text, today=timezone.localdate())
    data, own = _input_from_extraction(found, parsed, agency)
    data, problems = clean_extracted_input(data)
    documents, refused = _attachments(parsed)
    problems = parsed.problems + problems + refused
    problems += _sender_problems(parsed, agency, own)
    if (
        parsed.message_id
        and Submission.objects.filter(
            message_id=parsed.message_id, inbox=inbox
        ).exists()
    ):
        problems.append(
            {
                "code": ProblemCode.MESSAGE_ID_REUSED,
                "message": "A different message with the same Message-ID reached this "
                "inbox before; both are kept.",
            }
        )
    can_open = bool(parsed.sender) and found.found_anything
    if parsed.sender and parsed.text.strip() and not found.found_anything:
        problems.append(
            {
                "code": ProblemCode.NOTHING_EXTRACTED,
                "message": "No legal process, person, case number or kind of record was "
                "recognised; a clerk should read it.",
            }
        )
    summary = found.summary()
    summary["recipients"] = parsed.recipients[:50]
    summary["defects"] = parsed.defects
    summary["attachments"] = [
        {
            "filename": a.filename,
            "declared_type": a.declared_type,
            "size": len(a.content),
        }
        for a in parsed.attachments
    ]
    submission = Submission(
        channel=Channel.EMAIL,
        raw=raw,
        sha256=digest,
        size=len(raw),
        received_at=now,
        requester=requester,
        sender=parsed.sender,
        sender_display_name=parsed.display_name[:200],
        reply_to=parsed.reply_to,
        return_path=parsed.return_path,
        inbox=inbox,
        message_id=parsed.message_id,
        subject_line=parsed.subject,
        sent_at=parsed.sent_at,
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        dedup_key=dedup,
        extracted=summary,
        problems=problems,
        needs_triage=bool(problems) or not can_open,
    )
    submission.full_clean()
    submission.save()
    _received_entry(actor=actor, submission=submission)
    if not can_open:
        return submission, None
    thread = message_ids(parsed.message_id + parsed.in_reply_to + parsed.references)
    ask = _ask_for(
        data,
        requester=requester,
        agency=agency,
        sender=parsed.sender,
        thread_ids=[*thread, parsed.message_id],
    )
    request, joined = _open_or_join(
        actor=actor,
        data=data,
        requester=requester,
        agency=agency,
        channel=Channel.EMAIL,
        now=now,
        submission=submission,
        ask=ask,
    )
    _store_documents(
        actor=actor, request=request, submission=submission, documents=documents
    )
    copy_of_known = (
        joined
        and parsed.message_id
        and (
            request.submissions.filter(message_id=parsed.message_id)
            .exclude(pk=submission.pk)
            .exists()
        )
    )
    if not copy_of_known:
        _queue_acknowledgement(
            actor=actor, request=request, to=parsed.sender, joined=joined
        )
    return submission, request


# ---------------------------------------------------------------------------- clerks


def _require_clerk(actor) -> None:
    if not holds_role(actor, Role.INTAKE_CLERK):
        raise Forbidden("Only an intake clerk can do this.")


_EDITABLE = (
    "instrument",
    "case_number",
    "purpose",
    "purpose_text",
    "elements",
    "date_from",
    "date_to",
    "emergency",
    "instrument_subject_count",
    "notice_delay_order",
    "claimed_agency",
)


@transaction.atomic
def _update(*, actor, request: Request, data: RequestInput, confirm: bool) -> list[str]:
    request = Request.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.RECEIVED:
        raise Conflict("This request is already under review; ask the reviewer.")
    changed = [
        name for name in _EDITABLE if getattr(request, name) != getattr(data, name)
    ]
    for name in changed:
        setattr(request, name, getattr(data, name))
    if data.agency is not None and data.agency.pk != request.agency_id:
        request.agency = data.agency
        changed.append("agency")
    if bulk_phrases(data.purpose_text) and not request.bulk_access:
        request.bulk_access = True
        changed.append("bulk_access")
    before = [s.__str__() for s in request.subjects.all()]
    after = [
        " ".join(p for p in [s.first_name, s.middle_name, s.last_name] if p)
        for s in data.subjects
    ]
    if before != after or any(s.ssn or s.ssn_last4 or s.dob for s in data.subjects):
        _replace_subjects(request, data.subjects)
        changed.append("subjects")
    if confirm:
        request.confirmed_at = timezone.now()
        request.confirmed_by = _user(actor)
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        action=c.REQUEST_CONFIRMED if confirm else c.REQUEST_UPDATED,
        target=request,
        data={
            "reference": request.reference,
            "changed": sorted(changed),
            **_report_codes(request),
        },
    )
    return changed


def _replace_subjects(request: Request, subjects: list[SubjectInput]) -> None:
    """Replace the subjects. A clerk's form never shows a full SSN, so a subject kept
    under the same name without a new SSN keeps the one it had."""
    old = {(s.first_name, s.last_name): s for s in request.subjects.all()}
    request.subjects.all().delete()
    for position, data in enumerate(subjects):
        subject = _make_subject(request, position, data)
        before = old.get((data.first_name, data.last_name))
        if before is not None and not data.ssn and before.has_ssn:
            subject.ssn_encrypted = before.ssn_encrypted
            subject.ssn_hash = before.ssn_hash
            subject.ssn_last4_encrypted = before.ssn_last4_encrypted
            subject.ssn_last4_hash = before.ssn_last4_hash
            subject.save()


def request_update(
    *, actor, request: Request, data: RequestInput, confirm: bool = False
) -> Request:
    """A clerk corrects what the rules extracted (and, with ``confirm``, signs it off).
    Subjects are replaced by ``data.subjects``; the request is screened again."""
    _require_clerk(actor)
    data = clean_request_input(data, channel=Channel.PAPER)
    _update(actor=actor, request=request, data=data, confirm=confirm)
    request.refresh_from_db()
    _screen(actor=actor, request=request)
    return request


@transaction.atomic
def submission_triage_resolve(
    *, actor, submission: Submission, note: str, request: Request | None = None
) -> Submission:
    """A clerk has dealt with a submission in triage: noted why, and optionally attached
    it to the request it belongs to."""
    _require_clerk(actor)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.triaged_at is not None:
        raise Conflict("Another clerk has already handled this submission.")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["Say what was done with it."]})
    if request is not None and submission.request_id not in (None, request.pk):
        raise Conflict("This submission already belongs to another request.")
    submission.triaged_at = timezone.now()
    submission.triaged_by = _user(actor)
    submission.triage_note = note[:2000]
    if request is not None:
        submission.request = request
    submission.full_clean(exclude=["raw"])
    submission.save(
        update_fields=["triaged_at", "triaged_by", "triage_note", "request"]
    )
    audit_record(
        actor=actor,
        action=c.SUBMISSION_TRIAGED,
        target=submission,
        data={
            "request": request.reference if request else None,
            "problems": submission.problem_codes,
        },
    )
    return submission


def request_document_add(*, actor, request: Request, documents) -> list[Document]:
    """Add documents (legal process, a scan) to a request that is still being received."""
    if not can_add_documents(actor, request):
        raise NotFound("No such request.")
    checked = _checked_documents(documents)
    with transaction.atomic():
        if request.status != RequestStatus.RECEIVED:
            raise Conflict("Documents can be added only before review starts.")
        stored = _store_documents(
            actor=actor, request=request, submission=None, documents=checked
        )
    _screen(actor=actor, request=request)
    return stored
