"""Reads of the policy app. The review app calls ``element_allowed`` before any
approval, so nothing the policy does not permit can be approved through any door."""

from __future__ import annotations

from .constants import GRANTED, Outcome
from .models import Finding, PolicyVersion


def current_findings(request) -> dict[str, Finding]:
    """The current finding for each element of ``request`` (empty if never screened)."""
    findings = Finding.objects.filter(request=request, current=True).select_related(
        "policy_version"
    )
    return {f.element: f for f in findings}


def element_allowed(request, element: str) -> bool:
    """True only if the current finding for ``element`` permits it (with or without
    escalation). No finding, an unknown element or a denial is False."""
    return Finding.objects.filter(
        request=request, element=element, current=True, outcome__in=GRANTED
    ).exists()


def requires_escalation(request, element: str) -> bool:
    """True if releasing ``element`` needs counsel and the approver first."""
    return Finding.objects.filter(
        request=request, element=element, current=True, outcome=Outcome.ESCALATE
    ).exists()


def active_version() -> PolicyVersion | None:
    return PolicyVersion.objects.filter(active=True).first()


def findings_history(request) -> list[Finding]:
    """Every finding ever made on ``request``, newest first."""
    return list(
        Finding.objects.filter(request=request)
        .select_related("policy_version")
        .order_by("-created_at", "element")
    )
