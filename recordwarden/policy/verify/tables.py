"""What each rule reads, and its truth table over the axes it reads."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import cedarpy
import numpy as np

from recordwarden.policy import engine
from recordwarden.records.catalogue import ELEMENTS

from .domain import (
    AXES,
    AXIS_BY_NAME,
    AXIS_BY_READ,
    ELEMENT_KEYS,
    RESOURCE_ATTRS,
    VerifyError,
    facts_at,
)

# --- what a rule reads -------------------------------------------------------------------


def _access(node: Any) -> tuple[str, str] | None:
    """(var, attr) if ``node`` is ``var.attr`` for a request variable."""
    if isinstance(node, dict) and isinstance(node.get("."), dict):
        left = node["."].get("left")
        if isinstance(left, dict) and "Var" in left:
            return left["Var"], node["."].get("attr")
    return None


def _literal(node: Any) -> str | None:
    if isinstance(node, dict) and isinstance(node.get("Value"), str):
        return node["Value"]
    return None


def _literal_set(node: Any) -> list[str] | None:
    if isinstance(node, dict) and isinstance(node.get("Set"), list):
        lits = [_literal(item) for item in node["Set"]]
        if all(lit is not None for lit in lits):
            return lits  # type: ignore[return-value]
    return None


@dataclass
class Reads:
    """What one rule reads: attributes, and for each, the string literals it is only
    ever compared with (``opaque`` when used any other way)."""

    attrs: set[tuple[str, str | None]] = field(default_factory=set)
    literals: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    opaque: set[tuple[str, str]] = field(default_factory=set)

    def walk(self, node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                self.walk(item)
            return
        if not isinstance(node, dict):
            return
        if self._comparison(node):
            return
        access = _access(node)
        if access is not None:
            self.attrs.add(access)
            self.opaque.add(access)
            return
        if isinstance(node.get("has"), dict):
            left = node["has"].get("left")
            if isinstance(left, dict) and "Var" in left:
                self.attrs.add((left["Var"], node["has"].get("attr")))
                return
        if "Var" in node:
            self.attrs.add((node["Var"], None))
            return
        for value in node.values():
            self.walk(value)

    def _comparison(self, node: dict) -> bool:
        for op in ("==", "!="):
            body = node.get(op)
            if isinstance(body, dict):
                for a, b in (
                    (body.get("left"), body.get("right")),
                    (body.get("right"), body.get("left")),
                ):
                    access, lit = _access(a), _literal(b)
                    if access is not None and lit is not None:
                        self._record(access, [lit])
                        return True
        body = node.get("contains")
        if isinstance(body, dict):
            access, lits = _access(body.get("right")), _literal_set(body.get("left"))
            if access is not None and lits is not None:
                self._record(access, lits)
                return True
        return False

    def _record(self, access: tuple[str, str], lits: list[str]) -> None:
        self.attrs.add(access)
        self.literals.setdefault(access, set()).update(lits)


def rule_reads(rule: engine.Rule) -> Reads:
    reads = Reads()
    reads.walk(rule.est.get("conditions", []))
    if rule.est.get("resource", {}).get("op") not in (None, "All"):
        reads.attrs.add(("resource", None))
    return reads


def _classes(values: tuple[str, ...], access, reads: Reads) -> list[int]:
    """For each value, the index of its representative under this rule."""
    if access in reads.opaque or access not in reads.literals:
        named: set[str] | None = None if access in reads.opaque else set()
    else:
        named = reads.literals[access]
    reps: dict[Any, int] = {}
    out = []
    for i, value in enumerate(values):
        key = value if named is None or value in named else "<other>"
        out.append(reps.setdefault(key, i))
    return out


# --- per-rule truth tables ---------------------------------------------------------------


@dataclass
class Table:
    """A rule's truth (and error) table over the grid axes it reads, by element."""

    rule: engine.Rule
    axes: tuple[str, ...]
    per_element: bool
    sat: np.ndarray
    err: np.ndarray
    evaluations: int

    @property
    def any_error(self) -> bool:
        return bool(self.err.any())


_TABLES: dict[tuple[str, str, str], Table] = {}


def rule_table(policy: engine.LoadedPolicy, rule: engine.Rule, action: str) -> Table:
    """Evaluate ``rule`` alone over every state of the axes it reads. Cached by the
    rule's text, the schema and the action, so mutants reuse unchanged rules' tables."""
    key = (json.dumps(rule.est, sort_keys=True), policy.schema_text, action)
    cached = _TABLES.get(key)
    if cached is not None:
        return cached
    table = _compute_table(policy, rule, action)
    if len(_TABLES) > 256:
        _TABLES.clear()
    _TABLES[key] = table
    return table


def _rule_axes(rule: engine.Rule, reads: Reads) -> tuple[list[str], bool]:
    names: set[str] = set()
    uses_resource = False
    for var, attr in reads.attrs:
        if var == "resource":
            uses_resource = True
        elif var == "principal" and attr is None:
            continue  # the principal's uid is the same for every request
        elif var == "context" and attr is None:
            names |= {a.name for a in AXES if any(v == "context" for v, _ in a.reads)}
        elif (var, attr) in AXIS_BY_READ:
            names.add(AXIS_BY_READ[(var, attr)])
        else:
            raise VerifyError(
                f"{rule.id} reads {var}.{attr}, which the check does not cover"
            )
    ordered = [a.name for a in AXES if a.name in names]
    per_element = uses_resource or any(AXIS_BY_NAME[n].relative for n in ordered)
    return ordered, per_element


def _element_classes(reads: Reads, per_element: bool, relative: bool) -> list[int]:
    if not per_element:
        return [0] * len(ELEMENT_KEYS)
    if relative or ("resource", None) in reads.attrs:
        return list(range(len(ELEMENT_KEYS)))
    signature = []
    for key in ELEMENT_KEYS:
        element = ELEMENTS[key]
        parts = []
        for attr in RESOURCE_ATTRS:
            access = ("resource", attr)
            if access not in reads.attrs:
                continue
            value = str(getattr(element, attr))
            named = reads.literals.get(access, set())
            opaque = access in reads.opaque
            parts.append(value if opaque or value in named else "<other>")
        signature.append(tuple(parts))
    reps: dict[tuple, int] = {}
    return [reps.setdefault(sig, i) for i, sig in enumerate(signature)]


def _compute_table(
    policy: engine.LoadedPolicy, rule: engine.Rule, action: str
) -> Table:
    reads = rule_reads(rule)
    axes, per_element = _rule_axes(rule, reads)
    if action == engine.NOTIFY:
        per_element = False  # the resource is the case, not an element
    relative = any(AXIS_BY_NAME[n].relative for n in axes)
    state_reps = []
    for name in axes:
        axis = AXIS_BY_NAME[name]
        if axis.string_attr is not None:
            state_reps.append(_classes(axis.values, axis.string_attr, reads))
        else:
            state_reps.append(list(range(axis.size)))
    element_reps = _element_classes(reads, per_element, relative)
    n_elements = len(ELEMENT_KEYS) if per_element else 1
    shape = tuple(AXIS_BY_NAME[n].size for n in axes) + (n_elements,)
    sat = np.zeros(shape, dtype=bool)
    err = np.zeros(shape, dtype=bool)
    rule_set = engine.single_rule_set(rule)
    memo: dict[tuple, tuple[bool, bool]] = {}
    for e_index in range(n_elements):
        e_rep = element_reps[e_index]
        for combo in itertools.product(*(range(AXIS_BY_NAME[n].size) for n in axes)):
            rep = tuple(state_reps[i][s] for i, s in enumerate(combo))
            memo_key = (rep, e_rep)
            if memo_key not in memo:
                states = dict(zip(axes, rep, strict=True))
                memo[memo_key] = _evaluate_rule(
                    policy, rule_set, action, states, ELEMENT_KEYS[e_rep]
                )
            sat[combo + (e_index,)], err[combo + (e_index,)] = memo[memo_key]
    return Table(rule, tuple(axes), per_element, sat, err, evaluations=len(memo))


def _evaluate_rule(policy, rule_set, action, states, element) -> tuple[bool, bool]:
    facts = facts_at(states, element)
    resource = (
        engine.CASE_UID
        if action == engine.NOTIFY
        else {"type": "Element", "id": element}
    )
    try:
        result = cedarpy.is_authorized(
            {
                "principal": engine.PRINCIPAL_UID,
                "action": {"type": "Action", "id": action},
                "resource": resource,
                "context": facts.context(),
            },
            rule_set,
            policy.entities_for(facts),
            policy.schema,
        )
    except Exception:
        return False, True
    failed = (
        bool(result.diagnostics.errors)
        or result.decision == cedarpy.Decision.NoDecision
    )
    return bool(result.diagnostics.reasons) and not failed, failed
