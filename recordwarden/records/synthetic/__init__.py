"""The synthetic state: a deterministic, realistic New Mexico for one seed.

``generate_state(workers, seed)`` is pure (no database): tests check its proportions on
a small state, the loader writes its output, and the matching benchmark regenerates the
ground truth (households, twins, Jr/Sr pairs, common-name clusters) from the seed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .economy import (
    FULL_STATE_WORKERS,
    QUARTERS,
    Claims,
    Employers,
    Wages,
    generate_claims,
    generate_employers,
    generate_jobs,
)
from .people import REFERENCE_DATE, People, expected_shares, generate_people

__all__ = [
    "FULL_STATE_WORKERS",
    "QUARTERS",
    "REFERENCE_DATE",
    "SyntheticState",
    "expected_shares",
    "generate_state",
    "worker_id",
]


def worker_id(index: int) -> str:
    """The public id of the index-th generated worker (0-based): W0000001, ..."""
    return f"W{index + 1:07d}"


@dataclass
class SyntheticState:
    seed: int
    people: People
    employers: Employers
    wages: Wages
    claims: Claims

    def digest(self) -> str:
        """SHA-256 over the generated content (plain SSNs included): equal digests
        mean equal states. Computed in memory only; never stored with the SSNs."""
        h = hashlib.sha256()
        p = self.people
        for column in (p.first, p.middle, p.last, p.suffix, p.street, p.zip, p.ssn):
            h.update("\\x1f".join(column.tolist()).encode())
        h.update(p.dob.astype(np.int64).tobytes())
        h.update("\\x1f".join(self.employers.fein.tolist()).encode())
        for arr in (self.wages.worker, self.wages.employer, self.wages.cents):
            h.update(np.ascontiguousarray(arr, dtype=np.int64).tobytes())
        h.update(np.ascontiguousarray(self.claims.worker, dtype=np.int64).tobytes())
        h.update("\\x1f".join(self.claims.status).encode())
        return h.hexdigest()


def generate_state(workers: int, seed: int) -> SyntheticState:
    """Generate the state. Each part has its own random stream, so changing how
    claims are drawn does not change the people."""
    if workers < 10:
        raise ValueError("a synthetic state needs at least 10 workers")
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)]
    people = generate_people(workers, streams[0])
    employers = generate_employers(workers, streams[1])
    wages, claimants, sep, sep_emp, ret, base = generate_jobs(
        people, employers, streams[2]
    )
    claims = generate_claims(
        people, employers, claimants, sep, sep_emp, ret, base, streams[3]
    )
    return SyntheticState(
        seed=seed, people=people, employers=employers, wages=wages, claims=claims
    )
