"""Structured requests: the portal, the API and a clerk's paper form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from recordwarden.accounts.constants import Role
from recordwarden.accounts.models import Requester
from recordwarden.accounts.permissions import requester_of
from recordwarden.core.exceptions import Conflict, Forbidden, NotFound

from ..constants import Channel, RequestStatus
from ..documents import DocumentInput, DocumentRejected, check_document
from ..inputs import RequestInput
from ..models import Document, Request, Submission
from ..permissions import can_add_documents, holds_role
from ..storage import sha256_hex
from ..validation import clean_request_input
from .common import (
    ask_for,
    open_or_join,
    queue_acknowledgement,
    received_entry,
    screen,
    store_documents,
    user,
)


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


def checked_documents(documents) -> list[tuple[DocumentInput, str]]:
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
    checked = checked_documents(documents)
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
    screen(actor=actor, request=request)
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
    # The unique constraints (idempotency, duplicates) are the database's to enforce:
    # a race is an IntegrityError, caught by the caller; checking first is a query each.
    submission.full_clean(validate_constraints=False)
    submission.save()
    received_entry(actor=actor, submission=submission)
    request, joined = open_or_join(
        actor=actor,
        data=data,
        requester=requester,
        agency=agency,
        channel=channel,
        now=now,
        submission=submission,
        ask=ask_for(data, requester=requester, agency=agency),
        confirmed_by=user(actor) if channel == Channel.PAPER else None,
    )
    store_documents(
        actor=actor, request=request, submission=submission, documents=documents
    )
    if channel == Channel.PORTAL and requester is not None:
        queue_acknowledgement(
            actor=actor, request=request, to=requester.email, joined=joined
        )
    request.intake_submission = submission
    request.intake_joined = joined
    request.intake_replayed = False
    return request


def request_document_add(*, actor, request: Request, documents) -> list[Document]:
    """Add documents (legal process, a scan) to a request that is still being received."""
    if not can_add_documents(actor, request):
        raise NotFound("No such request.")
    checked = checked_documents(documents)
    with transaction.atomic():
        if request.status != RequestStatus.RECEIVED:
            raise Conflict("Documents can be added only before review starts.")
        stored = store_documents(
            actor=actor, request=request, submission=None, documents=checked
        )
    screen(actor=actor, request=request)
    return stored
