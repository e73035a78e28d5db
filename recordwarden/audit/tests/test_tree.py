"""Proofs served from the stored tree equal the in-memory reference and verify."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recordwarden.audit import merkle, tree
from recordwarden.audit.models import AuditEntry
from recordwarden.audit.tests.helpers import as_db_admin, write_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(db):
    # Past two 256-leaf tiles plus a ragged edge, so proofs mix stored level-8
    # subtree hashes, leaf tiles and the incomplete right edge.
    write_log(700 - AuditEntry.objects.count())
    leaves = [
        bytes.fromhex(h)
        for h in AuditEntry.objects.order_by("index").values_list(
            "leaf_hash", flat=True
        )
    ]
    return merkle.MemoryTree(leaves)


def test_roots_at_every_size_class_equal_the_reference(log):
    stored = tree.StoredTree()
    for size in (1, 2, 255, 256, 257, 511, 512, 513, 699, 700):
        assert stored.root(size) == log.root(size), size


def test_inclusion_and_consistency_proofs_equal_the_reference_and_verify(log):
    rng = random.Random(9162)
    stored = tree.StoredTree()
    for _ in range(40):
        size = rng.randint(1, 700)
        index = rng.randrange(size)
        proof = stored.inclusion_proof(index, size)
        assert proof == log.inclusion_proof(index, size)
        merkle.verify_inclusion(index, size, log.leaves[index], proof, log.root(size))
        first = rng.randint(0, size)
        proof = stored.consistency_proof(first, size)
        assert proof == log.consistency_proof(first, size)
        merkle.verify_consistency(first, size, log.root(first), log.root(size), proof)


def test_a_proof_reads_a_few_tiles_not_the_log(log):
    with CaptureQueriesContext(connection) as queries:
        tree.StoredTree().inclusion_proof(300, 700)
    assert len(queries) <= 6


def test_missing_subtree_rows_are_recomputed_from_the_leaves(log):
    as_db_admin(("DELETE FROM audit_auditsubtree", []))
    stored = tree.StoredTree()
    assert stored.root(700) == log.root(700)
    assert stored.inclusion_proof(5, 600) == log.inclusion_proof(5, 600)


def test_a_proof_for_a_missing_entry_says_so(log):
    as_db_admin(('DELETE FROM audit_auditentry WHERE "index" = 650', []))
    with pytest.raises(LookupError, match="650"):
        tree.StoredTree().inclusion_proof(640, 700)
