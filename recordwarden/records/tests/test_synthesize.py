"""synthesize_state through the service and the command, on the test database."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from recordwarden.audit.models import AuditEntry
from recordwarden.core import crypto
from recordwarden.records.constants import STATE_SYNTHESIZED
from recordwarden.records.models import Claim, Employer, HardCase, WageRecord, Worker
from recordwarden.records.services import RecordsError, state_synthesize
from recordwarden.records.synthetic import generate_state

pytestmark = pytest.mark.django_db


def test_it_loads_the_generated_state_and_writes_one_audit_entry():
    result = state_synthesize(actor="system:test", workers=400, seed=5)
    expected = generate_state(400, 5)
    assert Worker.objects.count() == 400
    assert Employer.objects.count() == len(expected.employers)
    assert WageRecord.objects.count() == len(expected.wages)
    assert Claim.objects.count() == len(expected.claims)
    assert result.counts["hard_cases"] == HardCase.objects.count() > 0
    entry = AuditEntry.objects.get(action=STATE_SYNTHESIZED)
    assert entry.data["seed"] == 5
    assert entry.data["workers"] == 400
    assert entry.data["digest"] == expected.digest()
    assert entry.actor == "system:test"


def test_loaded_rows_match_the_generator_and_ssns_decrypt_only_with_the_key():
    state_synthesize(actor="system:test", workers=300, seed=9)
    expected = generate_state(300, 9)
    p = expected.people
    worker = Worker.objects.get(worker_id="W0000017")
    assert worker.first_name == p.first[16]
    assert worker.last_name == p.last[16]
    assert str(worker.dob) == str(p.dob[16])
    assert worker.decrypt_ssn() == p.ssn[16]
    assert worker.ssn_hash == crypto.ssn_hash(p.ssn[16])
    assert worker.ssn_last4_hash == crypto.ssn_last4_hash(p.ssn[16][-4:])
    assert p.ssn[16] not in bytes(worker.ssn_encrypted).decode("latin-1")
    claim = Claim.objects.order_by("claim_number").first()
    assert claim.decrypt_work_authorization() in {
        "citizen",
        "permanent_resident",
        "employment_authorized",
    }
    assert claim.decrypt_sex() in {"F", "M", "X"}


def test_hard_case_ground_truth_is_stored_for_the_matching_benchmark():
    state_synthesize(actor="system:test", workers=2000, seed=4)
    twins = HardCase.objects.filter(kind="twin").select_related("worker")
    by_group: dict[int, list[Worker]] = {}
    for case in twins:
        by_group.setdefault(case.group, []).append(case.worker)
    assert by_group
    for a, b in by_group.values():
        assert a.dob == b.dob and a.street == b.street and a.pk != b.pk


def test_it_refuses_to_load_over_existing_records_unless_asked_to_replace():
    state_synthesize(actor="system:test", workers=200, seed=1)
    with pytest.raises(RecordsError, match="already hold 200 workers"):
        state_synthesize(actor="system:test", workers=200, seed=2)
    assert AuditEntry.objects.filter(action=STATE_SYNTHESIZED).count() == 1
    state_synthesize(actor="system:test", workers=300, seed=2, replace=True)
    assert Worker.objects.count() == 300
    assert (
        AuditEntry.objects.filter(action=STATE_SYNTHESIZED).last().data["replaced"]
        == 200
    )


def test_the_command_reports_counts_and_skips_when_asked_if_empty(capsys):
    call_command("synthesize_state", "--workers", "150", "--seed", "3")
    assert "150 workers" in capsys.readouterr().out
    call_command("synthesize_state", "--workers", "150", "--if-empty")
    assert "nothing synthesized" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already hold"):
        call_command("synthesize_state", "--workers", "150")
    assert Worker.objects.count() == 150


def _constraints(model):
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, model._meta.db_table)
    return {
        (
            tuple(c["columns"]),
            bool(c["unique"]),
            bool(c["foreign_key"]),
            bool(c["index"]),
        )
        for c in found.values()
    }


def test_the_bulk_load_leaves_every_index_and_constraint_in_place():
    before = {m: _constraints(m) for m in (Worker, WageRecord, Claim, HardCase)}
    state_synthesize(actor="system:test", workers=200, seed=6)
    after = {m: _constraints(m) for m in (Worker, WageRecord, Claim, HardCase)}
    assert after == before
    wage = WageRecord.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        WageRecord.objects.create(
            worker_id=wage.worker_id,
            employer_id=wage.employer_id,
            year=wage.year,
            quarter=wage.quarter,
            wages_cents=1,
        )
