"""The founding case and two lawful releases, made through the real services for the demo.

1. An immigration agency asks for direct read access to the whole database (example 01);
   the reviewer denies it with citations, and the letter is issued.
2. The same ask is re-sent to another staff member (example 02): it joins the case and is
   flagged as a re-ask after denial; the approver is notified.
3. A child-support agency asks, under its agreement, for a worker's employer and wages:
   approved with two signatures.
4. Police with a judicial warrant naming one worker: wages narrowed to the warrant's
   quarters, approved with two signatures.

Safe to run twice: each step is skipped once done.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from recordwarden.accounts.models import Requester
from recordwarden.intake.constants import Channel, RequestStatus
from recordwarden.intake.inputs import RequestInput, SubjectInput
from recordwarden.intake.models import Request, Subject

from . import services
from .letters import letters_dispatch

EXAMPLES = Path(settings.BASE_DIR) / "examples" / "requests"
SYSTEM = "system:seed_demo"


def _staff(username: str):
    return get_user_model().objects.get(username=username)


def _founding_case(reviewer, write) -> None:
    from recordwarden.intake.services import submission_ingest_email

    first = submission_ingest_email(
        actor=SYSTEM,
        raw=(EXAMPLES / "01-direct-access.eml").read_bytes(),
        inbox="records@dws.example.nm.gov",
    ).request
    if first.status == RequestStatus.RECEIVED:
        services.review_start(actor=reviewer, request=first)
    if first.status == RequestStatus.IN_REVIEW:
        services.review_decide(
            actor=reviewer,
            request=first,
            kind="deny",
            reason_codes=["bulk_or_standing_access", "no_specific_subject"],
            reasons="The Department considers requests case by case, and only for "
            "specifically identifiable criminal conduct.",
        )
    letters_dispatch(actor=SYSTEM)
    submission_ingest_email(
        actor=SYSTEM,
        raw=(EXAMPLES / "02-re-ask-other-staff.eml").read_bytes(),
        inbox="k.tafoya@dws.example.nm.gov",
    )
    write(f"  founding case {first.reference}: denied, then asked again (flagged)")


def _a_worker(offset: int):
    from recordwarden.records.models import Worker

    return Worker.objects.exclude(dob=None).order_by("pk")[offset]


def _confirm(subject, reviewer) -> None:
    """Confirm the match a reviewer would confirm (the top candidate)."""
    from recordwarden.matching.models import SubjectMatch
    from recordwarden.matching.selectors import confirmed_worker
    from recordwarden.matching.services import match_confirm

    if confirmed_worker(subject) is not None:
        return
    match = SubjectMatch.objects.filter(subject=subject).first()
    best = match.candidates.order_by("rank").first() if match else None
    if best is None:
        raise RuntimeError(f"no candidate for demo subject {subject.pk}")
    match_confirm(actor=reviewer, subject_match=match, worker=best.worker)


def _release(*, requester_email, data, elements, reviewer, approver, label, write):
    from recordwarden.intake.services import request_submit

    requester = Requester.objects.get(email=requester_email)
    if Request.objects.filter(
        requester=requester, case_number=data.case_number
    ).exists():
        return
    request = request_submit(
        actor=requester.user,
        requester=requester,
        channel=Channel.PORTAL,
        data=data,
        raw=f"demo {data.case_number}".encode(),
    )
    for subject in Subject.objects.filter(request=request):
        _confirm(subject, reviewer)
    services.review_start(actor=reviewer, request=request)
    decision = services.review_decide(
        actor=reviewer, request=request, kind="release", elements=elements
    )
    services.decision_sign(actor=approver, decision=decision, role="approver")
    letters_dispatch(actor=SYSTEM)
    request.refresh_from_db()
    write(f"  {label} {request.reference}: {request.get_status_display().lower()}")


def _subject(worker) -> SubjectInput:
    return SubjectInput(
        first_name=worker.first_name,
        middle_name=worker.middle_name,
        last_name=worker.last_name,
        dob=worker.dob,
    )


def founding_case_seed(*, stdout=None) -> None:
    """Seed the demo's cases (needs the registry, the demo staff and requesters, and a
    synthetic state)."""
    from recordwarden.matching.services import match_index_build

    def write(line: str) -> None:
        if stdout is not None:
            stdout.write(line)

    reviewer, approver = _staff("reviewer"), _staff("approver")
    match_index_build(actor=SYSTEM, rebuild=False)
    _founding_case(reviewer, write)
    obligor = _a_worker(7)
    _release(
        requester_email="cbaca@csed.example.nm.gov",
        data=RequestInput(
            instrument="data_sharing_agreement",
            case_number="IV-D-2026-118734",
            purpose="child_support",
            elements=["employer", "wages"],
            subjects=[_subject(obligor)],
            purpose_text="IV-D employment verification under DSA-2024-07.",
        ),
        elements={"employer": {"action": "approve"}, "wages": {"action": "approve"}},
        reviewer=reviewer,
        approver=approver,
        label="child-support request",
        write=write,
    )
    suspect = _a_worker(42)
    _release(
        requester_email="dwhitehorse@abqpd.example.gov",
        data=RequestInput(
            instrument="judicial_warrant",
            case_number="APD-26-087112",
            purpose="criminal_investigation",
            elements=["employer", "wages"],
            instrument_subject_count=1,
            subjects=[_subject(suspect)],
            purpose_text="Embezzlement investigation; search warrant signed by Judge "
            "M. Baca directing production of employer and wages for Q1-Q2 2026.",
        ),
        elements={
            "employer": {"action": "approve"},
            "wages": {
                "action": "narrow",
                "narrowing": "Q1-Q2 2026 only, as the warrant directs",
            },
        },
        reviewer=reviewer,
        approver=approver,
        label="police warrant",
        write=write,
    )
