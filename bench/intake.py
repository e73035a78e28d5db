"""Intake: ingest one email, read one email, submit one request through the API.

    .venv/bin/python bench/intake.py [--quick] [--messages N] [--past N]

Runs in a child process on its own SQLite file under bench/out/ (the project's settings:
WAL, synchronous=FULL, IMMEDIATE transactions) with its own media folder. Screening is
replaced by a no-op here: bench/screening.py measures it; these figures are intake's own
work (parse, extract, identify the sender, look for the case to join, store the raw
message, subjects, documents and audit entries, in one transaction).

Set-up, not timed: the example agency registry, a requester with an API token, and N past
requests (2,000, --quick 300) from the same agencies, each with a subject and a
submission, so that the look-up of a case to join has candidates to read.

Figures, each beside a baseline measured in the same run:
- submission_ingest_email per message (generated warrants and child-support emails from
  agencies on file, one in five re-asking about a case already open, so joins happen),
  median and p95. Baseline: parsing the same bytes with the standard library alone.
- the rule-based extractor alone on the same messages, median and p95. Baseline: the
  same stdlib parse.
- POST /api/v1/requests through Django's test client with a bearer token, median and
  p95. Baseline: GET /healthz through the same client.
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
DB_FILE = OUT / "intake-bench.sqlite3"

FIRST = ["Thomas", "Ana", "Luis", "Maria", "Daniel", "Rosa", "Jorge", "Carmen", "Eli"]
LAST = [
    "Keller",
    "Ruiz",
    "Tapia",
    "Soto",
    "Ortega",
    "Baca",
    "Lopez",
    "Garcia",
    "Chavez",
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _setup_django() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(DB_FILE) + suffix).unlink(missing_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
    os.environ["MEDIA_ROOT"] = str(OUT / "intake-media")
    os.environ["DATA_KEY_FILE"] = str(OUT / "intake-bench-data.key")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    # One token makes every API call here: the per-token rate limit is not what is
    # measured, and the counters stay in this process.
    os.environ["RATE_LIMIT_API"] = "1000000"
    os.environ["CACHE_BACKEND"] = "django.core.cache.backends.locmem.LocMemCache"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recordwarden.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    import recordwarden.review.screening as screening

    screening.screening_run = lambda *, actor, request: None


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _message(rng: random.Random, index: int, open_cases: list[str]) -> bytes:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    dob = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(1950, 2000)}"
    if open_cases and rng.random() < 0.2:
        case = rng.choice(open_cases)
    else:
        case = f"26-{100000 + index:06d}"
        open_cases.append(case)
    if index % 2:
        sender, body = (
            "Det. S. Garcia <sgarcia@abqpd.example.gov>",
            f"We are investigating fraud (APD case {case}) by {first} A. {last}, "
            f"DOB {dob}. Attached is a search warrant signed by Judge M. Baca "
            "directing production of his employer of record and quarterly wages for "
            "Q1-Q2 2026.\n\nDet. Sofia Garcia, Albuquerque Police Department",
        )
    else:
        sender, body = (
            "Case Officer M. Archuleta <m.archuleta@csed.example.nm.gov>",
            "Under our data-sharing agreement DSA-2024-07, please provide the current "
            "employer name and address and the last four quarters of wages for the "
            f"obligor below.\n\nObligor: {first} R. {last}, DOB {dob}, SSN last four "
            f"{rng.randint(1000, 9999)}\nIV-D case number: {case}\n",
        )
    return (
        f"From: {sender}\r\nTo: records@dws.example.nm.gov\r\n"
        f"Subject: Records request {case}\r\nMessage-ID: <bench-{index}@example.gov>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def _past_requests(count: int, agencies) -> None:
    """Bulk rows (not timed): old cases of the same agencies, still inside the window."""
    import datetime as dt

    from django.utils import timezone

    from recordwarden.intake.models import Request, Subject, Submission

    now = timezone.now()
    rng = random.Random(7)
    keys = ["abq-police", "nm-csed", "ice-elpaso"]
    requests = [
        Request(
            reference=f"RW-2000-{i:06d}",
            agency=agencies[keys[i % 3]],
            case_number=f"OLD-{i}",
            elements=["wages"],
            received_at=now - dt.timedelta(days=rng.randint(0, 29)),
        )
        for i in range(count)
    ]
    Request.objects.bulk_create(requests, batch_size=1000)
    Subject.objects.bulk_create(
        [
            Subject(request=r, first_name=rng.choice(FIRST), last_name=rng.choice(LAST))
            for r in requests
        ],
        batch_size=1000,
    )
    Submission.objects.bulk_create(
        [
            Submission(
                request=r,
                channel="email",
                raw=b"x",
                sha256="0" * 64,
                received_at=r.received_at,
                sender="old@abqpd.example.gov",
            )
            for r in requests
        ],
        batch_size=1000,
    )


def measure(quick: bool, messages: int | None, past: int | None) -> dict:
    _setup_django()
    from email import policy
    from email.parser import BytesParser

    import yaml
    from django.test import Client
    from django.utils import timezone

    from recordwarden.accounts.models import Agency
    from recordwarden.accounts.services import (
        agency_load_registry,
        api_token_create,
        requester_create,
    )
    from recordwarden.intake.extract import extract
    from recordwarden.intake.mail import parse_email
    from recordwarden.intake.models import Request, Submission
    from recordwarden.intake.services import submission_ingest_email

    messages = messages or (200 if quick else 1000)
    past = past if past is not None else (300 if quick else 2000)
    entries = yaml.safe_load((ROOT / "examples" / "agencies.yaml").read_text())
    agency_load_registry(actor="system:bench", entries=entries)
    agencies = {a.key: a for a in Agency.objects.all()}
    log(f"set-up: {past} past requests")
    _past_requests(past, agencies)

    rng = random.Random(505)
    open_cases: list[str] = []
    raws = [_message(rng, i, open_cases) for i in range(messages)]

    parse_times, extract_times, ingest_times = [], [], []
    for raw in raws:
        started = time.perf_counter()
        BytesParser(policy=policy.default).parsebytes(raw).get_body().get_content()
        parse_times.append(time.perf_counter() - started)
        parsed = parse_email(raw)
        started = time.perf_counter()
        extract(parsed.subject, parsed.text, today=timezone.localdate())
        extract_times.append(time.perf_counter() - started)
    log(f"ingesting {messages} messages")
    made_before = Request.objects.count()
    for raw in raws:
        started = time.perf_counter()
        submission_ingest_email(actor="system:bench", raw=raw, inbox="")
        ingest_times.append(time.perf_counter() - started)
    created = Request.objects.count() - made_before
    joined = Submission.objects.count() - past - created

    requester = requester_create(
        actor="system:bench",
        name="Bench Officer",
        email="bench@abqpd.example.gov",
        agency=agencies["abq-police"],
        verified=True,
    )
    _, token = api_token_create(actor="system:bench", requester=requester, name="bench")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    runs = 60 if quick else 200
    api_times, health_times = [], []
    for i in range(runs):
        body = {
            "instrument": "judicial_warrant",
            "case_number": f"API-{i}",
            "purpose": "criminal_investigation",
            "elements": ["employer", "wages"],
            "subjects": [
                {
                    "first_name": rng.choice(FIRST),
                    "last_name": rng.choice(LAST),
                    "dob": "1979-07-02",
                }
            ],
        }
        started = time.perf_counter()
        response = client.post(
            "/api/v1/requests",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"bench-{i}",
            **auth,
        )
        api_times.append(time.perf_counter() - started)
        assert response.status_code == 201, response.content
        started = time.perf_counter()
        client.get("/healthz")
        health_times.append(time.perf_counter() - started)
    return {
        "messages": messages,
        "past": past,
        "created": created,
        "joined": joined,
        "ingest": _stats(ingest_times),
        "parse": _stats(parse_times),
        "extract": _stats(extract_times),
        "api": _stats(api_times),
        "health": _stats(health_times),
        "api_runs": runs,
    }


def rows_from(result: dict) -> list[tuple[str, str, str]]:
    def pair(key):
        median, p95 = result[key]
        return f"median {median:.2f} ms, p95 {p95:.2f} ms"

    ingest, parse, extract_, api, health = (
        result[k] for k in ("ingest", "parse", "extract", "api", "health")
    )
    return [
        (
            f"ingest one email ({result['messages']} msgs, {result['past']} past cases)",
            f"{pair('ingest')} ({result['created']} created, {result['joined']} joined); "
            f"stdlib parse alone {pair('parse')}; ratio p95 {ingest[1] / parse[1]:.0f}x",
            "no design target (screening: p95 <= 200 ms)",
        ),
        (
            "extract fields from one email",
            f"{pair('extract')}; stdlib parse {pair('parse')}; "
            f"ratio median {extract_[0] / parse[0]:.1f}x",
            "no design target",
        ),
        (
            f"POST /api/v1/requests ({result['api_runs']} runs)",
            f"{pair('api')}; GET /healthz {pair('health')}; "
            f"ratio median {api[0] / health[0]:.0f}x",
            "no design target",
        ),
    ]


def main(
    quick: bool, messages: int | None = None, past: int | None = None
) -> list[tuple[str, str, str]]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child"]
    if quick:
        command.append("--quick")
    for flag, value in (("--messages", messages), ("--past", past)):
        if value is not None:
            command += [flag, str(value)]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(  # noqa: S603 (our own script)
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, check=True, text=True
    )
    return rows_from(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 messages, 300 past")
    parser.add_argument("--messages", type=int, default=None)
    parser.add_argument("--past", type=int, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.quick, args.messages, args.past)))
    else:
        for figure, value, target in main(args.quick, args.messages, args.past):
            print(f"{figure:<56} {value:<110} target {target}")
