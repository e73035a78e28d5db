"""Audit log: durable appends per second, time to verify the log, time to make a proof.

    .venv/bin/python bench/audit.py [--quick] [--entries N]

Runs on its own SQLite file under bench/out/ (WAL, synchronous=FULL, IMMEDIATE
transactions: the project's settings), in a child process so that its database does not
depend on which benchmark set Django up first when bench/run_all.py runs them together.

Figures, each beside a baseline measured in the same run:
- appends/s with one commit per entry (audit_record) and with grouped commits
  (audit_record_many, 500 per commit), against raw sqlite3 inserts of the same rows
  into a plain table with the same pragmas, committed the same ways;
- four processes appending at once: the log must come out contiguous and verify;
- seconds to verify 1,000,000 entries (100,000 with --quick) with verify_log (best of
  two runs, wall clock and CPU), against only reading the rows and hashing each entry;
- inclusion and consistency proof generation at that size (median and p95 of 300 proofs,
  each with a fresh reader as a web request would have), against reading one entry by
  index.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
DB_FILE = OUT / "audit-bench.sqlite3"
RAW_FILE = OUT / "audit-bench-raw.sqlite3"
GROUP = 500


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _fresh_files() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for base in (DB_FILE, RAW_FILE):
        for suffix in ("", "-wal", "-shm"):
            Path(str(base) + suffix).unlink(missing_ok=True)


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
    os.environ["AUDIT_SIGNING_KEY_FILE"] = str(OUT / "audit-bench-signing.pem")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recordwarden.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _events(start: int, count: int):
    from recordwarden.audit import actions
    from recordwarden.audit.services import AuditEvent

    return [
        AuditEvent(
            actor=f"user:{i % 40 + 1}",
            action=actions.RECORD_READ,
            target=f"records.worker:{(i * 7919) % 911_700}",
            data={"case": f"review.request:{i // 25}", "what": "worker_record"},
        )
        for i in range(start, start + count)
    ]


def _raw_rows(count: int) -> list[tuple]:
    """The rows our appends wrote, to replay through plain sqlite3."""
    from recordwarden.audit.models import AuditEntry

    return list(
        AuditEntry.objects.order_by("index").values_list(
            "index", "created_at", "actor", "action", "target", "canonical", "leaf_hash"
        )[:count]
    )


def _raw_inserts(rows: list[tuple], group: int) -> float:
    """Seconds to insert ``rows`` with plain sqlite3, committing every ``group``."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(RAW_FILE) + suffix).unlink(missing_ok=True)
    db = sqlite3.connect(RAW_FILE, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(
        'CREATE TABLE entry ("index" INTEGER UNIQUE, created_at TEXT, actor TEXT, '
        "action TEXT, target TEXT, data TEXT, canonical TEXT, leaf_hash TEXT)"
    )
    db.execute("CREATE INDEX entry_action ON entry(action)")
    db.execute("CREATE INDEX entry_target ON entry(target)")
    sql = "INSERT INTO entry VALUES (?, ?, ?, ?, ?, '{}', ?, ?)"
    started = time.perf_counter()
    for i in range(0, len(rows), group):
        db.execute("BEGIN IMMEDIATE")
        db.executemany(sql, [(r[0], str(r[1]), *r[2:]) for r in rows[i : i + group]])
        db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def _appends(quick: bool) -> dict:
    from recordwarden.audit.services import audit_record, audit_record_many

    singles = 300 if quick else 1000
    grouped = 20_000 if quick else 100_000
    started = time.perf_counter()
    for event in _events(0, singles):
        audit_record(
            actor=event.actor, action=event.action, target=event.target, data=event.data
        )
    single_s = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(singles, singles + grouped, GROUP):
        audit_record_many(_events(i, GROUP))
    grouped_s = time.perf_counter() - started
    rows = _raw_rows(singles + grouped)
    raw_single_s = _raw_inserts(rows[:singles], 1)
    raw_grouped_s = _raw_inserts(rows[singles:], GROUP)
    return {
        "single_per_s": singles / single_s,
        "grouped_per_s": grouped / grouped_s,
        "raw_single_per_s": singles / raw_single_s,
        "raw_grouped_per_s": grouped / raw_grouped_s,
        "written": singles + grouped,
    }


def _concurrent_writer(start: int, count: int) -> None:
    from django.db import connections

    from recordwarden.audit.services import audit_record

    for event in _events(start, count):
        audit_record(
            actor=event.actor, action=event.action, target=event.target, data=event.data
        )
    connections.close_all()


def _concurrent(quick: bool, writers: int = 4) -> dict:
    """Several processes appending one commit each: the lock must keep indexes
    contiguous (checked by verify_log) and the writers must queue, not fail."""
    import multiprocessing

    from django.db import connections

    from recordwarden.audit.models import AuditEntry
    from recordwarden.audit.verify import verify_log

    each = 50 if quick else 150
    base = AuditEntry.objects.count()
    connections.close_all()
    context = multiprocessing.get_context("fork")
    procs = [
        context.Process(target=_concurrent_writer, args=(base + n * each, each))
        for n in range(writers)
    ]
    started = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    seconds = time.perf_counter() - started
    if any(p.exitcode for p in procs):
        raise SystemExit("a concurrent writer failed")
    result = verify_log()
    if not result.ok or result.size != base + writers * each:
        raise SystemExit(f"concurrent appends broke the log: {result.problems[:3]}")
    return {"concurrent_per_s": writers * each / seconds, "writers": writers}


def _count() -> int:
    from recordwarden.audit.models import AuditEntry

    return AuditEntry.objects.count()


def _fill(total: int, have: int) -> None:
    from recordwarden.audit.services import audit_record_many

    started = time.perf_counter()
    batch = 5000
    for i in range(have, total, batch):
        audit_record_many(_events(i, min(batch, total - i)))
        if (i // batch) % 40 == 0:
            log(f"   filled {i:,} of {total:,}")
    log(f"   filled {total:,} entries in {time.perf_counter() - started:.0f} s")


def _read_and_hash_floor() -> float:
    import hashlib

    from recordwarden.audit.models import AuditEntry

    started = time.perf_counter()
    rows = AuditEntry.objects.order_by("index").values_list(
        "index", "canonical", "leaf_hash"
    )
    for _, canonical, _ in rows.iterator(chunk_size=20_000):
        hashlib.sha256(b"\x00" + canonical.encode()).digest()
    return time.perf_counter() - started


def _verify(total: int) -> dict:
    from recordwarden.audit.checkpoints import checkpoint_sign
    from recordwarden.audit.verify import verify_log

    checkpoint_sign(actor="system:bench")
    floor = _read_and_hash_floor()
    runs = []
    for _ in range(2):  # best of two: the machine is shared
        started, cpu = time.perf_counter(), time.process_time()
        result = verify_log()
        runs.append((time.perf_counter() - started, time.process_time() - cpu))
        if not result.ok or result.size != total:
            raise SystemExit(f"verification failed: {result.problems[:3]}")
    seconds, cpu = min(runs)
    return {"verify_s": seconds, "verify_cpu_s": cpu, "floor_s": floor}


def _timed(fn, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def _proofs(total: int) -> dict:
    from recordwarden.audit import merkle, selectors
    from recordwarden.audit.models import AuditEntry

    rng = random.Random(9162)
    root = selectors.root_at(total)

    def inclusion():
        index = rng.randrange(total)
        proof = selectors.inclusion_proof(index, total)
        merkle.verify_inclusion(index, total, proof.leaf_hash, proof.proof, root)

    def consistency():
        first = rng.randrange(1, total)
        proof = selectors.consistency_proof(first, total)
        merkle.verify_consistency(first, total, proof.first_root, root, proof.proof)

    def point_read():
        AuditEntry.objects.filter(index=rng.randrange(total)).values_list(
            "leaf_hash", flat=True
        ).first()

    _timed(inclusion, 20)  # warm the page cache the way a running server would be
    inc = _timed(inclusion, 300)
    con = _timed(consistency, 300)
    point = _timed(point_read, 300)
    return {
        "inclusion_median_ms": statistics.median(inc),
        "inclusion_p95_ms": _p95(inc),
        "consistency_median_ms": statistics.median(con),
        "consistency_p95_ms": _p95(con),
        "point_read_median_ms": statistics.median(point),
    }


def measure(quick: bool, entries: int | None) -> dict:
    _fresh_files()
    _setup_django()
    total = entries or (100_000 if quick else 1_000_000)
    log("== appends")
    figures = _appends(quick)
    log("== concurrent writers")
    figures.update(_concurrent(quick))
    figures["written"] = _count()
    log(f"== filling the log to {total:,}")
    _fill(total, figures["written"])
    log("== verify")
    figures.update(_verify(total))
    log("== proofs")
    figures.update(_proofs(total))
    figures["total"] = total
    return figures


def rows_from(f: dict) -> list[tuple[str, str, str]]:
    n = f"{f['total']:,}"
    return [
        (
            "durable appends/s, grouped commits (500 per commit)",
            f"{f['grouped_per_s']:,.0f}/s (raw sqlite3: {f['raw_grouped_per_s']:,.0f}/s, "
            f"ratio {f['grouped_per_s'] / f['raw_grouped_per_s']:.2f})",
            ">= 2,000/s",
        ),
        (
            "durable appends/s, one commit each",
            f"{f['single_per_s']:,.0f}/s (raw sqlite3: {f['raw_single_per_s']:,.0f}/s, "
            f"ratio {f['single_per_s'] / f['raw_single_per_s']:.2f})",
            "(comparison)",
        ),
        (
            f"{f['writers']} processes appending at once, one commit each",
            f"{f['concurrent_per_s']:,.0f}/s, indexes contiguous, log verifies",
            "(correctness)",
        ),
        (
            f"verify {n} entries",
            f"{f['verify_s']:.1f} s, {f['verify_cpu_s']:.1f} s CPU "
            f"(read+hash only: {f['floor_s']:.1f} s, "
            f"ratio {f['verify_s'] / f['floor_s']:.1f})",
            "<= 10 s at 1,000,000",
        ),
        (
            f"inclusion proof at {n} (median / p95)",
            f"{f['inclusion_median_ms']:.2f} / {f['inclusion_p95_ms']:.2f} ms "
            f"(one-row read: {f['point_read_median_ms']:.2f} ms)",
            "<= 5 ms",
        ),
        (
            f"consistency proof at {n} (median / p95)",
            f"{f['consistency_median_ms']:.2f} / {f['consistency_p95_ms']:.2f} ms",
            "<= 5 ms",
        ),
    ]


def main(quick: bool, entries: int | None = None) -> list[tuple[str, str, str]]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child"]
    if quick:
        command.append("--quick")
    if entries:
        command += ["--entries", str(entries)]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(  # noqa: S603 (our own script)
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, check=True, text=True
    )
    return rows_from(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 entries")
    parser.add_argument("--entries", type=int, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.quick, args.entries)))
    else:
        for figure, value, target in main(args.quick, args.entries):
            print(f"{figure:<48} {value:<60} target {target}")
