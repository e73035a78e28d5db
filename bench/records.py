"""Records: synthesize and load the full state (911,700 workers, 8 quarters of wages).

    .venv/bin/python bench/records.py [--quick] [--workers N]

Each measurement runs in its own child process, on its own database, so peak memory is
that of one load and nothing is cached between them:

- synthesize_state into a fresh SQLite file under bench/out/ (the project's settings:
  WAL, synchronous=FULL, IMMEDIATE transactions), wall time from the service call to
  its commit, including generation, SSN encryption and the audit entry;
- the baseline: the very same rows (bulk.state_rows, ciphertexts included) built in
  memory first, then inserted with plain ``sqlite3.executemany`` into another freshly
  migrated file with the same schema and indexes kept in place, in one transaction,
  with the same 512 MiB page cache the loader asks for; only the inserts are timed;
- the same pair on PostgreSQL when DATABASE_URL names one (fresh databases
  ``<name>_bench_records`` and ``<name>_bench_raw`` are created and dropped), with a
  plain ``COPY`` of the same rows as the baseline.

Figures: seconds, rows per second beside the baseline's, their ratio, peak resident
memory of each child. --quick uses a tenth of the state.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
FULL = 911_700
SEED = 505


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stall_us() -> dict[str, int]:
    """Linux pressure-stall totals (µs some task waited for CPU / for I/O)."""
    totals = {}
    for kind in ("cpu", "io"):
        try:
            text = Path(f"/proc/pressure/{kind}").read_text()
        except OSError:
            continue
        some = text.splitlines()[0]
        totals[kind] = int(some.rsplit("total=", 1)[1])
    return totals


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _setup(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("RECORDWARDEN_VAR_DIR", str(OUT / "records-var"))
    os.environ.setdefault("DATA_KEY_FILE", str(OUT / "records-bench-data.key"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recordwarden.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _pg_url(base: str, name: str) -> str:
    head, _, _ = base.rpartition("/")
    return f"{head}/{name}"


def _pg_recreate(base: str, name: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(_pg_url(base, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def child_synthesize(database_url: str, workers: int) -> dict:
    _setup(database_url)
    from django.db import connection

    from recordwarden.records.services import state_synthesize

    cpu, stall = _cpu_seconds(), _stall_us()
    started = time.perf_counter()
    result = state_synthesize(actor="system:bench", workers=workers, seed=SEED)
    seconds = time.perf_counter() - started
    stalled = {
        k: (v - stall[k]) / 1e6 / seconds for k, v in _stall_us().items() if k in stall
    }
    size = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_database_size(current_database())")
            size = cur.fetchone()[0]
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "load": os.getloadavg()[0],
        "stalled": stalled,
        "db_mib": size / 2**20,
        "rows": sum(result.counts.values()),
        "counts": result.counts,
        "peak_mib": _peak_mib(),
    }


def child_baseline(database_url: str, workers: int) -> dict:
    """Same rows, plain driver: executemany on SQLite, COPY on PostgreSQL."""
    _setup(database_url)
    from django.db import connection

    from recordwarden.records import bulk
    from recordwarden.records.synthetic import generate_state

    started = time.perf_counter()
    state = generate_state(workers, SEED)
    generate_seconds = time.perf_counter() - started
    tables = [
        (model._meta.db_table, columns, list(rows))
        for _, model, columns, rows in bulk.state_rows(state)
    ]
    build_seconds = time.perf_counter() - started - generate_seconds
    rows = sum(len(t[2]) for t in tables)
    vendor = connection.vendor
    connection.close()
    cpu = _cpu_seconds()
    if vendor == "sqlite":
        seconds = _raw_sqlite(database_url.removeprefix("sqlite:///"), tables)
    else:
        seconds = _raw_copy(database_url, tables)
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "rows": rows,
        "generate_seconds": generate_seconds,
        "build_seconds": build_seconds,
        "peak_mib": _peak_mib(),
    }


def _raw_sqlite(path: str, tables) -> float:
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA cache_size=-524288")  # the page cache the loader also uses
    started = time.perf_counter()
    conn.execute("BEGIN")
    for table, columns, rows in tables:
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def _raw_copy(url: str, tables) -> float:
    import psycopg

    with psycopg.connect(url) as conn:
        started = time.perf_counter()
        with conn.cursor() as cur:
            for table, columns, rows in tables:
                names = ", ".join(f'"{c}"' for c in columns)
                with cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


def _run_child(kind: str, database_url: str, workers: int) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--workers",
            str(workers),
            "--database-url",
            database_url,
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} child failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _sqlite_pair(workers: int) -> tuple[dict, dict]:
    OUT.mkdir(parents=True, exist_ok=True)
    db, raw = OUT / "records-bench.sqlite3", OUT / "records-bench-raw.sqlite3"
    _remove_sqlite(db)
    _remove_sqlite(raw)
    log(f"records: synthesize_state {workers:,} workers into SQLite ...")
    ours = _run_child("synthesize", f"sqlite:///{db}", workers)
    log(f"records:   {ours['seconds']:.1f} s; raw sqlite3 baseline ...")
    base = _run_child("baseline", f"sqlite:///{raw}", workers)
    log(f"records:   baseline inserts {base['seconds']:.1f} s")
    ours["file_mib"] = db.stat().st_size / 2**20
    _remove_sqlite(raw)
    return ours, base


def _postgres_pair(url: str, workers: int) -> tuple[dict, dict]:
    name = url.rpartition("/")[2] or "recordwarden"
    ours_db, raw_db = f"{name}_bench_records", f"{name}_bench_raw"
    try:
        _pg_recreate(url, ours_db)
        _pg_recreate(url, raw_db)
        log(f"records: synthesize_state {workers:,} workers into PostgreSQL ...")
        ours = _run_child("synthesize", _pg_url(url, ours_db), workers)
        log(f"records:   {ours['seconds']:.1f} s; COPY baseline ...")
        base = _run_child("baseline", _pg_url(url, raw_db), workers)
        log(f"records:   baseline COPY {base['seconds']:.1f} s")
        return ours, base
    finally:
        _pg_recreate(url, ours_db, drop_only=True)
        _pg_recreate(url, raw_db, drop_only=True)


def _rows_for(label: str, ours: dict, base: dict, workers: int, target: str):
    ours_rate = ours["rows"] / ours["seconds"]
    base_rate = base["rows"] / base["seconds"]
    cores = os.cpu_count()
    return [
        (
            f"{label}: synthesize_state, {workers:,} workers, 8 quarters",
            f"{ours['seconds']:.1f} s ({ours['rows']:,} rows)",
            target,
        ),
        (
            f"{label}: CPU time of that process (user+system)",
            f"{ours['cpu_seconds']:.1f} s (load avg {ours['load']:.1f}, {cores} cores)",
            "",
        ),
        (
            f"{label}: share of that time some task waited for CPU / for I/O",
            " / ".join(
                f"{ours['stalled'].get(k, float('nan')):.0%}" for k in ("cpu", "io")
            )
            + " (Linux PSI)",
            "",
        ),
        (
            f"{label}: rows/s, synthesize_state (generate+encrypt+load)",
            f"{ours_rate:,.0f}",
            "",
        ),
        (
            f"{label}: rows/s, baseline {base['driver']} of the same rows",
            f"{base_rate:,.0f} ({base['seconds']:.1f} s)",
            "baseline",
        ),
        (
            f"{label}: ratio synthesize_state / baseline (rows/s)",
            f"{ours_rate / base_rate:.2f}",
            "",
        ),
        (
            f"{label}: CPU s, synthesize_state / baseline inserts",
            f"{ours['cpu_seconds']:.1f} / {base['cpu_seconds']:.1f}",
            "",
        ),
        (
            f"{label}: peak memory synthesize_state / baseline",
            f"{ours['peak_mib']:,.0f} MiB / {base['peak_mib']:,.0f} MiB",
            "",
        ),
    ]


def main(quick: bool, workers: int | None = None) -> list[tuple[str, str, str]]:
    workers = workers or (FULL // 10 if quick else FULL)
    target = "≤ 120 s" if workers >= FULL else f"(quick: {workers:,} workers)"
    ours, base = _sqlite_pair(workers)
    base["driver"] = "sqlite3.executemany"
    rows = _rows_for("SQLite", ours, base, workers, target)
    rows.append(
        (
            "generation alone (numpy, no database), of which row building",
            f"{base['generate_seconds']:.1f} s + {base['build_seconds']:.1f} s",
            "",
        )
    )
    rows.append(("SQLite file size", f"{ours['file_mib']:,.0f} MiB", ""))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        ours, base = _postgres_pair(url, workers)
        base["driver"] = "COPY"
        rows += _rows_for("PostgreSQL", ours, base, workers, "")
        rows.append(("PostgreSQL database size", f"{ours['db_mib']:,.0f} MiB", ""))
    else:
        rows.append(("PostgreSQL", "not measured (DATABASE_URL is not PostgreSQL)", ""))
    return rows


def _cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--child", choices=["synthesize", "baseline"])
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.child:
        run = child_synthesize if args.child == "synthesize" else child_baseline
        print(json.dumps(run(args.database_url, args.workers)))
        return 0
    rows = main(args.quick, args.workers)
    width = max(len(r[0]) for r in rows)
    for figure, value, target in rows:
        print(f"{figure:<{width}}  {value:<32}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_cli())
