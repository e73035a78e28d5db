"""Writes of the policy app: activating a policy version, recording findings."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from recordwarden.audit.guard import PersonalDataError, check_text
from recordwarden.audit.services import actor_ref, audit_record
from recordwarden.core.exceptions import Forbidden
from recordwarden.intake.models import Request

from . import engine
from .constants import FINDINGS_RECORDED, POLICY_ALERT, POLICY_VERSION_ACTIVATED
from .facts import RequestFacts
from .models import Finding, PolicyVersion
from .permissions import can_activate_policy

BASELINE_REASON = "Baseline policy shipped with Recordwarden (policies/)."


@transaction.atomic
def policy_version_activate(
    *, actor, text: str, schema: str, reason: str
) -> PolicyVersion:
    """Check a policy set and schema, store them by hash and make them the active
    version. Administrators only. Refuses a set the engine would not load (parse or
    validation errors, a rule without @id/@reason/@citation, a forbid that does not
    bind both release actions, ...) and an empty reason. Audited with who and why."""
    if not can_activate_policy(actor):
        raise Forbidden("Only administrators activate policy versions.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this version is being activated."})
    try:
        check_text(reason, "reason")
    except PersonalDataError as exc:
        # The reason goes on the public audit log.
        raise ValidationError(
            {"reason": f"Leave personal data out of the reason: {exc}"}
        ) from exc
    try:
        loaded = engine.load_policy_text(text, schema)
    except engine.PolicyError as exc:
        raise ValidationError({"text": exc.problems}) from exc
    previous = PolicyVersion.objects.select_for_update().filter(active=True).first()
    if previous is not None and previous.sha256 == loaded.version:
        raise ValidationError({"text": "This version is already active."})
    now = timezone.now()
    PolicyVersion.objects.filter(active=True).update(active=False)
    version = PolicyVersion.objects.filter(sha256=loaded.version).first()
    created = version is None
    if created:
        version = PolicyVersion(
            sha256=loaded.version, text=text, schema=schema, created_at=now
        )
    version.active = True
    version.activated_at = now
    version.activated_by = actor if isinstance(actor, get_user_model()) else None
    version.activated_by_label = (
        actor_ref(actor) if version.activated_by is None else ""
    )
    version.reason = reason
    version.full_clean()
    version.save()
    audit_record(
        actor=actor,
        action=POLICY_VERSION_ACTIVATED,
        target=version,
        data={
            "sha256": version.sha256,
            "previous": previous.sha256 if previous else None,
            "reason": reason,
            "new_version": created,
            "rules": sorted(rule.id for rule in loaded.rules),
        },
    )
    return version


def policy_version_ensure_active() -> PolicyVersion:
    """The active version; on first use, activate the shipped baseline (audited as the
    system). Safe against two first uses at once."""
    version = PolicyVersion.objects.filter(active=True).first()
    if version is not None:
        return version
    text, schema = engine.read_policy_files()
    try:
        with transaction.atomic():
            return policy_version_activate(
                actor="system:baseline",
                text=text,
                schema=schema,
                reason=BASELINE_REASON,
            )
    except (IntegrityError, ValidationError):
        version = PolicyVersion.objects.filter(active=True).first()
        if version is None:
            raise
        return version


def _decisions_for(version: PolicyVersion, facts: RequestFacts, elements: list[str]):
    try:
        policy = engine.load_policy_text(version.text, version.schema)
    except Exception as exc:  # a stored version the engine can no longer load
        message = f"policy version {version.short} could not be loaded: {exc}"
        engine.alert("load_failed", message, version=version.sha256)
        return {key: engine.undecidable(message) for key in elements}
    return engine.decide(facts, elements, policy)


def _safe(text: str) -> str:
    """Text for the public audit log: anything that looks personal is withheld."""
    try:
        check_text(text, "text")
    except PersonalDataError:
        return "(withheld: looked like personal data)"
    return text


@transaction.atomic
def findings_record(*, actor, request: Request, facts: RequestFacts) -> list[Finding]:
    """Decide every element the request asks for under the active policy and store the
    findings (the previous screening's findings stay, marked not current). Writes one
    audit entry for the findings and one alert entry for each element the policy could
    not decide."""
    Request.objects.select_for_update().filter(pk=request.pk).first()
    version = policy_version_ensure_active()
    elements = [str(e) for e in (request.elements or [])]
    decisions = _decisions_for(version, facts, elements)
    now = timezone.now()
    Finding.objects.filter(request=request, current=True).update(current=False)
    snapshot = facts.to_json()
    findings = []
    for element, decision in decisions.items():
        finding = Finding(
            request=request,
            element=element[:64],
            outcome=decision.outcome,
            rule_ids=list(decision.rule_ids),
            reasons=list(decision.reasons),
            citations=list(decision.citations),
            errors=list(decision.errors),
            facts=snapshot,
            policy_version=version,
            current=True,
            created_at=now,
        )
        finding.full_clean()
        findings.append(finding)
    Finding.objects.bulk_create(findings)
    audit_record(
        actor=actor,
        action=FINDINGS_RECORDED,
        target=request,
        data={
            "policy_version": version.sha256,
            # A list, not a mapping: element keys such as "ssn" are field names the
            # audit guard (rightly) refuses as keys.
            "findings": [
                {"element": _safe(f.element), "outcome": f.outcome, "rules": f.rule_ids}
                for f in findings
            ],
            "recommendation": engine.recommend(decisions, facts),
        },
    )
    for finding in findings:
        if finding.errors:
            audit_record(
                actor=actor,
                action=POLICY_ALERT,
                target=request,
                data={
                    "element": _safe(finding.element),
                    "errors": [_safe(e) for e in finding.errors],
                    "policy_version": version.sha256,
                },
            )
    return findings
