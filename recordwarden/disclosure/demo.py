"""The disclosure side of the demo, after review's demo releases (which build their
packages and accounting entries as they are signed): an immigration agency's
administrative subpoena naming a worker, whose notice to the worker is scheduled and
sent. Made through the real services; safe to run twice."""

from __future__ import annotations

from recordwarden.accounts.models import Requester
from recordwarden.intake.constants import Channel
from recordwarden.intake.inputs import RequestInput, SubjectInput
from recordwarden.intake.models import Request

from .notices import notices_send_due

SYSTEM = "system:seed_demo"
CASE_NUMBER = "ICE-I138-2026-0419"


def _worker(offset: int):
    from recordwarden.records.models import Worker

    return Worker.objects.exclude(dob=None).exclude(street="").order_by("pk")[offset]


def _confirm_top_candidate(subject, reviewer) -> None:
    from recordwarden.matching.models import SubjectMatch
    from recordwarden.matching.selectors import confirmed_worker
    from recordwarden.matching.services import match_confirm

    if confirmed_worker(subject) is not None:
        return
    match = SubjectMatch.objects.filter(subject=subject).first()
    best = match.candidates.order_by("rank").first() if match else None
    if best is not None:
        match_confirm(actor=reviewer, subject_match=match, worker=best.worker)


def disclosure_seed(*, stdout=None) -> None:
    from django.contrib.auth import get_user_model

    from recordwarden.intake.services import request_submit

    def write(line: str) -> None:
        if stdout is not None:
            stdout.write(line)

    requester = Requester.objects.get(email="rdelgado@ice.example.gov")
    if not Request.objects.filter(
        requester=requester, case_number=CASE_NUMBER
    ).exists():
        worker = _worker(7)
        request = request_submit(
            actor=requester.user,
            requester=requester,
            channel=Channel.PORTAL,
            data=RequestInput(
                instrument="administrative_subpoena",
                case_number=CASE_NUMBER,
                purpose="civil_immigration",
                elements=["employer", "wages"],
                instrument_subject_count=1,
                subjects=[
                    SubjectInput(
                        first_name=worker.first_name,
                        middle_name=worker.middle_name,
                        last_name=worker.last_name,
                        dob=worker.dob,
                    )
                ],
                purpose_text="Administrative subpoena (DHS Form I-138) for employment "
                "records.",
            ),
            raw=f"demo {CASE_NUMBER}".encode(),
        )
        reviewer = get_user_model().objects.get(username="reviewer")
        for subject in request.subjects.all():
            _confirm_top_candidate(subject, reviewer)
        write(
            f"  immigration subpoena {request.reference}: the worker is owed a notice"
        )
    result = notices_send_due(actor=SYSTEM)
    write(
        f"  notices: {result['scheduled']} scheduled, {result['sent']} sent, "
        f"{result['overdue']} overdue"
    )
