"""Which entries the public reads: every action classified (restricted by default), a
random salt in each restricted entry's hashed text, and no restricted content from any
public door — while auditors read everything."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from recordwarden.audit import actions, merkle, visibility
from recordwarden.audit.checkpoints import checkpoint_sign
from recordwarden.audit.models import AuditEntry
from recordwarden.audit.services import audit_record, canonical_json
from recordwarden.audit.tests.helpers import write_log, write_restricted
from recordwarden.matching import constants as matching

pytestmark = pytest.mark.django_db
B64 = base64.b64decode


def test_every_registered_action_is_classified():
    assert visibility.unclassified(actions.ALL_ACTIONS) == []
    # And the table names no action that does not exist (a typo would leave the real
    # action restricted by default, and this table misleading).
    assert set(visibility.CLASSIFICATION) <= actions.ALL_ACTIONS


def test_what_says_whether_a_person_is_in_the_records_is_restricted():
    for action in (
        "matching.subject_resolved",
        "matching.match_confirmed",
        "matching.match_rejected",
        "audit.record_read",
        "disclosure.notice_scheduled",
        "disclosure.notice_sent",
        "disclosure.notice_delayed",
        "disclosure.notice_cancelled",
        "disclosure.accounting_recorded",
    ):
        assert not visibility.is_public(action), action
    assert visibility.is_public("intake.request_submitted")
    assert visibility.is_public("review.decided")


def test_a_newly_registered_action_is_restricted_until_classified(monkeypatch):
    monkeypatch.setattr(actions, "ALL_ACTIONS", actions.ALL_ACTIONS)
    actions.register("tests.something_new")
    assert visibility.unclassified(actions.ALL_ACTIONS) == ["tests.something_new"]
    assert visibility.visibility("tests.something_new") == "restricted"
    entry = audit_record(actor="system:test", action="tests.something_new", data={})
    assert entry.salt and json.loads(entry.canonical)["salt"] == entry.salt
    url = f"/api/v1/audit/entries?start={entry.index}&end={entry.index + 1}"
    [served] = Client().get(url).json()["entries"]
    assert served["restricted"] and served["canonical"] is None


def test_a_restricted_entry_holds_a_random_salt_and_a_public_one_none():
    public = write_log(1)[0]
    assert public.salt is None and "salt" not in json.loads(public.canonical)
    first, second = write_restricted(2)
    for entry in (first, second):
        body = json.loads(entry.canonical)
        assert body["salt"] == entry.salt and len(entry.salt) == 32
        int(entry.salt, 16)  # hex
        assert entry.leaf_hash == merkle.leaf_hash(entry.canonical.encode()).hex()
    assert first.salt != second.salt


def _guess(entry: AuditEntry, data: dict) -> str:
    """Everything about an entry but its salt, as someone outside might guess it."""
    body = json.loads(entry.canonical)
    body.pop("salt", None)
    body["data"] = data
    return merkle.leaf_hash(canonical_json(body).encode()).hex()


def test_a_restricted_leaf_hash_cannot_be_confirmed_by_guessing_its_content():
    """A requester who knows their request id, the subject's position, the time and
    every code still cannot tell "match" from "none" by hashing guesses."""
    data = {
        "subject": 9,
        "request": 17,
        "outcome": "match",
        "candidates": [3],
        "matcher_model": None,
        "decision_kept": False,
    }
    entry = audit_record(
        actor="system:screening",
        action=matching.SUBJECT_RESOLVED,
        target="matching.subjectmatch:5",
        data=data,
    )
    guesses = [
        {**data, "outcome": outcome, "candidates": candidates}
        for outcome in ("match", "ambiguous", "none")
        for candidates in ([], [3], [3, 4])
    ]
    assert entry.leaf_hash not in {_guess(entry, g) for g in guesses}
    # With the salt (an auditor's copy of the entry) the hash is reproduced.
    assert merkle.leaf_hash(entry.canonical.encode()).hex() == entry.leaf_hash
    # A public entry, by contrast, is meant to be re-hashed from its content.
    public = write_log(1)[0]
    assert _guess(public, json.loads(public.canonical)["data"]) == public.leaf_hash


@pytest.fixture
def mixed_log(db):
    write_log(3)
    secret = write_restricted(2, case="intake.request:31337")
    write_log(2)
    checkpoint_sign(actor="system:test")
    return secret


def _public_responses(client, size: int, secret) -> dict[str, str]:
    urls = [
        "/api/v1/audit/checkpoint",
        "/api/v1/audit/tree",
        f"/api/v1/audit/entries?start=0&end={size}",
        f"/api/v1/audit/entries/full?start=0&end={size}",
        "/audit/checkpoint.txt",
        "/audit/verifier-key.txt",
        "/audit/",
        "/transparency/",
        "/transparency/report.csv",
        "/transparency/full/",
        "/transparency/full.csv",
    ]
    for entry in secret:
        urls.append(f"/api/v1/audit/proof/inclusion?index={entry.index}")
        urls.append(f"/api/v1/audit/proof/consistency?first={entry.index + 1}")
    return {url: client.get(url).content.decode() for url in urls}


def test_anonymous_visitors_get_no_restricted_content_from_any_door(mixed_log):
    size = AuditEntry.objects.count()
    bodies = _public_responses(Client(), size, mixed_log)
    for entry in mixed_log:
        secrets = [entry.salt, entry.target, "31337", entry.canonical]
        for url, body in bodies.items():
            for secret in secrets:
                assert secret not in body, (url, secret)
    served = json.loads(bodies[f"/api/v1/audit/entries?start=0&end={size}"])
    hidden = [e for e in served["entries"] if e["restricted"]]
    assert [e["index"] for e in hidden] == [e.index for e in mixed_log]
    assert all(e["canonical"] is None for e in hidden)


def test_the_public_can_still_rebuild_the_signed_tree_and_rehash_public_entries(
    mixed_log,
):
    from recordwarden.audit import keys, note

    client = Client()
    checkpoint = note.open_checkpoint(
        client.get("/audit/checkpoint.txt").content.decode(), [keys.verifier()]
    )
    served = client.get(f"/api/v1/audit/entries?start=0&end={checkpoint.size}").json()
    leaves = []
    for item in served["entries"]:
        leaf = B64(item["leaf_hash"])
        if item["canonical"] is not None:
            assert not item["restricted"]
            assert merkle.leaf_hash(item["canonical"].encode()) == leaf
        leaves.append(leaf)
    assert merkle.root_from_leaf_hashes(leaves) == checkpoint.root


@pytest.mark.parametrize("persona", ["auditor", "administrator"])
def test_auditors_and_administrators_read_every_entry_in_full(
    mixed_log, client_for, persona, request
):
    size = AuditEntry.objects.count()
    user = request.getfixturevalue(persona)
    response = client_for(user).get(f"/api/v1/audit/entries/full?start=0&end={size}")
    assert response.status_code == 200
    by_index = {e["index"]: e for e in response.json()["entries"]}
    for entry in mixed_log:
        served = by_index[entry.index]
        assert served["canonical"] == entry.canonical and served["restricted"]
        assert B64(served["leaf_hash"]) == merkle.leaf_hash(entry.canonical.encode())


@pytest.mark.parametrize("persona", ["reviewer", "approver", "outsider"])
def test_other_signed_in_people_are_refused_the_full_log(
    mixed_log, client_for, persona, request
):
    user = request.getfixturevalue(persona)
    response = client_for(user).get("/api/v1/audit/entries/full?start=0&end=5")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_an_auditor_without_the_second_factor_is_refused_the_full_log(mixed_log):
    from conftest import make_staff

    plain = Client()
    plain.force_login(make_staff("auditor-no-otp", "auditor"))
    assert plain.get("/api/v1/audit/entries/full?start=0&end=5").status_code == 403


def test_anonymous_visitors_are_asked_to_authenticate_for_the_full_log(mixed_log):
    response = Client().get("/api/v1/audit/entries/full?start=0&end=5")
    assert response.status_code == 401


def test_the_staff_page_marks_restricted_entries(mixed_log, client_for, auditor):
    html = client_for(auditor).get("/audit/").content.decode()
    assert html.count("<strong>restricted</strong>") == len(mixed_log)
    assert mixed_log[0].target in html
