"""Signing and reading checkpoints (signed tree heads).

A checkpoint is a C2SP tlog-checkpoint in signed-note form, signed with the agency's
Ed25519 key. Checkpoints are not audit entries themselves (an entry about a checkpoint
would make it stale at once); their own table is append-only and each row records who
asked for it.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from . import keys, merkle, note, tree
from .models import AuditCheckpoint
from .services import actor_ref

alerts = logging.getLogger("recordwarden.alerts")


class CheckpointRefused(RuntimeError):
    """The current log is not an extension of the last signed checkpoint."""


def checkpoint_latest() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.order_by("-created_at", "-id").first()


def _check_extends(previous: AuditCheckpoint, size: int, root: bytes) -> None:
    """A log must never sign a checkpoint inconsistent with one it signed before."""
    try:
        proof = tree.StoredTree().consistency_proof(previous.size, size)
        merkle.verify_consistency(
            previous.size, size, bytes.fromhex(previous.root_hash), root, proof
        )
    except (merkle.ProofError, LookupError) as exc:
        alerts.error("audit checkpoint refused: %s", exc)
        raise CheckpointRefused(
            f"the log at size {size} does not extend checkpoint {previous.size}: {exc}"
        ) from exc


@transaction.atomic
def checkpoint_sign(*, actor, force: bool = False) -> AuditCheckpoint:
    """Sign the current tree head. Without ``force``, an unchanged log returns the
    latest checkpoint instead of signing the same head again."""
    head, compact = tree.lock_head()
    root = compact.root()
    previous = checkpoint_latest()
    if previous is not None:
        if not force and previous.size == compact.size:
            if previous.root_hash == root.hex():
                return previous
        _check_extends(previous, compact.size, root)
    signer = keys.verifier()
    body = note.Checkpoint(keys.origin(), compact.size, root)
    signed = note.sign_checkpoint(body, signer.name, keys.signing_key())
    checkpoint = AuditCheckpoint(
        created_at=timezone.now(),
        origin=body.origin,
        size=body.size,
        root_hash=root.hex(),
        key_id=signer.key_id.hex(),
        note=signed,
        signed_by=actor_ref(actor),
    )
    checkpoint.full_clean()
    checkpoint.save()
    return checkpoint
