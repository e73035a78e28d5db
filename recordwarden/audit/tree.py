"""The log's Merkle tree as stored in the database.

Appends never read the tree: the head row keeps the compact range (the right-edge
subtree roots), so a new root costs O(log n) hashes, and every complete subtree of
2^8, 2^16, … leaves is written to ``AuditSubtree`` the moment an append closes it.

Proofs read complete-subtree hashes: a subtree of height h = 8q + r is folded from at
most 2^r ≤ 128 hashes stored at height 8q (leaf hashes when q = 0). Each read fetches
the whole aligned 256-hash "tile" around it, as C2SP tlog-tiles does, so one proof at
a million entries is a handful of indexed range reads.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from . import merkle
from .models import AuditEntry, AuditHead, AuditSubtree

_LEAF_TILE_SQL = 'SELECT "index", leaf_hash FROM audit_auditentry WHERE "index" >= %s AND "index" < %s'
_SUBTREE_TILE_SQL = (
    'SELECT "index", hash FROM audit_auditsubtree '
    'WHERE level = %s AND "index" >= %s AND "index" < %s'
)
TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
HEAD_ID = 1


def is_stored_level(level: int) -> bool:
    return level > 0 and level % TILE_HEIGHT == 0


def lock_head() -> tuple[AuditHead, merkle.CompactRange]:
    """Lock the head row for this transaction and return it with its compact range.

    SQLite: the settings open every transaction with BEGIN IMMEDIATE, so the writer
    already holds the database's write lock. PostgreSQL: SELECT … FOR UPDATE on the
    one head row queues concurrent writers until this transaction ends, which is what
    makes indexes contiguous (a rolled-back writer releases its index unused).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_head() must run inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Ask for a durable commit whatever the server default is.
            cursor.execute("SET LOCAL synchronous_commit TO ON")
    head = AuditHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is None:
        AuditHead.objects.bulk_create(
            [AuditHead(pk=HEAD_ID, size=0, root_hash=merkle.EMPTY_ROOT.hex())],
            ignore_conflicts=True,
        )
        head = AuditHead.objects.select_for_update().get(pk=HEAD_ID)
        if head.size == 0 and AuditEntry.objects.exists():
            _rebuild_head(head)
    compact = merkle.CompactRange.from_bytes(head.size, bytes(head.compact_range))
    return head, compact


def _rebuild_head(head: AuditHead) -> None:
    """Recreate a missing head row from the stored leaf hashes (one pass)."""
    compact = merkle.CompactRange()
    rows = AuditEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    for leaf in rows.iterator(chunk_size=10_000):
        compact.append(bytes.fromhex(leaf))
    save_head(head, compact)


def save_head(head: AuditHead, compact: merkle.CompactRange) -> None:
    head.size = compact.size
    head.compact_range = compact.to_bytes()
    head.root_hash = compact.root().hex()
    head.save()


class Appender:
    """Collects leaves for one locked append and the subtrees they close."""

    def __init__(self, compact: merkle.CompactRange) -> None:
        self.compact = compact
        self.subtrees: list[AuditSubtree] = []

    def _closed(self, level: int, index: int, digest: bytes) -> None:
        if is_stored_level(level):
            self.subtrees.append(AuditSubtree(level=level, index=index, hash=digest))

    def add(self, leaf: bytes) -> None:
        self.compact.append(leaf, self._closed)

    def flush(self) -> None:
        if self.subtrees:
            AuditSubtree.objects.bulk_create(self.subtrees)
            self.subtrees = []


def tree_size() -> int:
    head = AuditHead.objects.filter(pk=HEAD_ID).values_list("size", flat=True).first()
    if head is not None:
        return head
    return AuditEntry.objects.count()


class StoredTree:
    """Reads subtree hashes of the stored log for proofs. One instance per request:
    it memoizes the tiles it fetched."""

    def __init__(self) -> None:
        self._tiles: dict[tuple[int, int], list[bytes]] = {}
        self._nodes: dict[tuple[int, int], bytes] = {}

    def _fetch(self, level: int, start: int, end: int) -> list[bytes | None]:
        # Plain SQL: a proof reads a few 256-row tiles and the ORM would double the cost.
        if level == 0:
            sql = _LEAF_TILE_SQL
            params = [start, end]
        else:
            sql = _SUBTREE_TILE_SQL
            params = [level, start, end]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        found: list[bytes | None] = [None] * (end - start)
        for i, h in rows:
            found[i - start] = bytes.fromhex(h) if level == 0 else bytes(h)
        return found

    def stored(self, level: int, start: int, end: int) -> list[bytes]:
        """Hashes at a stored level (0, 8, 16, …) for indexes [start, end), all of
        which must be complete. A missing subtree row is recomputed from below."""
        out: list[bytes] = []
        tile = start // TILE_WIDTH
        while start < end:
            key = (level, tile)
            if key not in self._tiles:
                first = tile * TILE_WIDTH
                self._tiles[key] = self._fetch(level, first, first + TILE_WIDTH)
            hashes = self._tiles[key]
            stop = min(end, (tile + 1) * TILE_WIDTH)
            for i in range(start, stop):
                h = hashes[i - tile * TILE_WIDTH]
                if h is None:
                    h = self._recompute(level, i)
                    hashes[i - tile * TILE_WIDTH] = h
                out.append(h)
            start = stop
            tile += 1
        return out

    def _recompute(self, level: int, index: int) -> bytes:
        if level == 0:
            raise LookupError(f"audit entry {index} is missing from the log")
        below = self.stored(
            level - TILE_HEIGHT, index << TILE_HEIGHT, (index + 1) << TILE_HEIGHT
        )
        return merkle.root_from_leaf_hashes(below)

    def complete(self, level: int, index: int) -> bytes:
        """Hash of the complete subtree of height ``level`` at position ``index``."""
        key = (level, index)
        node = self._nodes.get(key)
        if node is None:
            base = level - level % TILE_HEIGHT
            r = level - base
            node = merkle.root_from_leaf_hashes(
                self.stored(base, index << r, (index + 1) << r)
            )
            self._nodes[key] = node
        return node

    def mth(self, start: int, end: int) -> bytes:
        n = end - start
        if n <= 0:
            return merkle.EMPTY_ROOT
        if n & (n - 1) == 0 and start % n == 0:
            return self.complete(n.bit_length() - 1, start // n)
        k = merkle.split_point(n)
        return merkle.node_hash(self.mth(start, start + k), self.mth(start + k, end))

    def root(self, size: int) -> bytes:
        return self.mth(0, size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        return merkle.inclusion_proof(index, size, self.mth)

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        return merkle.consistency_proof(first, second, self.mth)

    def leaf_hash(self, index: int) -> bytes:
        return self.stored(0, index, index + 1)[0]


def subtree_rows_for(leaves: Iterable[bytes]) -> list[AuditSubtree]:
    """All stored-level subtrees of a log with these leaf hashes (rebuild tooling)."""
    appender = Appender(merkle.CompactRange())
    for leaf in leaves:
        appender.add(leaf)
    return appender.subtrees
