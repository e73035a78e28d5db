"""Employers, eight quarters of wages with job changes, and UI claims.

Employer sizes are heavy-tailed: each employer gets a Pareto-distributed pull, scaled
by its industry (a hospital or a university pulls far more workers than a dentist), and
workers are drawn to employers in proportion to pull, mostly within their own county.
Each worker's history is a few job spells; a spell's first and last quarters are
partial (hired or separated mid-quarter). Claimants are workers separated in the last
four quarters, with a claim filed days after the separation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np

from . import tables
from .people import REFERENCE_DATE, People

# The eight complete quarters before REFERENCE_DATE, oldest first.
QUARTERS = (
    (2024, 4),
    (2025, 1),
    (2025, 2),
    (2025, 3),
    (2025, 4),
    (2026, 1),
    (2026, 2),
    (2026, 3),
)
N_Q = len(QUARTERS)
# New Mexico: ~911,700 people in covered employment, ~60,000 employers, ~47,300 people
# receiving unemployment insurance. The generator keeps these ratios at any size.
FULL_STATE_WORKERS = 911_700
EMPLOYERS_PER_WORKER = 60_000 / FULL_STATE_WORKERS
CLAIMANT_SHARE = 47_300 / FULL_STATE_WORKERS
PARETO_ALPHA = 1.1
MAX_EMPLOYER_SHARE = 0.02  # the largest employer (state government) has ~2% of jobs
LOCAL_JOB_P = 0.8  # a worker's employer is in the worker's own county
ENTRANT_P = 0.06  # first job starts inside the window
ONE_CHANGE_P, TWO_CHANGES_P = 0.20, 0.05
OVERLAP_P = 0.7  # the new job starts in the quarter the old one ends
SIDE_JOB_P = 0.07  # a second, concurrent job
SIDE_JOB_SCALE = 0.35
SEPARATION_QUARTER_P = {4: 0.15, 5: 0.20, 6: 0.30, 7: 0.35}
RETURN_TO_WORK_P = 0.30
RECALL_P = 0.30  # a returning claimant goes back to the same employer
MEDIAN_QUARTER_CENTS = 1_050_000
WAGE_SIGMA = 0.6
# Weekly benefit: 53.5% of the high quarter's average weekly wage, between a floor and
# a ceiling approximating New Mexico's (they are reset every January).
WBA_RATE = 0.535
WBA_MIN_CENTS, WBA_MAX_CENTS = 11_000, 63_000
DENIED_P = 0.12
BENEFIT_WEEKS = 26
FEIN_PREFIXES = np.array([20, 26, 27, 45, 46, 47, 81, 82, 83, 84, 85, 86, 88, 90, 92])
PLACE_WORDS = (
    "Rio Grande",
    "Sandia",
    "Manzano",
    "Sangre de Cristo",
    "Mesa",
    "Pecos",
    "Chama",
    "Gila",
    "Zia",
    "Enchanted Mesa",
    "Turquoise Trail",
    "Roadrunner",
    "High Desert",
    "Four Corners",
    "Mesilla Valley",
    "Jemez",
    "Organ Mountain",
    "Santa Fe Trail",
    "Route 66",
    "Bosque",
    "Piñon",
    "Red Rock",
    "Llano Estacado",
    "Sunrise",
    "Desert Sky",
    "Cibola",
    "Ojo Caliente",
    "Valle Grande",
    "Land of Enchantment",
)
ENTITY_SUFFIXES = ("LLC", "Inc", "", "Co", "LLC", "Inc", "Corp", "")


@dataclass
class Employers:
    fein: np.ndarray
    account: np.ndarray
    legal_name: np.ndarray
    trade_name: np.ndarray
    street: np.ndarray
    city: np.ndarray
    zip: np.ndarray
    county: np.ndarray
    naics: np.ndarray
    county_idx: np.ndarray
    pull: np.ndarray
    wage_mult: np.ndarray

    def __len__(self) -> int:
        return len(self.fein)


@dataclass
class Wages:
    """One row per worker, employer and quarter, sorted by (worker, employer, quarter)."""

    worker: np.ndarray
    employer: np.ndarray
    quarter: np.ndarray  # index into QUARTERS
    cents: np.ndarray

    def __len__(self) -> int:
        return len(self.worker)

    @property
    def year(self) -> np.ndarray:
        return np.array([y for y, _ in QUARTERS])[self.quarter]

    @property
    def quarter_of_year(self) -> np.ndarray:
        return np.array([q for _, q in QUARTERS])[self.quarter]


@dataclass
class Claims:
    worker: np.ndarray
    employer: np.ndarray
    claim_number: list[str]
    filed_on: list[datetime.date]
    effective_on: list[datetime.date]
    ended_on: list[datetime.date | None]
    weekly_benefit_cents: np.ndarray
    status: list[str]
    phone: list[str]
    work_authorization: list[str]
    alien_number: list[str]
    save_result: list[str]
    sex: list[str]

    def __len__(self) -> int:
        return len(self.worker)


def _cumulative(weights: np.ndarray) -> np.ndarray:
    c = np.cumsum(weights / weights.sum())
    c[-1] = 1.0
    return c


def generate_employers(n_workers: int, rng: np.random.Generator) -> Employers:
    inds = tables.industries()
    cs = tables.counties()
    n = max(5, round(n_workers * EMPLOYERS_PER_WORKER))
    share = np.array([i.share for i in inds])
    ind = np.searchsorted(_cumulative(share), rng.random(n), side="right")
    pull = np.array([i.pull for i in inds])[ind] * (1 - rng.random(n)) ** (
        -1 / PARETO_ALPHA
    )
    cap = MAX_EMPLOYER_SHARE * pull.sum()
    pull = np.minimum(pull, cap)
    pop = np.array([c.population for c in cs], dtype=np.float64)
    county_idx = np.searchsorted(_cumulative(pop), rng.random(n), side="right")
    city = np.empty(n, dtype=object)
    zips = np.empty(n, dtype=object)
    for ci, c in enumerate(cs):
        mask = np.flatnonzero(county_idx == ci)
        city_i = np.searchsorted(c.city_cumulative, rng.random(len(mask)), side="right")
        city[mask] = [c.cities[i] for i in city_i.tolist()]
        zips[mask] = [c.zips[i][0] for i in city_i.tolist()]
    fein = _unique_numbers(rng, n, 10_000_000)
    fein = FEIN_PREFIXES[rng.integers(0, len(FEIN_PREFIXES), n)] * 10_000_000 + fein
    account = _unique_numbers(rng, n, 10_000_000)
    legal, trade = _employer_names(ind, city, county_idx, rng)
    st = tables.streets()["urban"]
    number = rng.integers(100, 9999, n)
    street_i = rng.integers(0, len(st), n)
    return Employers(
        fein=np.array([f"{v:09d}" for v in fein.tolist()], dtype=object),
        account=np.array([f"{v:07d}" for v in account.tolist()], dtype=object),
        legal_name=legal,
        trade_name=trade,
        street=np.array(
            [
                f"{a} {st[b]}"
                for a, b in zip(number.tolist(), street_i.tolist(), strict=True)
            ],
            dtype=object,
        ),
        city=city,
        zip=zips,
        county=np.array([c.name for c in cs], dtype=object)[county_idx],
        naics=np.array([i.naics for i in inds], dtype=object)[ind],
        county_idx=county_idx,
        pull=pull,
        wage_mult=np.array([i.wage for i in inds])[ind] * rng.lognormal(0, 0.15, n),
    )


def _unique_numbers(rng, n: int, space: int) -> np.ndarray:
    """``n`` distinct integers in [1, space), in a seed-determined order."""
    got = np.empty(0, dtype=np.int64)
    while len(got) < n:
        fresh = rng.integers(1, space, int((n - len(got)) * 1.1) + 16)
        merged = np.concatenate([got, fresh])
        _, first = np.unique(merged, return_index=True)
        got = merged[np.sort(first)]
    return got[:n]


def _employer_names(ind, city, county_idx, rng):
    inds = tables.industries()
    cs = tables.counties()
    sur = tables.surnames()["hispanic"], tables.surnames()["anglo"]
    n = len(ind)
    legal = np.empty(n, dtype=object)
    trade = np.empty(n, dtype=object)
    style = rng.random(n)
    picks = rng.integers(0, 1 << 30, (n, 4))
    for i in range(n):
        industry = inds[ind[i]]
        p = picks[i]
        noun = industry.nouns[p[0] % len(industry.nouns)]
        place = PLACE_WORDS[p[1] % len(PLACE_WORDS)]
        family = sur[p[2] % 2].folded[p[3] % 200]
        sfx = ENTITY_SUFFIXES[p[3] % len(ENTITY_SUFFIXES)]
        code = industry.naics
        if code.startswith("92"):
            name = f"{cs[county_idx[i]].name} County {noun}"
        elif code.startswith("611"):
            name = f"{city[i]} {noun}" if code == "611110" else f"{place} {noun}"
        elif code in {"622110", "541715", "334413", "455211"}:
            name = f"{place} {noun}"
        elif style[i] < 0.5:
            name = f"{family} {noun} {sfx}".strip()
        else:
            name = f"{place} {noun} {sfx}".strip()
        legal[i] = name
        trade[i] = f"{family}'s {noun}" if style[i] > 0.9 else ""
    return legal, trade


def _draw_employers(county_idx, emp: Employers, rng) -> np.ndarray:
    """An employer for each worker: mostly in the worker's county, by pull."""
    n = len(county_idx)
    out = np.searchsorted(_cumulative(emp.pull), rng.random(n), side="right")
    local = rng.random(n) < LOCAL_JOB_P
    for ci in np.unique(county_idx).tolist():
        in_county = np.flatnonzero(emp.county_idx == ci)
        if not len(in_county):
            continue
        who = np.flatnonzero(local & (county_idx == ci))
        cum = _cumulative(emp.pull[in_county])
        out[who] = in_county[np.searchsorted(cum, rng.random(len(who)), side="right")]
    return out


def _differ(e, others, n_e):
    """Move ``e`` off any employer in ``others`` (same worker, overlapping quarters)."""
    e = e.copy()
    for _ in range(4):
        clash = np.zeros(len(e), dtype=bool)
        for o in others:
            clash |= e == o
        if not clash.any():
            break
        e[clash] = (e[clash] + 1) % n_e
    return e


@dataclass
class _Spells:
    worker: list
    employer: list
    start: list
    end: list
    scale: list

    def add(self, worker, employer, start, end, scale=1.0):
        self.worker.append(worker)
        self.employer.append(employer)
        self.start.append(start)
        self.end.append(end)
        self.scale.append(np.broadcast_to(np.float64(scale), worker.shape))


def generate_jobs(people: People, emp: Employers, rng: np.random.Generator):
    """Wage rows for eight quarters and the claimants' separations.

    Returns (wages, claimant worker indices, separation quarter, separating employer,
    return-to-work quarter or -1, base quarterly wage per worker)."""
    n = len(people)
    n_e = len(emp)
    county_names = [c.name for c in tables.counties()]
    county_idx = (
        np.array([county_names.index(c) for c in people.county.tolist()])
        if (n < 1000)
        else _index_of(people.county, county_names)
    )
    age = (np.datetime64(REFERENCE_DATE) - people.dob).astype(np.int64) / 365.25
    base = rng.lognormal(np.log(MEDIAN_QUARTER_CENTS), WAGE_SIGMA, n)
    base = np.where(age < 22, base * 0.5, np.where(age > 65, base * 0.7, base))

    e1 = _draw_employers(county_idx, emp, rng)
    e2 = _differ(_draw_employers(county_idx, emp, rng), [e1], n_e)
    e3 = _differ(_draw_employers(county_idx, emp, rng), [e2], n_e)
    side = _differ(_draw_employers(county_idx, emp, rng), [e1, e2, e3], n_e)
    start = np.where(rng.random(n) < ENTRANT_P, rng.integers(1, N_Q, n), 0)

    n_claims = min(round(n * CLAIMANT_SHARE), int((start == 0).sum()))
    claimants = np.sort(rng.choice(np.flatnonzero(start == 0), n_claims, replace=False))
    is_claimant = np.zeros(n, dtype=bool)
    is_claimant[claimants] = True
    quarters = np.array(list(SEPARATION_QUARTER_P))
    sep = rng.choice(
        quarters, n_claims, p=np.array(list(SEPARATION_QUARTER_P.values()))
    )
    back = (rng.random(n_claims) < RETURN_TO_WORK_P) & (sep < N_Q - 1)
    ret = np.where(back, np.minimum(sep + rng.integers(1, 3, n_claims), N_Q - 1), -1)
    recall = rng.random(n_claims) < RECALL_P
    ret_emp = np.where(recall, e1[claimants], e2[claimants])

    spells = _Spells([], [], [], [], [])
    spells.add(claimants, e1[claimants], np.zeros(n_claims, int), sep)
    spells.add(claimants[back], ret_emp[back], ret[back], np.full(back.sum(), N_Q - 1))

    others = np.flatnonzero(~is_claimant)
    u = rng.random(len(others))
    s0 = start[others]
    changes = np.where(
        u < TWO_CHANGES_P, 2, np.where(u < ONE_CHANGE_P + TWO_CHANGES_P, 1, 0)
    )
    changes = np.where(s0 >= N_Q - 1, 0, changes)
    c1 = s0 + 1 + (rng.random(len(others)) * (N_Q - 1 - s0)).astype(int)
    changes = np.where((changes == 2) & (c1 >= N_Q - 1), 1, changes)
    c2 = c1 + 1 + (rng.random(len(others)) * np.maximum(N_Q - 1 - c1, 0)).astype(int)
    overlap1 = rng.random(len(others)) < OVERLAP_P
    overlap2 = rng.random(len(others)) < OVERLAP_P
    end1 = np.where(changes >= 1, c1, N_Q - 1)
    spells.add(others, e1[others], s0, end1)
    st2 = np.where(overlap1, c1, c1 + 1)
    end2 = np.where(changes == 2, c2, N_Q - 1)
    m2 = (changes >= 1) & (st2 <= end2)
    spells.add(others[m2], e2[others][m2], st2[m2], end2[m2])
    st3 = np.where(overlap2, c2, c2 + 1)
    m3 = (changes == 2) & (st3 <= N_Q - 1)
    spells.add(others[m3], e3[others][m3], st3[m3], np.full(m3.sum(), N_Q - 1))

    has_side = rng.random(len(others)) < SIDE_JOB_P
    sw = others[has_side]
    s_start = rng.integers(0, N_Q, len(sw))
    s_end = np.minimum(s_start + rng.integers(0, N_Q, len(sw)), N_Q - 1)
    spells.add(sw, side[sw], s_start, s_end, SIDE_JOB_SCALE)

    wages = _expand(spells, base, emp, rng)
    return wages, claimants, sep, e1[claimants], ret, base


def _index_of(values: np.ndarray, names: list[str]) -> np.ndarray:
    lookup = {name: i for i, name in enumerate(names)}
    return np.fromiter(
        (lookup[v] for v in values.tolist()), dtype=np.int64, count=len(values)
    )


def _expand(spells: _Spells, base, emp: Employers, rng) -> Wages:
    w = np.concatenate(spells.worker)
    e = np.concatenate(spells.employer)
    s = np.concatenate(spells.start).astype(np.int64)
    t = np.concatenate(spells.end).astype(np.int64)
    scale = np.concatenate(spells.scale)
    length = t - s + 1
    spell = np.repeat(np.arange(len(w)), length)
    offset = np.arange(len(spell)) - np.repeat(np.cumsum(length) - length, length)
    q = s[spell] + offset
    rows_w, rows_e = w[spell], e[spell]
    growth = 1.0075**q
    cents = base[rows_w] * emp.wage_mult[rows_e] * scale[spell] * growth
    cents *= rng.lognormal(0, 0.08, len(q))
    # Hired or separated mid-quarter: the first and last quarters of a spell that
    # starts or ends inside the window are partial.
    hired = (q == s[spell]) & (s[spell] > 0)
    left = (q == t[spell]) & (t[spell] < N_Q - 1)
    cents[hired] *= 0.15 + 0.8 * rng.random(hired.sum())
    cents[left] *= 0.15 + 0.8 * rng.random(left.sum())
    cents = np.maximum(np.round(cents), 100).astype(np.int64)
    key = (rows_w.astype(np.int64) * len(emp) + rows_e) * N_Q + q
    order = np.argsort(key, kind="stable")
    key = key[order]
    if len(key) > 1 and bool((key[1:] == key[:-1]).any()):
        raise AssertionError("two wage rows for one worker, employer and quarter")
    return Wages(
        worker=rows_w[order],
        employer=rows_e[order],
        quarter=q[order].astype(np.int8),
        cents=cents[order],
    )


WORK_AUTHORIZATION = (
    ("citizen", 0.91),
    ("permanent_resident", 0.05),
    ("employment_authorized", 0.04),
)
SAVE_RESULTS = (
    ("verified", 0.9),
    ("additional_verification", 0.08),
    ("not_verified", 0.02),
)
# 505 serves the north and centre of the state, 575 the south and east.
AREA_505 = {
    "Bernalillo",
    "Santa Fe",
    "Sandoval",
    "San Juan",
    "Valencia",
    "McKinley",
    "Rio Arriba",
    "Taos",
    "San Miguel",
    "Cibola",
    "Los Alamos",
    "Torrance",
    "Mora",
    "Guadalupe",
}


def _choose(options, rng, size):
    labels = np.array([o for o, _ in options], dtype=object)
    p = np.array([w for _, w in options])
    return labels[rng.choice(len(options), size=size, p=p / p.sum())]


def generate_claims(
    people: People, emp: Employers, claimants, sep, sep_employer, ret, base, rng
) -> Claims:
    """One claim per claimant, filed within three weeks of a recent separation."""
    k = len(claimants)
    ref = REFERENCE_DATE
    q_start = [datetime.date(y, 3 * q - 2, 1) for y, q in QUARTERS]
    sep_day = rng.integers(0, 89, k)
    file_lag = rng.integers(1, 21, k)
    denied = rng.random(k) < DENIED_P
    end_lag = rng.integers(7, 36, k)
    ret_lag = rng.integers(0, 60, k)
    hq = base[claimants] * emp.wage_mult[sep_employer]
    wba = np.clip(
        np.round(WBA_RATE * hq / 13 / 100) * 100, WBA_MIN_CENTS, WBA_MAX_CENTS
    )
    auth = _choose(WORK_AUTHORIZATION, rng, k)
    save = _choose(SAVE_RESULTS, rng, k)
    a_numbers = rng.integers(10_000_000, 999_999_999, k)
    x_sex = rng.random(k) < 0.003
    phone_tail = rng.integers(0, 100, k)
    out = Claims(
        worker=claimants,
        employer=sep_employer,
        claim_number=[],
        filed_on=[],
        effective_on=[],
        ended_on=[],
        weekly_benefit_cents=wba.astype(np.int64),
        status=[],
        phone=[],
        work_authorization=[],
        alien_number=[],
        save_result=[],
        sex=[],
    )
    for i in range(k):
        w = int(claimants[i])
        separated = q_start[sep[i]] + datetime.timedelta(days=int(sep_day[i]))
        filed = min(
            separated + datetime.timedelta(days=int(file_lag[i])),
            ref - datetime.timedelta(days=1 + int(file_lag[i]) % 5),
        )
        effective = filed - datetime.timedelta(days=(filed.weekday() + 1) % 7)
        status, ended = _claim_status(
            filed,
            effective,
            bool(denied[i]),
            int(end_lag[i]),
            q_start[ret[i]] + datetime.timedelta(days=int(ret_lag[i]))
            if ret[i] >= 0
            else None,
        )
        citizen = auth[i] == "citizen"
        county = people.county[w]
        out.claim_number.append(f"UI-{filed.year}-{i + 1:06d}")
        out.filed_on.append(filed)
        out.effective_on.append(effective)
        out.ended_on.append(ended)
        out.status.append(status)
        out.phone.append(
            f"{505 if county in AREA_505 else 575}-555-01{int(phone_tail[i]):02d}"
        )
        out.work_authorization.append(str(auth[i]))
        out.alien_number.append("" if citizen else f"A{int(a_numbers[i]):09d}")
        out.save_result.append("" if citizen else str(save[i]))
        out.sex.append("X" if x_sex[i] else str(people.sex[w]))
    return out


def _claim_status(filed, effective, denied, end_lag, returned):
    ref = REFERENCE_DATE
    if denied:
        return "denied", min(filed + datetime.timedelta(days=end_lag), ref)
    if returned is not None:
        returned = max(returned, effective + datetime.timedelta(days=7))
        if returned < ref:
            return "closed", returned
    exhausted = effective + datetime.timedelta(weeks=BENEFIT_WEEKS)
    if exhausted <= ref:
        return "exhausted", exhausted
    if (ref - filed).days <= 10:
        return "filed", None
    return "active", None
