"""Crash safety: SIGKILL the server and the decider at random moments while requests
are being submitted, decided and released; then prove nothing was lost or half-done.

    .venv/bin/python bench/crash.py [--quick] [--kills N] [--postgres]

Set-up: a fresh database (a SQLite file under bench/out/, or with --postgres a new
database on the server DATABASE_URL names), migrated; the example agencies, a police
requester with an API token, a reviewer and an approver, and a small synthetic state
whose people the requests name. Then, all at once:

- the real server (gunicorn, 2 workers) on loopback;
- client threads submitting through the API, each with its own Idempotency-Key, and
  retrying with the same key (connection dropped, 5xx, 503) until a 2xx answer;
- a decider process (this script, ``--child decide``) taking received requests through
  the review services: start, decide (release, or deny when no person is confirmed)
  and the approver's signature, which builds the disclosure package;
- a killer: every 0.3-1.5 s, SIGKILL to the whole server (master and workers), one
  worker, or the decider, which is then started again. ``--kills`` times (50; --quick
  and `make test`: 8).

Afterwards (the server stopped cleanly):
1. every submission acknowledged with a 2xx exists exactly once, in the request the
   answer named; no key is stored twice or unacknowledged;
2. no disclosure package exists without its final, two-person release decision and
   its audit entry, and every final release has its package (they commit together);
3. every submission has its audit entry;
4. ``manage.py verify_audit`` recomputes the log and its checkpoints: VERIFIED.

Figures: acknowledged submissions and releases per second under the killer beside the
same loop without kills (the baseline, same run), and the kills by victim.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import load  # noqa: E402  (bench/load.py: the server and the client)

SEED = 50


# --- The decider (child process) -----------------------------------------------------------


def child_decide(workdir: Path) -> None:
    """Move requests along with the real services until killed."""
    load.django_in(workdir)
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from recordwarden.audit.checkpoints import checkpoint_sign
    from recordwarden.core.exceptions import Conflict, Forbidden
    from recordwarden.intake.constants import RequestStatus
    from recordwarden.intake.models import Request
    from recordwarden.review import services
    from recordwarden.review.constants import DecisionState

    users = get_user_model().objects
    reviewer = users.get(username="bench-reviewer")
    approver = users.get(username="bench-approver")
    rng = random.Random(os.getpid())
    steps = 0
    moving = [
        RequestStatus.RECEIVED,
        RequestStatus.IN_REVIEW,
        RequestStatus.AWAITING_APPROVAL,
    ]
    while True:
        request = (
            Request.objects.filter(status__in=moving).order_by("received_at").first()
        )
        if request is None:
            time.sleep(0.2)
            continue
        try:
            if request.status == RequestStatus.RECEIVED:
                services.review_start(actor=reviewer, request=request)
            elif request.status == RequestStatus.IN_REVIEW:
                _decide(services, reviewer, request)
            else:
                pending = request.decisions.filter(state=DecisionState.PENDING).first()
                if pending is not None:
                    services.decision_sign(
                        actor=approver, decision=pending, role="approver"
                    )
        except (Conflict, Forbidden, ValidationError):
            pass  # moved by someone else, or not releasable: look again
        steps += 1
        if steps % 10 == 0:  # a signed checkpoint now and then, kills or not
            checkpoint_sign(actor="system:crash")
        time.sleep(rng.uniform(0.0, 0.05))


def _decide(services, reviewer, request) -> None:
    from django.core.exceptions import ValidationError

    from recordwarden.core.exceptions import Conflict

    try:
        services.review_decide(
            actor=reviewer,
            request=request,
            kind="release",
            elements={e: {"action": "approve"} for e in request.elements},
        )
    except (ValidationError, Conflict):
        services.review_decide(
            actor=reviewer, request=request, kind="deny", reason_codes=["not_judicial"]
        )


def child_check(workdir: Path, acknowledged_file: str) -> dict:
    """The invariants, read from the database after the last restart."""
    result = load.child_check_submissions(workdir, acknowledged_file)
    from recordwarden.audit.models import AuditEntry
    from recordwarden.audit.services import target_ref
    from recordwarden.disclosure.constants import PACKAGE_BUILT
    from recordwarden.disclosure.models import DisclosurePackage
    from recordwarden.intake.constants import SUBMISSION_RECEIVED
    from recordwarden.intake.models import Submission
    from recordwarden.review.models import Decision

    built = set(
        AuditEntry.objects.filter(action=PACKAGE_BUILT).values_list("target", flat=True)
    )
    received = set(
        AuditEntry.objects.filter(action=SUBMISSION_RECEIVED).values_list(
            "target", flat=True
        )
    )
    problems = []
    packages = DisclosurePackage.objects.select_related("decision", "request")
    release_kinds = ("approve", "partial")
    for package in packages:
        decision = package.decision
        signers = set(decision.signatures.values_list("signer_id", flat=True))
        signers.add(decision.decided_by_id)
        if decision.kind not in release_kinds or decision.state != "final":
            problems.append(
                f"{package.reference}: decision {decision.kind} {decision.state}"
            )
        if len(signers) < 2:
            problems.append(f"{package.reference}: {len(signers)} person(s) signed")
        if target_ref(package) not in built:
            problems.append(f"{package.reference}: no audit entry")
        if package.request.status != "released":
            problems.append(f"{package.reference}: request {package.request.status}")
    finals = Decision.objects.filter(kind__in=release_kinds, state="final")
    orphans = finals.filter(package__isnull=True).count()
    if orphans:
        problems.append(f"{orphans} final release decision(s) without a package")
    unlogged = [s.pk for s in Submission.objects.all() if target_ref(s) not in received]
    if unlogged:
        problems.append(f"submissions without an audit entry: {unlogged[:10]}")
    result["package_problems"] = problems
    result["packages"] = packages.count()
    result["decisions"] = Decision.objects.count()
    return result


# --- The run -------------------------------------------------------------------------------


class Decider:
    def __init__(self, server: load.Server):
        self.server = server
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                "decide",
                "--dir",
                str(self.server.workdir),
            ],
            env=self.server.env,
            cwd=load.ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(self.server.workdir / "decider.log", "ab"),  # noqa: SIM115
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
            self.process = None


def _clients(server, token, people, stop: threading.Event, n_threads: int):
    acknowledged: dict[str, str] = {}
    retried = [0]
    lock = threading.Lock()
    counter = iter(range(10**9))

    def loop(seed: int):
        rng = random.Random(seed)
        while not stop.is_set():
            i = next(counter)
            key = f"crash-{uuid.uuid4()}"
            body = load.request_body(rng.choice(people), i)
            reference, attempts = load.submit_until_acknowledged(
                server.url, token, key, body
            )
            with lock:
                retried[0] += attempts - 1
                if reference is not None:
                    acknowledged[key] = reference

    threads = [
        threading.Thread(target=loop, args=(SEED + i,)) for i in range(n_threads)
    ]
    for t in threads:
        t.start()
    return threads, acknowledged, retried


def _killer(server, decider, kills: int, rng: random.Random) -> dict:
    victims = {"server": 0, "worker": 0, "decider": 0}
    for n in range(kills):
        time.sleep(rng.uniform(0.3, 1.5))
        # Each kind of victim at least once, then at random (the server most often).
        victim = (
            list(victims)[n]
            if n < 3
            else rng.choice(["server", "server", "worker", "decider"])
        )
        if victim == "server":
            server.kill()
            server.start()
        elif victim == "worker":
            if not server.kill_worker():
                continue
        else:
            decider.kill()
            decider.start()
        victims[victim] += 1
    return victims


def run(
    kills: int, *, engine: str = "sqlite", threads: int = 4, calm: float = 0
) -> dict:
    """``kills`` SIGKILLs while clients and the decider work; ``calm`` seconds of the
    same loop without kills first (the baseline)."""
    workdir = load.OUT / f"crash-{engine}-{os.getpid()}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    url = load.database_for(workdir, engine, "crash")
    server = load.Server(workdir, url, workers=2, threads=4)
    decider = Decider(server)
    rng = random.Random(SEED)
    try:
        server.manage("migrate", "--noinput")
        prep = server.child(Path(load.__file__), "prepare-api", "--workers", "200")
        server.start()
        decider.start()
        stop = threading.Event()
        started = time.perf_counter()
        clients, acknowledged, retried = _clients(
            server, prep["token"], prep["people"], stop, threads
        )
        baseline = None
        if calm:
            time.sleep(calm)
            baseline = {"seconds": calm, "acknowledged": len(acknowledged)}
        chaos_started = time.perf_counter()
        before = len(acknowledged)
        victims = _killer(server, decider, kills, rng)
        chaos_seconds = time.perf_counter() - chaos_started
        during = len(acknowledged) - before
        stop.set()
        for t in clients:
            t.join(timeout=600)
        decider.kill()
        server.stop()
        ack_file = workdir / "acknowledged.json"
        ack_file.write_text(json.dumps(acknowledged))
        check = server.child(Path(__file__), "check", "--file", str(ack_file))
        verify = server.manage("verify_audit", check=False)
        return {
            "engine": engine,
            "kills": sum(victims.values()),
            "victims": victims,
            "seconds": time.perf_counter() - started,
            "chaos_seconds": chaos_seconds,
            "acknowledged_during_chaos": during,
            "retried_calls": retried[0],
            "baseline": baseline,
            "check": check,
            "verify_returncode": verify.returncode,
            "verify_output": (verify.stdout + verify.stderr).strip()[-600:],
        }
    finally:
        decider.kill()
        server.stop()
        load.drop_database(url)
        if os.environ.get("CRASH_KEEP") != "1":
            shutil.rmtree(workdir, ignore_errors=True)


def failures(result: dict) -> list[str]:
    check = result["check"]
    found = list(check["problems"]) + list(check["package_problems"])
    if check["unacknowledged_but_stored"]:
        found.append(
            f"stored but never acknowledged: {check['unacknowledged_but_stored']}"
        )
    if check["max_per_key"] > 1:
        found.append("a key is stored more than once")
    if result["verify_returncode"] != 0 or "VERIFIED" not in result["verify_output"]:
        found.append(f"verify_audit: {result['verify_output']}")
    return found


def rows(result: dict) -> list[tuple[str, str, str]]:
    bad = failures(result)
    check = result["check"]
    per_s = result["acknowledged_during_chaos"] / result["chaos_seconds"]
    out = [
        (
            f"SIGKILLs while submitting/deciding/releasing, {result['engine']}",
            f"{result['kills']} kills ({result['victims']}); {check['acknowledged']} "
            f"acknowledged ({result['retried_calls']} calls retried), "
            f"{check['packages']} packages; "
            + (
                "all invariants hold, verify_audit VERIFIED"
                if not bad
                else f"FAILED: {bad[:3]}"
            ),
            ">= 50 kills, nothing lost",
        ),
        (
            "  acknowledged submissions/s under kills",
            f"{per_s:.1f}/s",
            "",
        ),
    ]
    if result["baseline"]:
        base = result["baseline"]["acknowledged"] / result["baseline"]["seconds"]
        out.append(
            (
                "  baseline: same loop without kills",
                f"{base:.1f}/s; under kills {per_s / base:.0%} of it",
                "",
            )
        )
    return out


def main(quick: bool, kills: int | None = None, postgres: bool = False):
    kills = kills or (8 if quick else 50)
    engine = "postgres" if postgres and load.postgres_base() else "sqlite"
    return rows(run(kills, engine=engine, calm=10 if quick else 30))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--kills", type=int, default=None)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "decide":
        child_decide(Path(args.dir))
    elif args.child == "check":
        print(json.dumps(child_check(Path(args.dir), args.file)))
    else:
        for figure, value, target in main(args.quick, args.kills, args.postgres):
            print(f"{figure:<58} {value:<100} target {target}")
