"""Writing to the audit log. Call audit_record inside the service's own transaction.

An entry is canonical JSON (sorted keys, no spaces, UTF-8)::

    {"action":…,"actor":…,"data":{…},"index":N,"target":…,"time":"…Z","v":1}

and its leaf hash is SHA-256(0x00 || that text). An entry of a *restricted* action
(visibility.py: one that could tell whether a person is in the records) also holds
``"salt"``: 16 random bytes in hex, so that nobody outside can confirm a guess of its
content against its public leaf hash. Public entries have no salt.

Appends lock the log's head row, so indexes are contiguous, and become durable with the
caller's commit (WAL with synchronous=FULL on SQLite, synchronous_commit=on on
PostgreSQL). Bulk jobs group many entries into one commit with ``audit_record_many``.

On PostgreSQL the head lock is held until the caller's transaction ends: write the audit
entry near the end of a service, after its other row locks, to keep waits short.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import actions as audit_actions
from . import guard, tree, visibility
from .models import AuditEntry

ENTRY_VERSION = 1
SALT_BYTES = 16
_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")


class AuditContextError(ValueError):
    """A read of a worker's data was logged without the case it belongs to."""


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


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"audit data cannot hold a {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text, no NaN: the same value always gives the
    same bytes. (For string, integer and boolean values this is RFC 8785 JCS output.)"""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_plain,
    )


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class AuditEvent:
    """One entry to append with ``audit_record_many``."""

    actor: Any
    action: str
    target: Any = None
    data: Mapping[str, Any] | None = field(default=None)


def _prepare(event: AuditEvent) -> tuple[str, str, str, dict]:
    if event.action not in audit_actions.ALL_ACTIONS:
        raise ValueError(f"unregistered audit action {event.action!r}")
    actor = actor_ref(event.actor)
    target = target_ref(event.target)
    if len(actor) > 64 or len(target) > 128:
        raise ValueError("audit actor or target reference is too long")
    guard.check_text(actor, "actor")
    guard.check_text(target, "target")
    raw = dict(event.data or {})
    # Round-trip through canonical JSON: what is stored is exactly what is hashed.
    data = json.loads(canonical_json(raw))
    guard.check_data(data)
    return actor, event.action, target, data


def _build(index: int, now: dt.datetime, prepared: tuple) -> AuditEntry:
    actor, action, target, data = prepared
    body = {
        "v": ENTRY_VERSION,
        "index": index,
        "time": format_time(now),
        "actor": actor,
        "action": action,
        "target": target,
        "data": data,
    }
    salt = None
    if not visibility.is_public(action):
        salt = body["salt"] = secrets.token_hex(SALT_BYTES)
    canonical = canonical_json(body)
    leaf = hashlib.sha256(b"\x00" + canonical.encode()).hexdigest()
    return AuditEntry(
        index=index,
        created_at=now,
        actor=actor,
        action=action,
        target=target,
        data=data,
        salt=salt,
        canonical=canonical,
        leaf_hash=leaf,
    )


def _append(events: list[AuditEvent]) -> list[AuditEntry]:
    prepared = [_prepare(e) for e in events]  # validate everything before locking
    with transaction.atomic():
        head, compact = tree.lock_head()
        appender = tree.Appender(compact)
        now = timezone.now()
        entries = []
        for item in prepared:
            entry = _build(compact.size, now, item)
            appender.add(bytes.fromhex(entry.leaf_hash))
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries)
        appender.flush()
        tree.save_head(head, compact)
    return entries


def audit_record(
    *, actor: Any, action: str, target: Any = None, data: dict | None = None
) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction (it is atomic itself).

    ``action`` must be a registered constant; ``data`` holds ids, hashes and codes only
    (see guard.py: personal keys and SSN- or e-mail-like values are refused)."""
    return _append([AuditEvent(actor, action, target, data)])[0]


def audit_record_many(
    events: Iterable[AuditEvent | Mapping[str, Any]],
) -> list[AuditEntry]:
    """Append many entries under one lock and one commit (bulk jobs, imports).

    Each item is an ``AuditEvent`` or a mapping with the keyword arguments of
    ``audit_record``. All or none are written."""
    batch = [e if isinstance(e, AuditEvent) else AuditEvent(**e) for e in events]
    if not batch:
        return []
    return _append(batch)


def _case_ref(case: Any, request_ref: str | None) -> str:
    if case is not None and request_ref is not None:
        raise AuditContextError("give the case or its request_ref, not both")
    ref = request_ref if request_ref is not None else target_ref(case) if case else ""
    if not ref or not isinstance(ref, str):
        raise AuditContextError(
            "staff may read a worker's data only inside a case: pass case= (the "
            "request) or request_ref="
        )
    return ref


def audit_read(
    *,
    actor: Any,
    target: Any,
    what: str,
    case: Any = None,
    request_ref: str | None = None,
) -> AuditEntry:
    """Log that ``actor`` viewed ``target`` (a worker, a match candidate list, a
    package…) while working on a case. ``what`` is a short code such as
    ``worker_record``, ``match_candidates`` or ``package``.

    Refuses (AuditContextError) without a case: staff look-ups happen only inside a
    request, and the entry says which one."""
    ref = _case_ref(case, request_ref)
    if actor is None or actor_ref(actor) in {"anonymous", "system"}:
        raise AuditContextError("a read is logged against the person who read")
    if target is None or target == "":
        raise AuditContextError("a read names what was read")
    if not isinstance(what, str) or not _CODE_RE.match(what):
        raise ValueError("what is a short lower-case code, e.g. 'worker_record'")
    return audit_record(
        actor=actor,
        action=audit_actions.RECORD_READ,
        target=target,
        data={"case": ref, "what": what},
    )
