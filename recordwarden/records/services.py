"""Writes to the agency's records. Every service takes ``actor`` and writes its audit
entry in the same transaction as the change."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from recordwarden.audit.services import audit_record

from . import bulk
from .constants import STATE_SYNTHESIZED
from .models import Claim, Employer, HardCase, WageRecord, Worker
from .synthetic import SyntheticState, generate_state


class RecordsError(Exception):
    """A records operation refused, with a reason fit to show the operator."""


@dataclass(frozen=True)
class SynthesisResult:
    seed: int
    counts: dict[str, int]
    digest: str


def state_synthesize(
    *, actor, workers: int, seed: int, replace: bool = False
) -> SynthesisResult:
    """Generate the synthetic state for ``seed`` and load it.

    Generation is pure and runs before the transaction opens, so the database is
    locked only while rows are written. Refuses when records already exist unless
    ``replace`` is set, which deletes every worker, employer, wage record and claim
    first, in the same transaction."""
    if workers < 10:
        raise RecordsError("a synthetic state needs at least 10 workers")
    state = generate_state(workers, seed)
    return _state_load(actor=actor, state=state, replace=replace)


@transaction.atomic
def _state_load(*, actor, state: SyntheticState, replace: bool) -> SynthesisResult:
    existing = Worker.objects.count()
    if existing and not replace:
        raise RecordsError(
            f"the records already hold {existing} workers; "
            "pass replace to delete them and synthesize again"
        )
    if existing or Employer.objects.exists():
        _delete_all()
    counts = bulk.load_state(state)
    digest = state.digest()
    audit_record(
        actor=actor,
        action=STATE_SYNTHESIZED,
        target="records:state",
        data={"seed": state.seed, "replaced": existing, "digest": digest, **counts},
    )
    return SynthesisResult(seed=state.seed, counts=counts, digest=digest)


def _delete_all() -> None:
    # Raw deletes: the ORM's cascade collector would load a million rows first.
    # Rows of other apps that point at workers make this fail and roll back.
    for model in (HardCase, Claim, WageRecord, Worker, Employer):
        model.objects.all()._raw_delete(model.objects.db)
