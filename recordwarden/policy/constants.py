"""Outcomes and audit actions of the policy app."""

from django.db import models

from recordwarden.audit import actions as audit_actions


class Outcome(models.TextChoices):
    PERMIT = "permit", "Permitted (two signatures)"
    ESCALATE = "escalate", "Permitted only with escalation (counsel and approver)"
    DENY = "deny", "Not permitted"


GRANTED = frozenset({Outcome.PERMIT, Outcome.ESCALATE})

POLICY_VERSION_ACTIVATED = "policy.version_activated"
FINDINGS_RECORDED = "policy.findings_recorded"
POLICY_ALERT = "policy.alert"

audit_actions.register(POLICY_VERSION_ACTIVATED, FINDINGS_RECORDED, POLICY_ALERT)
