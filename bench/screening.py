"""Screening and review: screen one request end to end; the reviewer's queue and case
page over many past requests.

    .venv/bin/python bench/screening.py [--quick] [--workers N] [--past N] [--runs N]

Runs in a child process on its own SQLite file under bench/out/ (the project's settings:
WAL, synchronous=FULL, IMMEDIATE transactions). Set-up, not timed: the example agency
registry, the synthetic state (records' state_synthesize; 911,700 workers, --quick 20,000),
the matching index, and N past requests (100,000, --quick 10,000) bulk-loaded with their
subjects, submissions, reviews and denials, so related-request look-ups and the queue
work against a decade of cases.

Figures, each beside a baseline measured in the same run:
- screening_run on fresh requests (a police warrant naming a worker on file, a
  child-support request, a bulk ask from an immigration agency, a worker's own request),
  median and p95 over --runs screenings (200, --quick 60): policy findings, subject
  matching, trust signals, related requests, the stored screening and its audit entries,
  all in one transaction. Baseline: the bare policy ``decide()`` for the same facts.
- the queue page (/review/, open requests, overdue first) and a deep page of all
  requests, and the case page, rendered through Django's test client by a signed-in
  reviewer, one request at a time: median and p95 of 50 each. Baseline: Django's
  health-check view through the same client.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
DB_FILE = OUT / "screening-bench.sqlite3"
FULL_WORKERS = 911_700
FULL_PAST = 100_000
SEED = 505


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _setup_django() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(DB_FILE) + suffix).unlink(missing_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
    os.environ.setdefault("RECORDWARDEN_VAR_DIR", str(OUT / "screening-var"))
    os.environ.setdefault("DATA_KEY_FILE", str(OUT / "screening-bench-data.key"))
    os.environ["AUDIT_SIGNING_KEY_FILE"] = str(OUT / "screening-bench-signing.pem")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recordwarden.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


# --- set-up ----------------------------------------------------------------------------


def _agencies() -> dict:
    import yaml

    from recordwarden.accounts.models import Agency
    from recordwarden.accounts.services import agency_load_registry

    entries = yaml.safe_load((ROOT / "examples" / "agencies.yaml").read_text())
    agency_load_registry(actor="system:bench", entries=entries)
    return {a.key: a for a in Agency.objects.all()}


def _state(workers: int) -> None:
    from recordwarden.matching.services import match_index_build
    from recordwarden.records.services import state_synthesize

    started = time.perf_counter()
    state_synthesize(actor="system:bench", workers=workers, seed=SEED)
    log(f"  state of {workers:,} workers in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    match_index_build(actor="system:bench", rebuild=True)
    log(f"  matching index in {time.perf_counter() - started:.0f} s")


def _staff():
    import base64

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from recordwarden.accounts.services import staff_create

    people = {}
    for name, roles in (
        ("bench-reviewer", ["reviewer"]),
        ("bench-approver", ["approver"]),
    ):
        user = staff_create(
            actor="system:bench",
            username=name,
            password="bench-password-not-used",
            roles=roles,
        )
        TOTPDevice.objects.create(
            user=user,
            name="bench",
            confirmed=True,
            key=base64.b32decode("JBSWY3DPEHPK3PXP" * 2).hex(),
        )
        people[name] = user
    return people


def _sample_workers(n: int) -> list:
    from recordwarden.records.models import Worker

    top = Worker.objects.order_by("-pk").values_list("pk", flat=True).first()
    rng = random.Random(SEED)
    ids = [rng.randint(1, top) for _ in range(n * 2)]
    return list(
        Worker.objects.filter(pk__in=ids).only(
            "first_name", "middle_name", "last_name", "dob", "street", "city", "zip"
        )[:n]
    )


def _past_requests(count: int, agencies: dict, reviewer) -> None:
    """Bulk-load ``count`` past requests as ten years of casework leaves them: most
    closed, a fifth denied, a few hundred still open with reviews and deadlines."""
    import datetime as dt

    from django.utils import timezone

    from recordwarden.intake.models import Request, Subject, Submission
    from recordwarden.review.models import Decision, RelatedKey, Review
    from recordwarden.review.related import keys_for

    rng = random.Random(SEED + 1)
    people = _sample_workers(2_000)
    keys = list(agencies)
    now = timezone.now()
    statuses = (
        ["closed"] * 60
        + ["denied"] * 20
        + ["released"] * 15
        + ["in_review"] * 3
        + ["received"] * 2
    )
    instruments = [
        "judicial_warrant",
        "data_sharing_agreement",
        "none",
        "administrative_subpoena",
        "clerk_subpoena",
        "own_request",
    ]
    batch = 5_000
    for start in range(0, count, batch):
        rows = []
        for i in range(start, min(count, start + batch)):
            received = now - dt.timedelta(minutes=rng.randint(60, 10 * 365 * 24 * 60))
            rows.append(
                Request(
                    reference=f"RW-{received.year}-P{i:06d}",
                    agency=agencies[rng.choice(keys)],
                    instrument=rng.choice(instruments),
                    purpose="other",
                    elements=["employer", "wages"],
                    status=rng.choice(statuses),
                    received_at=received,
                    purpose_text="Past request (benchmark).",
                )
            )
        Request.objects.bulk_create(rows, batch_size=1_000)
        made = list(Request.objects.filter(reference__in=[r.reference for r in rows]))
        subjects, submissions, reviews = [], [], []
        for request in made:
            person = rng.choice(people)
            subjects.append(
                Subject(
                    request=request,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    dob=person.dob,
                )
            )
            submissions.append(
                Submission(
                    request=request,
                    channel="email",
                    raw=b"(benchmark)",
                    sha256="0" * 64,
                    received_at=request.received_at,
                    sender=f"officer{rng.randint(1, 400)}@{request.agency.key}.example.gov",
                    inbox="records@dws.example.nm.gov",
                )
            )
            if request.status in ("received", "in_review"):
                reviews.append(
                    Review(
                        request=request,
                        opened_at=request.received_at,
                        acknowledge_by=request.received_at + dt.timedelta(days=1),
                        due_at=request.received_at
                        + dt.timedelta(days=rng.randint(1, 30)),
                    )
                )
            elif request.status == "denied":
                reviews.append(
                    Review(
                        request=request,
                        opened_at=request.received_at,
                        closed_at=request.received_at + dt.timedelta(days=3),
                        acknowledge_by=request.received_at + dt.timedelta(days=1),
                        due_at=request.received_at + dt.timedelta(days=14),
                    )
                )
        Subject.objects.bulk_create(subjects, batch_size=1_000)
        Submission.objects.bulk_create(submissions, batch_size=1_000)
        # What screening would have indexed for each of them.
        RelatedKey.objects.bulk_create(
            [
                RelatedKey(request=r, key=k)
                for r, subject, sub in zip(made, subjects, submissions, strict=True)
                for k in keys_for(r, [subject], [sub], set())
            ],
            batch_size=2_000,
        )
        Review.objects.bulk_create(reviews, batch_size=1_000)
        denied = Review.objects.filter(
            request__in=[r for r in made if r.status == "denied"]
        )
        Decision.objects.bulk_create(
            [
                Decision(
                    request_id=rv.request_id,
                    review=rv,
                    kind="deny",
                    state="final",
                    decided_by=reviewer,
                    decided_at=rv.closed_at,
                    finalized_at=rv.closed_at,
                    reason_codes=["no_legal_basis"],
                )
                for rv in denied
            ],
            batch_size=1_000,
        )
    log(f"  {count:,} past requests loaded")


def _fresh_requests(n: int, agencies: dict) -> list:
    """``n`` new requests through intake's services (each is screened once there)."""
    from recordwarden.accounts.services import requester_create
    from recordwarden.intake.inputs import RequestInput, SubjectInput
    from recordwarden.intake.services import request_submit

    people = _sample_workers(n)
    requesters = {
        key: requester_create(
            actor="system:bench",
            name=f"Bench {key}",
            email=f"bench@{key}.example.gov",
            agency=agencies[key],
            verified=True,
        )
        for key in ("abq-police", "nm-csed", "ice-elpaso")
    }
    made = []
    for i in range(n):
        person = people[i % len(people)]
        subject = SubjectInput(
            first_name=person.first_name,
            middle_name=person.middle_name,
            last_name=person.last_name,
            dob=person.dob,
        )
        kind = i % 4
        if kind == 0:
            key, data = (
                "abq-police",
                RequestInput(
                    instrument="judicial_warrant",
                    case_number=f"B-{i}",
                    purpose="criminal_investigation",
                    elements=["employer", "wages"],
                    instrument_subject_count=1,
                    subjects=[subject],
                ),
            )
        elif kind == 1:
            key, data = (
                "nm-csed",
                RequestInput(
                    instrument="data_sharing_agreement",
                    case_number=f"IV-D-{i}",
                    purpose="child_support",
                    elements=["employer", "wages", "address"],
                    subjects=[subject],
                ),
            )
        elif kind == 2:
            key, data = (
                "ice-elpaso",
                RequestInput(
                    instrument="administrative_subpoena",
                    purpose="civil_immigration",
                    elements=["name", "address"],
                    subjects=[subject],
                    purpose_text="All employees of Sunland Dairy LLC; Form I-138.",
                ),
            )
        else:
            key, data = (
                "abq-police",
                RequestInput(
                    instrument="court_order",
                    case_number=f"D-{i}",
                    purpose="criminal_investigation",
                    elements=["employer"],
                    instrument_subject_count=1,
                    subjects=[subject],
                ),
            )
        requester = requesters[key]
        made.append(
            request_submit(
                actor=requester,  # as the agency's API token does
                requester=requester,
                channel="api",
                data=data,
                raw=f"bench {i}".encode(),
            )
        )
    return made


# --- measuring -------------------------------------------------------------------------


def _measure_screening(requests: list) -> dict:
    from recordwarden.policy.engine import active_policy, decide
    from recordwarden.policy.facts import facts_for_request
    from recordwarden.review.screening import screening_run, subject_identified

    screen_ms, decide_ms, inside = [], [], []
    policy = active_policy()
    for request in requests:
        started = time.perf_counter()
        screening = screening_run(actor="system:bench", request=request)
        screen_ms.append((time.perf_counter() - started) * 1000)
        inside.append(screening.timings)
        facts = facts_for_request(
            request, subject_identified=subject_identified(list(request.subjects.all()))
        )
        started = time.perf_counter()
        decide(facts, list(request.elements), policy)
        decide_ms.append((time.perf_counter() - started) * 1000)
    parts = {
        k: statistics.median(t.get(k, 0) for t in inside)
        for k in ("trust", "matching", "related", "policy", "store")
    }
    return {"screen_ms": screen_ms, "decide_ms": decide_ms, "parts": parts}


def _client(user):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.first().persistent_id
    session.save()
    return client


def _time_get(client, url: str, n: int) -> list[float]:
    client.get(url)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def _measure_pages(reviewer, case_reference: str) -> dict:
    client = _client(reviewer)
    return {
        "queue_ms": _time_get(client, "/review/", 50),
        "deep_ms": _time_get(client, "/review/?status=all&page=400", 50),
        "case_ms": _time_get(client, f"/review/{case_reference}/", 50),
        "health_ms": _time_get(client, "/healthz", 50),
    }


def measure(
    quick: bool, workers: int | None, past: int | None, runs: int | None
) -> dict:
    workers = workers or (20_000 if quick else FULL_WORKERS)
    past = past if past is not None else (10_000 if quick else FULL_PAST)
    runs = runs or (60 if quick else 200)
    _setup_django()
    log(
        f"screening bench: {workers:,} workers, {past:,} past requests, {runs} screenings"
    )
    agencies = _agencies()
    _state(workers)
    staff = _staff()
    _past_requests(past, agencies, staff["bench-reviewer"])
    requests = _fresh_requests(runs, agencies)
    screening = _measure_screening(requests)
    pages = _measure_pages(staff["bench-reviewer"], requests[0].reference)
    return {"workers": workers, "past": past, "runs": runs, **screening, **pages}


def rows_from(r: dict) -> list[tuple[str, str, str]]:
    s_med, s_p95 = statistics.median(r["screen_ms"]), _pct(r["screen_ms"], 0.95)
    d_med, d_p95 = statistics.median(r["decide_ms"]), _pct(r["decide_ms"], 0.95)
    parts = ", ".join(f"{k} {v:.1f}" for k, v in r["parts"].items())
    rows = [
        (
            "screen one request, p95",
            f"{s_p95:.1f} ms (median {s_med:.1f}; {r['runs']} runs, {r['workers']:,} "
            f"workers, {r['past']:,} past requests)",
            "<= 200 ms",
        ),
        (
            "  baseline: policy decide() alone",
            f"median {d_med:.2f} ms, p95 {d_p95:.2f} ms; screening/decide "
            f"{s_med / d_med:.0f}x (median)",
            "<= 1 ms",
        ),
        ("  screening parts (median ms)", parts, ""),
    ]
    health = statistics.median(r["health_ms"])
    for key, label in (
        ("queue_ms", "queue page (open, overdue first), p95"),
        ("deep_ms", "queue page 400 of all requests, p95"),
        ("case_ms", "case page, p95"),
    ):
        rows.append(
            (
                label,
                f"{_pct(r[key], 0.95):.1f} ms (median "
                f"{statistics.median(r[key]):.1f}; health check {health:.1f})",
                "<= 150 ms (single user)",
            )
        )
    return rows


def main(
    quick: bool,
    workers: int | None = None,
    past: int | None = None,
    runs: int | None = None,
) -> list[tuple[str, str, str]]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child"]
    if quick:
        command.append("--quick")
    for flag, value in (("--workers", workers), ("--past", past), ("--runs", runs)):
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
        "--quick",
        action="store_true",
        help="20,000 workers, 10,000 past requests, 60 screenings",
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--past", type=int, default=None)
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.quick, args.workers, args.past, args.runs)))
    else:
        for figure, value, target in main(
            args.quick, args.workers, args.past, args.runs
        ):
            print(f"{figure:<44} {value:<90} target {target}")
