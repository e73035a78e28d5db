"""Writing to the audit log. Call audit_record inside the service's own transaction."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from . import actions as audit_actions
from .models import AuditEntry


def actor_ref(actor: Any) -> str:
    """A stable, non-personal reference for whoever acted."""
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None):
        return f"user:{actor.pk}"
    model = getattr(getattr(actor, "_meta", None), "label_lower", None)
    if model and getattr(actor, "pk", None):
        return f"{model}:{actor.pk}"
    return "anonymous"


def target_ref(target: Any) -> str:
    if target is None:
        return ""
    if isinstance(target, str):
        return target
    return f"{target._meta.label_lower}:{target.pk}"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def audit_record(
    *, actor: Any, action: str, target: Any = None, data: dict | None = None
) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction (it is atomic itself)."""
    if action not in audit_actions.ALL_ACTIONS:
        raise ValueError(f"unregistered audit action {action!r}")
    with transaction.atomic():
        last = AuditEntry.objects.aggregate(m=models.Max("index"))["m"]
        index = 0 if last is None else last + 1
        now = timezone.now()
        body = {
            "index": index,
            "time": now.isoformat(),
            "actor": actor_ref(actor),
            "action": action,
            "target": target_ref(target),
            "data": data or {},
        }
        canonical = canonical_json(body)
        leaf = hashlib.sha256(b"\x00" + canonical.encode()).hexdigest()
        return AuditEntry.objects.create(
            index=index,
            created_at=now,
            actor=body["actor"],
            action=action,
            target=body["target"],
            data=body["data"],
            canonical=canonical,
            leaf_hash=leaf,
        )
