"""Resolving one subject: look up candidates, score them, decide.

Outcomes:
- ``match``: the best candidate is above the match threshold AND far ahead of the
  runner-up; only then may a disclosure proceed without a human choosing the worker.
- ``ambiguous``: someone is plausible but not certain, or several are; a reviewer
  chooses among the candidates (or none).
- ``none``: nobody in the records is plausibly the subject.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from .compare import DOB, FIELDS, LAST4, SSN, compare
from .keys import CAPPED, CAPS, query_keys, record_keys
from .model import Model
from .normalize import Person, Prepared, prepare

MATCH = "match"
AMBIGUOUS = "ambiguous"
NONE = "none"

SHOWN = 10  # candidates kept for the reviewer


@dataclass(slots=True)
class Evidence:
    field: str
    label: str
    level: int | None  # None: one side lacks the field
    agreement: str
    weight: float  # bits

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "label": self.label,
            "level": self.level,
            "agreement": self.agreement,
            "weight": round(self.weight, 2),
        }


@dataclass(slots=True)
class Candidate:
    id: object
    weight: float  # posterior log-odds in bits, prior included
    evidence: list[Evidence]
    names_swapped: bool = False

    @property
    def probability(self) -> float:
        if self.weight > 60:
            return 1.0
        odds = 2.0**self.weight
        return odds / (1.0 + odds)


@dataclass
class Resolution:
    outcome: str
    candidates: list[Candidate] = field(default_factory=list)  # best first
    prior: float = 0.0
    keys_looked_up: int = 0
    rows_scored: int = 0
    too_common: bool = False  # a name-only block was skipped: too many namesakes

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


class Index(Protocol):
    def lookup(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], list]:
        """Ids under each key; for a CAPPED key type at most ``CAPS[type] + 1``."""

    def fetch(self, ids: Iterable) -> list[Person]:
        """The records with these ids."""


class MemoryIndex:
    """An in-memory index over a list of people (benchmarks and engine tests)."""

    def __init__(self, people: Iterable[Person]):
        self.people: dict = {}
        self.blocks: dict[tuple[str, str], list] = {}
        for person in people:
            self.people[person.id] = person
            for key in record_keys(prepare(person)):
                self.blocks.setdefault(key, []).append(person.id)

    def lookup(self, keys):
        out = {}
        for key in keys:
            ids = self.blocks.get(key)
            if ids:
                out[key] = ids[: CAPS[key[0]] + 1] if key[0] in CAPPED else ids
        return out

    def fetch(self, ids):
        return [self.people[i] for i in ids]


def score(q: Prepared, r: Prepared, model: Model) -> tuple[float, list, bool]:
    """Total weight (prior included), the levels, and whether names were swapped."""
    levels, swapped = compare(q, r)
    total = model.prior
    weights = model.weights
    for i, level in enumerate(levels):
        if level is None:
            continue
        tf = FIELDS[i].tf_level
        if tf is not None and tf == level:
            total += model.weight(i, level, r.first if i == 0 else r.last)
        else:
            total += weights[i][level]
    return total, levels, swapped


def explain(
    r: Prepared, total: float, levels: list, swapped: bool, model: Model
) -> Candidate:
    """The candidate with its evidence, field by field."""
    evidence = []
    for i, (spec, level) in enumerate(zip(FIELDS, levels, strict=True)):
        if level is None:
            evidence.append(Evidence(spec.name, spec.label, None, "not given", 0.0))
            continue
        value = (r.first if i == 0 else r.last) if spec.tf_level == level else ""
        w = model.weight(i, level, value)
        evidence.append(Evidence(spec.name, spec.label, level, spec.levels[level], w))
    return Candidate(r.id, total, evidence, swapped)


def candidate_ids(q: Prepared, index: Index) -> tuple[set, int, bool]:
    keys = sorted(query_keys(q))
    found = index.lookup(keys)
    ids: set = set()
    too_common = False
    for key, block in found.items():
        if key[0] in CAPPED and len(block) > CAPS[key[0]]:
            too_common = True
            continue
        ids.update(block)
    return ids, len(keys), too_common


# Levels at which a field counts as an identifier agreeing (see Thresholds).
IDENTIFIER_LEVELS = {DOB: 2, SSN: 1, LAST4: 1}


def has_identifier(candidate: Candidate) -> bool:
    return any(
        candidate.evidence[i].level is not None and candidate.evidence[i].level >= lvl
        for i, lvl in IDENTIFIER_LEVELS.items()
    )


def decide(candidates: list[Candidate], model: Model) -> str:
    t = model.thresholds
    if not candidates or candidates[0].weight < t.review:
        return NONE
    best = candidates[0]
    runner_up = candidates[1].weight if len(candidates) > 1 else -math.inf
    if best.weight >= t.match and best.weight - runner_up >= t.margin:
        if not t.require_identifier or has_identifier(best):
            return MATCH
    return AMBIGUOUS


def resolve(subject: Person, index: Index, model: Model) -> Resolution:
    """Resolve one subject against the records behind ``index``."""
    q = prepare(subject)
    ids, n_keys, too_common = candidate_ids(q, index)
    scored = []
    for person in index.fetch(ids) if ids else []:
        r = prepare(person)
        total, levels, swapped = score(q, r, model)
        scored.append((total, str(r.id), r, levels, swapped))
    scored.sort(key=lambda item: (-item[0], item[1]))
    top = [explain(r, total, lv, sw, model) for total, _, r, lv, sw in scored[:SHOWN]]
    outcome = decide(top, model)
    # Too many namesakes to score, and no date of birth or SSN to find the subject
    # among them: a human decides (and may ask the requester for more).
    name_only = too_common and not (q.dob or q.ssn or q.last4)
    if outcome == NONE and name_only:
        outcome = AMBIGUOUS
    shown = [c for c in top if c.weight >= model.thresholds.review]
    return Resolution(
        outcome=outcome,
        candidates=shown,
        prior=model.prior,
        keys_looked_up=n_keys,
        rows_scored=len(scored),
        too_common=name_only,
    )
