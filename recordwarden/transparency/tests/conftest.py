"""Transparency test helpers. Requests go through intake's portal service, screening and
matching run as intake calls them, decisions and signatures through review's services,
packages and notices through disclosure's: the real doors. Only the clock is moved."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import make_staff
from recordwarden.core.tests.people import GARCIA as GARCIA
from recordwarden.core.tests.people import KELLER as KELLER
from recordwarden.core.tests.people import ORTEGA as ORTEGA
from recordwarden.core.tests.people import WORKER_ROWS

WAGE_ROWS = [
    ("525-44-1234", "Thomas", "Keller", "850123456", 2024, 3, "9100.00"),
    ("585-22-4417", "Daniel", "Ortega", "850777222", 2024, 3, "6120.00"),
    ("648-31-7781", "Rosa", "Garcia", "850777222", 2024, 4, "5010.25"),
]
PERIOD = {"date_from": dt.date(2024, 7, 1), "date_to": dt.date(2024, 12, 31)}


class Clock:
    """The one thing mocked: the time, so requests fall in chosen quarters."""

    def __init__(self, start: dt.datetime) -> None:
        self.moment = start

    def __call__(self) -> dt.datetime:
        return self.moment

    def at(self, text: str) -> dt.datetime:
        """Move to a moment given in UTC, e.g. '2025-02-03 16:00'."""
        self.moment = dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
        return self.moment

    def advance(self, **delta) -> dt.datetime:
        self.moment += dt.timedelta(**delta)
        return self.moment


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock(monkeypatch):
    from django.utils import timezone

    moving = Clock(dt.datetime(2025, 1, 6, 16, 0, tzinfo=dt.UTC))
    monkeypatch.setattr(timezone, "now", moving)
    return moving


def _csv(path, header, rows):
    path.write_text(
        "\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows]) + "\n"
    )
    return path


@pytest.fixture
def workers_on_file(db, tmp_path):
    from recordwarden.matching.services import match_index_workers
    from recordwarden.records.importers import WAGE_COLUMNS, WORKER_COLUMNS
    from recordwarden.records.models import Worker
    from recordwarden.records.services import wages_import, workers_import

    workers_import(
        actor="system:test", path=_csv(tmp_path / "w.csv", WORKER_COLUMNS, WORKER_ROWS)
    )
    wages_import(
        actor="system:test",
        path=_csv(tmp_path / "g.csv", WAGE_COLUMNS, WAGE_ROWS),
        fmt="csv",
    )
    workers = {w.last_name: w for w in Worker.objects.order_by("worker_id")}
    match_index_workers(
        actor="system:test", worker_ids=[w.pk for w in workers.values()]
    )
    return workers


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
def second_approver(db):
    return make_staff("approver-two", "approver")


class Casework:
    """Staff acting on requests through review's and disclosure's services."""

    def __init__(self, reviewer, approver, clerk, counsel):
        self.reviewer, self.approver = reviewer, approver
        self.clerk, self.counsel = clerk, counsel

    def start(self, request):
        from recordwarden.review.services import review_start

        request.refresh_from_db()
        review_start(actor=self.reviewer, request=request)
        request.refresh_from_db()
        return request

    def release(self, request, actions: dict[str, str]):
        from recordwarden.review.services import decision_sign, review_decide

        self.start(request)
        specs = {
            e: {"action": a, "narrowing": "one quarter only" if a == "narrow" else ""}
            for e, a in actions.items()
        }
        decision = review_decide(
            actor=self.reviewer, request=request, kind="release", elements=specs
        )
        if decision.escalated:
            decision_sign(actor=self.counsel, decision=decision, role="counsel")
        decision_sign(actor=self.approver, decision=decision, role="approver")
        request.refresh_from_db()
        return request

    def deny(self, request, *codes: str):
        from recordwarden.review.services import review_decide

        self.start(request)
        review_decide(
            actor=self.reviewer,
            request=request,
            kind="deny",
            reason_codes=list(codes) or ["policy_forbids"],
        )
        request.refresh_from_db()
        return request

    def withdraw(self, request):
        from recordwarden.review.services import request_transition

        request.refresh_from_db()
        request_transition(actor=self.clerk, request=request, to="withdrawn")
        request.refresh_from_db()
        return request

    def call_back(self, request, *, confirmed: bool):
        from recordwarden.review.callbacks import callback_record
        from recordwarden.review.models import Task

        task = Task.objects.get(
            request=request, kind="emergency_callback", done_at__isnull=True
        )
        return callback_record(
            actor=self.clerk,
            task=task,
            agency=request.agency,
            answered_by="Duty sergeant",
            confirmed=confirmed,
        )


@pytest.fixture
def casework(reviewer, approver, intake_clerk, counsel):
    return Casework(reviewer, approver, intake_clerk, counsel)


def sign_checkpoint():
    from recordwarden.audit.checkpoints import checkpoint_sign

    return checkpoint_sign(actor="system:test")
