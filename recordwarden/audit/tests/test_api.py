"""The public proof API: anyone can fetch a checkpoint, entries and proofs, and check
them with nothing but the verifier key."""

import base64

import pytest
from django.test import Client

from recordwarden.audit import keys, merkle, note
from recordwarden.audit.checkpoints import checkpoint_sign
from recordwarden.audit.models import AuditEntry
from recordwarden.audit.tests.helpers import write_log

pytestmark = pytest.mark.django_db
B64 = base64.b64decode


@pytest.fixture
def public():
    return Client()


@pytest.fixture
def signed(db):
    write_log(300 - AuditEntry.objects.count())
    return checkpoint_sign(actor="system:test")


def test_the_checkpoint_is_public_and_verifies_under_the_published_key(public, signed):
    body = public.get("/api/v1/audit/checkpoint").json()
    assert body["size"] == 300 and body["note"] == signed.note
    verifier = note.parse_verifier_key(body["verifier_key"])
    checkpoint = note.open_checkpoint(body["note"], [verifier])
    assert base64.b64encode(checkpoint.root).decode() == body["root"]


def test_no_checkpoint_yet_is_a_404_problem(public, db):
    response = public.get("/api/v1/audit/checkpoint")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_an_entry_fetched_from_the_api_is_proven_in_the_signed_tree(public, signed):
    checkpoint = note.open_checkpoint(signed.note, [keys.verifier()])
    entry = public.get("/api/v1/audit/entries?start=123&end=124").json()["entries"][0]
    leaf = merkle.leaf_hash(entry["canonical"].encode())
    assert base64.b64encode(leaf).decode() == entry["leaf_hash"]
    proof = public.get("/api/v1/audit/proof/inclusion?index=123").json()
    assert proof["size"] == checkpoint.size  # defaults to the latest checkpoint
    merkle.verify_inclusion(
        123, proof["size"], leaf, [B64(p) for p in proof["proof"]], checkpoint.root
    )


def test_a_consistency_proof_links_two_checkpoints(public, signed):
    old = note.open_checkpoint(signed.note, [keys.verifier()])
    write_log(45)
    new_note = checkpoint_sign(actor="system:test").note
    new = note.open_checkpoint(new_note, [keys.verifier()])
    body = public.get(
        f"/api/v1/audit/proof/consistency?first={old.size}&second={new.size}"
    ).json()
    merkle.verify_consistency(
        old.size, new.size, old.root, new.root, [B64(p) for p in body["proof"]]
    )


def test_the_tree_endpoint_gives_the_current_unsigned_head(public, signed):
    write_log(3)
    body = public.get("/api/v1/audit/tree").json()
    assert body["size"] == 303
    leaves = [
        bytes.fromhex(h)
        for h in AuditEntry.objects.order_by("index").values_list(
            "leaf_hash", flat=True
        )
    ]
    assert B64(body["root"]) == merkle.root_from_leaf_hashes(leaves)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/audit/proof/inclusion?index=300&size=300",
        "/api/v1/audit/proof/inclusion?index=0&size=301",
        "/api/v1/audit/proof/inclusion?index=-1",
        "/api/v1/audit/proof/consistency?first=5&second=4",
        "/api/v1/audit/proof/consistency?first=5&second=9999",
        "/api/v1/audit/entries?start=0&end=5000",
        "/api/v1/audit/entries?start=10&end=5",
        "/api/v1/audit/proof/inclusion?index=abc",
    ],
)
def test_out_of_range_questions_get_a_422_problem(public, signed, url):
    response = public.get(url)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_the_api_is_read_only(public, signed):
    assert public.post("/api/v1/audit/entries?start=0&end=1").status_code == 405
