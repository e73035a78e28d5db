"""Combining the rule tables over the whole grid and checking every invariant."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from recordwarden.policy import engine

from .domain import AXES, AXIS_BY_NAME, ELEMENT_KEYS, facts_at
from .invariants import NOTICE_INVARIANT, RELEASE_INVARIANTS, Grid
from .tables import Table, rule_table

# --- the check -------------------------------------------------------------------------------


@dataclass
class Violation:
    invariant: str
    text: str
    count: int
    examples: list[dict[str, Any]]

    def __str__(self) -> str:
        lines = [f"{self.invariant}: {self.count} point(s) violate: {self.text}"]
        for ex in self.examples:
            lines.append(
                f"  {ex['element']}: {ex['outcome']} by {', '.join(ex['rules']) or '-'} "
                f"when {'; '.join(ex['facts'])}"
            )
        return "\n".join(lines)


@dataclass
class Report:
    version: str
    points: int = 0
    evaluations: int = 0
    seconds: float = 0.0
    axes: tuple[str, ...] = ()
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        head = (
            f"policy {self.version[:12]}: {self.points:,} points over "
            f"{' x '.join(self.axes)} x element, {self.evaluations:,} Cedar evaluations, "
            f"{self.seconds:.1f} s"
        )
        if self.ok:
            return head + ": every invariant holds"
        return head + "\n" + "\n".join(str(v) for v in self.violations)


class _Model:
    """The tables of every rule binding one action, laid out on a grid."""

    def __init__(self, policy: engine.LoadedPolicy, action: str, invariants):
        self.policy = policy
        self.action = action
        rules = [r for r in policy.rules if action in r.actions]
        self.tables = [rule_table(policy, r, action) for r in rules]
        used = {n for t in self.tables for n in t.axes}
        used |= {n for inv in invariants for n in inv.axes}
        self.axes = tuple(a.name for a in AXES if a.name in used)
        self.shape = tuple(AXIS_BY_NAME[n].size for n in self.axes)
        self.elements = ELEMENT_KEYS if action != engine.NOTIFY else ("<case>",)
        self._kinds: dict[int, dict[str, np.ndarray]] = {}

    @property
    def evaluations(self) -> int:
        return sum(t.evaluations for t in self.tables)

    def _laid_out(self, table: Table, data: np.ndarray, e_index: int) -> np.ndarray:
        data = data[..., e_index if table.per_element else 0]
        shape = [1] * len(self.axes)
        for i, name in enumerate(table.axes):
            shape[self.axes.index(name)] = data.shape[i]
        return data.reshape(shape)

    def _kind(self, table: Table) -> str:
        if table.rule.effect == "forbid":
            return "forbid"
        if table.rule.standard or self.action == engine.NOTIFY:
            return "standard"
        return "escalation"

    def kind_arrays(self, e_index: int) -> dict[str, np.ndarray]:
        """For one element: whether some forbid / standard permit / escalation permit
        holds, and whether some rule errors, each over only the axes its rules read
        (size 1 on the others), so the full grid is built once per slice, not per rule."""
        cached = self._kinds.get(e_index)
        if cached is not None:
            return cached
        out = {}
        for kind in ("forbid", "standard", "escalation", "error"):
            if kind == "error":
                tables = [t for t in self.tables if t.any_error]
            else:
                tables = [t for t in self.tables if self._kind(t) == kind]
            axes = {name for t in tables for name in t.axes}
            shape = tuple(
                n if name in axes else 1
                for name, n in zip(self.axes, self.shape, strict=True)
            )
            array = np.zeros(shape, dtype=bool)
            for t in tables:
                data = t.err if kind == "error" else t.sat
                np.logical_or(array, self._laid_out(t, data, e_index), out=array)
            out[kind] = array
        self._kinds[e_index] = out
        return out

    def point(self, e_index: int, index: tuple[int, ...]) -> dict[str, Any]:
        """Which rules hold (and error) at one point of the grid."""
        held, errored = [], []
        for table in self.tables:
            for data, out in ((table.sat, held), (table.err, errored)):
                laid = self._laid_out(table, data, e_index)
                at = tuple(
                    i if n > 1 else 0 for i, n in zip(index, laid.shape, strict=True)
                )
                if laid[at]:
                    out.append(table.rule)
        return {"held": held, "errored": errored}

    def outcome_at(self, e_index: int, index: tuple[int, ...]) -> str:
        """The combined outcome at one point, as the engine would decide it."""
        kinds = self.kind_arrays(e_index)

        def holds(kind: str) -> bool:
            array = kinds[kind]
            return bool(
                array[
                    tuple(
                        i if n > 1 else 0
                        for i, n in zip(index, array.shape, strict=True)
                    )
                ]
            )

        if holds("error") or holds("forbid"):
            return engine.DENY
        if holds("standard"):
            return engine.PERMIT
        if holds("escalation"):
            return engine.ESCALATE
        return engine.DENY

    def describe(self, e_index: int, index: tuple[int, ...]) -> dict[str, Any]:
        states = dict(zip(self.axes, index, strict=True))
        point = self.point(e_index, index)
        return {
            "element": self.elements[e_index],
            "facts": [AXIS_BY_NAME[n].labels[s] for n, s in states.items()],
            "rules": sorted(r.id for r in point["held"]),
            "states": states,
            "outcome": self.outcome_at(e_index, index),
        }


def _first(array: np.ndarray, first: int) -> np.ndarray:
    return array[first : first + 1] if array.shape[0] > 1 else array


def check(
    policy: engine.LoadedPolicy, *, stop_at_first: bool = False, examples: int = 3
) -> Report:
    """Check every invariant over the whole domain. With ``stop_at_first`` the check
    ends at the first slice that holds a violation (for mutants)."""
    started = time.perf_counter()
    report = Report(version=policy.version)
    notice = _Model(policy, engine.NOTIFY, (NOTICE_INVARIANT,))
    _check_notice(notice, report, examples)
    report.evaluations += notice.evaluations
    if not (stop_at_first and report.violations):
        release = _Model(policy, engine.ESCALATED, RELEASE_INVARIANTS)
        report.axes = release.axes
        _check_release(release, report, stop_at_first, examples)
        report.evaluations += release.evaluations
    _check_unknown_elements(policy, report)
    report.seconds = time.perf_counter() - started
    return report


# Keys that are not in the catalogue, some close to ones that are.
UNKNOWN_ELEMENTS = ("", "salary", "SSN", "ssn ", "wages;", 'Element::"ssn"', "*")
UNKNOWN_TEXT = "An element not in the catalogue is denied, whatever the facts."


def _check_unknown_elements(policy: engine.LoadedPolicy, report: Report) -> None:
    """The engine denies unknown elements before asking Cedar; check it on the facts
    most likely to be granted (the verified worker, everything named and ordered)."""
    generous = facts_at(
        {
            "worker": 2,
            "agency_verified": 1,
            "agreement": 2,
            "judge_order": 2,
            "consent": 2,
        },
        "wages",
    )
    generous = replace(
        generous, subjects_named=1, instrument_subject_count=1, subject_identified=True
    )
    decisions = engine.decide(generous, UNKNOWN_ELEMENTS, policy, quiet=True)
    granted = [key for key, d in decisions.items() if d.outcome != engine.DENY]
    report.points += len(UNKNOWN_ELEMENTS)
    if granted:
        violation = _violation(report, "unknown-element-denied", UNKNOWN_TEXT)
        violation.count += len(granted)
        violation.examples.extend(
            {
                "element": key,
                "outcome": decisions[key].outcome,
                "rules": [],
                "facts": [],
            }
            for key in granted[:3]
        )


def _violation(report: Report, invariant_id: str, text: str) -> Violation:
    violation = next(
        (v for v in report.violations if v.invariant == invariant_id), None
    )
    if violation is None:
        violation = Violation(invariant_id, text, 0, [])
        report.violations.append(violation)
    return violation


def _count(shape: tuple[int, ...], operands: list[np.ndarray]) -> int:
    """How many points of the grid make every operand true, without building the grid:
    the operands are indicator arrays over some axes each (size 1 on the rest), so the
    count is a sum of products that einsum contracts axis by axis."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    subscripts, arrays, used = [], [], set()
    for operand in operands:
        axes = [i for i, n in enumerate(operand.shape) if n > 1]
        arrays.append(
            operand.reshape([operand.shape[i] for i in axes]).astype(np.int64)
        )
        subscripts.append("".join(letters[i] for i in axes))
        used.update(axes)
    scale = int(np.prod([n for i, n in enumerate(shape) if i not in used]))
    total = np.einsum(",".join(subscripts) + "->", *arrays, optimize=True)
    return int(total) * scale


def _examples(
    model: _Model,
    e_index: int,
    operands: list[np.ndarray],
    violation: Violation,
    limit: int,
) -> None:
    """Add up to ``limit`` violating points, one per state of the first axis."""
    for first in range(model.shape[0]):
        if len(violation.examples) >= limit:
            return
        bad = _first(operands[0], first)
        for operand in operands[1:]:
            bad = bad & _first(operand, first)
        if bad.any():
            at = np.unravel_index(int(np.argmax(bad)), bad.shape)
            index = (first,) + tuple(
                int(i) if n > 1 else 0
                for i, n in zip(at[1:], bad.shape[1:], strict=True)
            )
            violation.examples.append(model.describe(e_index, index))


ERRORS_ID = "no-evaluation-errors"
ERRORS_TEXT = "No rule errors on any facts in the domain."


def _check_release(
    model: _Model, report: Report, stop_at_first: bool, examples: int
) -> None:
    per_element = int(np.prod(model.shape))
    for e_index, element in enumerate(model.elements):
        grid = Grid(model.axes, element)
        kinds = model.kind_arrays(e_index)
        report.points += per_element
        if kinds["error"].any():
            violation = _violation(report, ERRORS_ID, ERRORS_TEXT)
            violation.count += _count(model.shape, [kinds["error"]])
            _examples(model, e_index, [kinds["error"]], violation, examples)
        allowed = kinds["standard"] | kinds["escalation"]
        open_ = ~(kinds["forbid"] | kinds["error"])
        for inv in RELEASE_INVARIANTS:
            operands = [allowed, open_, inv.premise(grid)]
            count = _count(model.shape, operands)
            if count:
                violation = _violation(report, inv.id, inv.text)
                violation.count += count
                _examples(model, e_index, operands, violation, examples)
        if stop_at_first and report.violations:
            return


def _check_notice(model: _Model, report: Report, examples: int) -> None:
    """Notice must be given exactly when expected, so this compares the whole (small)
    grid rather than counting one-sided violations."""
    kinds = model.kind_arrays(0)
    notified = kinds["standard"] & ~kinds["forbid"] & ~kinds["error"]
    bad = np.broadcast_to(
        notified ^ NOTICE_INVARIANT.premise(Grid(model.axes, "<case>")), model.shape
    )
    report.points += int(np.prod(model.shape))
    count = int(np.count_nonzero(bad))
    if count:
        violation = _violation(report, NOTICE_INVARIANT.id, NOTICE_INVARIANT.text)
        violation.count += count
        _examples(model, 0, [bad], violation, examples)
    for violation in report.violations:
        for example in violation.examples:
            example["outcome"] = (
                "no notice" if example["outcome"] == engine.DENY else "notice"
            )


def release_model(policy: engine.LoadedPolicy) -> _Model:
    """The combined release tables, to compare with ``engine.decide`` point by point."""
    return _Model(policy, engine.ESCALATED, RELEASE_INVARIANTS)
