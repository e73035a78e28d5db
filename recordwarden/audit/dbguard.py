"""The append-only triggers on the audit tables: are they in place, and lifting them for
``manage.py flush`` only (Django's transactional tests empty every table between tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

APPEND_ONLY_TABLES = ("audit_auditentry", "audit_auditsubtree", "audit_auditcheckpoint")


def _sqlite_triggers(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND tbl_name IN (%s, %s, %s) ORDER BY name",
        list(APPEND_ONLY_TABLES),
    )
    return list(cursor.fetchall())


def missing_triggers(connection) -> list[str]:
    """Tables whose UPDATE/DELETE guard is not in place (empty list: all guarded)."""
    missing = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            names = {name for name, _ in _sqlite_triggers(cursor)}
            for table in APPEND_ONLY_TABLES:
                for op in ("no_update", "no_delete"):
                    if f"{table}_{op}" not in names:
                        missing.append(f"{table}_{op}")
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
            )
            names = {row[0] for row in cursor.fetchall()}
            for table in APPEND_ONLY_TABLES:
                for name in ("append_only", "no_truncate"):
                    if f"{table}_{name}" not in names:
                        missing.append(f"{table}_{name}")
    return missing


def _existing_tables(connection) -> list[str]:
    present = set(connection.introspection.table_names())
    return [t for t in APPEND_ONLY_TABLES if t in present]


@contextmanager
def append_only_lifted(connection) -> Iterator[None]:
    """Drop (SQLite) or disable (PostgreSQL) the guards, and restore them on exit."""
    tables = _existing_tables(connection)
    if not tables:
        yield
        return
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            saved = _sqlite_triggers(cursor)
            for name, _ in saved:
                cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for _, sql in saved:
                    cursor.execute(sql)
    elif connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER USER")
    else:
        yield
