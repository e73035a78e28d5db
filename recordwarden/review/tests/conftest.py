"""Review test helpers. Requests are made through intake's services, workers through the
records importer, matches through the matching services: the real doors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import make_staff
from recordwarden.core.tests.people import KELLER as KELLER
from recordwarden.core.tests.people import ORTEGA as ORTEGA
from recordwarden.core.tests.people import WORKER_ROWS as _ALL_ROWS

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
WORKER_ROWS = _ALL_ROWS[:2]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Staff and requesters are created in every test; hashing their passwords with the
    production work factor would be most of the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def submit(db):
    """submit(requester, **RequestInput fields) -> Request, through the portal service."""
    from recordwarden.intake.constants import Channel
    from recordwarden.intake.inputs import RequestInput, SubjectInput
    from recordwarden.intake.services import request_submit

    def _submit(requester, **fields):
        subjects = [SubjectInput(**s) for s in fields.pop("subjects", [])]
        data = RequestInput(subjects=subjects, **fields)
        raw = json.dumps({"fields": fields, "subjects": len(subjects)}, default=str)
        return request_submit(
            actor=requester.user,
            requester=requester,
            channel=Channel.PORTAL,
            data=data,
            raw=raw.encode(),
        )

    return _submit


@pytest.fixture
def police_request(submit, requester_police, workers_on_file):
    return submit(
        requester_police,
        instrument="judicial_warrant",
        case_number="26-087112",
        purpose="criminal_investigation",
        elements=["employer", "wages"],
        instrument_subject_count=1,
        subjects=[KELLER],
        purpose_text="Embezzlement investigation; warrant signed by Judge M. Baca.",
    )


@pytest.fixture
def csed_request(submit, requester_csed, workers_on_file):
    return submit(
        requester_csed,
        instrument="data_sharing_agreement",
        case_number="2026-118734",
        purpose="child_support",
        elements=["employer", "wages"],
        subjects=[ORTEGA],
        purpose_text="IV-D employment verification under DSA-2024-07.",
    )


@pytest.fixture
def ingest(db):
    """ingest(name_or_bytes, inbox="") -> Submission, through the email service."""
    from recordwarden.intake.services import submission_ingest_email

    def _ingest(source, inbox: str = ""):
        raw = (
            source
            if isinstance(source, bytes)
            else (EXAMPLES / "requests" / source).read_bytes()
        )
        return submission_ingest_email(actor="system:ingest_mail", raw=raw, inbox=inbox)

    return _ingest


@pytest.fixture
def subpoena_request(ingest, agencies):
    """A clerk-issued civil subpoena, by email (example 08)."""
    return ingest("08-clerk-subpoena.eml").request


@pytest.fixture
def workers_on_file(db, tmp_path):
    """Thomas Keller and Daniel Ortega in the records, indexed for matching."""
    from recordwarden.matching.services import match_index_workers
    from recordwarden.records.importers import WORKER_COLUMNS
    from recordwarden.records.models import Worker
    from recordwarden.records.services import workers_import

    path = tmp_path / "workers.csv"
    lines = [",".join(WORKER_COLUMNS)] + [",".join(row) for row in WORKER_ROWS]
    path.write_text("\n".join(lines) + "\n")
    workers_import(actor="system:test", path=path)
    ids = list(Worker.objects.values_list("pk", flat=True))
    match_index_workers(actor="system:test", worker_ids=ids)
    return {w.last_name: w for w in Worker.objects.all()}


@pytest.fixture
def reviewer_approver(db):
    """One person holding both roles: may decide or sign, never both on one release."""
    return make_staff("rev-appr", "reviewer", "approver")


def audit_actions_for(target) -> list[str]:
    from recordwarden.audit.models import AuditEntry
    from recordwarden.audit.services import target_ref

    return list(
        AuditEntry.objects.filter(target=target_ref(target))
        .order_by("index")
        .values_list("action", flat=True)
    )
