"""Fixtures for the matching app's database tests: a small synthetic state made by the
records app's own service, indexed and with a model trained on request-like subjects,
and requests submitted through intake (whose screening resolves their subjects)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest

STATE_WORKERS = 800
STATE_SEED = 7


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    from recordwarden.matching import modelstore

    modelstore.forget()
    yield
    modelstore.forget()


def hashed(person):
    """A noisy subject carries plain digits; the records compare keyed hashes."""
    from recordwarden.core import crypto

    ssn, last4 = person.ssn_hash, person.ssn_last4_hash
    return replace(
        person,
        ssn_hash=crypto.ssn_hash(ssn) if ssn else "",
        ssn_last4_hash=crypto.ssn_last4_hash(last4) if last4 else "",
    )


class State:
    """The synthetic state as the tests see it: workers, hard cases, SSNs."""

    def __init__(self):
        from recordwarden.matching.index import WORKER_COLUMNS, person_from_row
        from recordwarden.records.models import HardCase, Worker

        self.workers = [
            person_from_row(row)
            for row in Worker.objects.order_by("id").values_list(*WORKER_COLUMNS)
        ]
        self.hard: dict[str, list[int]] = {}
        for worker_id, kind in HardCase.objects.values_list("worker_id", "kind"):
            self.hard.setdefault(kind, []).append(worker_id)
        self.ssns = {
            w.pk: w.decrypt_ssn() for w in Worker.objects.only("ssn_encrypted")
        }

    def queries(self, n: int, seed: int, **kwargs):
        from recordwarden.matching.engine.noise import make_queries

        made = make_queries(
            self.workers, self.ssns, self.hard, n=n, seed=seed, **kwargs
        )
        return [replace(q, person=hashed(q.person)) for q in made]


@pytest.fixture
def indexed_state(db):
    """800 synthetic workers (every kind of hard case), indexed; the untrained model."""
    from recordwarden.matching.services import match_index_build
    from recordwarden.records.services import state_synthesize

    state_synthesize(actor="system:test", workers=STATE_WORKERS, seed=STATE_SEED)
    match_index_build(actor="system:test")
    return State()


@pytest.fixture
def state(indexed_state):
    """The indexed state with a model trained on 300 request-like subjects."""
    from recordwarden.matching.services import matcher_train

    training = indexed_state.queries(300, seed=101)
    matcher_train(
        actor="system:test",
        queries=[q.person for q in training],
        sample_size=STATE_WORKERS,
        u_pairs=10_000,
    )
    return indexed_state


@pytest.fixture
def submit(db):
    """submit(requester, subjects=[{...}]) -> Request, through intake's portal
    service (its screening resolves each subject)."""
    from recordwarden.intake.constants import Channel
    from recordwarden.intake.inputs import RequestInput, SubjectInput
    from recordwarden.intake.services import request_submit

    def _submit(requester, subjects, **fields):
        data = RequestInput(
            instrument=fields.pop("instrument", "judicial_warrant"),
            case_number=fields.pop("case_number", "26-0001"),
            purpose=fields.pop("purpose", "criminal_investigation"),
            purpose_text=fields.pop("purpose_text", "Fraud investigation."),
            elements=fields.pop("elements", ["employer"]),
            subjects=[SubjectInput(**s) for s in subjects],
            **fields,
        )
        raw = json.dumps({"subjects": len(subjects)}).encode()
        return request_submit(
            actor=requester.user,
            requester=requester,
            channel=Channel.PORTAL,
            data=data,
            raw=raw,
        )

    return _submit


def subject_fields(worker, **changes) -> dict:
    """Portal subject fields naming ``worker`` (a records.Worker)."""
    fields = {
        "first_name": worker.first_name,
        "middle_name": "",
        "last_name": worker.last_name,
        "suffix": worker.suffix,
        "dob": worker.dob,
        "street": worker.street,
        "city": worker.city,
        "zip": worker.zip,
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v not in (None, "")}


DOB = dt.date
