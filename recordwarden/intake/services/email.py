"""Inbound email: stored raw, read by rules, joined to its case or sent to triage."""

from __future__ import annotations

import dataclasses
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from recordwarden.accounts.models import Requester

from .. import constants as c
from ..constants import Channel, Instrument, ProblemCode, Purpose
from ..documents import DocumentInput, DocumentRejected, check_document
from ..domains import agency_for_domain, display_name_claim, domain_of, lookalike_of
from ..extract import Extraction, extract
from ..inputs import RequestInput, SubjectInput
from ..mail import ParsedEmail, message_ids, parse_email
from ..models import Submission
from ..storage import blob_store, sha256_hex
from ..validation import clean_extracted_input
from .common import (
    ask_for,
    open_or_join,
    queue_acknowledgement,
    received_entry,
    screen,
    store_documents,
)


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
        screen(actor=actor, request=request)
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
    received_entry(actor=actor, submission=submission)
    return submission


@transaction.atomic
def _ingest(*, actor, raw, digest, parsed: ParsedEmail, inbox, dedup):
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
    # The unique constraints (idempotency, duplicates) are the database's to enforce:
    # a race is an IntegrityError, caught by the caller; checking first is a query each.
    submission.full_clean(validate_constraints=False)
    submission.save()
    received_entry(actor=actor, submission=submission)
    if not can_open:
        return submission, None
    thread = message_ids(parsed.message_id + parsed.in_reply_to + parsed.references)
    ask = ask_for(
        data,
        requester=requester,
        agency=agency,
        sender=parsed.sender,
        thread_ids=[*thread, parsed.message_id],
    )
    request, joined = open_or_join(
        actor=actor,
        data=data,
        requester=requester,
        agency=agency,
        channel=Channel.EMAIL,
        now=now,
        submission=submission,
        ask=ask,
    )
    store_documents(
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
        queue_acknowledgement(
            actor=actor, request=request, to=parsed.sender, joined=joined
        )
    return submission, request
