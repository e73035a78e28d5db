"""Policy engine: time to decide a six-element request, decisions per second.

    .venv/bin/python bench/policy.py [--quick]

Everything runs in memory on the shipped policy set (no database). Figures, each beside
a baseline measured in the same run:
- time to decide a six-element request with ``engine.decide`` (median and p95 over a mix
  of realistic requests: child support, a police warrant, an immigration agency's bulk
  ask, the worker's own request), against one bare ``cedarpy.is_authorized`` call on the
  same pre-parsed policy set, schema, entities and context, and against six bare calls;
- element decisions per second through ``engine.decide``, against bare calls per second;
- loading the policy set (parse, validate, check, smoke decision), and the exhaustive
  invariant check over the whole domain of facts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIX = ["name", "address", "employer", "wages", "benefit_amounts", "ssn"]


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recordwarden.settings")
    import django

    django.setup()


def _requests():
    from recordwarden.policy.facts import RequestFacts

    child_support = RequestFacts(
        agency_type="child_support",
        agency_verified=True,
        agreement_elements=frozenset(SIX),
        purpose="child_support",
        instrument="data_sharing_agreement",
        subjects_named=1,
        subject_identified=True,
    )
    police = RequestFacts(
        agency_type="local_police",
        agency_verified=True,
        purpose="criminal_investigation",
        instrument="judicial_warrant",
        case_number_present=True,
        subjects_named=1,
        instrument_subject_count=1,
        subject_identified=True,
    )
    bulk = RequestFacts(
        agency_type="immigration_enforcement",
        agency_verified=True,
        purpose="civil_immigration",
        instrument="administrative_subpoena",
        bulk_access=True,
    )
    worker = RequestFacts(
        instrument="own_request",
        purpose="own_records",
        requester_is_subject=True,
        identity_verified=True,
        subjects_named=1,
        subject_identified=True,
    )
    # Vary the agreement so principal entities are not all served from the cache.
    extra = [
        replace(child_support, agreement_elements=frozenset(SIX[:k]))
        for k in range(1, 6)
    ]
    return [child_support, police, bulk, worker, *extra]


def _timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _p95(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.95) - 1]


def measure(quick: bool) -> dict[str, float]:
    import cedarpy

    from recordwarden.policy import engine, verify

    start = time.perf_counter()
    policy = engine.load_policy_text(*engine.read_policy_files())
    load_s = time.perf_counter() - start
    requests = _requests()
    repeat = 300 if quick else 3000
    for facts in requests:  # warm the principal cache, as a running server would be
        engine.decide(facts, SIX, policy)

    cycle = iter(range(10**9))

    def decide_six():
        engine.decide(requests[next(cycle) % len(requests)], SIX, policy)

    six = _timed(decide_six, repeat)

    facts = requests[0]
    entities = policy.entities_for(facts)
    context = facts.context()

    def bare(key="wages"):
        cedarpy.is_authorized(
            {
                "principal": engine.PRINCIPAL_UID,
                "action": {"type": "Action", "id": engine.ESCALATED},
                "resource": {"type": "Element", "id": key},
                "context": context,
            },
            policy.policy_set,
            entities,
            policy.schema,
        )

    bare_one = _timed(bare, repeat)
    bare_six = _timed(lambda: [bare(k) for k in SIX], repeat)

    start = time.perf_counter()
    report = verify.check(policy)
    check_s = time.perf_counter() - start
    if not report.ok:
        raise SystemExit(report.summary())
    return {
        "six_median_ms": statistics.median(six) * 1e3,
        "six_p95_ms": _p95(six) * 1e3,
        "bare_one_median_ms": statistics.median(bare_one) * 1e3,
        "bare_six_median_ms": statistics.median(bare_six) * 1e3,
        "decisions_per_s": 6 / statistics.median(six),
        "bare_per_s": 1 / statistics.median(bare_one),
        "load_s": load_s,
        "check_s": check_s,
        "check_points": report.points,
    }


def main(quick: bool) -> list[tuple[str, str, str]]:
    _setup()
    m = measure(quick)
    ratio = m["six_median_ms"] / m["bare_one_median_ms"]
    return [
        (
            "decide a six-element request (median / p95)",
            f"{m['six_median_ms']:.3f} / {m['six_p95_ms']:.3f} ms",
            "< 1 ms",
        ),
        (
            "  baseline: one bare cedarpy.is_authorized",
            f"{m['bare_one_median_ms']:.3f} ms (decide = {ratio:.1f}x)",
            "",
        ),
        (
            "  baseline: six bare is_authorized calls",
            f"{m['bare_six_median_ms']:.3f} ms "
            f"(decide = {m['six_median_ms'] / m['bare_six_median_ms']:.2f}x)",
            "",
        ),
        (
            "element decisions per second (decide)",
            f"{m['decisions_per_s']:,.0f}/s (bare: {m['bare_per_s']:,.0f}/s)",
            "",
        ),
        (
            "load the policy set (parse, validate, checks)",
            f"{m['load_s'] * 1e3:.0f} ms",
            "",
        ),
        (
            "exhaustive invariant check",
            f"{m['check_s']:.1f} s for {m['check_points']:,} points",
            "< 120 s",
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for figure, value, target in main(args.quick):
        print(f"{figure:48s} {value:40s} {target}")
