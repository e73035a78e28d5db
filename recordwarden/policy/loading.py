"""Loading a policy set: parse once, check what the engine relies on, build the handles.

``engine.load_policy`` / ``engine.load_policy_text`` are the entry points; this module
holds the pieces (the parsed ``LoadedPolicy`` and its ``Rule`` list) and the checks a
set must pass before it may decide anything.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import cedarpy

from recordwarden.records.catalogue import ELEMENTS

from .facts import RequestFacts

POLICY_DIR = Path(__file__).resolve().parents[2] / "policies"
SCHEMA_FILE = "schema.cedarschema"
# Width the Cedar formatter is run with on the policy files (checked by the tests).
FORMAT_WIDTH = 100

RELEASE = "release"
ESCALATED = "release_escalated"
NOTIFY = "notify_worker"
DISCLOSE = "disclose"
RELEASE_ACTIONS = frozenset({RELEASE, ESCALATED})
ALL_ACTIONS = frozenset({RELEASE, ESCALATED, NOTIFY})
ACTION_GROUPS = {DISCLOSE: RELEASE_ACTIONS}

PRINCIPAL_UID = {"type": "Agency", "id": "requester"}
CASE_UID = {"type": "Case", "id": "request"}
DEFAULT_DENY_ID = "default-deny"
DEFAULT_DENY_REASON = (
    "No rule permits this element on these facts; what is not permitted is denied."
)
DEFAULT_DENY_CITATION = (
    "20 CFR 603.4(b) (UC information is confidential unless a disclosure is permitted)"
)
FAIL_CLOSED_ID = "fail-closed"
FAIL_CLOSED_REASON = (
    "The policy could not decide this element; it is denied and an alert raised."
)


class PolicyError(ValueError):
    """A policy set or schema that must not be loaded; ``problems`` lists why."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(
            "policy rejected:\n" + "\n".join(f"- {p}" for p in self.problems)
        )


@dataclass(frozen=True)
class Rule:
    """One policy of the set, with its annotations and the actions it binds."""

    policy_id: str
    id: str
    effect: Literal["permit", "forbid"]
    actions: frozenset[str]
    reason: str
    citation: str
    est: dict = field(compare=False, repr=False)

    @property
    def binds_release(self) -> bool:
        return bool(self.actions & RELEASE_ACTIONS)

    @property
    def standard(self) -> bool:
        """A permit that allows a standard (two-signature) release."""
        return self.effect == "permit" and RELEASE in self.actions

    @property
    def escalation_only(self) -> bool:
        return self.effect == "permit" and self.actions & RELEASE_ACTIONS == {ESCALATED}

    @property
    def kind(self) -> str:
        if self.effect == "forbid":
            return "forbid"
        if not self.binds_release:
            return "notice"
        return "permit" if self.standard else "permit with escalation"

    @property
    def text(self) -> str:
        """The rule as Cedar text (for people reading the rule table)."""
        doc = {
            "staticPolicies": {self.policy_id: self.est},
            "templates": {},
            "templateLinks": [],
        }
        return cedarpy.format_policies(
            cedarpy.policies_from_json_str(json.dumps(doc)), FORMAT_WIDTH, 2
        )


@dataclass(eq=False)
class LoadedPolicy:
    """A parsed, checked policy set with its schema: the pre-parsed handles."""

    text: str
    schema_text: str
    version: str
    policy_set: Any
    schema: Any
    rules: tuple[Rule, ...]
    base_entities: Any
    _by_policy_id: dict[str, Rule] = field(default_factory=dict, repr=False)
    _principals: dict[tuple, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._by_policy_id = {rule.policy_id: rule for rule in self.rules}

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def rule_for_policy_id(self, policy_id: str) -> Rule | None:
        return self._by_policy_id.get(policy_id)

    def entities_for(self, facts: RequestFacts):
        """The elements and the case (parsed once) plus this request's principal,
        validated against the schema. Principals are cached by their attributes."""
        attrs = facts.principal_attrs()
        key = (attrs["type"], attrs["verified"], tuple(attrs["agreement_elements"]))
        cached = self._principals.get(key)
        if cached is not None:
            return cached
        delta = json.dumps([{"uid": PRINCIPAL_UID, "attrs": attrs, "parents": []}])
        entities = self.base_entities.with_added_json_str(delta, self.schema)
        with self._lock:
            if len(self._principals) >= 512:
                self._principals.clear()
            self._principals[key] = entities
        return entities


def policy_version_hash(text: str, schema_text: str) -> str:
    """SHA-256 over the policy text, a separator and the schema text."""
    digest = hashlib.sha256()
    digest.update(text.encode())
    digest.update(b"\n\x00schema\x00\n")
    digest.update(schema_text.encode())
    return digest.hexdigest()


def read_policy_files(path: str | Path | None = None) -> tuple[str, str]:
    """Policy text and schema text from a directory (every ``*.cedar`` in name order,
    and ``schema.cedarschema``) or from one ``.cedar`` file (schema beside it)."""
    path = Path(path) if path else POLICY_DIR
    if path.is_dir():
        files = sorted(path.glob("*.cedar"))
        if not files:
            raise PolicyError([f"no .cedar files in {path}"])
        text = "\n".join(f.read_text(encoding="utf-8") for f in files)
        schema_path = path / SCHEMA_FILE
    else:
        text = path.read_text(encoding="utf-8")
        schema_path = path.parent / SCHEMA_FILE
    if not schema_path.exists():
        raise PolicyError([f"no schema at {schema_path}"])
    return text, schema_path.read_text(encoding="utf-8")


def parse_policy(text: str, schema_text: str) -> LoadedPolicy:
    """Parse and check a policy set and schema; raise PolicyError naming every problem.
    (``engine.load_policy_text`` adds caching and a decision on default facts.)"""
    return _load_uncached(text, schema_text, policy_version_hash(text, schema_text))


def _load_uncached(text: str, schema_text: str, version: str) -> LoadedPolicy:
    try:
        schema = cedarpy.Schema.from_str(schema_text)
    except ValueError as exc:
        raise PolicyError([f"schema does not parse: {exc}"]) from exc
    try:
        policy_set = cedarpy.PolicySet.from_str(text)
        est = json.loads(cedarpy.policies_to_json_str(text))
    except ValueError as exc:
        raise PolicyError([f"policies do not parse: {exc}"]) from exc
    validation = cedarpy.validate_policies(text, schema)
    if not validation.validation_passed:
        names = validation.id_annotations_by_policy_id
        raise PolicyError(
            [
                f"{names.get(e.policy_id, e.policy_id)}: {e.error}"
                for e in validation.errors
            ]
        )
    rules = _rules_from_est(est)
    try:
        base = cedarpy.Entities.from_json_str(json.dumps(_base_entities()), schema)
    except ValueError as exc:
        raise PolicyError([f"catalogue elements do not fit the schema: {exc}"]) from exc
    loaded = LoadedPolicy(
        text=text,
        schema_text=schema_text,
        version=version,
        policy_set=policy_set,
        schema=schema,
        rules=rules,
        base_entities=base,
    )
    return loaded


def _base_entities() -> list[dict]:
    entities = [
        {
            "uid": {"type": "Element", "id": e.key},
            "attrs": {
                "key": e.key,
                "category": e.category,
                "sensitivity": str(e.sensitivity),
            },
            "parents": [],
        }
        for e in ELEMENTS.values()
    ]
    entities.append({"uid": CASE_UID, "attrs": {}, "parents": []})
    return entities


def _rules_from_est(est: dict) -> tuple[Rule, ...]:
    problems: list[str] = []
    if est.get("templates") or est.get("templateLinks"):
        problems.append("templates are not supported; write each rule out")
    rules: list[Rule] = []
    seen: set[str] = set()
    for policy_id, body in est.get("staticPolicies", {}).items():
        notes = body.get("annotations", {})
        rule_id = (notes.get("id") or "").strip()
        label = rule_id or policy_id
        for name in ("id", "reason", "citation"):
            if not (notes.get(name) or "").strip():
                problems.append(f"{label}: every rule needs a non-empty @{name}")
        if rule_id in seen:
            problems.append(f"{label}: @id is used twice")
        seen.add(rule_id)
        if rule_id in (DEFAULT_DENY_ID, FAIL_CLOSED_ID):
            problems.append(f"{label}: @id {rule_id!r} is reserved")
        actions, scope_problem = _scope_actions(body.get("action", {}))
        if scope_problem:
            problems.append(f"{label}: {scope_problem}")
        if _mentions_var(body.get("conditions", []), "action"):
            problems.append(
                f"{label}: conditions must not look at `action`; scope it instead"
            )
        rule = Rule(
            policy_id=policy_id,
            id=rule_id,
            effect=body.get("effect"),
            actions=actions,
            reason=(notes.get("reason") or "").strip(),
            citation=(notes.get("citation") or "").strip(),
            est=body,
        )
        problems.extend(_structure_problems(rule))
        rules.append(rule)
    if not any(r.effect == "permit" and r.binds_release for r in rules):
        problems.append("the set permits no release at all")
    if problems:
        raise PolicyError(problems)
    return tuple(rules)


def _scope_actions(scope: dict) -> tuple[frozenset[str], str | None]:
    op = scope.get("op")
    if op == "All":
        return ALL_ACTIONS, None
    if op in ("==", "in") and "entity" in scope:
        names = [scope["entity"].get("id")]
    elif op == "in" and "entities" in scope:
        names = [e.get("id") for e in scope["entities"]]
    else:
        return frozenset(), f"unsupported action scope {scope!r}"
    actions: set[str] = set()
    for name in names:
        if name in ALL_ACTIONS:
            actions.add(name)
        elif op == "in" and name in ACTION_GROUPS:
            actions |= ACTION_GROUPS[name]
        else:
            return frozenset(), f"unknown action {name!r}"
    return frozenset(actions), None


def _structure_problems(rule: Rule) -> list[str]:
    bound = rule.actions & RELEASE_ACTIONS
    if rule.effect == "forbid" and bound and bound != RELEASE_ACTIONS:
        return [
            f"{rule.id}: a forbid must bind both release actions "
            '(scope it `action in Action::"disclose"`)'
        ]
    if rule.effect == "permit" and bound == {RELEASE}:
        return [
            f"{rule.id}: a permit on release must also bind release_escalated "
            '(scope it `action in Action::"disclose"`)'
        ]
    return []


def _mentions_var(node: Any, name: str) -> bool:
    if isinstance(node, dict):
        if node.get("Var") == name:
            return True
        return any(_mentions_var(v, name) for v in node.values())
    if isinstance(node, list):
        return any(_mentions_var(v, name) for v in node)
    return False


def single_rule_set(rule: Rule):
    """A policy set holding just this rule (for explaining and for the exhaustive check)."""
    doc = {
        "staticPolicies": {rule.policy_id: rule.est},
        "templates": {},
        "templateLinks": [],
    }
    return cedarpy.PolicySet.from_json_str(json.dumps(doc))
