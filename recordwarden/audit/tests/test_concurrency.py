"""Concurrent writers get contiguous indexes and one consistent tree."""

import threading

import pytest
from django.db import connection, connections

from recordwarden.audit import actions
from recordwarden.audit.models import AuditEntry
from recordwarden.audit.services import audit_record
from recordwarden.audit.verify import verify_log

WRITERS = 4
EACH = 15


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the SQLite test database is a shared-cache in-memory file, which fails "
    "concurrent writers instead of queueing them; the file database in bench/ does",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_contiguous_indexes():
    errors = []

    def writer(n: int) -> None:
        try:
            for i in range(EACH):
                audit_record(
                    actor=f"user:{n}",
                    action=actions.LOGIN_LOCKED,
                    target=f"login:{n}-{i}",
                )
        except Exception as exc:  # reported below, not swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    indexes = list(AuditEntry.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(WRITERS * EACH))
    result = verify_log()
    assert result.ok, result.problems
