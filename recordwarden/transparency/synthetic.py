"""A synthetic audit history of many past requests, for the benchmark, the browser test
and demos: entries shaped like those intake, review and disclosure write (the same
actions, targets and data keys; test_report_from_log drives the real services).

Entries are appended through ``audit_record_many`` with the clock set to each moment of
the simulated history, so the log is a real, verifiable log.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from django.db import transaction

from recordwarden.audit.services import AuditEvent, audit_record_many

AGENCIES = [
    # key, type, weight
    ("abq-police", "local_police", 30),
    ("dona-ana-sheriff", "local_police", 10),
    ("nm-csed", "child_support", 30),
    ("ice-elpaso", "immigration_enforcement", 8),
    ("hsi-elpaso", "immigration_enforcement", 2),
    ("second-district-court", "court", 8),
    (None, None, 12),
]
INSTRUMENTS = {
    "local_police": ["judicial_warrant", "grand_jury_subpoena", "court_order", "none"],
    "child_support": ["data_sharing_agreement"],
    "immigration_enforcement": [
        "administrative_subpoena",
        "administrative_warrant",
        "judicial_warrant",
    ],
    "court": ["court_order", "clerk_subpoena"],
    None: ["own_request", "written_consent"],
}
PURPOSES = {
    "local_police": "criminal_investigation",
    "child_support": "child_support",
    "immigration_enforcement": "civil_immigration",
    "court": "civil_litigation",
    None: "own_records",
}
ELEMENTS = ["name", "address", "employer", "wages", "claim_dates", "benefit_amounts"]
# Everything on a simulated day happens at 10:00 in New Mexico (one append per day keeps
# the history quick to write; days to decision come out in whole days).
HOUR_UTC = 17


@dataclass
class Plan:
    """What happens to one synthetic request, as (moment, action, data) steps."""

    pk: int
    steps: list[tuple[dt.datetime, str, dict]]


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(HOUR_UTC), tzinfo=dt.UTC)


def _plan(pk: int, day: dt.date, rng: random.Random) -> Plan:
    key, agency_type, _w = rng.choices(AGENCIES, weights=[a[2] for a in AGENCIES])[0]
    instrument = rng.choice(INSTRUMENTS[agency_type])
    emergency = agency_type == "local_police" and rng.random() < 0.04
    elements = sorted(rng.sample(ELEMENTS, rng.randint(1, 3)))
    at = _moment(day)
    ref = f"RW-{day.year}-{pk:07d}"
    steps = [
        (
            at,
            "intake.request_submitted",
            {
                "reference": ref,
                "channel": rng.choice(["portal", "api", "email", "paper"]),
                "agency": key,
                "agency_type": agency_type,
                "instrument": instrument,
                "purpose": "emergency" if emergency else PURPOSES[agency_type],
                "elements": elements,
                "subjects": 1,
                "submission": pk,
                "emergency": emergency,
            },
        ),
        (
            at,
            "review.screened",
            {
                "screening": pk,
                "flags": ["re_ask_after_denial"] if rng.random() < 0.04 else [],
                "recommendation": "review",
                "policy_version": "synthetic",
            },
        ),
    ]
    if emergency:
        steps.append(
            (
                at,
                "review.callback_recorded",
                {
                    "task": pk,
                    "kind": "emergency_callback",
                    "confirmed": rng.random() < 0.7,
                },
            )
        )
    roll = rng.random()
    decided = at + dt.timedelta(days=rng.choice([1, 1, 2, 2, 3, 5, 8, 13, 21]))
    if roll < 0.05:
        steps.append((decided, "review.request_moved", {"to": "withdrawn"}))
    elif roll < 0.15:
        pass  # still pending
    else:
        steps.append((decided, "review.request_moved", {"to": "in_review"}))
        steps += _decision(pk, decided, elements, agency_type, instrument, rng)
    if agency_type == "immigration_enforcement":
        steps += _notices(pk, at, rng)
    return Plan(pk, steps)


def _decision(pk, at, elements, agency_type, instrument, rng) -> list:
    moved = "review.request_moved"
    if instrument == "clerk_subpoena":
        return [
            (at, moved, {"to": "quashed"}),
            (at, "review.decided", {"decision": pk, "kind": "quash", "state": "final"}),
        ]
    releases = (
        agency_type != "immigration_enforcement" or instrument == "judicial_warrant"
    )
    if not releases or rng.random() < 0.35:
        return [
            (at, moved, {"to": "denied"}),
            (at, "review.decided", {"decision": pk, "kind": "deny", "state": "final"}),
        ]
    released = elements if rng.random() < 0.6 else elements[:1]
    kind = "approve" if released == elements else "partial"
    return [
        (at, moved, {"to": "awaiting_approval"}),
        (
            at,
            "review.decided",
            {"decision": pk, "kind": kind, "state": "pending", "released": released},
        ),
        (at, "review.signed", {"decision": pk, "role": "approver"}),
        (at, moved, {"to": "approved"}),
        (at, "review.decided", {"decision": pk, "kind": kind, "state": "final"}),
        (at, moved, {"to": "released"}),
        (
            at,
            "disclosure.package_built",
            {"request": pk, "decision": pk, "elements": released, "subjects": 1},
        ),
    ]


def _notices(pk, at, rng) -> list:
    later = at + dt.timedelta(days=3)
    steps = []
    if rng.random() < 0.1:
        steps.append((at, "disclosure.notice_delayed", {"delay": pk, "notices": 0}))
    steps.append((later, "disclosure.notice_scheduled", {"request": pk, "held": False}))
    if rng.random() < 0.85:
        steps.append((later, "disclosure.notice_sent", {"request": pk}))
    return steps


def _target(action: str, pk: int) -> str:
    if (
        action.startswith("disclosure.notice_")
        and action != "disclosure.notice_delayed"
    ):
        return f"disclosure.notice:{pk}"
    if action == "disclosure.package_built":
        return f"disclosure.disclosurepackage:{pk}"
    return f"intake.request:{pk}"


@contextmanager
def _clock_at(moment: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def write_history(
    n: int,
    *,
    start: dt.date,
    days: int,
    first_pk: int = 1,
    seed: int = 2025,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Append the audit entries of ``n`` requests received over ``days`` days from
    ``start``, in time order. Returns how many entries were written."""
    rng = random.Random(seed)  # nosec B311 - synthetic data, not secrets
    by_moment: dict[dt.datetime, list[AuditEvent]] = defaultdict(list)
    for i in range(n):
        day = start + dt.timedelta(days=int(i * days / n))
        plan = _plan(first_pk + i, day, rng)
        for moment, action, data in plan.steps:
            by_moment[moment].append(
                AuditEvent("user:1", action, _target(action, plan.pk), data)
            )
    written = 0
    moments = sorted(by_moment)
    for chunk in _chunks(moments, 200):
        with transaction.atomic():
            for moment in chunk:
                with _clock_at(moment):
                    written += len(audit_record_many(by_moment[moment]))
        if progress is not None:
            progress(written)
    return written


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
