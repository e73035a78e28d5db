"""Shared set-up for the audit tests: a log written through the real services, and a
"database administrator" who lifts the append-only guards to tamper with rows."""

from __future__ import annotations

from django.db import connection

from recordwarden.audit import actions
from recordwarden.audit.dbguard import append_only_lifted
from recordwarden.audit.services import AuditEvent, audit_record_many


def write_log(count: int, *, start: int = 0) -> list:
    return audit_record_many(
        AuditEvent(
            actor=f"user:{i % 7 + 1}",
            action=actions.STAFF_ROLE_GRANTED,
            target=f"accounts.user:{i}",
            data={"role": "reviewer", "n": i},
        )
        for i in range(start, start + count)
    )


def write_restricted(count: int, *, case: str = "intake.request:31337") -> list:
    """Entries of a restricted action: look-ups of workers' records inside a case."""
    return audit_record_many(
        AuditEvent(
            actor=f"user:{i % 3 + 1}",
            action=actions.RECORD_READ,
            target=f"records.worker:{424242 + i}",
            data={"case": case, "what": "worker_record"},
        )
        for i in range(count)
    )


def as_db_admin(*statements: tuple[str, list]) -> None:
    """Run raw SQL with the triggers out of the way (then put them back), as someone
    with the database console would."""
    with append_only_lifted(connection), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
