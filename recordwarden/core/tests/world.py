"""A small, real world for the hardening tests: every kind of object a URL can name,
made through the services (the real doors), owned by the Albuquerque police requester.

Used by the authorization matrix, the API schema run and the CSRF sweep. Nothing here
writes rows directly except what has no service (none at present).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.utils import timezone

PASSWORD = "correct horse battery"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

KELLER = {
    "first_name": "Thomas",
    "middle_name": "A",
    "last_name": "Keller",
    "dob": dt.date(1979, 7, 2),
}
ORTEGA = {
    "first_name": "Daniel",
    "middle_name": "R",
    "last_name": "Ortega",
    "dob": dt.date(1988, 3, 14),
}
WORKER_COLUMNS_ROWS = [
    # worker_id, ssn, first, middle, last, suffix, dob, street, city, state, zip, county
    ("W-100001", "525-44-1234", "Thomas", "A", "Keller", "", "1979-07-02",
     "12 Elm St NE", "Albuquerque", "NM", "87102", "Bernalillo"),
    ("W-100002", "585-22-4417", "Daniel", "R", "Ortega", "", "1988-03-14",
     "1820 Calle Bonita SW", "Albuquerque", "NM", "87105", "Bernalillo"),
]  # fmt: skip


@dataclass
class World:
    """Ids for every URL keyword argument, all belonging to the police requester."""

    reference: str = ""  # released request (Albuquerque police)
    open_reference: str = ""  # a second police request, still received
    ice_reference: str = ""  # the immigration agency's request (for notices)
    submission_pk: int = 0
    document_pk: int = 0
    subject_id: int = 0
    decision_id: int = 0
    letter_id: int = 0
    task_id: int = 0
    notification_id: int = 0
    package_id: str = ""
    token: str = ""  # one-time download link token (police)
    notice_id: str = ""
    policy_sha256: str = ""
    quarter: str = "2025-Q1"
    extra: dict = field(default_factory=dict)


def workers_on_file(tmp_path) -> dict:
    """Keller and Ortega in the records, indexed for matching."""
    from recordwarden.matching.services import match_index_workers
    from recordwarden.records.importers import WORKER_COLUMNS
    from recordwarden.records.models import Worker
    from recordwarden.records.services import workers_import

    path = tmp_path / "workers.csv"
    lines = [",".join(WORKER_COLUMNS)] + [",".join(r) for r in WORKER_COLUMNS_ROWS]
    path.write_text("\n".join(lines) + "\n")
    workers_import(actor="system:test", path=path)
    ids = list(Worker.objects.values_list("pk", flat=True))
    match_index_workers(actor="system:test", worker_ids=ids)
    return {w.last_name: w for w in Worker.objects.all()}


def submit(requester, channel: str = "portal", key: str = "", **fields):
    """A request through intake's own service, as the portal or the API would."""
    from recordwarden.intake.inputs import RequestInput, SubjectInput
    from recordwarden.intake.services import request_submit

    subjects = [SubjectInput(**s) for s in fields.pop("subjects")]
    data = RequestInput(subjects=subjects, **fields)
    raw = json.dumps({"fields": fields, "n": len(subjects)}, default=str).encode()
    return request_submit(
        actor=requester.user if channel == "portal" else requester,
        requester=requester,
        channel=channel,
        data=data,
        raw=raw,
        idempotency_key=key,
    )


def police_warrant(requester, subject=KELLER, case="26-087112"):
    return submit(
        requester,
        instrument="judicial_warrant",
        case_number=case,
        purpose="criminal_investigation",
        elements=["employer", "wages"],
        instrument_subject_count=1,
        subjects=[subject],
        purpose_text="Embezzlement investigation; warrant signed by Judge M. Baca.",
    )


def released_package(request, *, reviewer, approver):
    """Review, decide to release every element asked for, and sign: the package is
    built."""
    from recordwarden.review.services import decision_sign, review_decide, review_start

    review_start(actor=reviewer, request=request)
    request.refresh_from_db()
    decision = review_decide(
        actor=reviewer,
        request=request,
        kind="release",
        elements={e: {"action": "approve"} for e in request.elements},
    )
    return decision_sign(actor=approver, decision=decision, role="approver")


def build_world(p: dict, tmp_path) -> World:
    """``p`` maps persona names to users/requesters (conftest fixtures)."""
    from recordwarden.audit.checkpoints import checkpoint_sign
    from recordwarden.disclosure.models import Notice
    from recordwarden.disclosure.notices import notice_send, notices_schedule
    from recordwarden.disclosure.services import download_link_issue
    from recordwarden.intake.documents import DocumentInput
    from recordwarden.intake.services import request_document_add
    from recordwarden.policy.services import policy_version_ensure_active
    from recordwarden.review.letters import letter_issue
    from recordwarden.review.services.workflow import notification_add, task_add

    w = World()
    workers_on_file(tmp_path)
    police = p["requester_police"]
    req = police_warrant(police)
    request_document_add(
        actor=police.user,
        request=req,
        documents=[DocumentInput(filename="warrant.pdf", content=PDF)],
    )
    w.reference = req.reference
    w.submission_pk = req.submissions.order_by("pk").first().pk
    w.document_pk = req.documents.order_by("pk").first().pk
    w.subject_id = req.subjects.order_by("pk").first().pk
    decision = released_package(req, reviewer=p["reviewer"], approver=p["approver"])
    w.decision_id = decision.pk
    w.letter_id = letter_issue(actor=p["reviewer"], decision=decision).pk
    package = decision.request.packages.get()
    w.package_id = str(package.public_id)
    _link, w.token = download_link_issue(actor=police.user, package=package)
    w.open_reference = police_warrant(police, ORTEGA, case="26-099001").reference
    task = task_add(
        request=req,
        kind="requester_callback",
        due_at=timezone.now() + dt.timedelta(days=1),
    )
    w.task_id = task.pk if task else req.tasks.first().pk
    note = notification_add(
        request=req,
        kind="emergency",
        recipient_role="reviewer",
        dedupe_key=f"world:{req.pk}",
        message="A test notification.",
        link_reference=req.reference,
    )
    w.notification_id = note.pk
    ice = submit(
        p["requester_ice"],
        instrument="judicial_warrant",
        case_number="ICE-77",
        purpose="criminal_investigation",
        elements=["employer"],
        instrument_subject_count=1,
        subjects=[KELLER],
    )
    w.ice_reference = ice.reference
    released_package(ice, reviewer=p["reviewer"], approver=p["approver"])
    notices_schedule(actor="system:test", request=ice)
    notice = Notice.objects.filter(request=ice).first()
    if notice is not None:
        notice_send(actor="system:test", notice=notice)
        w.notice_id = str(notice.pk)
    w.policy_sha256 = policy_version_ensure_active().sha256
    checkpoint_sign(actor="system:test")
    return w
