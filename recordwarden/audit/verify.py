"""Re-derive the whole log from its entries and check everything stored against it.

``verify_log`` reads every entry once, in index order, re-hashes its canonical JSON and
rebuilds the tree with a compact range (O(log n) memory), noting the root at every size
a checkpoint was signed for. It then checks, and reports in plain words:

- indexes run 0, 1, 2, … with no gap or repeat (delete, reorder);
- each stored leaf hash is the hash of the entry's text (update);
- each entry's columns (actor, action, target, data, time, index) say what its hashed
  text says (an edit of the columns that the pages show);
- the head row and the stored subtree hashes that proofs are served from;
- every stored checkpoint: its signature, and that its root is the root of the first
  ``size`` entries (truncation, rewritten history, forged checkpoint);
- optionally an earlier checkpoint kept by someone else (``against``): it verifies under
  the key they kept and the current log is an append-only extension of it.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from django.db import connection

from . import dbguard, keys, merkle, note, tree
from .models import AuditCheckpoint, AuditEntry, AuditHead, AuditSubtree

MAX_DETAILS = 20


@dataclass
class VerifyResult:
    size: int = 0
    root: bytes = merkle.EMPTY_ROOT
    checkpoints_checked: int = 0
    latest_checkpoint_size: int | None = None
    against_size: int | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    _counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, kind: str, message: str) -> None:
        """Keep the first MAX_DETAILS problems of each kind, count the rest."""
        seen = self._counts.get(kind, 0)
        self._counts[kind] = seen + 1
        if seen < MAX_DETAILS:
            self.problems.append(message)
        elif seen == MAX_DETAILS:
            self.problems.append(f"… and more problems of the kind: {kind}")


_COLUMN_CHECK = {
    # Rows whose columns disagree with the hashed text. Run in the database so a
    # million entries cost one scan, not a million JSON parses in Python.
    "sqlite": """
        SELECT "index" FROM audit_auditentry WHERE
            json_extract(canonical, '$.index') IS NOT "index"
            OR json_extract(canonical, '$.actor') IS NOT actor
            OR json_extract(canonical, '$.action') IS NOT action
            OR json_extract(canonical, '$.target') IS NOT target
            OR json(json_extract(canonical, '$.data')) IS NOT json(data)
            OR replace(replace(json_extract(canonical, '$.time'), 'T', ' '), 'Z', '')
               NOT IN (created_at, created_at || '.000000')
        ORDER BY "index" LIMIT %s
    """,
    "postgresql": """
        SELECT "index" FROM (
            SELECT "index", actor, action, target, data, created_at,
                   canonical::jsonb AS c
            FROM audit_auditentry
        ) AS e WHERE
            (c->>'index')::bigint IS DISTINCT FROM "index"
            OR c->>'actor' IS DISTINCT FROM actor
            OR c->>'action' IS DISTINCT FROM action
            OR c->>'target' IS DISTINCT FROM target
            OR c->'data' IS DISTINCT FROM data
            OR c->>'time' IS DISTINCT FROM to_char(
                created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        ORDER BY "index" LIMIT %s
    """,
}


def _check_columns(result: VerifyResult) -> None:
    sql = _COLUMN_CHECK.get(connection.vendor)
    if sql is None:
        result.notes.append(f"columns not compared on {connection.vendor}")
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, [MAX_DETAILS + 1])
        for (index,) in cursor.fetchall():
            result.problem(
                "columns",
                f"entry {index}: its columns (actor, action, target, data, time or "
                "index) differ from its hashed text: edited after it was written",
            )


class _Rebuild:
    """Streams entries into a compact range, checking order and leaf hashes."""

    def __init__(self, result: VerifyResult, sizes: set[int], subtrees: dict) -> None:
        self.result = result
        self.sizes = sizes
        self.roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT}
        self.subtrees = subtrees
        self.compact = merkle.CompactRange()

    def _closed(self, level: int, index: int, digest: bytes) -> None:
        if tree.is_stored_level(level):
            stored = self.subtrees.pop((level, index), None)
            if stored is not None and stored != digest:
                self.result.problem(
                    "subtree",
                    f"stored subtree {level}/{index} does not match the entries",
                )

    def run(self) -> None:
        result, compact = self.result, self.compact
        prefix = hashlib.sha256(b"\x00")
        rows = AuditEntry.objects.order_by("index").values_list(
            "index", "canonical", "leaf_hash"
        )
        on_closed = self._closed
        sizes = self.sizes
        for index, canonical, stored_leaf in rows.iterator(chunk_size=20_000):
            position = compact.size
            if index != position:
                result.problem(
                    "order",
                    f"position {position} holds entry {index}: entries are missing, "
                    "repeated or out of order",
                )
            h = prefix.copy()
            h.update(canonical.encode())
            leaf = h.digest()
            if leaf.hex() != stored_leaf:
                result.problem(
                    "leaf",
                    f"entry {index}: its text does not hash to its stored leaf hash: "
                    "changed after it was written",
                )
            compact.append(leaf, on_closed)
            if compact.size in sizes:
                self.roots[compact.size] = compact.root()
        result.size = compact.size
        result.root = compact.root()
        self.roots[compact.size] = result.root


def _check_head(result: VerifyResult) -> None:
    head = AuditHead.objects.filter(pk=tree.HEAD_ID).first()
    if head is None:
        if result.size:
            result.notes.append("the head row is missing; the next append rebuilds it")
        return
    if head.size != result.size or head.root_hash != result.root.hex():
        result.problem(
            "head",
            f"the head row says size {head.size}, root {head.root_hash[:16]}…, but the "
            f"entries give size {result.size}, root {result.root.hex()[:16]}…",
        )


def _check_checkpoint_row(
    result: VerifyResult, cp: AuditCheckpoint, roots: dict, verifiers: list
) -> None:
    label = (
        f"checkpoint #{cp.pk} (size {cp.size}, signed {cp.created_at:%Y-%m-%d %H:%M})"
    )
    try:
        parsed = note.open_checkpoint(cp.note, verifiers, origin=keys.origin())
    except note.NoteError as exc:
        result.problem("checkpoint", f"{label}: bad signature or format: {exc}")
        return
    if parsed.size != cp.size or parsed.root.hex() != cp.root_hash:
        result.problem(
            "checkpoint", f"{label}: its columns differ from its signed text"
        )
    _compare_root(result, label, parsed, roots)


def _compare_root(result: VerifyResult, label: str, cp: note.Checkpoint, roots) -> None:
    if cp.size > result.size:
        result.problem(
            "truncation",
            f"{label} covers {cp.size} entries but the log now has {result.size}: "
            "entries were removed from the end",
        )
    elif roots.get(cp.size) != cp.root:
        result.problem(
            "history",
            f"{label}: the first {cp.size} entries no longer hash to its root: "
            "history was changed",
        )


def _check_against(result: VerifyResult, against: note.Checkpoint, roots: dict) -> None:
    label = f"the kept checkpoint (size {against.size})"
    _compare_root(result, label, against, roots)
    if against.size > result.size or roots.get(against.size) != against.root:
        return
    # Also the proof a remote verifier would get: from the stored subtree hashes.
    try:
        proof = tree.StoredTree().consistency_proof(against.size, result.size)
        merkle.verify_consistency(
            against.size, result.size, against.root, result.root, proof
        )
    except (merkle.ProofError, LookupError) as exc:
        result.problem(
            "proof", f"the consistency proof served for {label} fails: {exc}"
        )


def verify_log(
    *,
    against: str | None = None,
    verifier_keys: list[str] | None = None,
) -> VerifyResult:
    """Check the whole log; ``against`` is the text of a signed checkpoint kept
    elsewhere, ``verifier_keys`` the verifier key strings trusted for it (default: the
    key this installation signs with)."""
    started = time.perf_counter()
    result = VerifyResult()
    own = keys.verifier()
    verifiers = [note.parse_verifier_key(k) for k in verifier_keys or []] or [own]
    kept = None
    if against is not None:
        try:
            kept = note.open_checkpoint(against, verifiers, origin=keys.origin())
        except note.NoteError as exc:
            result.problem("against", f"the kept checkpoint does not verify: {exc}")
    missing = dbguard.missing_triggers(connection)
    if missing:
        result.problem("guard", "append-only triggers missing: " + ", ".join(missing))
    checkpoints = list(AuditCheckpoint.objects.order_by("created_at", "id"))
    sizes = {cp.size for cp in checkpoints} | ({kept.size} if kept else set())
    subtrees = {
        (level, index): bytes(h)
        for level, index, h in AuditSubtree.objects.values_list(
            "level", "index", "hash"
        )
    }
    rebuild = _Rebuild(result, sizes, subtrees)
    rebuild.run()
    for level, index in sorted(rebuild.subtrees):
        result.problem(
            "subtree", f"stored subtree {level}/{index} is beyond the entries"
        )
    _check_columns(result)
    _check_head(result)
    for cp in checkpoints:
        _check_checkpoint_row(result, cp, rebuild.roots, [own])
    result.checkpoints_checked = len(checkpoints)
    if checkpoints:
        result.latest_checkpoint_size = checkpoints[-1].size
    else:
        result.notes.append("no checkpoint has been signed yet")
    if kept is not None:
        result.against_size = kept.size
        _check_against(result, kept, rebuild.roots)
    result.seconds = time.perf_counter() - started
    return result
