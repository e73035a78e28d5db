"""Public, read-only API of the audit log, for anyone who wants to verify it.

No authentication: entries hold ids, hashes and codes, never personal data. Hashes are
base64, as in the checkpoint. See docs/audit-verification.md.
"""

from __future__ import annotations

from ninja import Router, Schema
from ninja.errors import HttpError

from . import selectors, tree
from .models import AuditHead

PREFIX = "audit"
router = Router(tags=["audit log"], auth=None)


class CheckpointOut(Schema):
    origin: str
    size: int
    root: str
    note: str
    verifier_key: str
    created_at: str


class TreeOut(Schema):
    size: int
    root: str


class InclusionOut(Schema):
    index: int
    size: int
    leaf_hash: str
    proof: list[str]
    root: str


class ConsistencyOut(Schema):
    first: int
    second: int
    proof: list[str]
    first_root: str
    second_root: str


class EntryOut(Schema):
    index: int
    leaf_hash: str
    canonical: str


class EntriesOut(Schema):
    start: int
    end: int
    entries: list[EntryOut]


def _unprocessable(exc: Exception):
    return HttpError(422, str(exc))


@router.get(
    "/checkpoint", response=CheckpointOut, summary="The latest signed checkpoint"
)
def latest_checkpoint(request):
    """The latest checkpoint as a C2SP signed note (``note``), with its parsed fields
    and the verifier key that signs it. Keep the note: later checkpoints must be
    append-only extensions of it."""
    checkpoint = selectors.checkpoint_latest()
    if checkpoint is None:
        raise HttpError(404, "No checkpoint has been signed yet.")
    return {
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        "root": selectors.b64(bytes.fromhex(checkpoint.root_hash)),
        "note": checkpoint.note,
        "verifier_key": selectors.verifier_key_text(),
        "created_at": checkpoint.created_at.isoformat(),
    }


@router.get("/tree", response=TreeOut, summary="Current size and root (not signed)")
def current_tree(request):
    head = AuditHead.objects.filter(pk=tree.HEAD_ID).first()
    if head is None:
        size = selectors.tree_size()
        return {"size": size, "root": selectors.b64(selectors.root_at(size))}
    return {"size": head.size, "root": selectors.b64(bytes.fromhex(head.root_hash))}


@router.get("/proof/inclusion", response=InclusionOut, summary="Inclusion proof")
def proof_inclusion(request, index: int, size: int | None = None):
    """Proof that entry ``index`` is in the tree of the first ``size`` entries
    (default: the latest checkpoint's size). RFC 9162 audit path, leaf first."""
    try:
        return selectors.inclusion_proof(index, size).as_dict()
    except selectors.BadRange as exc:
        raise _unprocessable(exc) from exc


@router.get("/proof/consistency", response=ConsistencyOut, summary="Consistency proof")
def proof_consistency(request, first: int, second: int | None = None):
    """Proof that the tree of ``first`` entries is a prefix of the tree of ``second``
    (default: the current size). RFC 9162 consistency proof."""
    try:
        return selectors.consistency_proof(first, second).as_dict()
    except selectors.BadRange as exc:
        raise _unprocessable(exc) from exc


@router.get("/entries", response=EntriesOut, summary="Entries as hashed")
def entries(request, start: int, end: int):
    """Entries ``start`` ≤ index < ``end`` (at most 1000), each as the exact canonical
    JSON text whose SHA-256(0x00 || text) is its leaf hash."""
    try:
        rows = selectors.entries_range(start, end)
    except selectors.BadRange as exc:
        raise _unprocessable(exc) from exc
    return {
        "start": start,
        "end": end,
        "entries": [
            {
                "index": e.index,
                "leaf_hash": selectors.b64(bytes.fromhex(e.leaf_hash)),
                "canonical": e.canonical,
            }
            for e in rows
        ],
    }
