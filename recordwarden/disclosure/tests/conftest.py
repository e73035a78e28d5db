"""Disclosure test helpers. Requests come through intake's portal service, workers and
wages through the records importers, matches through screening (matching's services),
decisions and signatures through review's services: the real doors. Claims have no
import service yet, so they are written as rows (they are the agency's own records)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import make_staff
from recordwarden.core.tests.people import GARCIA as GARCIA
from recordwarden.core.tests.people import KELLER as KELLER
from recordwarden.core.tests.people import ORTEGA as ORTEGA
from recordwarden.core.tests.people import WORKER_ROWS

# ssn, first, last, fein, year, quarter, wages (dollars)
WAGE_ROWS = [
    ("525-44-1234", "Thomas", "Keller", "850123456", 2025, 1, "9100.00"),
    ("525-44-1234", "Thomas", "Keller", "850123456", 2025, 2, "9350.50"),
    ("525-44-1234", "Thomas", "Keller", "850999111", 2025, 3, "4000.00"),
    ("585-22-4417", "Daniel", "Ortega", "850777222", 2025, 2, "6120.00"),
    ("648-31-7781", "Rosa", "Garcia", "850777222", 2025, 3, "5010.25"),
]
PERIOD = {"date_from": dt.date(2025, 1, 1), "date_to": dt.date(2025, 12, 31)}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas are created with passwords; a fast hasher keeps the suite quick."""
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


def seal(value: str, context: str) -> bytes:
    from recordwarden.core import crypto

    return crypto.encrypt(value, context=context)


def _csv(path, header, rows):
    path.write_text(
        "\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows]) + "\n"
    )
    return path


@pytest.fixture
def workers_on_file(db, tmp_path):
    """Keller, Ortega and Garcia in the records with 2025 wages and a claim each,
    indexed for matching."""
    from recordwarden.matching.services import match_index_workers
    from recordwarden.records.constants import (
        CTX_ALIEN_NUMBER,
        CTX_SAVE_RESULT,
        CTX_SEX,
        CTX_WORK_AUTHORIZATION,
    )
    from recordwarden.records.importers import WAGE_COLUMNS, WORKER_COLUMNS
    from recordwarden.records.models import Claim, Employer, Worker
    from recordwarden.records.services import wages_import, workers_import

    workers_import(
        actor="system:test", path=_csv(tmp_path / "w.csv", WORKER_COLUMNS, WORKER_ROWS)
    )
    wages_import(
        actor="system:test",
        path=_csv(tmp_path / "g.csv", WAGE_COLUMNS, WAGE_ROWS),
        fmt="csv",
    )
    Employer.objects.filter(fein="850123456").update(legal_name="Sandia Widget Co")
    workers = {w.last_name: w for w in Worker.objects.order_by("worker_id")}
    for n, worker in enumerate(workers.values(), start=1):
        Claim.objects.create(
            worker=worker,
            claim_number=f"C-2025-{n:04d}",
            filed_on=dt.date(2025, 4, 7),
            effective_on=dt.date(2025, 4, 6),
            weekly_benefit_cents=41200 + n,
            status="active",
            phone=f"505-555-01{n:02d}",
            work_authorization_encrypted=seal(f"EAD-C0{n}", CTX_WORK_AUTHORIZATION),
            alien_number_encrypted=seal(f"A20000000{n}", CTX_ALIEN_NUMBER),
            save_result_encrypted=seal(f"SAVE-VERIFIED-{n}", CTX_SAVE_RESULT),
            sex_encrypted=seal("X" if n == 3 else "F", CTX_SEX),
        )
    match_index_workers(
        actor="system:test", worker_ids=[w.pk for w in workers.values()]
    )
    return workers


@pytest.fixture
def reviewer_two(db):
    return make_staff("reviewer-b", "reviewer")


def _narrowing_for(element: str) -> str:
    from recordwarden.disclosure.narrowing import PERIOD_ELEMENTS

    return "2025 Q1 only" if element in PERIOD_ELEMENTS else "city and state"


@pytest.fixture
def release(reviewer, approver, counsel):
    """release(request, {element: action}) -> the final decision (package built);
    counsel signs too when the policy escalated an element."""
    from recordwarden.review.services import decision_sign, review_decide, review_start

    def _release(request, actions: dict[str, str], *, by=None, signer=None):
        request.refresh_from_db()
        review_start(actor=by or reviewer, request=request)
        request.refresh_from_db()
        specs = {
            e: {"action": a, "narrowing": _narrowing_for(e) if a == "narrow" else ""}
            for e, a in actions.items()
        }
        decision = review_decide(
            actor=by or reviewer, request=request, kind="release", elements=specs
        )
        decision = decision_sign(
            actor=signer or approver, decision=decision, role="approver"
        )
        if decision.state == "pending" and decision.escalated:
            decision = decision_sign(actor=counsel, decision=decision, role="counsel")
        return decision

    return _release


@pytest.fixture
def police_request(submit, requester_police, workers_on_file):
    return submit(
        requester_police,
        instrument="judicial_warrant",
        case_number="26-087112",
        purpose="criminal_investigation",
        elements=["name", "address", "employer", "wages", "claim_dates"],
        instrument_subject_count=1,
        subjects=[KELLER],
        purpose_text="Embezzlement investigation; warrant signed by Judge M. Baca.",
        **PERIOD,
    )


def audit_entries(action: str, target=None):
    from recordwarden.audit.models import AuditEntry
    from recordwarden.audit.services import target_ref

    rows = AuditEntry.objects.filter(action=action)
    if target is not None:
        rows = rows.filter(target=target_ref(target))
    return list(rows.order_by("index"))


def pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page of a PDF (poppler's pdftotext), to check what people read."""
    import subprocess

    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    pages = int(
        next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1]
    )
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, pages + 1)
    ]


def package_document(package) -> dict:
    from recordwarden.disclosure.services import package_files

    return json.loads(package_files(package)[f"{package.reference}.json"])


@pytest.fixture
def requester_keller(agencies):
    """Thomas Keller, a worker on file, with a portal log-in of his own."""
    from recordwarden.accounts.services import requester_create

    return requester_create(
        actor="system:test",
        name="Thomas A. Keller",
        email="tkeller@mail.example.com",
        agency=None,
        password="correct horse battery",
        username="tkeller",
    )


@pytest.fixture
def own_request(submit, intake_clerk):
    """own_request(requester, person, elements) -> a worker's request about themself,
    with the identity check done (so the policy permits it)."""
    from recordwarden.review.callbacks import task_complete
    from recordwarden.review.constants import TaskKind
    from recordwarden.review.models import Task

    def _own(requester, person, elements=("accounting_of_disclosures",)):
        request = submit(
            requester,
            instrument="own_request",
            purpose="own_records",
            elements=list(elements),
            subjects=[person],
            purpose_text="I want to know who has seen my records.",
        )
        task = Task.objects.get(request=request, kind=TaskKind.IDENTITY_CHECK)
        task_complete(
            actor=intake_clerk,
            task=task,
            confirmed=True,
            notes="ID seen at the counter.",
        )
        request.refresh_from_db()
        return request

    return _own


@pytest.fixture
def csed_request(submit, requester_csed, workers_on_file):
    return submit(
        requester_csed,
        instrument="data_sharing_agreement",
        case_number="2026-118734",
        purpose="child_support",
        elements=["employer", "wages"],
        subjects=[ORTEGA, KELLER],
        purpose_text="IV-D employment verification under DSA-2024-07.",
        **PERIOD,
    )
