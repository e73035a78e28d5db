"""Read-only API of the audit log, for anyone who wants to verify it.

No authentication for the tree: checkpoints, proofs, and every entry's index and leaf
hash. An entry's text is served to the public only if its action is public
(visibility.py); a restricted entry comes as ``"canonical": null, "restricted": true``
(its leaf hash still lets anyone rebuild the tree). Auditors and administrators, signed
in with a verified second factor, read every entry at ``/entries/full``. Hashes are
base64, as in the checkpoint. See docs/audit-verification.md.
"""

from __future__ import annotations

from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import SessionAuth

from recordwarden.core.exceptions import Forbidden

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
    # The exact hashed text; null for a restricted entry served to the public.
    canonical: str | None
    # The action is restricted (its text carries a salt and is not public).
    restricted: bool


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


def _entries(request, start: int, end: int, *, full: bool) -> dict:
    try:
        rows = selectors.entries_as_served(request.user, start, end, full=full)
    except selectors.BadRange as exc:
        raise _unprocessable(exc) from exc
    except PermissionError as exc:
        raise Forbidden("Auditors and administrators only.") from exc
    return {"start": start, "end": end, "entries": rows}


@router.get("/entries", response=EntriesOut, summary="Entries: public text, all hashes")
def entries(request, start: int, end: int):
    """Entries ``start`` ≤ index < ``end`` (at most 1000): each with its index and
    leaf hash, and for a public action the exact canonical JSON text whose
    SHA-256(0x00 || text) is that leaf hash. A restricted entry (one that could tell
    whether a person is in the records) has ``canonical`` null and ``restricted``
    true: its leaf hash still counts in the tree."""
    return _entries(request, start, end, full=False)


@router.get(
    "/entries/full",
    response=EntriesOut,
    auth=SessionAuth(),
    summary="Every entry's text (auditors and administrators)",
)
def entries_full(request, start: int, end: int):
    """Like ``/entries``, with the canonical text of restricted entries too (salt
    included). For auditors and administrators signed in with a second factor."""
    return _entries(request, start, end, full=True)
