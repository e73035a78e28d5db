"""RFC 9162 hashing and proofs against the published reference vectors, and properties.

Reference vectors: the eight standard leaves of the certificate-transparency test suite
and the roots of the trees of sizes 0-8, the node hashes, and the known-good inclusion
and consistency proofs, as published in transparency-dev/merkle (the Go implementation
maintained by the Certificate Transparency / Trillian team):
  testonly/constants.go (LeafInputs, RootHashes, NodeHashes), commit 582a6ad
  proof/verify_test.go (inclusionProofs, consistencyProofs), commit 02194e9
The same roots appear in google/certificate-transparency's C++ merkle_tree_test.cc.
"""

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from recordwarden.audit import merkle

LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
LEAF_HASHES = [merkle.leaf_hash(x) for x in LEAF_INPUTS]
# (index, size, proof); index is 0-based here (the Go vectors count leaves from 1).
INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


def _hx(hashes):
    return [h.hex() for h in hashes]


@pytest.mark.parametrize("size", range(9))
def test_roots_for_sizes_0_to_8_equal_the_published_rfc_vectors(size):
    leaves = LEAF_HASHES[:size]
    assert merkle.root_from_leaf_hashes(leaves).hex() == ROOTS[size]
    assert merkle.MemoryTree(leaves).root().hex() == ROOTS[size]
    compact = merkle.CompactRange()
    compact.extend(leaves)
    assert compact.root().hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_equal_the_published_vectors_and_verify(index, size, proof):
    tree = merkle.MemoryTree(LEAF_HASHES)
    assert _hx(tree.inclusion_proof(index, size)) == proof
    root = bytes.fromhex(ROOTS[size])
    raw = [bytes.fromhex(p) for p in proof]
    merkle.verify_inclusion(index, size, LEAF_HASHES[index], raw, root)


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_consistency_proofs_equal_the_published_vectors_and_verify(
    first, second, proof
):
    tree = merkle.MemoryTree(LEAF_HASHES)
    assert _hx(tree.consistency_proof(first, second)) == proof
    raw = [bytes.fromhex(p) for p in proof]
    merkle.verify_consistency(
        first, second, bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second]), raw
    )


def test_corrupted_reference_inclusion_proofs_are_rejected():
    index, size, proof = INCLUSION[1]
    root = bytes.fromhex(ROOTS[size])
    raw = [bytes.fromhex(p) for p in proof]
    leaf = LEAF_HASHES[index]
    flipped = [bytes([raw[0][0] ^ 8]) + raw[0][1:], *raw[1:]]
    bad = [
        (index - 1, size, leaf, raw, root),
        (index + 1, size, leaf, raw, root),
        (index, size * 2, leaf, raw, root),
        (index, size // 2, leaf, raw, root),
        (index, size, LEAF_HASHES[0], raw, root),
        (index, size, leaf, raw, merkle.EMPTY_ROOT),
        (index, size, leaf, [*raw, root], root),
        (index, size, leaf, [root, *raw], root),
        (index, size, leaf, raw[:-1], root),
        (index, size, leaf, flipped, root),
    ]
    for case in bad:
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(*case)


def test_corrupted_reference_consistency_proofs_are_rejected():
    first, second, proof = CONSISTENCY[2]
    r1, r2 = bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second])
    raw = [bytes.fromhex(p) for p in proof]
    flipped = [bytes([raw[1][0] ^ 16]) + raw[1][1:], raw[0], *raw[2:]]
    bad = [
        (first - 1, second, r1, r2, raw),
        (first + 1, second, r1, r2, raw),
        (first, second * 2, r1, r2, raw),
        (first, second, r2, r1, raw),
        (first, second, r1, r2, []),
        (first, second, r1, r2, [*raw, r1]),
        (first, second, r1, r2, [r1, *raw]),
        (first, second, r1, r2, raw[:-1]),
        (first, second, r1, r2, [raw[0], *flipped[2:]]),
        (second, first, r2, r1, raw),
        (first, first, r1, r2, []),
    ]
    for case in bad:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(*case)


def test_a_consistency_proof_from_the_empty_tree_is_empty_and_verifies():
    root = bytes.fromhex(ROOTS[8])
    merkle.verify_consistency(0, 8, merkle.EMPTY_ROOT, root, [])
    assert merkle.MemoryTree(LEAF_HASHES).consistency_proof(0, 8) == []


def test_compact_range_reports_each_closed_subtree_with_its_hash():
    closed = {}
    compact = merkle.CompactRange()
    for leaf in LEAF_HASHES:
        compact.append(
            leaf, lambda level, index, h: closed.__setitem__((level, index), h)
        )
    # The published node hashes of the complete subtrees (NodeHashes in constants.go).
    assert closed[(1, 2)].hex() == (
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
    )
    assert closed[(2, 1)].hex() == (
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
    )
    assert closed[(3, 0)].hex() == ROOTS[8]
    assert len(closed) == 7  # 4 + 2 + 1 internal nodes


def test_a_compact_range_survives_a_round_trip_through_bytes():
    compact = merkle.CompactRange()
    compact.extend(LEAF_HASHES[:7])
    again = merkle.CompactRange.from_bytes(7, compact.to_bytes())
    again.append(LEAF_HASHES[7])
    assert again.root().hex() == ROOTS[8]
    with pytest.raises(ValueError):
        merkle.CompactRange(5, LEAF_HASHES[:1])


leaf_lists = st.lists(st.binary(max_size=40), min_size=1, max_size=70)


@settings(max_examples=60, deadline=None)
@given(entries=leaf_lists, data=st.data())
def test_every_inclusion_proof_verifies_and_a_wrong_leaf_does_not(entries, data):
    tree = merkle.MemoryTree(merkle.leaf_hash(e) for e in entries)
    size = data.draw(st.integers(1, len(entries)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = tree.inclusion_proof(index, size)
    root = tree.root(size)
    assert root == merkle.root_from_leaf_hashes(tree.leaves[:size])
    merkle.verify_inclusion(index, size, tree.leaves[index], proof, root)
    wrong = merkle.leaf_hash(entries[index] + b"!")
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(index, size, wrong, proof, root)
    if size > 1:
        other = (index + 1) % size
        if tree.leaves[other] != tree.leaves[index]:
            with pytest.raises(merkle.ProofError):
                merkle.verify_inclusion(other, size, tree.leaves[index], proof, root)


@settings(max_examples=60, deadline=None)
@given(entries=leaf_lists, data=st.data())
def test_every_consistency_proof_verifies_and_a_changed_history_does_not(entries, data):
    tree = merkle.MemoryTree(merkle.leaf_hash(e) for e in entries)
    second = data.draw(st.integers(1, len(entries)), label="second")
    first = data.draw(st.integers(1, second), label="first")
    proof = tree.consistency_proof(first, second)
    merkle.verify_consistency(first, second, tree.root(first), tree.root(second), proof)
    # Change one entry inside the first tree: the new log does not extend the old one.
    changed_at = data.draw(st.integers(0, first - 1), label="changed_at")
    forged = list(tree.leaves)
    forged[changed_at] = merkle.leaf_hash(entries[changed_at] + b"!")
    forged_tree = merkle.MemoryTree(forged)
    forged_proof = forged_tree.consistency_proof(first, second)
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(
            first, second, tree.root(first), forged_tree.root(second), forged_proof
        )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=8), max_size=300))
def test_compact_range_root_equals_the_recursive_definition(entries):
    leaves = [merkle.leaf_hash(e) for e in entries]
    compact = merkle.CompactRange()
    compact.extend(leaves)
    assert compact.root() == merkle.MemoryTree(leaves).root()
    rebuilt = merkle.compact_range_for(
        len(leaves),
        lambda level, index: merkle.MemoryTree(leaves).mth(
            index << level, (index + 1) << level
        ),
    )
    assert rebuilt.hashes == compact.hashes
