"""Estimating the model from the agency's own data.

- u (how often two *different* people agree by chance) comes from the records:
  random pairs of workers for every level, and exact value frequencies for the
  levels where chance agreement is rare (date of birth, SSN, last four), where
  sampling would see too few agreements to count.
- Name frequencies (term-frequency adjustment) are counted over all workers.
- m (how often the *same* person's details agree, given the mistakes people make on
  requests) is estimated by expectation-maximisation over the candidate pairs of a
  set of subjects, with u held fixed and the defaults as a weak Dirichlet prior so a
  small training set cannot produce extreme weights.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .compare import ADDRESS, COMPARATORS, DOB, FIELDS, LAST4, SSN, compare
from .model import DEFAULT_M, Model, Thresholds
from .normalize import (
    Person,
    Prepared,
    normalize_dob,
    prepare,
    split_given,
    split_surname,
)
from .resolve import Index, candidate_ids

MIN_NAME_COUNT = 2  # names seen once are left out of the table (count 1 is assumed)


@dataclass
class Counts:
    population: int = 0
    first: Counter = field(default_factory=Counter)
    last: Counter = field(default_factory=Counter)
    dob: Counter = field(default_factory=Counter)
    last4: Counter = field(default_factory=Counter)
    ssn: Counter = field(default_factory=Counter)

    def add(self, person: Person) -> None:
        self.population += 1
        first = " ".join(split_given(person.first_name or ""))
        if first:
            self.first[first] += 1
        last = split_surname(person.last_name or "")[0]
        if last:
            self.last[last] += 1
        dob = normalize_dob(person.dob)
        if dob:
            self.dob[dob] += 1
        if person.ssn_last4_hash:
            self.last4[person.ssn_last4_hash] += 1
        if person.ssn_hash:
            self.ssn[person.ssn_hash[:16]] += 1


def count_values(people: Iterable[Person]) -> Counts:
    counts = Counts()
    for person in people:
        counts.add(person)
    return counts


def _chance_agreement(counter: Counter) -> float:
    """Probability that two different people drawn at random share a value."""
    n = sum(counter.values())
    if n < 2:
        return 0.0
    return sum(c * (c - 1) for c in counter.values()) / (n * (n - 1))


def estimate_u(
    sample: Sequence[Prepared],
    counts: Counts,
    *,
    pairs: int,
    seed: int,
    street_share: float = 0.5,
) -> dict[str, list[float]]:
    """Chance agreement per level. The address's levels depend on whether the
    subject gave a street, so each pair is compared both ways and the two mixed in
    the proportion ``street_share`` of subjects who give one."""
    rng = random.Random(seed)  # seeded, for statistics  # nosec B311
    tallies = [[0.5] * len(f.levels) for f in FIELDS]  # half a pseudo-count per level
    n = len(sample)
    if n < 2:
        raise ValueError("need at least two records to estimate u")
    streetless = [replace(p, street="", house="") for p in sample]
    for _ in range(pairs):
        a, b = rng.randrange(n), rng.randrange(n)
        if a == b:
            continue
        for i, fn in enumerate(COMPARATORS):
            if i == ADDRESS:
                for q, share in (
                    (sample[a], street_share),
                    (streetless[a], 1 - street_share),
                ):
                    level = fn(q, sample[b])
                    if level is not None:
                        tallies[i][level] += share
                continue
            level = fn(sample[a], sample[b])
            if level is not None:
                tallies[i][level] += 1
    u = {}
    for i, spec in enumerate(FIELDS):
        total = sum(tallies[i])
        u[spec.name] = [t / total for t in tallies[i]]
    # Rare chance agreements, computed exactly from the value frequencies.
    for index, counter, top in (
        (DOB, counts.dob, 5),
        (SSN, counts.ssn, 2),
        (LAST4, counts.last4, 1),
    ):
        exact = _chance_agreement(counter)
        if exact > 0:
            name = FIELDS[index].name
            rest = 1.0 - exact
            others = [p for lvl, p in enumerate(u[name]) if lvl != top]
            scale = rest / sum(others)
            u[name] = [
                exact if lvl == top else p * scale for lvl, p in enumerate(u[name])
            ]
    if counts.ssn and max(counts.ssn.values()) == 1:
        # Every SSN distinct: agreeing by chance happens less than once in the table.
        u[FIELDS[SSN].name][2] = min(u[FIELDS[SSN].name][2], 1.0 / counts.population)
    return u


def comparison_matrix(
    queries: Sequence[Person], index: Index
) -> tuple[np.ndarray, list[tuple[int, object]]]:
    """Levels (-1 for missing) of every candidate pair of every query."""
    rows: list[list[int]] = []
    pairs: list[tuple[int, object]] = []
    for qi, subject in enumerate(queries):
        q = prepare(subject)
        ids, _, _ = candidate_ids(q, index)
        for person in index.fetch(ids):
            levels, _ = compare(q, prepare(person))
            rows.append([-1 if lv is None else lv for lv in levels])
            pairs.append((qi, person.id))
    matrix = np.array(rows, dtype=np.int8).reshape(-1, len(FIELDS))
    return matrix, pairs


def _group_log_sum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """log(sum(exp(values))) within each contiguous group beginning at ``starts``."""
    peak = np.maximum.reduceat(values, starts)
    sizes = np.diff(np.append(starts, len(values)))
    shifted = np.exp(values - np.repeat(peak, sizes))
    return peak + np.log(np.add.reduceat(shifted, starts))


def _e_step(log_ratio, starts, sizes, pi, log_n):
    a = np.log(pi) - log_n + log_ratio
    denom = np.logaddexp(np.log1p(-pi), _group_log_sum(a, starts))
    return np.exp(a - np.repeat(denom, sizes))


def estimate_m(
    gammas: np.ndarray,
    groups: np.ndarray,
    u: dict[str, list[float]],
    *,
    population: int,
    labels: np.ndarray | None = None,
    prior_strength: float = 20.0,
    min_anchors: int = 50,
    iterations: int = 100,
    tolerance: float = 1e-6,
) -> tuple[dict[str, list[float]], float, int, int]:
    """Semi-supervised EM for m with u fixed, over the candidate pairs of many
    subjects (``groups`` gives each row's subject; a subject's rows are contiguous).

    - A subject is at most one worker, so its candidates compete: the E-step gives
      candidate j the posterior ``(pi/N) LR_j / ((1 - pi) + (pi/N) sum_k LR_k)``,
      the rule the resolver decides by; pi, the share of subjects who are in the
      records, is re-estimated each round. Without it, pairs that a blocking key
      brings together pass for matches and EM learns that disagreeing names are
      normal.
    - Anchors: a pair whose full SSN hashes agree, or that a reviewer confirmed
      (``labels`` 1), is a match, and the subject's other candidates are not; a
      reviewer's rejection (``labels`` 0) makes every candidate of that subject a
      non-match. With at least ``min_anchors`` anchored subjects, m of every field
      but the SSN's comes from the anchored pairs only. Unlabelled EM cannot tell a
      namesake who is not in the records (same rare name and town, another birth
      date) from the same person with a wrong birth date: it would learn that
      birth dates often disagree, and namesakes would score as matches.

    Returns (m, pi, iterations run, anchored subjects).
    """
    m = {k: np.array(v, dtype=float) for k, v in DEFAULT_M.items()}
    prior = {k: np.array(v, dtype=float) * prior_strength for k, v in DEFAULT_M.items()}
    log_u = {k: np.log(np.array(v, dtype=float)) for k, v in u.items()}
    n = gammas.shape[0]
    if n == 0:
        return {k: list(v) for k, v in m.items()}, 0.0, 0, 0
    if labels is None:
        labels = np.full(n, -1, dtype=np.int8)
    labels = labels.copy()
    labels[(gammas[:, SSN] == 2) & (labels < 0)] = 1
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    sizes = np.diff(np.append(starts, n))
    # Subjects with a confirmed pair or a rejection: their rows are known.
    has_match = np.repeat(
        np.maximum.reduceat((labels == 1).astype(np.int8), starts), sizes
    )
    known = (has_match == 1) | (labels == 0)
    known_p = np.where(labels == 1, 1.0, 0.0)
    anchored = int(
        np.add.reduceat((labels == 1).astype(np.int64), starts).clip(0, 1).sum()
    )
    use_anchors = anchored >= min_anchors
    log_n = np.log(max(population, 2))
    pi = 0.5
    done = 0
    for step in range(1, iterations + 1):
        done = step
        log_ratio = np.zeros(n)
        for i, spec in enumerate(FIELDS):
            col = gammas[:, i]
            present = col >= 0
            lv = col[present]
            log_ratio[present] += np.log(m[spec.name][lv]) - log_u[spec.name][lv]
        p = _e_step(log_ratio, starts, sizes, pi, log_n)
        p = np.where(known, known_p, p)
        new_pi = float(np.clip(np.add.reduceat(p, starts).mean(), 1e-6, 1 - 1e-6))
        delta = abs(new_pi - pi)
        pi = new_pi
        for i, spec in enumerate(FIELDS):
            col = gammas[:, i]
            weights = p
            if use_anchors and i not in (SSN, LAST4):
                weights = np.where(labels == 1, 1.0, 0.0)
            present = col >= 0
            sums = np.bincount(
                col[present], weights=weights[present], minlength=len(spec.levels)
            )
            new = (sums + prior[spec.name]) / (sums.sum() + prior[spec.name].sum())
            delta = max(delta, float(np.abs(new - m[spec.name]).max()))
            m[spec.name] = new
        if delta < tolerance:
            break
    return {k: [float(x) for x in v] for k, v in m.items()}, pi, done, anchored


def _label(labels: dict, query_id, worker_id) -> int:
    if query_id not in labels:
        return -1
    confirmed = labels[query_id]
    return 1 if confirmed is not None and confirmed == worker_id else 0


def train(
    *,
    sample: Sequence[Person],
    counts: Counts,
    queries: Sequence[Person],
    index: Index,
    u_pairs: int = 200_000,
    seed: int = 0,
    thresholds: Thresholds | None = None,
    labels: dict | None = None,
) -> Model:
    """Estimate a model: u and name frequencies from the records (``sample`` is a
    random sample of them, ``counts`` counted over all), m by EM over ``queries``.

    ``labels`` maps a query id to the worker id a reviewer confirmed, or to None
    when a reviewer rejected every candidate."""
    prepared = [prepare(p) for p in sample]
    with_street = sum(1 for q in queries if (q.street or "").strip())
    street_share = with_street / len(queries) if queries else 0.5
    u = estimate_u(
        prepared, counts, pairs=u_pairs, seed=seed, street_share=street_share
    )
    model = Model(
        u=u,
        first_counts={k: v for k, v in counts.first.items() if v >= MIN_NAME_COUNT},
        last_counts={k: v for k, v in counts.last.items() if v >= MIN_NAME_COUNT},
        population=counts.population,
        thresholds=thresholds or Thresholds(),
    )
    gammas, pairs = comparison_matrix(queries, index)
    groups = np.array([qi for qi, _ in pairs], dtype=np.int64)
    label_rows = None
    if labels:
        label_rows = np.array(
            [_label(labels, queries[qi].id, worker) for qi, worker in pairs],
            dtype=np.int8,
        )
    m, pi, iterations, anchored = estimate_m(
        gammas, groups, model.u, population=counts.population, labels=label_rows
    )
    model.m = m
    model.info = {
        "u_pairs": u_pairs,
        "sample": len(sample),
        "queries": len(queries),
        "candidate_pairs": int(gammas.shape[0]),
        "em_share_in_records": round(pi, 6),
        "em_iterations": iterations,
        "anchored_subjects": anchored,
        "seed": seed,
    }
    model.refresh()
    return model
