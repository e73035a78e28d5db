"""Re-derive the whole log from its entries and check everything stored against it.

``verify_log`` reads every entry once, in index order, re-hashes its canonical JSON and
rebuilds the tree with a compact range (O(log n) memory), noting the root at every size
a checkpoint was signed for. It then checks, and reports in plain words:

- indexes run 0, 1, 2, … with no gap or repeat (delete, reorder);
- each stored leaf hash is the hash of the entry's text (update);
- each entry's columns (actor, action, target, data, salt, time, index) say what its
  hashed text says (an edit of the columns that the pages show);
- the head row and the stored subtree hashes that proofs are served from;
- every stored checkpoint: its signature, and that its root is the root of the first
  ``size`` entries (truncation, rewritten history, forged checkpoint);
- optionally an earlier checkpoint kept by someone else (``against``): it verifies under
  the key they kept and the current log is an append-only extension of it.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field

from django.db import connection

from . import dbguard, keys, merkle, note, tree, visibility
from .models import AuditCheckpoint, AuditEntry, AuditHead, AuditSubtree
from .services import canonical_json, format_time

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


# One pass over the entries, in index order. ``same`` says whether the row's columns
# (what the staff pages show) rebuild exactly its hashed text; it is computed by the
# database so a million rows cost one scan, not a million JSON parses in Python. Rows
# it flags are re-checked field by field in Python before they are reported.
_STREAM_SQL = {
    "sqlite": """
        SELECT "index", canonical, leaf_hash, canonical = (
            '{"action":' || json_quote(action) || ',"actor":' || json_quote(actor)
            || ',"data":' || data || ',"index":' || "index"
            || CASE WHEN salt IS NULL THEN '' ELSE ',"salt":' || json_quote(salt) END
            || ',"target":' || json_quote(target) || ',"time":"'
            || replace(CASE WHEN length(created_at) = 19
                            THEN created_at || '.000000' ELSE created_at END, ' ', 'T')
            || 'Z","v":1}'
        )
        FROM audit_auditentry ORDER BY "index"
    """,
    "postgresql": """
        SELECT "index", canonical, leaf_hash, (
            (c->>'index')::bigint = "index" AND c->>'actor' = actor
            AND c->>'action' = action AND c->>'target' = target AND c->'data' = data
            AND (c->>'salt') IS NOT DISTINCT FROM salt
            AND c->>'time' = to_char(created_at AT TIME ZONE 'UTC',
                                     'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )
        FROM (SELECT *, canonical::jsonb AS c FROM audit_auditentry) AS e
        ORDER BY "index"
    """,
}


def _columns_match(index: int, canonical: str) -> bool:
    """The slow, exact comparison for a row the database flagged."""
    row = AuditEntry.objects.filter(index=index).values(
        "actor", "action", "target", "data", "salt", "created_at"
    )
    try:
        body = json.loads(canonical)
        cols = row.get()
    except (ValueError, AuditEntry.DoesNotExist, AuditEntry.MultipleObjectsReturned):
        return False
    if not isinstance(body, dict) or type(body.get("index")) is not int:
        return False
    # Compared as canonical text, so true is not 1 and 1.0 is not 1.
    return (
        body["index"] == index
        and body.get("actor") == cols["actor"]
        and body.get("action") == cols["action"]
        and body.get("target") == cols["target"]
        and body.get("salt") == cols["salt"]
        and canonical_json(body.get("data")) == canonical_json(cols["data"])
        and body.get("time") == format_time(cols["created_at"])
    )


class _Rebuild:
    """Streams entries into the tree, checking order, leaf hashes and columns.

    Leaves are folded 256 at a time (a complete level-8 subtree, compared with the
    stored one) and the chunk roots go into a compact range, so the pass costs about
    one SHA-256 per entry plus one per tree node, with O(log n) memory. Roots at the
    sizes of checkpoints are noted on the way."""

    def __init__(self, result: VerifyResult, sizes: set[int], subtrees: dict) -> None:
        self.result = result
        self.sizes = sizes
        # The 256-leaf chunk holding the last leaf of each size.
        self.chunks_with_sizes = {(s - 1) >> tree.TILE_HEIGHT for s in sizes if s > 0}
        self.roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT}
        self.subtrees = subtrees
        self.big = merkle.CompactRange()  # over complete 256-leaf subtrees
        self.buf: list[bytes] = []
        self.small = merkle.CompactRange()  # the partial chunk, when a size is in it

    def _compare(self, level: int, index: int, digest: bytes) -> None:
        stored = self.subtrees.pop((level, index), None)
        if stored is not None and stored != digest:
            self.result.problem(
                "subtree", f"stored subtree {level}/{index} does not match the entries"
            )

    def _closed_above(self, level: int, index: int, digest: bytes) -> None:
        if tree.is_stored_level(level + tree.TILE_HEIGHT):
            self._compare(level + tree.TILE_HEIGHT, index, digest)

    def _root(self) -> bytes:
        return _fold(self.big.hashes + self.small.hashes)

    def _chunk_done(self, chunk: int) -> list[bytes]:
        digest = merkle.root_from_leaf_hashes(self.buf)
        self._compare(tree.TILE_HEIGHT, chunk, digest)
        self.big.append(digest, self._closed_above)
        self.small = merkle.CompactRange()
        self.buf = []
        return self.buf

    def _tracked_leaf(self, leaf: bytes, position: int) -> None:
        self.small.append(leaf)
        if position + 1 in self.sizes:
            self.roots[position + 1] = self._root()

    def _check_row(self, position, index, canonical, leaf, stored_leaf, same) -> None:
        result = self.result
        if index != position:
            result.problem(
                "order",
                f"position {position} holds entry {index}: entries are missing, "
                "repeated or out of order",
            )
        if leaf.hex() != stored_leaf:
            result.problem(
                "leaf",
                f"entry {index}: its text does not hash to its stored leaf hash: "
                "changed after it was written",
            )
        if not same and not _columns_match(index, canonical):
            result.problem(
                "columns",
                f"entry {index}: its columns (actor, action, target, data, salt, time "
                "or index) differ from its hashed text: edited after it was written",
            )

    def _batches(self):
        sql = _STREAM_SQL.get(connection.vendor)
        if sql is None:
            rows = AuditEntry.objects.order_by("index").values_list(
                "index", "canonical", "leaf_hash"
            )
            self.result.notes.append(f"columns not compared on {connection.vendor}")
            yield [(*row, True) for row in rows]
            return
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql)
            while batch := cursor.fetchmany(20_000):
                yield batch

    def run(self) -> None:
        # The hot loop of a million-entry check: locals only, one hash per entry,
        # the slow paths (a bad row, a checkpoint size, a full chunk) in methods.
        prefix = hashlib.sha256(b"\x00")
        tracked = self.chunks_with_sizes
        width, shift = tree.TILE_WIDTH, tree.TILE_HEIGHT
        buf = self.buf
        position = 0
        for batch in self._batches():
            for index, canonical, stored_leaf, same in batch:
                h = prefix.copy()
                h.update(canonical.encode())
                leaf = h.digest()
                if index != position or not same or leaf.hex() != stored_leaf:
                    self._check_row(position, index, canonical, leaf, stored_leaf, same)
                buf.append(leaf)
                if position >> shift in tracked:
                    self._tracked_leaf(leaf, position)
                position += 1
                if len(buf) == width:
                    buf = self._chunk_done((position - 1) >> shift)
        if position >> shift not in tracked:
            self.small.extend(self.buf)
        self.result.size = position
        self.result.root = self._root()
        self.roots[position] = self.result.root


def _fold(hashes: list[bytes]) -> bytes:
    """Root from a compact range's hashes (largest subtree first)."""
    if not hashes:
        return merkle.EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = merkle.node_hash(h, acc)
    return acc


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


def _note_unsalted(result: VerifyResult) -> None:
    """Restricted entries written without a salt (before salting, or before their
    action was restricted) are hidden from the public, but a good guess of their
    content could be confirmed against their leaf hash: say how many there are."""
    count = (
        AuditEntry.objects.filter(salt__isnull=True)
        .exclude(action__in=visibility.public_actions())
        .count()
    )
    if count:
        result.notes.append(
            f"{count} restricted entries carry no salt: their content is not served "
            "publicly, but a guess of it can be checked against their leaf hash"
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
    _check_head(result)
    _note_unsalted(result)
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
