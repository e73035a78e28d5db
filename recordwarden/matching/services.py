"""Writes of the matching app: resolving subjects, reviewers' decisions, the index and
the trained model. Each writes its audit entry (ids only, never a name or a date of
birth) in the same transaction."""

from __future__ import annotations

import hashlib
import json
import random
import time

from django.db import connection, models, transaction
from django.utils import timezone

from recordwarden.audit.services import audit_record
from recordwarden.core.exceptions import Conflict, Forbidden
from recordwarden.records.models import Worker

from . import constants as c
from . import engine, modelstore
from .engine.train import count_values, train
from .index import DbIndex, build_index, index_workers, person_from_row
from .models import MatchCandidate, MatcherModel, SubjectMatch
from .permissions import can_decide_match, can_resolve_subject, holds

SUBJECT_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "ssn_hash",
    "ssn_last4_hash",
    "street",
    "city",
    "zip",
)


def subject_person(subject) -> engine.Person:
    return engine.Person(
        id=subject.pk, **{f: getattr(subject, f) for f in SUBJECT_FIELDS}
    )


def subject_fingerprint(subject) -> str:
    values = {f: str(getattr(subject, f) or "") for f in SUBJECT_FIELDS}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def _candidate_rows(subject_match, resolution) -> list[MatchCandidate]:
    return [
        MatchCandidate(
            subject_match=subject_match,
            worker_id=cand.id,
            rank=rank,
            weight=cand.weight,
            probability=cand.probability,
            evidence=[e.as_dict() for e in cand.evidence],
            names_swapped=cand.names_swapped,
        )
        for rank, cand in enumerate(resolution.candidates, start=1)
    ]


@transaction.atomic
def subject_resolve(*, actor, subject) -> SubjectMatch:
    """Resolve ``subject`` against the records and store the outcome and candidates.

    Re-resolving replaces the candidates; a reviewer's confirmation or rejection is
    kept only while the subject's identifying details are unchanged."""
    if not can_resolve_subject(actor, subject):
        raise Forbidden("Your role does not allow resolving subjects.")
    model_row, model = modelstore.active_model()
    started = time.perf_counter()
    resolution = engine.resolve(subject_person(subject), DbIndex(), model)
    elapsed = (time.perf_counter() - started) * 1000
    fingerprint = subject_fingerprint(subject)
    match = SubjectMatch.objects.select_for_update().filter(subject=subject).first()
    kept = (
        match is not None
        and match.fingerprint == fingerprint
        and (match.confirmed_worker_id is not None or match.rejected)
    )
    if match is None:
        match = SubjectMatch(subject=subject)
    if not kept:
        match.confirmed_worker = match.confirmed_by = match.confirmed_at = None
        match.rejected, match.rejected_by, match.rejected_at = False, None, None
    match.outcome = resolution.outcome
    match.best_weight = resolution.best.weight if resolution.best else None
    match.matcher_model = model_row
    match.fingerprint = fingerprint
    match.resolved_at = timezone.now()
    match.elapsed_ms = round(elapsed, 3)
    match.too_common = resolution.too_common
    match.full_clean()
    match.save()
    match.candidates.all().delete()
    rows = _candidate_rows(match, resolution)
    for row in rows:
        row.full_clean(validate_unique=False, validate_constraints=False)
    MatchCandidate.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action=c.SUBJECT_RESOLVED,
        target=match,
        data={
            "subject": subject.pk,
            "request": subject.request_id,
            "outcome": match.outcome,
            "candidates": [row.worker_id for row in rows],
            "matcher_model": model_row.pk if model_row else None,
            "decision_kept": kept,
        },
    )
    return match


def _locked(subject_match: SubjectMatch) -> SubjectMatch:
    return SubjectMatch.objects.select_for_update().get(pk=subject_match.pk)


@transaction.atomic
def match_confirm(
    *, actor, subject_match: SubjectMatch, worker: Worker
) -> SubjectMatch:
    """A reviewer states that the subject is ``worker``, one of the candidates."""
    if not can_decide_match(actor):
        raise Forbidden("Only reviewers, counsel and approvers decide matches.")
    match = _locked(subject_match)
    if not match.candidates.filter(worker=worker).exists():
        raise Conflict("That worker is not among this subject's candidates.")
    match.confirmed_worker = worker
    match.confirmed_by = actor
    match.confirmed_at = timezone.now()
    match.rejected, match.rejected_by, match.rejected_at = False, None, None
    match.full_clean()
    match.save()
    audit_record(
        actor=actor,
        action=c.MATCH_CONFIRMED,
        target=match,
        data={
            "subject": match.subject_id,
            "worker": worker.pk,
            "outcome": match.outcome,
        },
    )
    return match


@transaction.atomic
def match_reject(*, actor, subject_match: SubjectMatch) -> SubjectMatch:
    """A reviewer states that the subject is none of the candidates (also overriding
    an automatic match)."""
    if not can_decide_match(actor):
        raise Forbidden("Only reviewers, counsel and approvers decide matches.")
    match = _locked(subject_match)
    match.confirmed_worker = match.confirmed_by = match.confirmed_at = None
    match.rejected = True
    match.rejected_by = actor
    match.rejected_at = timezone.now()
    match.full_clean()
    match.save()
    audit_record(
        actor=actor,
        action=c.MATCH_REJECTED,
        target=match,
        data={"subject": match.subject_id, "outcome": match.outcome},
    )
    return match


def _require_admin(actor) -> None:
    from recordwarden.accounts.constants import Role

    if not (isinstance(actor, str) or holds(actor, Role.ADMINISTRATOR)):
        raise Forbidden("Only administrators and batch jobs maintain the matcher.")


def match_index_build(*, actor, rebuild: bool = False, progress=None) -> dict:
    """Build the blocking-key index: all workers (``rebuild``) or only workers not yet
    indexed. Runs in batches, each its own transaction, so it is not one atomic unit;
    the audit entry records what was done once it is done."""
    _require_admin(actor)
    started = time.perf_counter()
    result = build_index(rebuild=rebuild, progress=progress)
    result["seconds"] = round(time.perf_counter() - started, 2)
    with transaction.atomic():
        audit_record(
            actor=actor, action=c.INDEX_BUILT, data={**result, "rebuild": rebuild}
        )
    return result


@transaction.atomic
def match_index_workers(*, actor, worker_ids) -> int:
    """(Re)index workers after they are created or changed."""
    _require_admin(actor)
    ids = sorted(set(worker_ids))
    written = index_workers(ids)
    audit_record(
        actor=actor,
        action=c.INDEX_BUILT,
        data={"workers": len(ids), "keys": written, "rebuild": False},
    )
    return written


def _random_workers(size: int, seed: int) -> list[engine.Person]:
    from .index import WORKER_COLUMNS

    ids = list(Worker.objects.values_list("id", flat=True))
    chosen = random.Random(seed).sample(ids, min(size, len(ids)))  # nosec B311
    people = []
    for start in range(0, len(chosen), 5000):
        chunk = chosen[start : start + 5000]
        people.extend(
            person_from_row(row)
            for row in Worker.objects.filter(id__in=chunk).values_list(*WORKER_COLUMNS)
        )
    return people


def _all_workers():
    from .index import WORKER_COLUMNS

    qs = Worker.objects.order_by().values_list(*WORKER_COLUMNS)
    for row in qs.iterator(chunk_size=20_000):
        yield person_from_row(row)


def _subjects_on_file() -> tuple[list[engine.Person], dict]:
    """Every subject on file as a training query, and the reviewers' answers
    (subject -> confirmed worker id, or None when every candidate was rejected)."""
    from recordwarden.intake.models import Subject

    people = []
    for subject in Subject.objects.all().iterator():
        person = subject_person(subject)
        person.id = ("subject", subject.pk)  # never equal to a --queries file id
        people.append(person)
    labels = {}
    decided = SubjectMatch.objects.filter(
        models.Q(confirmed_worker__isnull=False) | models.Q(rejected=True)
    ).values_list("subject_id", "confirmed_worker_id")
    for subject_id, worker_id in decided:
        labels[("subject", subject_id)] = worker_id
    return people, labels


def matcher_train(
    *,
    actor,
    queries: list[engine.Person] | None = None,
    sample_size: int = 50_000,
    u_pairs: int = 200_000,
    seed: int = 0,
) -> MatcherModel:
    """Estimate a model from the agency's data and store it as the one in use.

    u and name frequencies come from the workers; m from EM over the candidates of
    ``queries`` plus every subject already on file (requests the agency received),
    with reviewers' confirmations and rejections as known answers."""
    _require_admin(actor)
    subjects, labels = _subjects_on_file()
    training = list(queries or []) + subjects
    counts = count_values(_all_workers())
    if counts.population < 2:
        raise Conflict("There are no workers to learn from yet.")
    model = train(
        sample=_random_workers(sample_size, seed),
        counts=counts,
        queries=training,
        index=DbIndex(),
        u_pairs=u_pairs,
        seed=seed,
        labels=labels,
    )
    model.info["database"] = connection.vendor
    model.info["reviewed_subjects"] = len(labels)
    with transaction.atomic():
        row = MatcherModel(
            created_at=timezone.now(),
            created_by=str(getattr(actor, "pk", actor)),
            population=model.population,
            params=model.to_dict(),
        )
        row.full_clean()
        row.save()
        audit_record(
            actor=actor,
            action=c.MATCHER_TRAINED,
            target=row,
            data={k: v for k, v in model.info.items() if not isinstance(v, dict)},
        )
    modelstore.forget()
    return row
