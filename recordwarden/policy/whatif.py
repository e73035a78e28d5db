"""What-if: re-decide past requests' findings under a proposed policy.

Each current finding stores the facts it rested on, so a what-if run asks exactly one
question: with the same facts, what would the proposed policy decide? Requests never
screened have no recorded facts and are counted, not guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from recordwarden.intake.models import Request

from . import engine
from .facts import RequestFacts
from .models import Finding


@dataclass(frozen=True)
class Change:
    request_id: int
    reference: str
    element: str
    old_outcome: str
    old_rules: tuple[str, ...]
    old_citations: tuple[str, ...]
    old_version: str
    new: engine.ElementDecision


@dataclass
class WhatIf:
    version: str
    requests: int = 0
    elements: int = 0
    unscreened: int = 0
    changes: list[Change] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"Proposed policy {self.version[:12]}: {self.requests} screened request(s), "
            f"{self.elements} element decision(s) re-decided, {len(self.changes)} would "
            f"change; {self.unscreened} request(s) have no findings on file (never screened, "
            "or nothing asked for) and were not re-decided."
        ]
        for c in self.changes:
            out.append(
                f"{c.reference} {c.element}: {c.old_outcome} -> {c.new.outcome}\n"
                f"    now   ({c.old_version[:12]}): {', '.join(c.old_rules)}"
                f" [{' | '.join(c.old_citations)}]\n"
                f"    would ({self.version[:12]}): {', '.join(c.new.rule_ids)}"
                f" [{' | '.join(c.new.citations)}]"
            )
        return out


def whatif(candidate: engine.LoadedPolicy, *, limit: int | None = None) -> WhatIf:
    """Compare every request's current findings with ``candidate``'s decisions on the
    same facts. Reports each element whose outcome would change."""
    report = WhatIf(version=candidate.version)
    findings = (
        Finding.objects.filter(current=True)
        .select_related("request", "policy_version")
        .order_by("request_id", "element")
    )
    for request_id, group in groupby(findings.iterator(), key=lambda f: f.request_id):
        rows = list(group)
        report.requests += 1
        facts = RequestFacts.from_json(rows[0].facts)
        decisions = engine.decide(
            facts, [f.element for f in rows], candidate, quiet=True
        )
        for finding in rows:
            report.elements += 1
            new = decisions[finding.element]
            if new.outcome != finding.outcome:
                report.changes.append(
                    Change(
                        request_id=request_id,
                        reference=finding.request.reference,
                        element=finding.element,
                        old_outcome=finding.outcome,
                        old_rules=tuple(finding.rule_ids),
                        old_citations=tuple(finding.citations),
                        old_version=finding.policy_version.sha256,
                        new=new,
                    )
                )
        if limit is not None and report.requests >= limit:
            break
    report.unscreened = Request.objects.exclude(findings__current=True).count()
    return report
