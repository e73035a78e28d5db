"""Bulk writes for the synthetic state: plain executemany on SQLite, COPY on PostgreSQL.

The ORM's bulk_create costs about 30 µs a row; at 8.5 million rows that alone would
blow the two-minute budget, so the loader builds row tuples straight from the
generator's numpy columns and hands them to the database driver in large batches. It
runs on Django's own connection, inside the caller's transaction, so a failure leaves
nothing behind. Column lists come from the models, so a new nullable column does not
silently shift values.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from itertools import islice
from queue import Full, Queue

import numpy as np
from django.db import connection
from django.db.models import Max

from recordwarden.core import crypto

from .constants import (
    CTX_ALIEN_NUMBER,
    CTX_SAVE_RESULT,
    CTX_SEX,
    CTX_SSN,
    CTX_WORK_AUTHORIZATION,
    WorkerOrigin,
)
from .models import Claim, Employer, HardCase, WageRecord, Worker
from .synthetic import QUARTERS, SyntheticState, worker_id

BATCH = 200_000
STATE = "NM"


def _columns(model, include_id: bool) -> list[str]:
    return [
        f.column for f in model._meta.concrete_fields if include_id or not f.primary_key
    ]


def _batched(rows: Iterable[tuple], size: int = BATCH) -> Iterator[list[tuple]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _prefetched(batches: Iterator[list[tuple]]) -> Iterator[list[tuple]]:
    """Build the next batch (numpy to tuples, SSN encryption) on a helper thread
    while the driver writes this one: sqlite3 releases the GIL inside each step, so
    on two cores the two overlap. An error on the helper thread is raised here; if
    the writer fails, the helper is told to stop and is joined."""
    done = object()
    stop = threading.Event()
    queue: Queue = Queue(maxsize=2)

    def put(item) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(batch):
                    return
        except BaseException as exc:  # handed to the consumer, re-raised there
            put(exc)
            return
        put(done)

    worker = threading.Thread(target=produce, name="records-bulk-rows", daemon=True)
    worker.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def write_rows(model, columns: list[str], rows: Iterable[tuple]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    raw = connection.connection
    count = 0
    if connection.vendor == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)
                count += 1
        return count
    marks = ", ".join("?" for _ in columns)
    # Table and column names come from model metadata; values are bound.
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608  # nosec B608
    cur = raw.cursor()
    try:
        for batch in _prefetched(_batched(rows)):
            cur.executemany(sql, batch)
            count += len(batch)
    finally:
        cur.close()
    return count


def reset_sequences(*models) -> None:
    """After explicit ids, move PostgreSQL's sequences past them (SQLite needs none)."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cur.execute(sql)


def tune_for_load() -> None:
    """More memory for the load: SQLite's page cache (harmless to keep afterwards),
    PostgreSQL's index-build memory for this transaction only."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA cache_size=-524288")
        elif connection.vendor == "postgresql":
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")


def _next_id(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


class _Last4:
    """Keyed hashes of the 10,000 possible last-four values, computed once each."""

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}

    def __call__(self, ssn: str) -> str:
        tail = ssn[-4:]
        value = self.cache.get(tail)
        if value is None:
            value = self.cache[tail] = crypto.ssn_last4_hash(tail)
        return value


def load_state(state: SyntheticState) -> dict[str, int]:
    """Write a generated state. Caller holds the transaction and checked that the
    tables are empty; their secondary indexes are dropped for the load and rebuilt
    (a sort) afterwards, in the same transaction, which is several times cheaper than
    maintaining them row by row. Rebuilding a unique index re-checks uniqueness."""
    tune_for_load()
    e0, w0 = _next_id(Employer), _next_id(Worker)
    saved = drop_secondary_indexes(Worker, WageRecord, Claim, HardCase)
    counts = {
        name: write_rows(model, columns, rows)
        for name, model, columns, rows in state_rows(state, e0=e0, w0=w0)
    }
    recreate_indexes(saved)
    reset_sequences(Employer, Worker)
    return counts


def drop_secondary_indexes(*models) -> list[str]:
    """Drop what makes row-by-row loading slow on ``models``' (empty) tables and
    return the statements that rebuild it, in order, inside the same transaction.

    SQLite: every index with its own CREATE statement (foreign-key and other
    non-unique indexes; inline UNIQUE constraints stay). PostgreSQL: plain indexes,
    and also unique and foreign-key constraints (but not primary keys), which are added
    back after the rows: one sort per index and one join per foreign key instead of
    millions of deferred per-row checks, as pg_restore does."""
    tables = [m._meta.db_table for m in models]
    if connection.vendor == "sqlite":
        return _drop_sqlite_indexes(tables)
    if connection.vendor == "postgresql":
        return _drop_postgres_indexes_and_constraints(tables)
    return []


def _drop_sqlite_indexes(tables: list[str]) -> list[str]:
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cur:
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "  # noqa: S608  # nosec B608
            f"AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY name",
            tables,
        )
        found = cur.fetchall()
        for name, _ in found:
            cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _, definition in found]


def _drop_postgres_indexes_and_constraints(tables: list[str]) -> list[str]:
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid),"
            " c.contype FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE t.relnamespace = current_schema()::regnamespace "
            "AND t.relname = ANY(%s) AND c.contype IN ('u', 'f') "
            "ORDER BY c.contype, c.conname",
            [tables],
        )
        constraints = cur.fetchall()
        for table, name, _, _ in sorted(constraints, key=lambda c: c[3] != "f"):
            cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {q(name)}")
        cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
            "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)"
            " ORDER BY i.indexname",
            [tables],
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {q(name)}")
    add = {
        kind: [
            f"ALTER TABLE {table} ADD CONSTRAINT {q(name)} {definition}"
            for table, name, definition, contype in constraints
            if contype == kind
        ]
        for kind in ("u", "f")
    }
    return add["u"] + [definition for _, definition in indexes] + add["f"]


def recreate_indexes(statements: list[str]) -> None:
    with connection.cursor() as cur:
        if statements and connection.vendor == "postgresql":
            # Django's foreign keys are deferred; PostgreSQL will not build an index
            # on a table with pending checks, so run those checks now.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in statements:
            cur.execute(statement)


def state_rows(state: SyntheticState, *, e0: int = 1, w0: int = 1):
    """(name, model, columns, row iterable) for each table, in loading order. The
    benchmark feeds the very same rows to a plain driver as its baseline."""
    yield "employers", Employer, _columns(Employer, True), _employer_rows(state, e0)
    yield "workers", Worker, _columns(Worker, True), _worker_rows(state, w0)
    columns = _columns(WageRecord, include_id=False)
    yield "wage_records", WageRecord, columns, _wage_rows(state, w0, e0, columns)
    columns = _columns(Claim, include_id=False)
    yield "claims", Claim, columns, _claim_rows(state, w0, e0, columns)
    yield (
        "hard_cases",
        HardCase,
        ["worker_id", "kind", "group"],
        _hard_case_rows(state, w0),
    )


def _employer_rows(state: SyntheticState, e0: int):
    e = state.employers
    rows = zip(
        range(e0, e0 + len(e)),
        e.fein.tolist(),
        e.account.tolist(),
        e.legal_name.tolist(),
        e.trade_name.tolist(),
        e.street.tolist(),
        e.city.tolist(),
        [STATE] * len(e),
        e.zip.tolist(),
        e.county.tolist(),
        e.naics.tolist(),
        strict=True,
    )
    return rows


def _worker_rows(state: SyntheticState, w0: int):
    p = state.people
    encrypt, ssn_hash, last4 = crypto.encrypt, crypto.ssn_hash, _Last4()
    dob = np.datetime_as_string(p.dob, unit="D").tolist()
    rows = (
        (
            w0 + i,
            worker_id(i),
            first,
            middle,
            last,
            suffix,
            birth,
            street,
            city,
            STATE,
            zip_code,
            county,
            encrypt(ssn, context=CTX_SSN),
            ssn_hash(ssn),
            last4(ssn),
            WorkerOrigin.SYNTHETIC.value,
        )
        for i, (
            first,
            middle,
            last,
            suffix,
            birth,
            street,
            city,
            zip_code,
            county,
            ssn,
        ) in enumerate(
            zip(
                p.first.tolist(),
                p.middle.tolist(),
                p.last.tolist(),
                p.suffix.tolist(),
                dob,
                p.street.tolist(),
                p.city.tolist(),
                p.zip.tolist(),
                p.county.tolist(),
                p.ssn.tolist(),
                strict=True,
            )
        )
    )
    return rows


def _wage_rows(state: SyntheticState, w0: int, e0: int, columns: list[str]):
    w = state.wages
    years = np.array([y for y, _ in QUARTERS], dtype=np.int64)
    quarters = np.array([q for _, q in QUARTERS], dtype=np.int64)
    names = ("worker_id", "employer_id", "year", "quarter", "wages_cents")
    if tuple(columns) != names:
        raise AssertionError(f"WageRecord columns changed: {columns}")
    for start in range(0, len(w), 1_000_000):
        sl = slice(start, start + 1_000_000)
        q = w.quarter[sl].astype(np.int64)
        yield from zip(
            (w.worker[sl] + w0).tolist(),
            (w.employer[sl] + e0).tolist(),
            years[q].tolist(),
            quarters[q].tolist(),
            w.cents[sl].tolist(),
            strict=True,
        )


def _maybe(value: str, context: str) -> bytes | None:
    return crypto.encrypt(value, context=context) if value else None


def _claim_rows(state: SyntheticState, w0: int, e0: int, columns: list[str]):
    c = state.claims
    values = {
        "worker_id": (c.worker + w0).tolist(),
        "claim_number": c.claim_number,
        "separating_employer_id": (c.employer + e0).tolist(),
        "filed_on": [d.isoformat() for d in c.filed_on],
        "effective_on": [d.isoformat() for d in c.effective_on],
        "ended_on": [d.isoformat() if d else None for d in c.ended_on],
        "weekly_benefit_cents": c.weekly_benefit_cents.tolist(),
        "status": c.status,
        "phone": c.phone,
        "work_authorization_encrypted": [
            _maybe(v, CTX_WORK_AUTHORIZATION) for v in c.work_authorization
        ],
        "alien_number_encrypted": [_maybe(v, CTX_ALIEN_NUMBER) for v in c.alien_number],
        "save_result_encrypted": [_maybe(v, CTX_SAVE_RESULT) for v in c.save_result],
        "sex_encrypted": [_maybe(v, CTX_SEX) for v in c.sex],
    }
    return zip(*(values[col] for col in columns), strict=True)


def _hard_case_rows(state: SyntheticState, w0: int):
    if _columns(HardCase, include_id=False) != ["worker_id", "kind", "group"]:
        raise AssertionError("HardCase columns changed")
    for kind, (idx, group) in state.people.hard_cases.items():
        yield from zip(
            (idx + w0).tolist(), [kind] * len(idx), group.tolist(), strict=True
        )
