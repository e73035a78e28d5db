"""Disclosure: build packages, hand them over once, send notices, read an accounting,
purge content.

    .venv/bin/python bench/disclosure.py [--quick] [--workers N] [--runs N]

Runs in a child process on its own SQLite file under bench/out/ (the project's settings:
WAL, synchronous=FULL, IMMEDIATE transactions). Set-up, not timed: the example agency
registry, two signers and a police requester, a synthetic state (20,000 workers,
--quick 5,000) with its matching index, and --runs police requests (100, --quick 20)
each naming one worker (always the same one, so the last accounting has --runs entries),
resolved by matching and decided final with two signatures.

Figures, each beside a baseline measured in the same run:
- package_build for a one-person release of employer and wages (snapshot, JSON, CSV,
  PDF with watermark, encryption, accounting entry, request RELEASED, audit entries, in
  one transaction): median and p95. Baseline: the data snapshot alone (collect, JSON and
  CSV, no PDF, nothing stored).
- a 20-person package (one build). Baseline: the one-person median.
- a portal download: issue a one-time link and redeem it (compare-and-set, decrypt,
  ZIP, audit): median and p95. Baseline: decrypting and zipping the same package alone.
- notices: scan and send --runs notices (immigration requests), per notice. Baseline:
  rendering one notice PDF alone.
- the accounting of the worker with --runs entries, as the worker's letter reads it.
  Baseline: reading the worker's row.
- purging --runs packages, per package (each its own transaction and audit entry).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
DB_FILE = OUT / "disclosure-bench.sqlite3"
SEED = 505


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _setup_django() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(DB_FILE) + suffix).unlink(missing_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
    os.environ.setdefault("RECORDWARDEN_VAR_DIR", str(OUT / "disclosure-var"))
    os.environ.setdefault("DATA_KEY_FILE", str(OUT / "disclosure-bench-data.key"))
    os.environ["AUDIT_SIGNING_KEY_FILE"] = str(OUT / "disclosure-bench-signing.pem")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recordwarden.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


# --- set-up ----------------------------------------------------------------------------


def _people():
    import yaml
    from django.conf import settings

    from recordwarden.accounts.models import Agency
    from recordwarden.accounts.services import (
        agency_load_registry,
        requester_create,
        staff_create,
    )

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    entries = yaml.safe_load((ROOT / "examples" / "agencies.yaml").read_text())
    agency_load_registry(actor="system:bench", entries=entries)
    staff = {
        role: staff_create(
            actor="system:bench",
            username=f"bench-{role}",
            password="bench password 123",
            roles=[role],
        )
        for role in ("reviewer", "approver", "administrator")
    }
    police = requester_create(
        actor="system:bench",
        name="Officer Bench",
        email="bench@abqpd.example.gov",
        agency=Agency.objects.get(key="abq-police"),
        password="bench password 123",
        username="bench-officer",
    )
    ice = requester_create(
        actor="system:bench",
        name="Agent Bench",
        email="bench@ice.example.gov",
        agency=Agency.objects.get(key="ice-elpaso"),
        password="bench password 123",
        username="bench-ice",
    )
    return staff, police, ice


def _state(workers: int, admin) -> None:
    from recordwarden.matching.services import match_index_build
    from recordwarden.records.services import state_synthesize

    started = time.perf_counter()
    state_synthesize(actor="system:bench", workers=workers, seed=SEED)
    match_index_build(actor=admin, rebuild=True)
    log(f"state of {workers} workers with index in {_ms(started) / 1000:.1f} s")


def _request(
    requester,
    workers,
    *,
    number: int,
    elements,
    purpose="criminal_investigation",
    instrument="judicial_warrant",
):
    """A case naming ``workers``, written as rows (intake would join cases naming the
    same person), with each subject resolved by matching's service."""
    from django.utils import timezone

    from recordwarden.intake.models import Request, Subject
    from recordwarden.matching.services import subject_resolve

    request = Request.objects.create(
        reference=f"RW-2020-{number:06d}",
        agency=requester.agency,
        requester=requester,
        instrument=instrument,
        case_number=f"B-{number}",
        purpose=purpose,
        purpose_text="Benchmark case.",
        elements=elements,
        instrument_subject_count=len(workers),
        received_at=timezone.now(),
    )
    for position, worker in enumerate(workers):
        subject = Subject.objects.create(
            request=request,
            position=position,
            first_name=worker.first_name,
            middle_name=worker.middle_name,
            last_name=worker.last_name,
            dob=worker.dob,
        )
        subject_resolve(actor="system:bench", subject=subject)
    return request


def _final_decision(request, staff):
    """Final with two signatures, as review_decide and decision_sign leave it."""
    from django.utils import timezone

    from recordwarden.intake.models import Request
    from recordwarden.review.models import Decision, DecisionElement, Signature
    from recordwarden.review.services import open_review, review_start

    review_start(actor=staff["reviewer"], request=request)
    now = timezone.now()
    decision = Decision.objects.create(
        request=request,
        review=open_review(request),
        kind="approve",
        state="final",
        decided_by=staff["reviewer"],
        decided_at=now,
        finalized_at=now,
    )
    for element in request.elements:
        DecisionElement.objects.create(
            decision=decision,
            element=element,
            action="approve",
            policy_outcome="permit",
        )
    Signature.objects.create(
        decision=decision, signer=staff["reviewer"], role="reviewer", signed_at=now
    )
    Signature.objects.create(
        decision=decision, signer=staff["approver"], role="approver", signed_at=now
    )
    Request.objects.filter(pk=request.pk).update(status="approved")
    return decision


def _identified_workers(count: int):
    """Workers that matching resolves automatically (unique name and birth date)."""
    from collections import Counter

    from recordwarden.records.models import Worker

    rows = list(
        Worker.objects.exclude(dob=None)
        .exclude(street="")
        .order_by("pk")
        .values_list("pk", "first_name", "last_name", "dob")[: count * 20]
    )
    seen = Counter((first, last, dob) for _, first, last, dob in rows)
    pks = [pk for pk, first, last, dob in rows if seen[(first, last, dob)] == 1][:count]
    by_pk = Worker.objects.in_bulk(pks)
    return [by_pk[pk] for pk in pks]


# --- measurements ----------------------------------------------------------------------


def _builds(staff, police, runs: int, workers):
    from django.utils import timezone

    from recordwarden.disclosure.services import package_build
    from recordwarden.disclosure.snapshot import (
        collect,
        confirmed_workers,
        released_elements,
        to_csv,
        to_json,
    )

    person = workers[0]
    build, base, packages = [], [], []
    for n in range(runs):
        request = _request(
            police, [person], number=n + 1, elements=["employer", "wages"]
        )
        decision = _final_decision(request, staff)
        started = time.perf_counter()
        document = collect(
            reference="bench",
            decision=decision,
            released=released_elements(decision),
            pairs=confirmed_workers(request),
            recipient="bench",
            built_at=timezone.now(),
        )
        to_json(document), to_csv(document)
        base.append(_ms(started))
        started = time.perf_counter()
        packages.append(package_build(actor=staff["approver"], decision=decision))
        build.append(_ms(started))
    request = _request(
        police, workers[:20], number=runs + 1, elements=["employer", "wages"]
    )
    decision = _final_decision(request, staff)
    started = time.perf_counter()
    big = package_build(actor=staff["approver"], decision=decision)
    twenty = _ms(started)
    assert big.subject_count == 20, big.subject_count
    return build, base, twenty, packages, person


def _downloads(packages, police):
    from recordwarden.disclosure.services import (
        download_link_issue,
        download_link_redeem,
        package_zip,
    )

    redeem, base = [], []
    for package in packages:
        started = time.perf_counter()
        package_zip(package)
        base.append(_ms(started))
        started = time.perf_counter()
        _link, token = download_link_issue(actor=police.user, package=package)
        delivery = download_link_redeem(actor=police.user, token=token)
        redeem.append(_ms(started))
        assert delivery.ok
    return redeem, base


def _notices(staff, ice, runs: int, workers):
    from django.utils import timezone

    from recordwarden.disclosure.models import Notice
    from recordwarden.disclosure.notices import _render, notices_send_due

    for n, worker in enumerate(workers[:runs]):
        _request(
            ice,
            [worker],
            number=10_000 + n,
            elements=["employer"],
            purpose="civil_immigration",
            instrument="administrative_subpoena",
        )
    started = time.perf_counter()
    result = notices_send_due(actor="system:bench")
    total = _ms(started)
    assert result["sent"] == min(runs, len(workers)), result
    notice = Notice.objects.first()
    base = []
    for _ in range(5):
        started = time.perf_counter()
        _render(notice, timezone.now())
        base.append(_ms(started))
    return total / result["sent"], statistics.median(base), result["sent"]


def _accounting(person):
    from recordwarden.disclosure.accounting import accounting_visible_to_worker
    from recordwarden.records.models import Worker

    reads, base = [], []
    for _ in range(30):
        started = time.perf_counter()
        Worker.objects.get(pk=person.pk)
        base.append(_ms(started))
        started = time.perf_counter()
        entries = list(accounting_visible_to_worker(person))
        reads.append(_ms(started))
    return reads, base, len(entries)


def _purge(runs: int):
    import datetime as dt

    from django.utils import timezone

    from recordwarden.disclosure.services import packages_purge_expired

    started = time.perf_counter()
    count = packages_purge_expired(
        actor="system:bench", now=timezone.now() + dt.timedelta(days=3650)
    )
    return _ms(started) / max(count, 1), count


def measure(quick: bool, workers: int | None, runs: int | None) -> dict:
    _setup_django()
    workers = workers or (5_000 if quick else 20_000)
    runs = runs or (20 if quick else 100)
    staff, police, ice = _people()
    _state(workers, staff["administrator"])
    identified = _identified_workers(max(runs, 40))
    log(f"{len(identified)} identifiable workers; {runs} packages")
    build, base, twenty, packages, person = _builds(staff, police, runs, identified)
    redeem, zip_base = _downloads(packages, police)
    per_notice, render, sent = _notices(staff, ice, runs, identified[1:])
    reads, read_base, entries = _accounting(person)
    per_purge, purged = _purge(runs)
    return {
        "workers": workers,
        "runs": runs,
        "build_median": statistics.median(build),
        "build_p95": _pct(build, 0.95),
        "snapshot_median": statistics.median(base),
        "twenty": twenty,
        "redeem_median": statistics.median(redeem),
        "redeem_p95": _pct(redeem, 0.95),
        "zip_median": statistics.median(zip_base),
        "per_notice": per_notice,
        "render_notice": render,
        "notices": sent,
        "accounting_median": statistics.median(reads),
        "accounting_base": statistics.median(read_base),
        "entries": entries,
        "per_purge": per_purge,
        "purged": purged,
    }


def rows_from(r: dict) -> list[tuple[str, str, str]]:
    return [
        (
            "package build, 1 person (employer, wages)",
            f"median {r['build_median']:.0f} ms, p95 {r['build_p95']:.0f} ms; snapshot "
            f"alone {r['snapshot_median']:.1f} ms ({r['build_median'] / r['snapshot_median']:.0f}x)",
            "p95 <= 1000 ms",
        ),
        (
            "package build, 20 people",
            f"{r['twenty']:.0f} ms ({r['twenty'] / r['build_median']:.1f}x the 1-person median)",
            "<= 3000 ms",
        ),
        (
            "portal download (issue link + redeem once)",
            f"median {r['redeem_median']:.1f} ms, p95 {r['redeem_p95']:.1f} ms; decrypt+zip "
            f"alone {r['zip_median']:.1f} ms ({r['redeem_median'] / r['zip_median']:.1f}x)",
            "p95 <= 100 ms",
        ),
        (
            f"notices scheduled and sent ({r['notices']})",
            f"{r['per_notice']:.0f} ms per notice; rendering alone {r['render_notice']:.0f} ms "
            f"({r['per_notice'] / r['render_notice']:.1f}x)",
            "<= 500 ms per notice",
        ),
        (
            f"a worker's accounting ({r['entries']} entries)",
            f"median {r['accounting_median']:.2f} ms; the worker's row alone "
            f"{r['accounting_base']:.2f} ms ({r['accounting_median'] / r['accounting_base']:.1f}x)",
            "<= 20 ms",
        ),
        (
            f"purge package content ({r['purged']})",
            f"{r['per_purge']:.1f} ms per package (content gone; hash, elements, accounting kept)",
            "<= 50 ms per package",
        ),
    ]


def main(quick: bool, workers: int | None = None, runs: int | None = None):
    command = [sys.executable, str(Path(__file__).resolve()), "--child"]
    if quick:
        command.append("--quick")
    for flag, value in (("--workers", workers), ("--runs", runs)):
        if value is not None:
            command += [flag, str(value)]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(  # noqa: S603 (our own script)
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, check=True, text=True
    )
    return rows_from(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="5,000 workers, 20 packages"
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.quick, args.workers, args.runs)))
    else:
        for figure, value, target in main(args.quick, args.workers, args.runs):
            print(f"{figure:<44} {value:<90} target {target}")
