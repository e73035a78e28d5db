import json

import pytest

from recordwarden.audit import actions, merkle
from recordwarden.audit.guard import PersonalDataError
from recordwarden.audit.models import AuditEntry, AuditHead, AuditSubtree
from recordwarden.audit.services import (
    AuditContextError,
    audit_read,
    audit_record,
    audit_record_many,
    canonical_json,
)
from recordwarden.audit.tests.helpers import as_db_admin, write_log

pytestmark = pytest.mark.django_db


def test_an_entry_is_canonical_json_whose_hash_is_its_leaf(reviewer):
    entry = audit_record(
        actor=reviewer,
        action=actions.STAFF_ROLE_GRANTED,
        target=reviewer,
        data={"role": "reviewer", "b": [2, 1], "a": "é"},
    )
    body = json.loads(entry.canonical)
    assert body["actor"] == f"user:{reviewer.pk}"
    assert body["target"] == f"auth.user:{reviewer.pk}"
    assert body["action"] == actions.STAFF_ROLE_GRANTED
    assert body["data"] == {"a": "é", "b": [2, 1], "role": "reviewer"}
    assert body["v"] == 1 and body["time"].endswith("Z")
    assert entry.canonical == canonical_json(body)  # sorted keys, no spaces
    assert '"a":"é"' in entry.canonical
    assert entry.leaf_hash == merkle.leaf_hash(entry.canonical.encode()).hex()
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.data == body["data"] and stored.index == body["index"]


def test_indexes_are_contiguous_and_the_head_holds_the_root(db):
    before = AuditEntry.objects.count()
    first = audit_record(actor="system:test", action=actions.LOGIN_LOCKED, target="x")
    rest = write_log(5)
    indexes = [first.index] + [e.index for e in rest]
    assert indexes == list(range(before, before + 6))
    leaves = [
        bytes.fromhex(h)
        for h in AuditEntry.objects.order_by("index").values_list(
            "leaf_hash", flat=True
        )
    ]
    head = AuditHead.objects.get()
    assert head.size == len(leaves)
    assert head.root_hash == merkle.root_from_leaf_hashes(leaves).hex()


def test_an_append_writes_each_completed_256_leaf_subtree_once(db):
    base = AuditEntry.objects.count()
    write_log(600 - base)
    leaves = [
        bytes.fromhex(h)
        for h in AuditEntry.objects.order_by("index").values_list(
            "leaf_hash", flat=True
        )
    ]
    rows = {(s.level, s.index): bytes(s.hash) for s in AuditSubtree.objects.all()}
    assert set(rows) == {(8, 0), (8, 1)}
    assert rows[(8, 1)] == merkle.root_from_leaf_hashes(leaves[256:512])


def test_many_entries_are_all_or_nothing(db):
    before = AuditEntry.objects.count()
    events = [
        {"actor": "system:test", "action": actions.LOGIN_LOCKED, "target": "a"},
        {"actor": "system:test", "action": "not.registered", "target": "b"},
    ]
    with pytest.raises(ValueError, match="unregistered"):
        audit_record_many(events)
    assert AuditEntry.objects.count() == before


def test_a_rolled_back_caller_leaves_no_gap(db):
    from django.db import transaction

    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor="system:test", action=actions.LOGIN_LOCKED, target="a")
        raise RuntimeError("the service failed after auditing")
    entry = audit_record(actor="system:test", action=actions.LOGIN_LOCKED, target="b")
    assert entry.index == before


@pytest.mark.parametrize(
    "data",
    [
        {"name": "Luis Tapia"},
        {"Last-Name": "Tapia"},
        {"subject": {"dob": "1980-01-01"}},
        {"ssn": "x"},
        {"note": "SSN 123-45-6789 checked"},
        {"digits": "123456789"},
        {"contact": "luis.tapia@mail.example.com"},
        {"items": [{"home_address": "1 Main St"}]},
    ],
)
def test_personal_data_is_refused(db, data):
    before = AuditEntry.objects.count()
    with pytest.raises(PersonalDataError):
        audit_record(
            actor="system:test", action=actions.LOGIN_LOCKED, target="x", data=data
        )
    assert AuditEntry.objects.count() == before


def test_an_e_mail_address_as_target_is_refused(db):
    with pytest.raises(PersonalDataError):
        audit_record(
            actor="system:test",
            action=actions.LOGIN_LOCKED,
            target="login:a@b.example.com",
        )


def test_ids_hashes_and_codes_are_accepted(db):
    entry = audit_record(
        actor="system:test",
        action=actions.LOGIN_LOCKED,
        target="records.worker:123456",
        data={"worker": 123456789, "ssn_hash": "ab" * 32, "basis": "judicial_warrant"},
    )
    assert entry.data["worker"] == 123456789


def test_values_that_are_not_json_are_refused(db):
    with pytest.raises(TypeError):
        audit_record(
            actor="system:test", action=actions.LOGIN_LOCKED, data={"x": object()}
        )
    with pytest.raises(ValueError):
        audit_record(
            actor="system:test", action=actions.LOGIN_LOCKED, data={"x": float("nan")}
        )


def test_a_read_is_logged_with_its_case(reviewer):
    entry = audit_read(
        actor=reviewer,
        target="records.worker:77",
        what="worker_record",
        request_ref="review.request:12",
    )
    assert entry.action == actions.RECORD_READ
    assert entry.actor == f"user:{reviewer.pk}"
    assert entry.target == "records.worker:77"
    assert entry.data == {"case": "review.request:12", "what": "worker_record"}


def test_a_read_takes_the_case_object_too(reviewer, auditor):
    entry = audit_read(actor=reviewer, target=auditor, what="package", case=auditor)
    assert entry.data["case"] == f"auth.user:{auditor.pk}"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"request_ref": ""},
        {"case": None, "request_ref": None},
    ],
)
def test_a_read_outside_a_case_is_refused(reviewer, kwargs):
    before = AuditEntry.objects.count()
    with pytest.raises(AuditContextError, match="inside a case"):
        audit_read(
            actor=reviewer, target="records.worker:77", what="worker_record", **kwargs
        )
    assert AuditEntry.objects.count() == before


def test_a_read_by_nobody_or_of_nothing_is_refused(reviewer):
    with pytest.raises(AuditContextError):
        audit_read(actor=None, target="records.worker:1", what="x", request_ref="r:1")
    with pytest.raises(AuditContextError):
        audit_read(actor=reviewer, target=None, what="x", request_ref="r:1")
    with pytest.raises(ValueError):
        audit_read(
            actor=reviewer,
            target="records.worker:1",
            what="Name Here",
            request_ref="r:1",
        )


def test_a_missing_head_row_is_rebuilt_from_the_entries(db):
    write_log(10)
    before = AuditEntry.objects.count()
    as_db_admin(("DELETE FROM audit_audithead", []))
    entry = audit_record(actor="system:test", action=actions.LOGIN_LOCKED, target="a")
    assert entry.index == before
    leaves = [
        bytes.fromhex(h)
        for h in AuditEntry.objects.order_by("index").values_list(
            "leaf_hash", flat=True
        )
    ]
    assert (
        AuditHead.objects.get().root_hash == merkle.root_from_leaf_hashes(leaves).hex()
    )
