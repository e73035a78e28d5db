"""Scenario tables: the policy's tests, written as legal prose, one row a case.

A table is a YAML file under ``policies/scenarios/``::

    profiles:                      # named facts, reused with YAML merge keys
      child_support: &child_support {agency_type: child_support, ...}
    cases:
      - case: A child-support agency with an agreement ... is permitted.
        facts: {<<: *child_support, purpose: child_support}
        elements: [employer, wages]      # or  notice: true|false
        outcome: permit                  # permit | escalate | deny
        recommendation: review           # optional: deny | review | quash | self
        fires: [permit.child-support]    # rules whose conditions hold for every element
        not_fires: [guard.ssn]           # rules whose conditions hold for none

Every rule must appear in some row's ``fires`` and in some row's ``not_fires``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import engine
from .facts import RequestFacts

SCENARIO_DIR = engine.POLICY_DIR / "scenarios"
ROW_KEYS = {
    "case",
    "facts",
    "elements",
    "notice",
    "outcome",
    "recommendation",
    "fires",
    "not_fires",
}


@dataclass
class Row:
    source: str
    case: str
    facts: RequestFacts
    elements: list[str]
    notice: bool | None
    outcome: str | None
    recommendation: str | None
    fires: list[str]
    not_fires: list[str]


@dataclass
class Result:
    row: Row
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def load_rows(directory: str | Path | None = None) -> list[Row]:
    directory = Path(directory) if directory else SCENARIO_DIR
    rows = []
    for path in sorted(directory.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for index, raw in enumerate(document.get("cases", []), start=1):
            rows.append(_row(f"{path.name}#{index}", raw))
    return rows


def _row(source: str, raw: dict[str, Any]) -> Row:
    unknown = set(raw) - ROW_KEYS
    if unknown:
        raise ValueError(f"{source}: unknown keys {', '.join(sorted(unknown))}")
    if not str(raw.get("case", "")).strip():
        raise ValueError(f"{source}: every row needs its case in prose")
    if ("elements" in raw) == ("notice" in raw):
        raise ValueError(f"{source}: a row has either elements or notice")
    facts = dict(raw.get("facts") or {})
    return Row(
        source=source,
        case=" ".join(str(raw["case"]).split()),
        facts=RequestFacts.from_json(facts),
        elements=list(raw.get("elements") or []),
        notice=raw.get("notice"),
        outcome=raw.get("outcome"),
        recommendation=raw.get("recommendation"),
        fires=list(raw.get("fires") or []),
        not_fires=list(raw.get("not_fires") or []),
    )


def run_row(row: Row, policy: engine.LoadedPolicy) -> Result:
    result = Result(row)
    known = {rule.id for rule in policy.rules}
    for rule_id in row.fires + row.not_fires:
        if rule_id not in known:
            result.problems.append(f"no rule {rule_id!r} in this policy")
    if result.problems:
        return result
    if row.notice is not None:
        _check_notice(row, policy, result)
    else:
        _check_elements(row, policy, result)
    return result


def _check_notice(row: Row, policy: engine.LoadedPolicy, result: Result) -> None:
    got = engine.notice_required(row.facts, policy)
    if got != row.notice:
        result.problems.append(f"notice: expected {row.notice}, got {got}")
    _check_fired(row, [engine.explain(row.facts, None, policy, engine.NOTIFY)], result)


def _check_elements(row: Row, policy: engine.LoadedPolicy, result: Result) -> None:
    decisions = engine.decide(row.facts, row.elements, policy, quiet=True)
    for element, decision in decisions.items():
        if decision.errors:
            result.problems.append(f"{element}: errors {list(decision.errors)}")
        if row.outcome and decision.outcome != row.outcome:
            result.problems.append(
                f"{element}: expected {row.outcome}, got {decision.outcome} "
                f"({', '.join(decision.rule_ids)})"
            )
    if row.recommendation:
        got = engine.recommend(decisions, row.facts)
        if got != row.recommendation:
            result.problems.append(
                f"recommendation: expected {row.recommendation}, got {got}"
            )
    fired = [
        engine.explain(row.facts, e, policy) for e in row.elements if e in decisions
    ]
    _check_fired(row, fired, result)


def _check_fired(row: Row, fired: list[dict[str, bool]], result: Result) -> None:
    for rule_id in row.fires:
        if not all(f.get(rule_id) for f in fired):
            result.problems.append(f"{rule_id} should fire and does not")
    for rule_id in row.not_fires:
        if any(f.get(rule_id) for f in fired):
            result.problems.append(f"{rule_id} must not fire and does")


def coverage_gaps(rows: list[Row], policy: engine.LoadedPolicy) -> list[str]:
    """Rules that no row shows firing, or no row shows not firing."""
    fires = {r for row in rows for r in row.fires}
    not_fires = {r for row in rows for r in row.not_fires}
    gaps = []
    for rule in policy.rules:
        if rule.id not in fires:
            gaps.append(f"{rule.id}: no scenario row shows it firing")
        if rule.id not in not_fires:
            gaps.append(f"{rule.id}: no scenario row shows it not firing")
    return gaps


def run_all(
    policy: engine.LoadedPolicy, directory: str | Path | None = None
) -> tuple[list[Result], list[str]]:
    rows = load_rows(directory)
    return [run_row(row, policy) for row in rows], coverage_gaps(rows, policy)
