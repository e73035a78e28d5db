"""The Fellegi–Sunter model: m and u probabilities per field and level, name
frequencies, the population size (the prior) and the decision thresholds.

A field agreeing at level ``l`` adds ``log2(m_l / u_l)`` bits of evidence; at the exact
level of a name, ``u`` is the share of workers who carry that name, so agreeing on
"garcia" counts for less than agreeing on a rare name. The prior odds that a subject
is one particular worker are one in the size of the table.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from .compare import FIELDS, FIRST

# Untrained starting points (and Dirichlet priors for EM): typical of administrative
# person records, refined from the agency's own data by ``train``.
DEFAULT_M: dict[str, list[float]] = {
    "first_name": [0.03, 0.02, 0.05, 0.08, 0.82],
    "middle_name": [0.08, 0.22, 0.70],
    "last_name": [0.04, 0.02, 0.05, 0.05, 0.84],
    "suffix": [0.03, 0.40, 0.57],
    "dob": [0.005, 0.01, 0.01, 0.05, 0.025, 0.90],
    "ssn": [0.02, 0.02, 0.96],
    "ssn_last4": [0.03, 0.97],
    "address": [0.08, 0.10, 0.05, 0.25, 0.04, 0.48],
}
DEFAULT_U: dict[str, list[float]] = {
    "first_name": [0.950, 0.030, 0.006, 0.009, 0.005],
    "middle_name": [0.85, 0.10, 0.05],
    "last_name": [0.970, 0.020, 0.004, 0.001, 0.005],
    "suffix": [0.30, 0.65, 0.05],
    "dob": [0.98, 0.0195, 0.00035, 0.0004, 0.00003, 0.00002],
    "ssn": [0.9999, 0.0001, 0.000001],
    "ssn_last4": [0.9999, 0.0001],
    "address": [0.90, 0.08, 0.012, 0.006, 0.0015, 0.00002],
}


@dataclass
class Thresholds:
    """In bits of posterior log-odds (the prior of one in the table included).

    Chosen on the benchmark (docs/matching.md): no wrong automatic match on either
    data set at any setting near these, and these leave a wide margin (the highest
    wrong best candidate with an identifier scored about 1.4 bits, ~4.6 below
    ``match``)."""

    match: float = 6.0  # best candidate at least ~98.5% likely
    margin: float = 8.0  # and at least 2^8 = 256 times likelier than the runner-up
    review: float = -4.0  # below ~6% a candidate is not worth a human's time
    # An automatic match also needs a date of birth or an SSN (or its last four) that
    # agrees at least nearly: a name and a town alone are never enough, because the
    # subject may be someone outside the records who shares them.
    require_identifier: bool = True


def _normalised(values: list[float], floor: float = 1e-9) -> list[float]:
    clipped = [max(v, floor) for v in values]
    total = sum(clipped)
    return [v / total for v in clipped]


@dataclass
class Model:
    m: dict[str, list[float]] = field(default_factory=lambda: dict(DEFAULT_M))
    u: dict[str, list[float]] = field(default_factory=lambda: dict(DEFAULT_U))
    first_counts: dict[str, int] = field(default_factory=dict)
    last_counts: dict[str, int] = field(default_factory=dict)
    population: int = 1_000_000
    thresholds: Thresholds = field(default_factory=Thresholds)
    info: dict = field(default_factory=dict)  # how it was trained

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute the weight table after m, u or the counts change."""
        self.m = {f.name: _normalised(self.m[f.name]) for f in FIELDS}
        self.u = {f.name: _normalised(self.u[f.name]) for f in FIELDS}
        self.weights = [
            [
                math.log2(m / u)
                for m, u in zip(self.m[f.name], self.u[f.name], strict=True)
            ]
            for f in FIELDS
        ]
        self.prior = math.log2(1.0 / max(self.population, 2))
        self._first_total = max(sum(self.first_counts.values()), self.population, 1)
        self._last_total = max(sum(self.last_counts.values()), self.population, 1)

    def name_frequency(self, field_index: int, value: str) -> float:
        """Share of the population carrying ``value`` (at least one person)."""
        if field_index == FIRST:
            return max(self.first_counts.get(value, 1), 1) / self._first_total
        return max(self.last_counts.get(value, 1), 1) / self._last_total

    def weight(self, field_index: int, level: int, value: str = "") -> float:
        """Bits of evidence for ``field_index`` agreeing at ``level``; names at their
        exact level are adjusted by how common ``value`` is."""
        spec = FIELDS[field_index]
        if spec.tf_level is not None and level == spec.tf_level and value:
            m = self.m[spec.name][level]
            return math.log2(m / self.name_frequency(field_index, value))
        return self.weights[field_index][level]

    # Serialisation -------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "version": 1,
            "m": self.m,
            "u": self.u,
            "first_counts": self.first_counts,
            "last_counts": self.last_counts,
            "population": self.population,
            "thresholds": vars(self.thresholds),
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Model:
        if data.get("version") != 1:
            raise ValueError("unknown matcher model version")
        return cls(
            m={k: list(v) for k, v in data["m"].items()},
            u={k: list(v) for k, v in data["u"].items()},
            first_counts=dict(data.get("first_counts", {})),
            last_counts=dict(data.get("last_counts", {})),
            population=int(data["population"]),
            thresholds=Thresholds(**data.get("thresholds", {})),
            info=dict(data.get("info", {})),
        )

    def dumps(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def loads(cls, text: str) -> Model:
        return cls.from_dict(json.loads(text))
