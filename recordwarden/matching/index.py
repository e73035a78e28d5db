"""The blocking-key index in the database, and the engine's view of it.

SQL here is built from model metadata (table names) and bound parameters only.

``DbIndex`` answers the engine's two questions with two SQL statements: which workers
sit under these keys (an index-only scan of (key_value, worker)), and what are their
matching fields. The index is built in bulk by ``build_match_index`` and kept current
for new or changed workers by ``index_workers``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db import connection, transaction

from recordwarden.records.models import Worker

from .engine.keys import CAPPED, CAPS, KEY_CODES, key_hash, record_keys
from .engine.normalize import Person, prepare
from .models import BlockingKey

WORKER_COLUMNS = (
    "id",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "ssn_hash",
    "ssn_last4_hash",
    "street",
    "city",
    "zip",
)
MAX_FETCH = 5000  # never score more than this many workers for one subject


def person_from_row(row) -> Person:
    return Person(*row)


def worker_person(worker: Worker) -> Person:
    return Person(*(getattr(worker, c) for c in WORKER_COLUMNS))


SQLITE_CACHE_KIB = 32 * 1024
SQLITE_MMAP_BYTES = 256 * 1024 * 1024


def _tune_sqlite_reader() -> None:
    """A larger page cache and memory-mapped reads for this SQLite connection. A
    look-up touches ~100 scattered index pages and ~30 worker rows; with SQLite's
    2 MB default cache each is a read() from the OS page cache. Harmless for every
    other query on the connection (memory only); two pragmas cost microseconds."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB:d}")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES:d}")


class DbIndex:
    """The engine's Index protocol over BlockingKey and records.Worker."""

    def __init__(self) -> None:
        self.key_table = connection.ops.quote_name(BlockingKey._meta.db_table)
        self.worker_table = connection.ops.quote_name(Worker._meta.db_table)
        _tune_sqlite_reader()

    def lookup(self, keys):
        by_hash = {key_hash(k): k for k in keys}
        plain = [h for h, k in by_hash.items() if k[0] not in CAPPED]
        capped = [h for h, k in by_hash.items() if k[0] in CAPPED]
        parts: list[str] = []
        params: list = []
        if plain:
            marks = ",".join(["%s"] * len(plain))
            sql = f"SELECT key_value, worker_id FROM {self.key_table} WHERE key_value IN ({marks})"  # noqa: E501, S608  # nosec B608
            parts.append(sql)
            params.extend(plain)
        for i, value in enumerate(capped):
            # A common name's block is read only far enough to know it is too big.
            limit = int(CAPS[by_hash[value][0]]) + 1
            sql = f"SELECT * FROM (SELECT key_value, worker_id FROM {self.key_table} WHERE key_value = %s LIMIT {limit}) AS capped_{i}"  # noqa: E501, S608  # nosec B608
            parts.append(sql)
            params.append(value)
        if not parts:
            return {}
        out: dict[tuple[str, str], list] = {}
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for value, worker_id in cursor.fetchall():
                out.setdefault(by_hash[value], []).append(worker_id)
        return out

    def fetch(self, ids: Iterable) -> list[Person]:
        ids = list(ids)[:MAX_FETCH]
        if not ids:
            return []
        marks = ",".join(["%s"] * len(ids))
        columns = ", ".join(WORKER_COLUMNS)
        with connection.cursor() as cursor:
            sql = f"SELECT {columns} FROM {self.worker_table} WHERE id IN ({marks})"  # noqa: S608  # nosec B608
            cursor.execute(sql, ids)
            return [person_from_row(row) for row in cursor.fetchall()]


def key_rows(person: Person) -> Iterator[tuple[int, int, int]]:
    """(worker id, key type code, key value) for every key of one worker."""
    for key in record_keys(prepare(person)):
        yield person.id, KEY_CODES[key[0]], key_hash(key)


def _worker_batches(batch: int, *, only_unindexed: bool) -> Iterator[list[Person]]:
    columns = ", ".join(f"w.{c}" for c in WORKER_COLUMNS)
    worker_table = connection.ops.quote_name(Worker._meta.db_table)
    key_table = connection.ops.quote_name(BlockingKey._meta.db_table)
    where = "w.id > %s"
    if only_unindexed:
        where += (
            f" AND NOT EXISTS (SELECT 1 FROM {key_table} k WHERE k.worker_id = w.id)"  # noqa: E501, S608  # nosec B608
        )
    last = -1
    while True:
        with connection.cursor() as cursor:
            sql = f"SELECT {columns} FROM {worker_table} w WHERE {where} ORDER BY w.id LIMIT {int(batch)}"  # noqa: E501, S608  # nosec B608
            cursor.execute(sql, [last])
            rows = cursor.fetchall()
        if not rows:
            return
        yield [person_from_row(r) for r in rows]
        last = rows[-1][0]


def _insert(rows: list[tuple[int, int, int]]) -> None:
    table = connection.ops.quote_name(BlockingKey._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3: COPY is an order of magnitude faster
            with raw.copy(
                f"COPY {table} (worker_id, key_type, key_value) FROM STDIN"
            ) as cp:
                for row in rows:
                    cp.write_row(row)
        else:
            sql = f"INSERT INTO {table} (worker_id, key_type, key_value) VALUES (%s, %s, %s)"  # noqa: E501, S608  # nosec B608
            cursor.executemany(sql, rows)


def _lookup_index_sql(create: bool) -> str:
    q = connection.ops.quote_name
    index = next(
        i for i in BlockingKey._meta.indexes if i.name == "matching_key_lookup"
    )
    if not create:
        return f"DROP INDEX IF EXISTS {q(index.name)}"
    columns = ", ".join(q(BlockingKey._meta.get_field(f).column) for f in index.fields)
    return (
        f"CREATE INDEX {q(index.name)} ON {q(BlockingKey._meta.db_table)} ({columns})"
    )


def build_index(*, rebuild: bool, batch: int = 50_000, progress=None) -> dict:
    """Index every worker (``rebuild``) or only workers not yet indexed. A rebuild
    drops the look-up index while loading and creates it once at the end, which is
    several times faster than maintaining it row by row."""
    workers = keys = 0
    sync = None
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # Each batch is its own commit; in WAL mode NORMAL syncs at checkpoints only,
        # which keeps the database consistent (an interrupted build is rerun). SQLite
        # refuses the change inside a transaction, where it would not help anyway.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            sync = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA synchronous=NORMAL")
    if rebuild:
        with transaction.atomic():
            BlockingKey.objects.all().delete()
            with connection.cursor() as cursor:
                cursor.execute(_lookup_index_sql(create=False))
    try:
        for people in _worker_batches(batch, only_unindexed=not rebuild):
            rows = [row for person in people for row in key_rows(person)]
            with transaction.atomic():
                _insert(rows)
            workers += len(people)
            keys += len(rows)
            if progress:
                progress(workers, keys)
    finally:
        if rebuild:
            with connection.cursor() as cursor:
                cursor.execute(_lookup_index_sql(create=True))
        if sync is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous={sync:d}")
    return {"workers": workers, "keys": keys}


def index_workers(worker_ids: Iterable[int]) -> int:
    """(Re)index these workers: call after creating or changing workers. Returns the
    number of keys written. Must run inside the caller's transaction."""
    ids = list(worker_ids)
    if not ids:
        return 0
    BlockingKey.objects.filter(worker_id__in=ids).delete()
    people = [worker_person(w) for w in Worker.objects.filter(id__in=ids)]
    rows = [row for person in people for row in key_rows(person)]
    _insert(rows)
    return len(rows)
