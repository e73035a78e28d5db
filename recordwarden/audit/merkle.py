"""RFC 9162 (RFC 6962) Merkle tree hashing, proofs and their verification.

Plain Python with no Django import, so an outside verifier can read and reuse it.

- leaf hash:  SHA-256(0x00 || entry)
- node hash:  SHA-256(0x01 || left || right)
- MTH of n > 1 leaves splits at k, the largest power of two smaller than n.

Proof generation takes ``mth(start, end)``: any callable that returns the Merkle tree
hash of the leaves ``[start, end)``. The left part of every split is a complete,
aligned subtree, so a store that keeps complete-subtree hashes answers a proof with
O(log n) look-ups (see ``tree.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF = hashlib.sha256(b"\x00")
_SHA = hashlib.sha256

MTH = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof, a size or a root did not verify. The message says which check failed."""


def leaf_hash(entry: bytes) -> bytes:
    h = _LEAF.copy()
    h.update(entry)
    return h.digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _SHA(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes, computed level by level.

    Pairing neighbours and promoting an unpaired last node unchanged gives exactly the
    left-balanced RFC 9162 tree, with ~n node hashes and no recursion.
    """
    level = list(hashes)
    if not level:
        return EMPTY_ROOT
    sha = _SHA
    while len(level) > 1:
        odd = level[-1] if len(level) % 2 else None
        it = iter(level)
        level = [sha(b"\x01" + a + b).digest() for a, b in zip(it, it, strict=False)]
        if odd is not None:
            level.append(odd)
    return level[0]


class CompactRange:
    """The right edge of a tree: the roots of its complete subtrees, largest first.

    ``size``'s binary digits say which subtrees exist, so the state is at most
    log2(size) hashes. Appending a leaf merges equal-sized neighbours (O(1) amortized)
    and the root is a fold of at most log2(size) hashes.
    """

    __slots__ = ("size", "hashes")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if size < 0 or len(hashes) != size.bit_count():
            raise ValueError("a compact range of size n holds popcount(n) hashes")
        self.size = size
        self.hashes = list(hashes)

    @classmethod
    def from_bytes(cls, size: int, blob: bytes) -> CompactRange:
        if len(blob) % HASH_SIZE:
            raise ValueError("compact range blob is not a whole number of hashes")
        parts = [blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)]
        return cls(size, parts)

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    def copy(self) -> CompactRange:
        return CompactRange(self.size, self.hashes)

    def append(
        self, leaf: bytes, on_complete: Callable[[int, int, bytes], None] | None = None
    ) -> None:
        """Add one leaf hash. ``on_complete(level, index, hash)`` is called for every
        complete subtree (level >= 1) that the append closes, so a store can keep
        them without ever reading the tree back."""
        hashes = self.hashes
        hashes.append(leaf)
        size = self.size + 1
        level = 0
        # Each trailing 1-bit of the old size is a subtree that now gets a partner.
        bits = self.size
        while bits & 1:
            right = hashes.pop()
            merged = _SHA(b"\x01" + hashes.pop() + right).digest()
            hashes.append(merged)
            level += 1
            bits >>= 1
            if on_complete is not None:
                on_complete(level, (size >> level) - 1, merged)
        self.size = size

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        acc = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            acc = _SHA(b"\x01" + h + acc).digest()
        return acc


def compact_range_for(size: int, complete: Callable[[int, int], bytes]) -> CompactRange:
    """Build the compact range of a tree of ``size`` from complete-subtree hashes:
    ``complete(level, index)`` is the hash of leaves [index*2^level, (index+1)*2^level)."""
    hashes = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            hashes.append(complete(level, start >> level))
            start += 1 << level
    return CompactRange(size, hashes)


# --- Proof generation (RFC 9162 section 2.1.3.1 PATH and 2.1.4.1 SUBPROOF) -----------


def inclusion_proof(index: int, size: int, mth: MTH) -> list[bytes]:
    """The audit path for leaf ``index`` in the tree of the first ``size`` leaves."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    # Walk down from the root; siblings are collected root-first, returned leaf-first.
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            path.append(mth(start + k, end))
            end = start + k
        else:
            path.append(mth(start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(first: int, second: int, mth: MTH) -> list[bytes]:
    """The proof that the tree of ``first`` leaves is a prefix of the one of ``second``."""
    if not 0 <= first <= second:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    if first == 0 or first == second:
        return []
    proof: list[bytes] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            proof.append(mth(start + k, end))
            end = start + k
        else:
            proof.append(mth(start, start + k))
            start += k
            m -= k
            whole = False
    if not whole:
        proof.append(mth(start, end))
    proof.reverse()
    return proof


# --- Verification (RFC 9162 sections 2.1.3.2 and 2.1.4.2) ----------------------------


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        raise ProofError(f"{what} is not a {HASH_SIZE}-byte hash")


def root_from_inclusion_proof(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes]
) -> bytes:
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    _check_hash(leaf, "the leaf hash")
    fn, sn, r = index, size - 1, bytes(leaf)
    for i, p in enumerate(proof):
        _check_hash(p, f"proof element {i}")
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofError unless ``proof`` shows leaf ``index`` is in the tree ``root``."""
    _check_hash(root, "the root")
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise ProofError(
            f"the inclusion proof for leaf {index} does not lead to the root of size {size}"
        )


def verify_consistency(
    first: int,
    second: int,
    first_root: bytes,
    second_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """Raise ProofError unless ``proof`` shows the tree (first, first_root) is a prefix
    of (second, second_root): nothing in the first tree was changed, removed or
    reordered."""
    _check_hash(first_root, "the first root")
    _check_hash(second_root, "the second root")
    if not 0 <= first <= second:
        raise ProofError(f"size {second} is smaller than size {first}: the log shrank")
    if first == second:
        if proof:
            raise ProofError("a proof between equal sizes must be empty")
        if first_root != second_root:
            raise ProofError(f"two different roots for the same size {first}")
        return
    if first == 0:
        if proof:
            raise ProofError("a proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    for i, p in enumerate(proof):
        _check_hash(p, f"proof element {i}")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, bytes(first_root))
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than the tree is deep")
    if fr != first_root:
        raise ProofError(
            f"the log at size {second} does not contain the tree of size {first}: "
            "history was changed"
        )
    if sr != second_root:
        raise ProofError(
            f"the consistency proof does not lead to the root of size {second}"
        )


class MemoryTree:
    """A whole tree in memory (tests, small verifiers): leaf hashes plus an MTH memo."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self.leaves: list[bytes] = list(leaf_hashes)
        self._memo: dict[tuple[int, int], bytes] = {}

    def append_entry(self, entry: bytes) -> None:
        self.leaves.append(leaf_hash(entry))

    def mth(self, start: int, end: int) -> bytes:
        if end - start == 1:
            return self.leaves[start]
        if end <= start:
            return EMPTY_ROOT
        key = (start, end)
        cached = self._memo.get(key)
        if cached is None:
            k = split_point(end - start)
            cached = node_hash(self.mth(start, start + k), self.mth(start + k, end))
            self._memo[key] = cached
        return cached

    def root(self, size: int | None = None) -> bytes:
        return self.mth(0, len(self.leaves) if size is None else size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(
            index, len(self.leaves) if size is None else size, self.mth
        )

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        second = len(self.leaves) if second is None else second
        return consistency_proof(first, second, self.mth)
