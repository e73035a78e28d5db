"""Transparency report over 100,000 past requests: the page must render in <= 1 s.

    .venv/bin/python bench/transparency.py [--quick]

The history is a real audit log (appended through audit_record_many, with a signed
checkpoint) of 100,000 synthetic requests over ten years (10,000 over two with
--quick), written by recordwarden/transparency/synthetic.py: about seven entries a
request, shaped like those intake, review and disclosure write. It is generated once
into bench/out/transparency-history-N.sqlite3 and copied to a work file for each run
(delete the file to generate it again). Runs in a child process, on its own SQLite file.

Figures, beside baselines measured in the same run:
- the public page and the CSV rendered by Django's test client (full middleware, the
  report brought up to the checkpoint first), the first render in the process and the
  median of 20; baseline: a bare GROUP BY over the same 100,000 request rows, and a
  bare GROUP BY over the audit entries;
- folding the whole log into the kept counters (report_rebuild), and recomputing the
  report from the raw entries (transparency_report --from-audit), with the check that
  the recomputed CSV equals the page's;
- the incremental refresh after 1,000 more requests and a new checkpoint.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
WORK = OUT / "transparency-work.sqlite3"
HISTORY_VERSION = 2  # 2: restricted entries carry a salt
SEED = 2025


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _params(quick: bool) -> tuple[int, dt.date, int]:
    if quick:
        return 10_000, dt.date(2024, 1, 1), 2 * 365
    return 100_000, dt.date(2016, 1, 1), 10 * 365


def _history_file(n: int) -> Path:
    return OUT / f"transparency-history-{n}.sqlite3"


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def _setup_django(db: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["AUDIT_SIGNING_KEY_FILE"] = str(OUT / "transparency-signing.pem")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recordwarden.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _checkpoint_wal() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def _generate(quick: bool) -> dict:
    """Child process: write the history file (once)."""
    n, start, days = _params(quick)
    target = _history_file(n)
    _remove(target)
    _setup_django(target)
    from recordwarden.audit.checkpoints import checkpoint_sign
    from recordwarden.transparency.synthetic import write_history

    began = time.perf_counter()
    last = [began]

    def progress(written: int) -> None:
        if time.perf_counter() - last[0] > 15:
            last[0] = time.perf_counter()
            log(f"  … {written:,} entries")

    entries = write_history(n, start=start, days=days, seed=SEED, progress=progress)
    seconds = time.perf_counter() - began
    checkpoint = checkpoint_sign(actor="system:bench")
    _checkpoint_wal()
    meta = {
        "version": HISTORY_VERSION,
        "requests": n,
        "entries": entries,
        "seconds": seconds,
        "checkpoint": checkpoint.size,
    }
    target.with_suffix(".json").write_text(json.dumps(meta))
    return meta


def _median_ms(fn, runs: int = 20) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), max(times)


def _measure(quick: bool) -> list[tuple[str, str, str]]:
    """Child process: every figure, on a work copy of the history."""
    n, start, days = _params(quick)
    meta = json.loads(_history_file(n).with_suffix(".json").read_text())
    _remove(WORK)
    shutil.copyfile(_history_file(n), WORK)
    _setup_django(WORK)
    from django.db import connection
    from django.test import Client

    from recordwarden.audit.checkpoints import checkpoint_sign
    from recordwarden.transparency import replay
    from recordwarden.transparency.services import (
        report_rebuild,
        report_refresh,
        report_target_size,
    )
    from recordwarden.transparency.synthetic import write_history

    rows = [
        ("past requests in the audit log", f"{n:,}", ""),
        ("audit entries (one signed checkpoint)", f"{meta['entries']:,}", ""),
        (
            "history written through audit_record_many (once, cached)",
            f"{meta['entries'] / meta['seconds']:,.0f} entries/s",
            "",
        ),
    ]
    log("folding the whole log into the kept counters …")
    began = time.perf_counter()
    folded = report_rebuild()
    rebuild_s = time.perf_counter() - began
    rows.append(
        (
            "fold the whole log into the kept counters (report_rebuild)",
            f"{rebuild_s:.1f} s ({folded / rebuild_s:,.0f} entries/s)",
            "once; then incremental",
        )
    )

    client = Client()
    began = time.perf_counter()
    client.get("/accounts/login/")  # the process's first request: imports, URLs, …
    warmup_ms = (time.perf_counter() - began) * 1000
    began = time.perf_counter()
    first = client.get("/transparency/")
    first_ms = (time.perf_counter() - began) * 1000
    assert first.status_code == 200, first.status_code
    page_ms, page_max = _median_ms(lambda: client.get("/transparency/"))
    csv_ms, _ = _median_ms(lambda: client.get("/transparency/report.csv"))
    page_csv = client.get("/transparency/report.csv").content.decode()

    def facts_sql() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT quarter, agency_type, outcome, COUNT(*) "
                "FROM transparency_requestfact GROUP BY quarter, agency_type, outcome"
            )
            cursor.fetchall()

    def entries_sql() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT substr(created_at, 1, 7), COUNT(*) FROM audit_auditentry "
                "WHERE action = 'intake.request_submitted' GROUP BY 1"
            )
            cursor.fetchall()

    facts_ms, _ = _median_ms(facts_sql)
    entries_ms, _ = _median_ms(entries_sql, runs=5)
    rows += [
        (
            "public page /transparency/, median of 20 (max)",
            f"{page_ms:.0f} ms ({page_max:.0f} ms)",
            "<= 1000 ms",
        ),
        (
            "public page, first render (after the process served one other page)",
            f"{first_ms:.0f} ms",
            "<= 1000 ms",
        ),
        (
            "  (that first other page, the process warming up)",
            f"{warmup_ms:.0f} ms",
            "",
        ),
        ("CSV download, median of 20", f"{csv_ms:.0f} ms", ""),
        (
            "baseline: bare GROUP BY over the same request rows",
            f"{facts_ms:.0f} ms (page = {page_ms / facts_ms:.1f}x)",
            "",
        ),
        (
            "baseline: bare GROUP BY over the audit entries",
            f"{entries_ms:.0f} ms (page = {page_ms / entries_ms:.2f}x)",
            "",
        ),
    ]

    log("recomputing from the raw entries (--from-audit) …")
    began = time.perf_counter()
    report, read, _counts = replay.report_from_entries(
        replay.entries_from_database(report_target_size())
    )
    audit_s = time.perf_counter() - began
    rows.append(
        (
            "recompute from the raw entries (--from-audit), re-hashing each",
            f"{audit_s:.1f} s ({read.size / audit_s:,.0f} entries/s)",
            "",
        )
    )
    rows.append(
        (
            "recomputed CSV equals the page's CSV",
            "yes" if report.to_csv() == page_csv else "NO",
            "yes",
        )
    )

    log("1,000 more requests, a new checkpoint, an incremental refresh …")
    added = write_history(
        1000,
        start=start + dt.timedelta(days=days),
        days=30,
        first_pk=n + 1,
        seed=SEED + 1,
    )
    checkpoint_sign(actor="system:bench")
    began = time.perf_counter()
    refreshed = report_refresh()
    refresh_ms = (time.perf_counter() - began) * 1000
    after_ms, _ = _median_ms(lambda: client.get("/transparency/"), runs=5)
    rows += [
        (
            f"incremental refresh: {refreshed:,} new entries (1,000 requests)",
            f"{refresh_ms:.0f} ms",
            "",
        ),
        (
            "public page after the refresh, median of 5",
            f"{after_ms:.0f} ms",
            "<= 1000 ms",
        ),
    ]
    assert added == refreshed, (added, refreshed)
    connection.close()
    _remove(WORK)
    return rows


def _child(args) -> int:
    if args.generate:
        print(json.dumps(_generate(args.quick)))
    else:
        print(json.dumps(_measure(args.quick)))
    return 0


def _run_child(quick: bool, *flags: str):
    cmd = [sys.executable, __file__, "--child", *flags] + (["--quick"] if quick else [])
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _history_ready(n: int) -> bool:
    meta = _history_file(n).with_suffix(".json")
    if not (_history_file(n).exists() and meta.exists()):
        return False
    return json.loads(meta.read_text()).get("version") == HISTORY_VERSION


def main(quick: bool) -> list[tuple[str, str, str]]:
    OUT.mkdir(parents=True, exist_ok=True)
    n, _start, _days = _params(quick)
    if not _history_ready(n):
        log(f"writing the audit history of {n:,} requests (once) …")
        _run_child(quick, "--generate")
    return [tuple(row) for row in _run_child(quick)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.exit(_child(args))
    rows = main(args.quick)
    width = max(len(r[0]) for r in rows)
    for figure, value, target in rows:
        print(f"{figure:<{width}}  {value:>28}  {target}")
