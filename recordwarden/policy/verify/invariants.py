"""The invariants: where granting an element would break the law the policy encodes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from recordwarden.accounts.constants import AgencyType
from recordwarden.intake.constants import Instrument, Purpose
from recordwarden.records.catalogue import ELEMENTS, Sensitivity

from .domain import AXIS_BY_NAME, JUDGE_SIGNED

# --- invariants ------------------------------------------------------------------------------


class _View:
    """The facts one axis state sets; reading any other fact is a bug in the invariant."""

    def __init__(self, values: dict[str, Any]):
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"this axis does not set {name}") from None


class Grid:
    """Axis-aligned boolean arrays over the grid, for one element."""

    def __init__(self, axes: tuple[str, ...], element: str):
        self.axes = axes
        self.element = element
        self.index = {name: i for i, name in enumerate(axes)}

    def where(self, name: str, predicate: Callable[[Any], bool]) -> np.ndarray:
        axis = AXIS_BY_NAME[name]
        values = np.array(
            [bool(predicate(_View(state(self.element)))) for state in axis.states]
        )
        shape = [1] * len(self.axes)
        shape[self.index[name]] = axis.size
        return values.reshape(shape)

    def everywhere(self) -> np.ndarray:
        return np.ones([1] * len(self.axes), dtype=bool)

    def nowhere(self) -> np.ndarray:
        return np.zeros([1] * len(self.axes), dtype=bool)


@dataclass(frozen=True)
class Invariant:
    id: str
    text: str
    axes: tuple[str, ...]
    # Where granting this element would be a violation.
    premise: Callable[[Grid], np.ndarray]


def _sensitivity(grid: Grid) -> str:
    return str(ELEMENTS[grid.element].sensitivity)


def _worker_verified(g: Grid) -> np.ndarray:
    return g.where("worker", lambda s: s.requester_is_subject and s.identity_verified)


def _no_subject(g: Grid) -> np.ndarray:
    return g.where(
        "subjects",
        lambda s: (
            s.subjects_named < 1
            or not s.subject_identified
            or (
                s.instrument_subject_count is not None
                and s.subjects_named > s.instrument_subject_count
            )
        ),
    )


def _protected(g: Grid) -> np.ndarray:
    if _sensitivity(g) != Sensitivity.PROTECTED:
        return g.nowhere()
    judge_signed = g.where("instrument", lambda s: s.instrument in JUDGE_SIGNED)
    names_it = g.where("judge_order", lambda s: g.element in s.judge_order_names_fields)
    return ~_worker_verified(g) & ~(judge_signed & names_it)


def _ssn(g: Grid) -> np.ndarray:
    if _sensitivity(g) != Sensitivity.SSN:
        return g.nowhere()
    child_support = g.where(
        "agency_type", lambda s: s.agency_type == AgencyType.CHILD_SUPPORT
    )
    return ~_worker_verified(g) & ~child_support


def _civil_immigration(g: Grid) -> np.ndarray:
    civil = g.where("purpose", lambda s: s.purpose == Purpose.CIVIL_IMMIGRATION)
    judge_signed = g.where("instrument", lambda s: s.instrument in JUDGE_SIGNED)
    names = g.where(
        "subjects",
        lambda s: (
            s.instrument_subject_count is not None and s.instrument_subject_count >= 1
        ),
    )
    return civil & ~(judge_signed & names)


def _accounting(g: Grid) -> np.ndarray:
    if _sensitivity(g) != Sensitivity.ACCOUNTING:
        return g.nowhere()
    return ~_worker_verified(g)


RELEASE_INVARIANTS: tuple[Invariant, ...] = (
    Invariant(
        "named-identified-subject",
        "Nothing is released unless the request names someone, screening identified "
        "them, and the instrument covers everyone named.",
        ("subjects",),
        _no_subject,
    ),
    Invariant(
        "no-bulk-access",
        "Nothing is ever released for standing, direct or bulk access.",
        ("bulk",),
        lambda g: g.where("bulk", lambda s: s.bulk_access),
    ),
    Invariant(
        "protected-fields",
        "A protected field goes to nobody but the verified worker, unless a judge-signed "
        "order names that field.",
        ("worker", "instrument", "judge_order"),
        _protected,
    ),
    Invariant(
        "ssn-only-to-worker-or-child-support",
        "An SSN (full or last four) goes only to the verified worker or a child-support "
        "agency.",
        ("worker", "agency_type"),
        _ssn,
    ),
    Invariant(
        "civil-immigration-needs-judicial-instrument",
        "Nothing is released for civil immigration enforcement without a judicial "
        "warrant or judge-signed order naming the subject.",
        ("purpose", "instrument", "subjects"),
        _civil_immigration,
    ),
    Invariant(
        "clerk-subpoena-yields-no-data",
        "A clerk-issued subpoena never yields data.",
        ("instrument",),
        lambda g: g.where(
            "instrument", lambda s: s.instrument == Instrument.CLERK_SUBPOENA
        ),
    ),
    Invariant(
        "accounting-only-to-worker",
        "The accounting of disclosures goes only to the verified worker.",
        ("worker",),
        _accounting,
    ),
)


def _notice_expected(g: Grid) -> np.ndarray:
    immigration = g.where(
        "agency_type", lambda s: s.agency_type == AgencyType.IMMIGRATION_ENFORCEMENT
    )
    civil = g.where("purpose", lambda s: s.purpose == Purpose.CIVIL_IMMIGRATION)
    about_worker = g.where(
        "subjects", lambda s: s.subjects_named >= 1 and s.subject_identified
    )
    delayed = g.where("notice_delay", lambda s: s.notice_delay_order)
    return (immigration | civil) & about_worker & ~delayed


NOTICE_INVARIANT = Invariant(
    "notice-to-worker",
    "The worker is told of every immigration-agency or civil-immigration request about "
    "them, unless a court order delays it, and of nothing else.",
    ("agency_type", "purpose", "subjects", "notice_delay"),
    _notice_expected,
)
