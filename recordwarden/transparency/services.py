"""Writes of the transparency app: refreshing the report from the audit log, and the
approver's sign-off of a quarterly report on immigration-agency requests."""

from __future__ import annotations

import hashlib
import json
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from recordwarden.accounts.constants import Role
from recordwarden.accounts.permissions import roles_of
from recordwarden.audit import merkle
from recordwarden.audit.checkpoints import checkpoint_latest
from recordwarden.audit.models import AuditEntry
from recordwarden.audit.services import audit_record
from recordwarden.audit.tree import StoredTree
from recordwarden.core.exceptions import Conflict, Forbidden

from . import constants as c
from .fold import (
    RELEVANT_ACTIONS,
    Counts,
    Folder,
    is_immigration,
    keys_named,
    outcome_of,
)
from .models import QuarterCounts, QuarterlyReport, ReportCursor, RequestFact

IN_CHUNK = 500


def report_target_size() -> int:
    """The report covers the log up to its latest signed checkpoint, so that anyone
    can check the entries it was computed from against a signature."""
    latest = checkpoint_latest()
    return latest.size if latest is not None else 0


def report_position() -> int:
    position = ReportCursor.objects.filter(pk=1).values_list("position", flat=True)
    return position.first() or 0


def report_refresh(*, limit: int | None = None) -> int:
    """Fold the audit entries not yet in the report, up to the latest checkpoint (at
    most ``limit`` of them), into the request facts and the quarter counters.
    Returns how many entries were folded. Writes no audit entry: the report is derived
    from the log, and can be thrown away and rebuilt from it."""
    target = report_target_size()
    if report_position() >= target:
        return 0
    with transaction.atomic():
        ReportCursor.objects.get_or_create(pk=1)
        cursor = ReportCursor.objects.select_for_update().get(pk=1)
        start = cursor.position
        end = target if limit is None else min(target, start + limit)
        if end <= start:
            return 0
        tz = ZoneInfo(settings.TIME_ZONE)
        for low in range(start, end, c.REFRESH_BATCH):
            _fold_range(low, min(end, low + c.REFRESH_BATCH), tz)
        cursor.position = end
        cursor.root_hash = StoredTree().root(end).hex()
        cursor.updated_at = timezone.now()
        cursor.save()
    return end - start


@transaction.atomic
def report_rebuild() -> int:
    """Forget everything derived and fold the log again from its first entry."""
    RequestFact.objects.all().delete()
    QuarterCounts.objects.all().delete()
    ReportCursor.objects.update_or_create(
        pk=1, defaults={"position": 0, "root_hash": "", "updated_at": None}
    )
    return report_refresh()


def _chunks(items: list, size: int = IN_CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _load_facts(pks: set[int], refs: set[str]) -> dict[int, RequestFact]:
    rows: dict[int, RequestFact] = {}
    for chunk in _chunks(sorted(pks)):
        rows.update(
            {f.request_id: f for f in RequestFact.objects.filter(request_id__in=chunk)}
        )
    for chunk in _chunks(sorted(refs)):
        rows.update(
            {f.request_id: f for f in RequestFact.objects.filter(reference__in=chunk)}
        )
    return rows


def _columns(fact: dict) -> dict:
    return {
        "reference": fact["ref"],
        "quarter": fact["quarter"],
        "agency_type": fact["agency_type"] or "",
        "instrument": fact["instrument"],
        "outcome": outcome_of(fact),
        "immigration": is_immigration(fact),
        "state": fact,
    }


def _fold_range(low: int, high: int, tz: ZoneInfo) -> None:
    # Read the range by index and skip other actions here: a filter on the action
    # column lets the database plan a scan of every entry with those actions.
    rows = (
        AuditEntry.objects.filter(index__gte=low, index__lt=high)
        .order_by("index")
        .values_list("action", "canonical")
    )
    entries = [json.loads(text) for action, text in rows if action in RELEVANT_ACTIONS]
    if not entries:
        return
    loaded = _load_facts(*keys_named(entries))
    delta = Counts()
    for row in loaded.values():
        delta.add(row.state, -1)
    folder = Folder(tz, {pk: row.state for pk, row in loaded.items()})
    folder.apply_all(entries)
    created, changed = [], []
    for pk in folder.touched | set(loaded):
        fact = folder.facts[pk]
        delta.add(fact, +1)
        if pk in loaded:
            row = loaded[pk]
            for name, value in _columns(fact).items():
                setattr(row, name, value)
            changed.append(row)
        else:
            created.append(RequestFact(request_id=pk, **_columns(fact)))
    RequestFact.objects.bulk_create(created, batch_size=1000)
    RequestFact.objects.bulk_update(
        changed,
        ["reference", "agency_type", "instrument", "outcome", "immigration", "state"],
        batch_size=1000,
    )
    _apply_delta(delta)


def _apply_delta(delta: Counts) -> None:
    for quarter, counter in delta.by_quarter.items():
        row, _ = QuarterCounts.objects.select_for_update().get_or_create(
            quarter=quarter
        )
        merged = Counts({quarter: row.counts})
        target = merged.by_quarter.setdefault(quarter, {})
        for key, value in counter.items():
            total = target.get(key, 0) + value
            if total:
                target[key] = total
            else:
                target.pop(key, None)
        if target:
            row.counts = dict(sorted(target.items()))
            row.save(update_fields=["counts"])
        else:
            row.delete()


def empty_root_hex() -> str:
    return merkle.EMPTY_ROOT.hex()


# --- The quarterly report on immigration-agency requests -----------------------------


def _signer_name(actor) -> str:
    name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return (name or actor.get_username())[:200]


@transaction.atomic
def quarterly_report_sign(*, actor, quarter: str) -> QuarterlyReport:
    """An approver signs off the quarterly report of requests from immigration
    agencies (or for civil immigration enforcement) received in ``quarter``, with the
    agency's attestation that none was granted for a prohibited purpose.

    Refuses (Forbidden) anyone but an approver, (ValidationError) a quarter that has not
    ended, and (Conflict) an attestation the log contradicts: a request in the quarter
    released under anything but a judge's process or the worker's own request or
    consent. Each sign-off is a new version, kept with its PDF and the log size it
    was computed from, and written to the audit log."""
    from .quarterly import quarter_bounds, quarterly_pdf, quarterly_rows

    if Role.APPROVER not in roles_of(actor) or not getattr(actor, "is_active", False):
        raise Forbidden("Only an approver signs off the quarterly report.")
    _, end = quarter_bounds(quarter)
    if timezone.now() < end:
        raise ValidationError({"quarter": "Sign off a quarter only once it has ended."})
    checkpoint = checkpoint_latest()
    if checkpoint is None or checkpoint.created_at < end:
        raise Conflict(
            "No audit checkpoint has been signed since the quarter ended, so the "
            "report could miss its last requests. Sign one (manage.py "
            "audit_checkpoint) and try again."
        )
    report_refresh()
    cursor = ReportCursor.objects.filter(pk=1).first()
    log_size = cursor.position if cursor else 0
    log_root = cursor.root_hash if cursor and cursor.root_hash else empty_root_hex()
    rows, exceptions = quarterly_rows(quarter)
    if exceptions:
        refs = ", ".join(r["reference"] for r in exceptions)
        raise Conflict(
            "The log shows records released for this quarter's immigration requests "
            f"without a judge's process or the worker's consent ({refs}); the "
            "attestation cannot be signed. Refer them to counsel."
        )
    latest = (
        QuarterlyReport.objects.filter(quarter=quarter).order_by("-version").first()
    )
    now = timezone.now()
    report = QuarterlyReport(
        quarter=quarter,
        version=(latest.version + 1) if latest else 1,
        signed_by=actor,
        signed_by_name=_signer_name(actor),
        signed_at=now,
        log_size=log_size,
        log_root=log_root,
        rows=rows,
    )
    report.pdf = quarterly_pdf(report)
    report.sha256 = hashlib.sha256(report.pdf).hexdigest()
    report.full_clean()
    report.save()
    audit_record(
        actor=actor,
        action=c.QUARTERLY_REPORT_SIGNED,
        target=report,
        data={
            "quarter": quarter,
            "version": report.version,
            "role": Role.APPROVER.value,
            "requests": len(rows),
            "sha256": report.sha256,
            "log_size": log_size,
            "log_root": log_root,
        },
    )
    return report
