"""Load over loopback against the real server (gunicorn), on SQLite or PostgreSQL.

    .venv/bin/python bench/load.py [--quick] [--workers N] [--past N] [--sessions N]

Two figures, each beside a baseline measured in the same run:

1. API submissions: 200 concurrent POST /api/v1/requests, each with its own
   Idempotency-Key and each key sent twice at once (a client retrying), from a thread
   pool over urllib. Every key must be stored exactly once and both answers must name
   the same request. Baseline: 200 concurrent GET /healthz. On SQLite (a file under
   bench/out/) and, when DATABASE_URL names PostgreSQL, on a fresh database there.
2. Staff browsing: 20 concurrent signed-in reviewer sessions, each loading the queue
   (/review/) and a case page (/review/<ref>/) with a short pause between clicks, over
   the full state (911,700 workers from records' synthetic state) and 100,000 past
   requests (bulk-loaded: bench/screening.py's generator). p95 must be <= 150 ms.
   Baseline: /healthz from the same 20 sessions in the same run. Also reported: the
   same sessions without pauses (the server saturated), for throughput.
   --quick: 20,000 workers, 10,000 past requests. --reuse keeps the prepared database
   of an earlier run at the same scale. The server runs 4 gunicorn processes of one
   thread each (LOAD_GUNICORN=PxT to change): threads share one interpreter lock, and
   2 x 8 threads put the queue's p95 at ~450 ms where 4 x 1 gives ~55 ms.

The server runs as ``gunicorn recordwarden.wsgi`` (gthread workers) in its own process
group with its own var directory (keys, cache) and database; this module's ``Server``
is also used by bench/crash.py and the tests in recordwarden/core/tests/.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
PYTHON = sys.executable
FULL_WORKERS = 911_700
FULL_PAST = 100_000
SEED = 1107
# (status, answer) of every attempt that was retried, for the report.
FAILED_ATTEMPTS: list[tuple[int, str]] = []


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


# --- Databases -----------------------------------------------------------------------------


def postgres_base() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _pg_admin(base: str, sql: str) -> None:
    import psycopg

    admin = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def database_for(workdir: Path, engine: str, tag: str) -> str:
    """A fresh, empty database: a SQLite file in ``workdir`` or a new PostgreSQL
    database named after ``tag`` on the server DATABASE_URL points to."""
    if engine == "sqlite":
        return f"sqlite:///{workdir / 'db.sqlite3'}"
    base = postgres_base()
    assert base, "DATABASE_URL does not name a PostgreSQL server"
    name = f"rw_{tag}_{os.getpid()}"
    _pg_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(base, f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- The server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on loopback, in its own process group, with its own var directory
    (secret key, data and signing keys, cache) and database."""

    def __init__(self, workdir: Path, database_url: str, *, workers=2, threads=4):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.database_url = database_url
        self.workers, self.threads = workers, threads
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
            "DJANGO_SETTINGS_MODULE": "recordwarden.settings",
            "RECORDWARDEN_ENV": "development",
            "RECORDWARDEN_VAR_DIR": str(self.workdir / "var"),
            "DATA_KEY_FILE": str(self.workdir / "var" / "keys" / "data.key"),
            "AUDIT_SIGNING_KEY_FILE": str(self.workdir / "var" / "keys" / "audit.pem"),
            "MEDIA_ROOT": str(self.workdir / "media"),
            "CACHE_LOCATION": str(self.workdir / "cache"),
            "DATABASE_URL": database_url,
            "RATE_LIMIT_API": "1000000",
            "RATE_LIMIT_PORTAL": "1000000",
            "DEBUG": "false",
            "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PYTHON, str(ROOT / "manage.py"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=check,
            timeout=1800,
        )

    def child(self, script: Path, mode: str, *args: str) -> dict:
        """Run ``script --child MODE`` against this server's database; its last
        stdout line is JSON."""
        done = subprocess.run(
            [PYTHON, str(script), "--child", mode, "--dir", str(self.workdir), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=7200,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{script.name} --child {mode} failed:\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self, timeout: float = 120) -> None:
        log_file = open(self.workdir / "gunicorn.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "recordwarden.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--worker-class",
                "gthread",
                "--timeout",
                "120",
                "--graceful-timeout",
                "2",
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=log_file,
            stderr=log_file,
            start_new_session=True,
        )
        log_file.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {timeout} s: {self.log_tail()}")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def kill(self) -> None:
        """SIGKILL the whole server: master and workers, mid-request."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.process = None

    def kill_worker(self) -> bool:
        """SIGKILL one worker (the master starts another)."""
        pids = self.worker_pids()
        if not pids:
            return False
        try:
            os.kill(random.choice(pids), signal.SIGKILL)
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass
        self.process = None

    def log_tail(self, lines: int = 30) -> str:
        path = self.workdir / "gunicorn.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def django_in(workdir: Path) -> None:
    """Set up Django in this (child) process; the environment came from Server."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recordwarden.settings")
    import django

    django.setup()


# --- HTTP ----------------------------------------------------------------------------------


def fetch(method: str, url: str, *, body=None, headers=None, timeout=120):
    """(status, parsed JSON or bytes, seconds); status 0 when the connection failed."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (OSError, http.client.HTTPException):
        return 0, b"", time.perf_counter() - started
    elapsed = time.perf_counter() - started
    try:
        return status, json.loads(raw), elapsed
    except ValueError:
        return status, raw, elapsed


def request_body(person: dict, i: int) -> dict:
    return {
        "instrument": "judicial_warrant",
        "case_number": f"L-{i:06d}",
        "purpose": "criminal_investigation",
        "purpose_text": "Embezzlement; warrant signed by Judge M. Baca.",
        "elements": ["employer", "wages"],
        "instrument_subject_count": 1,
        "subjects": [person],
    }


def submit_until_acknowledged(
    base: str, token: str, key: str, body: dict, *, give_up_after: float = 300
) -> tuple[str | None, int]:
    """POST with ``key`` until a 2xx answer (retrying on dropped connections, 5xx and
    429 with the same key); returns (reference, attempts)."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    deadline = time.monotonic() + give_up_after
    attempts = 0
    while time.monotonic() < deadline:
        attempts += 1
        status, answer, _ = fetch(
            "POST", f"{base}/api/v1/requests", body=body, headers=headers, timeout=60
        )
        if 200 <= status < 300:
            return answer["reference"], attempts
        if status in (400, 401, 403, 404, 409, 413, 422):
            raise AssertionError(f"{key}: refused {status}: {answer!r}"[:500])
        FAILED_ATTEMPTS.append((status, repr(answer)[:300]))
        time.sleep(min(2.0, 0.1 * attempts) * random.uniform(0.5, 1.5))
    return None, attempts


# --- Child modes (run inside a process set up on the server's database) -------------------


def child_prepare_api(workdir: Path, workers: int) -> dict:
    """Agencies, a police requester with a token, staff, and a small synthetic state
    whose people the clients name (so screening matches and releases are possible)."""
    django_in(workdir)
    import yaml

    from recordwarden.accounts.models import Agency
    from recordwarden.accounts.services import (
        agency_load_registry,
        api_token_create,
        requester_create,
        staff_create,
    )
    from recordwarden.matching.services import match_index_build
    from recordwarden.records.models import Worker
    from recordwarden.records.services import state_synthesize

    entries = yaml.safe_load((ROOT / "examples" / "agencies.yaml").read_text())
    agency_load_registry(actor="system:bench", entries=entries)
    police = requester_create(
        actor="system:bench",
        name="Load Officer",
        email="load@abqpd.example.gov",
        agency=Agency.objects.get(key="abq-police"),
        verified=True,
    )
    _, token = api_token_create(actor="system:bench", requester=police, name="load")
    for name, role in (("bench-reviewer", "reviewer"), ("bench-approver", "approver")):
        staff_create(actor="system:bench", username=name, password=None, roles=[role])
    state_synthesize(actor="system:bench", workers=workers, seed=SEED)
    match_index_build(actor="system:bench", rebuild=True)
    people = [
        {
            "first_name": w.first_name,
            "middle_name": w.middle_name,
            "last_name": w.last_name,
            "dob": w.dob.isoformat(),
        }
        for w in Worker.objects.order_by("pk")[:200]
    ]
    return {"token": token, "requester": police.pk, "people": people}


def child_check_submissions(workdir: Path, acknowledged_file: str) -> dict:
    """For each acknowledged key: exactly one submission, in the request named."""
    django_in(workdir)
    from django.db.models import Count

    from recordwarden.intake.models import Submission

    acknowledged = json.loads(Path(acknowledged_file).read_text())
    rows = Submission.objects.exclude(idempotency_key="").values(
        "idempotency_key", "request__reference"
    )
    stored: dict[str, list[str]] = {}
    for row in rows:
        stored.setdefault(row["idempotency_key"], []).append(row["request__reference"])
    duplicated = Submission.objects.values("requester", "idempotency_key").annotate(
        n=Count("pk")
    )
    problems = []
    for key, reference in acknowledged.items():
        found = stored.get(key, [])
        if len(found) != 1:
            problems.append(f"{key}: stored {len(found)} times")
        elif found[0] != reference:
            problems.append(f"{key}: acknowledged {reference}, stored {found[0]}")
    extra = sorted(set(stored) - set(acknowledged))
    return {
        "acknowledged": len(acknowledged),
        "stored_keys": len(stored),
        "problems": problems[:20],
        "unacknowledged_but_stored": extra[:20],
        "max_per_key": max(
            (d["n"] for d in duplicated if d["idempotency_key"]), default=0
        ),
    }


# --- Figure 1: concurrent API submissions --------------------------------------------------


def api_submissions(engine: str, *, n: int = 200, workers: int = 200) -> dict:
    """Start a server on a fresh database, submit ``n`` keys twice each at once, check
    every key is stored exactly once. Returns figures and the check."""
    workdir = OUT / f"load-api-{engine}-{os.getpid()}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    url = database_for(workdir, engine, "load")
    server = Server(workdir, url, workers=2, threads=8)
    try:
        server.manage("migrate", "--noinput")
        prep = server.child(Path(__file__), "prepare-api", "--workers", str(workers))
        server.start()
        FAILED_ATTEMPTS.clear()
        result = run_submissions(server.url, prep["token"], prep["people"], n)
        result["retried_statuses"] = sorted(
            {
                s: [a[0] for a in FAILED_ATTEMPTS].count(s) for s, _ in FAILED_ATTEMPTS
            }.items()
        )
        ack_file = workdir / "acknowledged.json"
        ack_file.write_text(json.dumps(result["acknowledged"]))
        result["check"] = server.child(
            Path(__file__), "check-submissions", "--file", str(ack_file)
        )
        result["engine"] = engine
        return result
    finally:
        server.stop()
        drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)


def run_submissions(base: str, token: str, people: list[dict], n: int) -> dict:
    rng = random.Random(SEED)
    jobs = []
    for i in range(n):
        key = f"load-{uuid.uuid4()}"
        body = request_body(rng.choice(people), i)
        jobs += [(key, body), (key, body)]  # the same key twice: a retrying client
    rng.shuffle(jobs)
    barrier = threading.Barrier(len(jobs))

    def one(job):
        key, body = job
        barrier.wait()
        started = time.perf_counter()
        reference, attempts = submit_until_acknowledged(base, token, key, body)
        return key, reference, attempts, time.perf_counter() - started

    def health(_):
        barrier_h.wait()
        return fetch("GET", f"{base}/healthz")[2]

    barrier_h = threading.Barrier(n)
    with ThreadPoolExecutor(max_workers=n) as pool:
        baseline = list(pool.map(health, range(n)))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(one, jobs))
    wall = time.perf_counter() - started
    by_key: dict[str, set] = {}
    for key, reference, _attempts, _s in results:
        by_key.setdefault(key, set()).add(reference)
    return {
        "keys": n,
        "calls": len(jobs),
        "wall_s": wall,
        "latency_s": [r[3] for r in results],
        "retries": sum(r[2] - 1 for r in results),
        "health_s": baseline,
        "disagreeing": [k for k, refs in by_key.items() if len(refs) != 1],
        "unacknowledged": [k for k, refs in by_key.items() if None in refs],
        "acknowledged": {k: next(iter(refs)) for k, refs in by_key.items()},
    }


# --- Figure 2: staff sessions browsing at full scale ---------------------------------------


def child_prepare_browse(workdir: Path, workers: int, past: int, sessions: int) -> dict:
    """The full state and the past requests (bench/screening.py's bulk generator,
    not the slow path), then the sessions."""
    django_in(workdir)
    sys.path.insert(0, str(HERE))
    import screening as generator  # bench/screening.py

    agencies = generator._agencies()
    generator._state(workers)
    staff = generator._staff()
    generator._past_requests(past, agencies, staff["bench-reviewer"])
    (workdir / "prepared.json").write_text(
        json.dumps({"workers": workers, "past": past})
    )
    return child_sessions(workdir, sessions)


def child_sessions(workdir: Path, sessions: int) -> dict:
    """``sessions`` signed-in reviewer sessions with a verified second factor, and the
    open cases they browse."""
    django_in(workdir)
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from recordwarden.intake.models import Request

    reviewer = get_user_model().objects.get(username="bench-reviewer")
    device = reviewer.totpdevice_set.first()
    cookies = []
    for _ in range(sessions):
        session = SessionStore()
        session[SESSION_KEY] = str(reviewer.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = reviewer.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        cookies.append(session.session_key)
    open_refs = list(
        Request.objects.filter(status__in=["received", "in_review"])
        .order_by("-received_at")
        .values_list("reference", flat=True)[:200]
    )
    return {"sessions": cookies, "cases": open_refs}


def browse(base: str, sessions: list[str], cases: list[str], *, seconds: float, think):
    """Each session alternates queue and case pages (and /healthz as the baseline)
    for ``seconds``; ``think`` is the pause range between clicks (None: none)."""
    stop = time.monotonic() + seconds
    times: dict[str, list[float]] = {"queue": [], "case": [], "health": []}
    errors: list[str] = []
    lock = threading.Lock()

    def session_loop(cookie: str, seed: int):
        rng = random.Random(seed)
        headers = {"Cookie": f"sessionid={cookie}"}
        while time.monotonic() < stop:
            for kind in ("queue", "case", "health"):
                path = {
                    "queue": "/review/",
                    "case": f"/review/{rng.choice(cases)}/",
                    "health": "/healthz",
                }[kind]
                status, _, elapsed = fetch("GET", base + path, headers=headers)
                with lock:
                    if status == 200:
                        times[kind].append(elapsed * 1000)
                    else:
                        errors.append(f"{path}: {status}")
                if think:
                    time.sleep(rng.uniform(*think))

    threads = [
        threading.Thread(target=session_loop, args=(c, i))
        for i, c in enumerate(sessions)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"times": times, "errors": errors[:10], "error_count": len(errors)}


def staff_browsing(quick: bool, workers=None, past=None, sessions=20, reuse=False):
    """``reuse``: keep the database a previous run prepared at the same scale (only the
    sessions are made again)."""
    workers = workers or (20_000 if quick else FULL_WORKERS)
    past = past if past is not None else (10_000 if quick else FULL_PAST)
    workdir = OUT / "load-browse"
    marker = workdir / "prepared.json"
    scale = {"workers": workers, "past": past}
    reused = reuse and marker.exists() and json.loads(marker.read_text()) == scale
    if not reused:
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
    url = database_for(workdir, "sqlite", "browse")
    # Processes x threads. One thread per process: with 2 x 8 threads on two cores,
    # the GIL made the queue's p95 ~450 ms; 4 x 1 gives ~55 ms (same run, same data).
    procs, threads = (int(x) for x in os.environ.get("LOAD_GUNICORN", "4x1").split("x"))
    server = Server(workdir, url, workers=procs, threads=threads)
    try:
        if reused:
            log(f"load: reusing {workers:,} workers and {past:,} past requests")
            prep = server.child(Path(__file__), "sessions", "--sessions", str(sessions))
        else:
            server.manage("migrate", "--noinput")
            log(f"load: preparing {workers:,} workers and {past:,} past requests")
            prep = server.child(
                Path(__file__),
                "prepare-browse",
                "--workers",
                str(workers),
                "--past",
                str(past),
                "--sessions",
                str(sessions),
            )
        server.start()
        seconds = 20 if quick else 60
        browse(server.url, prep["sessions"][:2], prep["cases"], seconds=3, think=None)
        paced = browse(
            server.url,
            prep["sessions"],
            prep["cases"],
            seconds=seconds,
            think=(0.5, 1.5),
        )
        flat_out = browse(
            server.url, prep["sessions"], prep["cases"], seconds=seconds / 2, think=None
        )
        return {
            "workers": workers,
            "past": past,
            "sessions": sessions,
            "seconds": seconds,
            "paced": paced,
            "flat_out": flat_out,
        }
    finally:
        server.stop()


# --- Report ------------------------------------------------------------------------------


def _ms(values: list[float]) -> str:
    return f"p95 {pct(values, 0.95):.0f} ms, median {statistics.median(values):.0f} ms"


def api_rows(r: dict) -> list[tuple[str, str, str]]:
    check = r["check"]
    ok = (
        not check["problems"]
        and not r["disagreeing"]
        and not r["unacknowledged"]
        and check["stored_keys"] == r["keys"]
    )
    lat = [s * 1000 for s in r["latency_s"]]
    health = [s * 1000 for s in r["health_s"]]
    return [
        (
            f"{r['keys']} concurrent API submissions x2 (same key), {r['engine']}",
            f"{'each stored exactly once' if ok else 'FAILED: ' + str(check)[:200]}; "
            f"{r['calls'] / r['wall_s']:.0f} calls/s, {_ms(lat)}, "
            f"{r['retries']} retries (status: count {r['retried_statuses']}; "
            "0 = connection dropped)",
            "each key stored once",
        ),
        (
            f"  baseline: {r['keys']} concurrent GET /healthz, {r['engine']}",
            f"{_ms(health)}; submission/health median "
            f"{statistics.median(lat) / statistics.median(health):.0f}x",
            "",
        ),
    ]


def browse_rows(r: dict) -> list[tuple[str, str, str]]:
    rows = []
    scale = f"{r['workers']:,} workers, {r['past']:,} past requests"
    for run, label in (
        ("paced", "0.5-1.5 s between clicks"),
        ("flat_out", "no pauses"),
    ):
        t = r[run]["times"]
        served = sum(len(v) for v in t.values())
        for kind, page in (("queue", "queue page"), ("case", "case page")):
            rows.append(
                (
                    f"{page}, {r['sessions']} sessions, {label}",
                    f"{_ms(t[kind])} ({len(t[kind])} loads; {scale}); errors "
                    f"{r[run]['error_count']}",
                    "p95 <= 150 ms" if run == "paced" else "",
                )
            )
        rows.append(
            (
                f"  baseline: /healthz, same sessions, {label}",
                f"{_ms(t['health'])}; {served / r['seconds']:.0f} pages/s served",
                "",
            )
        )
    return rows


def main(
    quick: bool, workers=None, past=None, sessions=20, reuse=False, only=None
) -> list[tuple[str, str, str]]:
    rows = []
    if only in (None, "api"):
        rows += api_rows(api_submissions("sqlite"))
        if postgres_base():
            rows += api_rows(api_submissions("postgres"))
    if only in (None, "browse"):
        rows += browse_rows(staff_browsing(quick, workers, past, sessions, reuse))
    return rows


def _child(args) -> None:
    workdir = Path(args.dir)
    if args.child == "prepare-api":
        result = child_prepare_api(workdir, args.workers or 200)
    elif args.child == "check-submissions":
        result = child_check_submissions(workdir, args.file)
    elif args.child == "prepare-browse":
        result = child_prepare_browse(workdir, args.workers, args.past, args.sessions)
    elif args.child == "sessions":
        result = child_sessions(workdir, args.sessions)
    else:
        raise SystemExit(f"unknown child mode {args.child}")
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--past", type=int, default=None)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep bench/out/load-browse from an earlier run at the same scale",
    )
    parser.add_argument("--only", choices=["api", "browse"], default=None)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
    else:
        for figure, value, target in main(
            args.quick, args.workers, args.past, args.sessions, args.reuse, args.only
        ):
            print(f"{figure:<58} {value:<100} target {target}")
