"""The policy engine: Cedar policies in, one decision per requested element out.

Parse once (``load_policy``), decide many times (``decide``). The engine fails closed:
the schema is passed to evaluation and to every entity it builds, and a ``NoDecision``,
an evaluation error, an unknown element, a missing attribute or a policy that cannot be
loaded is a denial plus an alert on the ``recordwarden.alerts`` logger. The service
layer (``services.findings_record``) also writes each alert to the audit log.

One evaluation per element. Every release is one of two actions, ``release`` (standard,
two signatures) and ``release_escalated`` (counsel and the approver first), both in the
action group ``disclose``. Because ``load_policy`` insists that every forbid binds both
release actions and that every permit binding ``release`` also binds
``release_escalated`` (and no condition looks at ``action``), one evaluation of
``release_escalated`` decides all three outcomes: Deny means not permitted; Allow with a
determining permit that also covers ``release`` means a standard release; Allow through
escalation-only permits means escalate. Evaluating both actions would give the same
outcomes at twice the cost.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import cedarpy

from recordwarden.intake.constants import Instrument
from recordwarden.records.catalogue import ELEMENTS

from .facts import RequestFacts
from .loading import (  # noqa: F401  (re-exported: the engine is the public face)
    ACTION_GROUPS,
    ALL_ACTIONS,
    CASE_UID,
    DEFAULT_DENY_CITATION,
    DEFAULT_DENY_ID,
    DEFAULT_DENY_REASON,
    DISCLOSE,
    ESCALATED,
    FAIL_CLOSED_ID,
    FAIL_CLOSED_REASON,
    FORMAT_WIDTH,
    NOTIFY,
    POLICY_DIR,
    PRINCIPAL_UID,
    RELEASE,
    RELEASE_ACTIONS,
    SCHEMA_FILE,
    LoadedPolicy,
    PolicyError,
    Rule,
    parse_policy,
    policy_version_hash,
    read_policy_files,
    single_rule_set,
)

alerts = logging.getLogger("recordwarden.alerts")

Outcome = Literal["permit", "escalate", "deny"]
PERMIT: Outcome = "permit"
ESCALATE: Outcome = "escalate"
DENY: Outcome = "deny"


@dataclass(frozen=True)
class ElementDecision:
    outcome: Outcome
    rule_ids: tuple[str, ...]
    reasons: tuple[str, ...]
    citations: tuple[str, ...]
    errors: tuple[str, ...] = ()

    @property
    def granted(self) -> bool:
        return self.outcome in (PERMIT, ESCALATE)


# --- loading -------------------------------------------------------------------------


_CACHE: dict[str, LoadedPolicy] = {}
_CACHE_LOCK = threading.Lock()


def load_policy(path: str | Path | None = None) -> LoadedPolicy:
    """Load and check the policy files at ``path`` (default: the shipped ``policies/``)."""
    text, schema_text = read_policy_files(path)
    return load_policy_text(text, schema_text)


def load_policy_text(text: str, schema_text: str) -> LoadedPolicy:
    """Parse and check a policy set once; raise PolicyError naming every problem.

    Checks: the schema and policies parse; the Cedar validator passes; every rule has a
    unique ``@id`` and non-empty ``@reason`` and ``@citation``; the action structure the
    engine relies on holds; the elements of the catalogue build as entities under the
    schema; and a decision on default facts raises no error."""
    version = policy_version_hash(text, schema_text)
    with _CACHE_LOCK:
        cached = _CACHE.get(version)
    if cached is not None:
        return cached
    loaded = parse_policy(text, schema_text)
    _smoke_test(loaded)
    with _CACHE_LOCK:
        if len(_CACHE) >= 16:
            _CACHE.clear()
        _CACHE[version] = loaded
    return loaded


def _smoke_test(policy: LoadedPolicy) -> None:
    facts = RequestFacts()
    problems = []
    for key, decision in decide(facts, list(ELEMENTS), policy, quiet=True).items():
        if decision.errors:
            problems.append(
                f"deciding {key} on default facts: {'; '.join(decision.errors)}"
            )
    try:
        _notice_result(facts, policy)
    except _Undecided as exc:
        problems.append(f"deciding notice on default facts: {exc}")
    if problems:
        raise PolicyError(problems)


# --- the active policy ---------------------------------------------------------------


def active_policy() -> LoadedPolicy:
    """The active PolicyVersion's policy, or the shipped files if none is active yet.
    Only the version hash is read on each call; the parsed handles are cached."""
    from .models import PolicyVersion

    sha = (
        PolicyVersion.objects.filter(active=True)
        .values_list("sha256", flat=True)
        .first()
    )
    if sha is None:
        return load_policy()
    with _CACHE_LOCK:
        cached = _CACHE.get(sha)
    if cached is not None:
        return cached
    row = PolicyVersion.objects.get(sha256=sha)
    return load_policy_text(row.text, row.schema)


# --- deciding ------------------------------------------------------------------------


def alert(kind: str, message: str, **data: Any) -> None:
    """Raise an operational alert (the service layer also audits it)."""
    alerts.warning(
        "policy %s: %s", kind, message, extra={"policy_alert": {"kind": kind, **data}}
    )


def undecidable(message: str | Iterable[str]) -> ElementDecision:
    """The fail-closed decision: denied, with the errors that prevented a decision."""
    return _failed(message)


def _failed(message: str | Iterable[str]) -> ElementDecision:
    errors = (message,) if isinstance(message, str) else tuple(message)
    return ElementDecision(
        outcome=DENY,
        rule_ids=(FAIL_CLOSED_ID,),
        reasons=(FAIL_CLOSED_REASON,),
        citations=(DEFAULT_DENY_CITATION,),
        errors=errors,
    )


def decide(
    facts: RequestFacts,
    elements: Iterable[str],
    policy: LoadedPolicy | None = None,
    *,
    quiet: bool = False,
) -> dict[str, ElementDecision]:
    """Decide each requested element. Never raises for bad input or a bad policy:
    anything the policy cannot decide is denied, with the errors, and alerted."""
    keys = list(dict.fromkeys(elements))
    decisions: dict[str, ElementDecision] = {}
    try:
        policy = policy or active_policy()
    except Exception as exc:  # a policy that cannot be loaded decides nothing
        message = f"the active policy could not be loaded: {exc}"
        if not quiet:
            alert("load_failed", message)
        return {key: _failed(message) for key in keys}
    known = []
    for key in keys:
        if isinstance(key, str) and key in ELEMENTS:
            known.append(key)
        else:
            decisions[key] = _failed(f"unknown data element {key!r}")
            if not quiet:
                alert(
                    "unknown_element",
                    f"unknown data element {key!r}",
                    version=policy.version,
                )
    if known:
        decisions.update(_evaluate(policy, facts, known, quiet))
    return {key: decisions[key] for key in keys}


def _evaluate(
    policy: LoadedPolicy, facts: RequestFacts, keys: list[str], quiet: bool
) -> dict[str, ElementDecision]:
    try:
        entities = policy.entities_for(facts)
        context = json.dumps(facts.context())
        requests = [
            {
                "principal": PRINCIPAL_UID,
                "action": {"type": "Action", "id": ESCALATED},
                "resource": {"type": "Element", "id": key},
                "context": context,
            }
            for key in keys
        ]
        results = cedarpy.is_authorized_batch(
            requests, policy.policy_set, entities, policy.schema
        )
    except Exception as exc:  # entities or context refused by the schema, or worse
        message = f"the policy could not evaluate this request: {exc}"
        if not quiet:
            alert("evaluation_failed", message, version=policy.version)
        return {key: _failed(message) for key in keys}
    out = {}
    for key, result in zip(keys, results, strict=True):
        decision = _interpret(policy, result)
        if decision.errors and not quiet:
            alert(
                "evaluation_error",
                "; ".join(decision.errors),
                element=key,
                version=policy.version,
            )
        out[key] = decision
    return out


def _interpret(policy: LoadedPolicy, result) -> ElementDecision:
    errors = list(result.diagnostics.errors)
    if result.decision == cedarpy.Decision.NoDecision and not errors:
        errors.append("Cedar returned no decision")
    if errors:
        return _failed(errors)
    rules = [policy.rule_for_policy_id(pid) for pid in result.diagnostics.reasons]
    if any(rule is None for rule in rules):
        return _failed("a determining policy is not in the loaded set")
    rules.sort(key=lambda r: r.id)
    if result.decision == cedarpy.Decision.Allow:
        if any(rule.effect != "permit" for rule in rules) or not rules:
            return _failed("an allow was determined by something other than a permit")
        outcome = PERMIT if any(rule.standard for rule in rules) else ESCALATE
        return _decision(outcome, rules)
    if not rules:
        return ElementDecision(
            outcome=DENY,
            rule_ids=(DEFAULT_DENY_ID,),
            reasons=(DEFAULT_DENY_REASON,),
            citations=(DEFAULT_DENY_CITATION,),
        )
    return _decision(DENY, rules)


def _decision(outcome: Outcome, rules: list[Rule]) -> ElementDecision:
    return ElementDecision(
        outcome=outcome,
        rule_ids=tuple(r.id for r in rules),
        reasons=tuple(r.reason for r in rules),
        citations=tuple(r.citation for r in rules),
    )


class _Undecided(Exception):
    pass


def _notice_result(facts: RequestFacts, policy: LoadedPolicy) -> bool:
    result = cedarpy.is_authorized(
        {
            "principal": PRINCIPAL_UID,
            "action": {"type": "Action", "id": NOTIFY},
            "resource": CASE_UID,
            "context": facts.context(),
        },
        policy.policy_set,
        policy.entities_for(facts),
        policy.schema,
    )
    if result.diagnostics.errors or result.decision == cedarpy.Decision.NoDecision:
        raise _Undecided("; ".join(result.diagnostics.errors) or "no decision")
    return result.allowed


def notice_required(facts: RequestFacts, policy: LoadedPolicy | None = None) -> bool:
    """Whether the worker must be told about this request now (within 3 business
    days). A court order delaying notice makes this False until the order ends; call
    again with ``notice_delay_order=False`` then. If the policy cannot decide, the
    answer fails towards telling the worker, unless a delay order is on file."""
    try:
        return _notice_result(facts, policy or active_policy())
    except Exception as exc:
        alert("notice_undecided", f"the notice rule could not be evaluated: {exc}")
        return not facts.notice_delay_order


def explain(
    facts: RequestFacts,
    element: str | None,
    policy: LoadedPolicy,
    action: str = ESCALATED,
) -> dict[str, bool]:
    """Every rule binding ``action``, and whether its conditions hold on these facts.
    Slow (one evaluation per rule); for scenario tables and people, not screening."""
    if action == NOTIFY:
        resource = CASE_UID
    else:
        resource = {"type": "Element", "id": element}
    entities = policy.entities_for(facts)
    fired = {}
    for rule in policy.rules:
        if action not in rule.actions:
            continue
        result = cedarpy.is_authorized(
            {
                "principal": PRINCIPAL_UID,
                "action": {"type": "Action", "id": action},
                "resource": resource,
                "context": facts.context(),
            },
            single_rule_set(rule),
            entities,
            policy.schema,
        )
        if result.diagnostics.errors:
            raise PolicyError([f"{rule.id}: {'; '.join(result.diagnostics.errors)}"])
        fired[rule.id] = bool(result.diagnostics.reasons)
    return fired


def recommend(decisions: dict[str, ElementDecision], facts: RequestFacts) -> str:
    """The policy's overall recommendation before any human act:

    - ``quash``: a clerk-issued subpoena is answered with a motion to quash, no data;
    - ``self``: the worker's own request (identity verification, then release);
    - ``review``: at least one element is permitted, release needs signatures;
    - ``deny``: nothing is permitted."""
    if facts.instrument == Instrument.CLERK_SUBPOENA:
        return "quash"
    own = facts.requester_is_subject or facts.instrument == Instrument.OWN_REQUEST
    if own and not facts.bulk_access:
        return "self"
    if any(d.granted for d in decisions.values()):
        return "review"
    return "deny"
