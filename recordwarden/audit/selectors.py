"""Reads of the audit log. The tree (sizes, roots, proofs, every entry's index and leaf
hash) is public; an entry's content is public only for public actions (visibility.py):
``entries_as_served`` gives restricted content to auditors and administrators alone.
Hashes leave the system in base64, as in checkpoints."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from recordwarden.accounts.constants import Role
from recordwarden.accounts.permissions import has_role

from . import keys, tree, visibility
from .checkpoints import checkpoint_latest
from .models import AuditEntry

MAX_ENTRIES_PER_PAGE = 1000


class BadRange(ValueError):
    """The asked-for index, size or range is not in the log."""


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def tree_size() -> int:
    return tree.tree_size()


def default_size() -> int:
    """Proofs default to the latest signed size, so they check against a checkpoint."""
    latest = checkpoint_latest()
    return latest.size if latest is not None else tree_size()


@dataclass(frozen=True)
class InclusionProof:
    index: int
    size: int
    leaf_hash: bytes
    proof: list[bytes]
    root: bytes

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "size": self.size,
            "leaf_hash": b64(self.leaf_hash),
            "proof": [b64(p) for p in self.proof],
            "root": b64(self.root),
        }


@dataclass(frozen=True)
class ConsistencyProof:
    first: int
    second: int
    proof: list[bytes]
    first_root: bytes
    second_root: bytes

    def as_dict(self) -> dict:
        return {
            "first": self.first,
            "second": self.second,
            "proof": [b64(p) for p in self.proof],
            "first_root": b64(self.first_root),
            "second_root": b64(self.second_root),
        }


def inclusion_proof(index: int, size: int | None = None) -> InclusionProof:
    current = tree_size()
    size = default_size() if size is None else size
    if not 0 < size <= current:
        raise BadRange(f"size must be between 1 and the log's size, {current}")
    if not 0 <= index < size:
        raise BadRange(f"index must be between 0 and {size - 1} for size {size}")
    stored = tree.StoredTree()
    proof = stored.inclusion_proof(index, size)
    return InclusionProof(
        index, size, stored.leaf_hash(index), proof, stored.root(size)
    )


def consistency_proof(first: int, second: int | None = None) -> ConsistencyProof:
    current = tree_size()
    second = current if second is None else second
    if not 0 <= first <= second <= current:
        raise BadRange(f"need 0 <= first <= second <= {current} (the log's size)")
    stored = tree.StoredTree()
    proof = stored.consistency_proof(first, second)
    return ConsistencyProof(
        first, second, proof, stored.root(first), stored.root(second)
    )


def entries_range(start: int, end: int) -> list[AuditEntry]:
    if start < 0 or end < start:
        raise BadRange("need 0 <= start <= end")
    if end - start > MAX_ENTRIES_PER_PAGE:
        raise BadRange(f"at most {MAX_ENTRIES_PER_PAGE} entries per request")
    return list(
        AuditEntry.objects.filter(index__gte=start, index__lt=end).order_by("index")
    )


FULL_LOG_ROLES = (Role.AUDITOR, Role.ADMINISTRATOR)


def can_read_full_log(user) -> bool:
    """Auditors and administrators, with a verified second factor."""
    return has_role(user, *FULL_LOG_ROLES)


def entry_as_served(entry: AuditEntry, *, full: bool) -> dict:
    """An entry as the API serves it: index and leaf hash always; the hashed text only
    for a public action, or for a reader of the full log."""
    restricted = not visibility.is_public(entry.action)
    return {
        "index": entry.index,
        "leaf_hash": b64(bytes.fromhex(entry.leaf_hash)),
        "canonical": entry.canonical if full or not restricted else None,
        "restricted": restricted,
    }


def entries_as_served(user, start: int, end: int, *, full: bool) -> list[dict]:
    """Entries ``start`` <= index < ``end``; ``full`` only for can_read_full_log."""
    if full and not can_read_full_log(user):
        raise PermissionError("the full audit log is for auditors and administrators")
    return [entry_as_served(e, full=full) for e in entries_range(start, end)]


def recent_entries(limit: int = 50) -> list[AuditEntry]:
    return list(AuditEntry.objects.order_by("-index")[:limit])


def verifier_key_text() -> str:
    return keys.verifier().text


def root_at(size: int) -> bytes:
    return tree.StoredTree().root(size)
