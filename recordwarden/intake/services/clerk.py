"""What intake clerks do: correct and confirm extracted requests, handle triage."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from recordwarden.accounts.constants import Role
from recordwarden.audit.services import audit_record
from recordwarden.core.exceptions import Conflict, Forbidden

from .. import constants as c
from ..constants import Channel, RequestStatus
from ..extract import bulk_phrases
from ..inputs import RequestInput, SubjectInput
from ..keys import case_key
from ..models import Request, Submission
from ..permissions import holds_role
from ..validation import clean_request_input
from .common import (
    make_subject,
    report_codes,
    screen,
    user,
)


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
        request.confirmed_by = user(actor)
    request.case_key = case_key(request.case_number)
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        action=c.REQUEST_CONFIRMED if confirm else c.REQUEST_UPDATED,
        target=request,
        data={
            "reference": request.reference,
            "changed": sorted(changed),
            **report_codes(request),
        },
    )
    return changed


def _replace_subjects(request: Request, subjects: list[SubjectInput]) -> None:
    """Replace the subjects. A clerk's form never shows a full SSN, so a subject kept
    under the same name without a new SSN keeps the one it had."""
    old = {(s.first_name, s.last_name): s for s in request.subjects.all()}
    request.subjects.all().delete()
    for position, data in enumerate(subjects):
        subject = make_subject(request, position, data)
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
    screen(actor=actor, request=request)
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
    submission.triaged_by = user(actor)
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
