"""Workers of the synthetic state: households, names, addresses, dates of birth, SSNs.

Everything is drawn from one numpy Generator, column by column, so a seed gives the
same people on every run and the full state (911,700 workers) takes a few seconds.
The hard cases for subject matching are built in on purpose, in the shares below:
households that share a surname and an address, twins, Jr/Sr pairs at one address and
clusters of unrelated people with the same full name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np

from . import tables
from .tables import GROUPS

REFERENCE_DATE = datetime.date(2026, 11, 2)
# Workers per household (employed people sharing a surname and an address). Singles
# dominate; a third or so of households hold two or more workers (couples, adult
# children). See expected_shares() for what these imply.
HOUSEHOLD_SIZES = np.array([1, 2, 3, 4])
HOUSEHOLD_SIZE_P = np.array([0.72, 0.20, 0.06, 0.02])
# Share of all workers who are one of a pair of twins / of a Jr-Sr pair / a member of
# an injected common-full-name cluster. Exact counts: round(n * share / 2) pairs.
TWIN_SHARE = 0.008
JR_SR_SHARE = 0.012
COMMON_NAME_SHARE = 0.015
CLUSTER_SIZE_RANGE = (3, 40)
# Record-keeping habits.
ACCENT_KEPT_P = 0.25  # most New Mexico records drop accents
NICKNAME_P = 0.04  # recorded under a nickname when the given name has one
MIDDLE_FULL_P, MIDDLE_INITIAL_P = 0.50, 0.15
COMPOUND_SURNAME_P = 0.08  # of Hispanic households
HISPANIC_POOL_P = {"hispanic": 0.60, "pueblo": 0.20, "apache": 0.20}
STRAY_SUFFIX_P = 0.012  # men with Jr/II/III and no partner record in the state
ROLE_HEAD, ROLE_SPOUSE, ROLE_CHILD = 0, 1, 2


@dataclass
class People:
    """Column arrays, one entry per worker, in worker order."""

    first: np.ndarray
    middle: np.ndarray
    last: np.ndarray
    suffix: np.ndarray
    sex: np.ndarray
    dob: np.ndarray  # datetime64[D]
    street: np.ndarray
    city: np.ndarray
    zip: np.ndarray
    county: np.ndarray
    ssn: np.ndarray  # nine-digit strings
    group: np.ndarray  # index into GROUPS
    household: np.ndarray  # household number; shared by its members
    household_size: np.ndarray
    # kind -> (worker indices, group numbers): the generator's ground truth.
    hard_cases: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.first)


def expected_shares() -> dict[str, float]:
    """The share of workers in each kind of hard case that the constants imply."""
    mean_size = float((HOUSEHOLD_SIZES * HOUSEHOLD_SIZE_P).sum())
    in_multi = float((HOUSEHOLD_SIZES * HOUSEHOLD_SIZE_P)[1:].sum()) / mean_size
    return {
        "household": in_multi,
        "twin": TWIN_SHARE,
        "jr_sr": JR_SR_SHARE,
        "common_name": COMMON_NAME_SHARE,
    }


def _pick(cumulative: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    return np.searchsorted(cumulative, rng.random(size), side="right")


def _households(n: int, rng: np.random.Generator):
    mean = float((HOUSEHOLD_SIZES * HOUSEHOLD_SIZE_P).sum())
    count = int(n / mean * 1.05) + 10
    sizes = rng.choice(HOUSEHOLD_SIZES, size=count, p=HOUSEHOLD_SIZE_P)
    ends = np.cumsum(sizes)
    h = int(np.searchsorted(ends, n)) + 1
    sizes = sizes[:h].copy()
    sizes[-1] -= int(ends[h - 1] - n)
    household = np.repeat(np.arange(h), sizes)
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    position = np.arange(n) - start
    return sizes, household, position


def _roles(sizes, household, position, rng):
    """Head, spouse or adult child for each member; twins and Jr/Sr need children."""
    h = len(sizes)
    second_is_spouse = rng.random(h) < 0.72
    role = np.full(len(household), ROLE_CHILD, dtype=np.int8)
    role[position == 0] = ROLE_HEAD
    role[(position == 1) & second_is_spouse[household]] = ROLE_SPOUSE
    return role, second_is_spouse


def _ages(role, household, sizes, rng):
    """Age in days at REFERENCE_DATE. Heads with adult children are older."""
    h = len(sizes)
    # Working ages 16-74, peaking in the late 20s to 50s (labour-force shape).
    bands = np.array([16, 20, 25, 35, 45, 55, 65, 75])
    band_p = np.array([0.05, 0.11, 0.23, 0.22, 0.20, 0.15, 0.04])
    b = rng.choice(len(band_p), size=h, p=band_p / band_p.sum())
    head_years = bands[b] + rng.random(h) * (bands[b + 1] - bands[b])
    has_child = np.zeros(h, dtype=bool)
    has_child[household[role == ROLE_CHILD]] = True
    older = 40 + rng.random(h) * 30
    head_years = np.where(has_child, np.maximum(head_years, older), head_years)
    years = head_years[household].copy()
    spouse = role == ROLE_SPOUSE
    years[spouse] += rng.normal(0, 4, spouse.sum())
    child = role == ROLE_CHILD
    years[child] -= 20 + rng.random(child.sum()) * 18
    # Spread, never pile up, those who would be under 16 (a pile-up would make
    # spurious date-of-birth twins).
    young = years < 16
    years[young] = 16 + rng.random(young.sum()) * 6
    years = np.minimum(years, 79.9)
    return (years * 365.25).astype(np.int64)


def _draw_given(group, sex, rng, tables_given):
    """First-name indices per worker: (pool array 0=hispanic 1=general, index)."""
    n = len(group)
    pool = np.ones(n, dtype=np.int8)
    for name, p in HISPANIC_POOL_P.items():
        mask = group == GROUPS.index(name)
        pool[mask] = (rng.random(mask.sum()) >= p).astype(np.int8)
    names = np.empty(n, dtype=object)
    folded = np.empty(n, dtype=object)
    for pool_id, pool_name in enumerate(("hispanic", "general")):
        for s in ("M", "F"):
            mask = (pool == pool_id) & (sex == s)
            dist = tables_given[(pool_name, s)]
            idx = dist.draw(rng, int(mask.sum()))
            names[mask] = dist.names[idx]
            folded[mask] = dist.folded[idx]
    return names, folded


def _surnames(group_h, rng):
    """One surname per household (accented and folded forms)."""
    h = len(group_h)
    names = np.empty(h, dtype=object)
    folded = np.empty(h, dtype=object)
    dists = tables.surnames()
    for gi, g in enumerate(GROUPS):
        mask = group_h == gi
        idx = dists[g].draw(rng, int(mask.sum()))
        names[mask] = dists[g].names[idx]
        folded[mask] = dists[g].folded[idx]
    hisp = np.flatnonzero(group_h == GROUPS.index("hispanic"))
    compound = hisp[rng.random(len(hisp)) < COMPOUND_SURNAME_P]
    second = dists["hispanic"].draw(rng, len(compound))
    joiner = np.where(rng.random(len(compound)) < 0.6, " ", "-")
    for i, j, k in zip(
        compound.tolist(), second.tolist(), joiner.tolist(), strict=True
    ):
        if dists["hispanic"].names[j] == names[i]:
            continue
        names[i] = f"{names[i]}{k}{dists['hispanic'].names[j]}"
        folded[i] = f"{folded[i]}{k}{dists['hispanic'].folded[j]}"
    return names, folded


def _places(h, rng):
    """County, city, ZIP and street for each household."""
    cs = tables.counties()
    pop = np.array([c.population for c in cs], dtype=np.float64)
    county_idx = _pick(np.cumsum(pop / pop.sum()), rng, h)
    city = np.empty(h, dtype=object)
    zips = np.empty(h, dtype=object)
    small = np.zeros(h, dtype=bool)
    group_h = np.zeros(h, dtype=np.int8)
    for ci, c in enumerate(cs):
        mask = county_idx == ci
        k = int(mask.sum())
        if not k:
            continue
        city_i = _pick(c.city_cumulative, rng, k)
        city[mask] = np.array(c.cities, dtype=object)[city_i]
        small[mask] = np.array(c.city_small)[city_i]
        zip_pick = rng.random(k)
        zips[mask] = [
            c.zips[i][int(u * len(c.zips[i]))]
            for i, u in zip(city_i.tolist(), zip_pick.tolist(), strict=True)
        ]
        group_h[mask] = _pick(np.cumsum(c.group_shares), rng, k)
    county = np.array([c.name for c in cs], dtype=object)[county_idx]
    return county, city, zips, small, group_h


def _streets(group_h, small, rng):
    h = len(group_h)
    st = tables.streets()
    urban = np.array(st["urban"], dtype=object)
    spanish = np.array(st["spanish"], dtype=object)
    native = np.isin(group_h, [GROUPS.index(g) for g in ("dine", "pueblo", "apache")])
    rural_p = np.where(native & small, 0.45, np.where(small, 0.22, 0.04))
    form = rng.random(h)
    rural = form < rural_p
    kind = rng.random(h)
    number = rng.integers(100, 9999, h)
    box = rng.integers(1, 2999, h)
    route = rng.integers(1, 99, h)
    u_idx = rng.integers(0, len(urban), h)
    s_idx = rng.integers(0, len(spanish), h)
    ordinal = rng.integers(1, 21, h)
    unit = rng.random(h) < 0.12
    unit_no = rng.integers(1, 400, h)
    out = np.empty(h, dtype=object)
    suffixes = {1: "st", 2: "nd", 3: "rd"}
    for i in range(h):
        if rural[i]:
            k = kind[i]
            if k < 0.45:
                out[i] = f"PO Box {box[i]}"
            elif k < 0.75:
                out[i] = f"HC {route[i]} Box {box[i]}"
            else:
                out[i] = f"{number[i]} County Road {route[i] * 100 + box[i] % 100}"
            continue
        k = kind[i]
        if k < 0.55:
            name = urban[u_idx[i]]
        elif k < 0.85:
            name = spanish[s_idx[i]]
        else:
            o = int(ordinal[i])
            sfx = "th" if 10 <= o % 100 <= 20 else suffixes.get(o % 10, "th")
            name = f"{o}{sfx} St"
        line = f"{number[i]} {name}"
        out[i] = f"{line} Apt {unit_no[i]}" if unit[i] else line
    return out


def _ssns(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unique, valid-looking SSNs: area 001-899 but not 666, group 01-99, serial
    0001-9999 (the rules normalize_ssn enforces)."""
    got = np.empty(0, dtype=np.int64)
    while len(got) < n:
        k = int((n - len(got)) * 1.05) + 16
        area = rng.integers(1, 900, k)
        area = area[area != 666]
        m = len(area)
        grp = rng.integers(1, 100, m)
        serial = rng.integers(1, 10000, m)
        fresh = area * 1_000_000 + grp * 10_000 + serial
        merged = np.concatenate([got, fresh])
        _, first = np.unique(merged, return_index=True)
        got = merged[np.sort(first)]
    return np.array([f"{v:09d}" for v in got[:n].tolist()], dtype=object)


def _pick_twins(sizes, role, rng, n):
    """Households of 3+ whose members at positions 1 and 2 become twin children."""
    want = round(n * TWIN_SHARE / 2)
    eligible = np.flatnonzero(sizes >= 3)
    chosen = np.sort(rng.choice(eligible, size=min(want, len(eligible)), replace=False))
    starts = np.cumsum(sizes) - sizes
    first = starts[chosen] + 1
    role[first] = ROLE_CHILD
    role[first + 1] = ROLE_CHILD
    return first, first + 1


def _pick_jr_sr(sizes, household, role, taken, rng, n):
    """Households with an adult child, not twins: the head is Sr, the child Jr."""
    want = round(n * JR_SR_SHARE / 2)
    child_idx = np.flatnonzero(role == ROLE_CHILD)
    hh, first_pos = np.unique(household[child_idx], return_index=True)
    first_child = child_idx[first_pos]
    keep = ~np.isin(hh, taken)
    hh, first_child = hh[keep], first_child[keep]
    pick = np.sort(rng.choice(len(hh), size=min(want, len(hh)), replace=False))
    starts = np.cumsum(sizes) - sizes
    return starts[hh[pick]], first_child[pick]


def _similar_name(dist, name: str, rng) -> int:
    """Index of another name in ``dist`` with the same initial (twins often have)."""
    same = [i for i, x in enumerate(dist.folded) if x[:1] == name[:1] and x != name]
    if not same:
        return int(dist.draw(rng, 1)[0])
    return same[int(rng.integers(0, len(same)))]


def _clusters(singles, rng, n):
    """Split a random set of single-worker households into common-name clusters."""
    want = min(round(n * COMMON_NAME_SHARE), len(singles))
    sizes = []
    lo, hi = CLUSTER_SIZE_RANGE
    while sum(sizes) < want:
        sizes.append(int(rng.integers(lo, hi + 1)))
    if sizes:
        sizes[-1] -= sum(sizes) - want
        if sizes[-1] < lo and len(sizes) > 1:
            sizes[-2] += sizes.pop()
    members = rng.choice(singles, size=sum(sizes), replace=False)
    return members, np.repeat(np.arange(len(sizes)), sizes), len(sizes)


def _cluster_names(count, rng):
    """Very common full names (first, middle or blank, last, sex) for the clusters."""
    given = tables.given_names()
    sur = tables.surnames()
    out = []
    for _ in range(count):
        sex = "M" if rng.random() < 0.5 else "F"
        pool = "hispanic" if rng.random() < 0.6 else "general"
        group = (
            "hispanic"
            if rng.random() < 0.7
            else ("anglo", "dine")[int(rng.random() < 0.3)]
        )
        g = given[(pool, sex)]
        top_given = np.argsort(-np.diff(g.cumulative, prepend=0.0))[:15]
        s = sur[group]
        top_sur = np.argsort(-np.diff(s.cumulative, prepend=0.0))[:10]
        first = g.folded[top_given[int(rng.integers(0, 15))]]
        last = s.folded[top_sur[int(rng.integers(0, 10))]]
        middle = g.folded[int(g.draw(rng, 1)[0])] if rng.random() < 0.5 else ""
        out.append((first, middle, last, sex))
    return out


def generate_people(n: int, rng: np.random.Generator) -> People:
    """Draw ``n`` workers. Pure: the result depends only on ``n`` and ``rng``'s state."""
    sizes, household, position = _households(n, rng)
    h = len(sizes)
    role, _ = _roles(sizes, household, position, rng)
    twin_a, twin_b = _pick_twins(sizes, role, rng, n)
    sr, jr = _pick_jr_sr(sizes, household, role, household[twin_a], rng, n)
    county_h, city_h, zip_h, small_h, group_h = _places(h, rng)
    street_h = _streets(group_h, small_h, rng)
    last_h, last_folded_h = _surnames(group_h, rng)
    group = group_h[household]

    sex = np.where(rng.random(n) < 0.5, "M", "F").astype(object)
    heads = np.flatnonzero(role == ROLE_HEAD)
    spouses = np.flatnonzero(role == ROLE_SPOUSE)
    opposite = {"M": "F", "F": "M"}
    flip = rng.random(len(spouses)) < 0.9
    head_of = heads[household[spouses]]
    sex[spouses[flip]] = [opposite[x] for x in sex[head_of[flip]]]
    sex[sr] = "M"
    sex[jr] = "M"

    age_days = _ages(role, household, sizes, rng)
    age_days[twin_b] = age_days[twin_a]
    gap = (18 + rng.random(len(jr)) * 20) * 365.25
    age_days[sr] = np.maximum(age_days[sr], age_days[jr] + gap.astype(np.int64))
    dob = np.datetime64(REFERENCE_DATE) - age_days.astype("timedelta64[D]")

    given = tables.given_names()
    first, first_f = _draw_given(group, sex, rng, given)
    middle, middle_f = _draw_given(group, sex, rng, given)
    for a, b in zip(twin_a.tolist(), twin_b.tolist(), strict=True):
        if sex[a] == sex[b] and first_f[a] == first_f[b] or rng.random() < 0.3:
            pool = "hispanic" if GROUPS[group[b]] == "hispanic" else "general"
            dist = given[(pool, sex[b])]
            j = _similar_name(dist, first_f[a], rng)
            first[b], first_f[b] = dist.names[j], dist.folded[j]
    first[jr], first_f[jr] = first[sr], first_f[sr]
    middle[jr], middle_f[jr] = middle[sr], middle_f[sr]
    last = last_h[household]
    last_f = last_folded_h[household]

    singles = np.flatnonzero(sizes[household] == 1)
    members, cluster_of, n_clusters = _clusters(singles, rng, n)
    names = _cluster_names(n_clusters, rng)
    # Members of a cluster share first and last name, and the middle name when the
    # cluster has one (blank otherwise): only date of birth, address and SSN differ.
    cluster_middle = np.empty(len(members), dtype=object)
    for k, (i, c) in enumerate(zip(members.tolist(), cluster_of.tolist(), strict=True)):
        f, m, la, sx = names[c]
        first[i] = first_f[i] = f
        last[i] = last_f[i] = la
        sex[i] = sx
        cluster_middle[k] = m

    return _finish(
        n,
        rng,
        first,
        first_f,
        middle,
        middle_f,
        last,
        last_f,
        sex,
        dob,
        household,
        sizes,
        role,
        group,
        county_h,
        city_h,
        zip_h,
        street_h,
        twin_a,
        twin_b,
        sr,
        jr,
        members,
        cluster_of,
        cluster_middle,
    )


def _finish(
    n,
    rng,
    first,
    first_f,
    middle,
    middle_f,
    last,
    last_f,
    sex,
    dob,
    household,
    sizes,
    role,
    group,
    county_h,
    city_h,
    zip_h,
    street_h,
    twin_a,
    twin_b,
    sr,
    jr,
    members,
    cluster_of,
    cluster_middle,
) -> People:
    keep_accent = rng.random(n) < ACCENT_KEPT_P
    first = np.where(keep_accent, first, first_f)
    middle = np.where(keep_accent, middle, middle_f)
    last = np.where(keep_accent, last, last_f)

    nick = tables.nicknames()
    pair = np.zeros(n, dtype=bool)
    pair[np.concatenate([sr, jr, twin_a, twin_b, members])] = True
    candidates = np.flatnonzero((rng.random(n) < NICKNAME_P) & ~pair)
    for i in candidates.tolist():
        options = nick.get(first_f[i])
        if options:
            first[i] = options[int(rng.integers(0, len(options)))]

    kind = rng.random(n)
    middle = np.where(
        kind < MIDDLE_FULL_P,
        middle,
        np.where(kind < MIDDLE_FULL_P + MIDDLE_INITIAL_P, [m[:1] for m in middle], ""),
    ).astype(object)
    middle[jr] = middle[sr]
    middle[members] = cluster_middle

    suffix = np.full(n, "", dtype=object)
    stray = (sex == "M") & (rng.random(n) < STRAY_SUFFIX_P) & ~pair
    suffix[stray] = rng.choice(np.array(["Jr", "II", "III"], dtype=object), stray.sum())
    suffix[jr] = np.where(rng.random(len(jr)) < 0.85, "Jr", "II")
    suffix[sr] = np.where(rng.random(len(sr)) < 0.6, "Sr", "")

    multi = np.flatnonzero(sizes[household] > 1)
    twin_group = np.arange(len(twin_a))
    jr_group = np.arange(len(jr))
    hard = {
        "household": (multi, household[multi]),
        "twin": (
            np.concatenate([twin_a, twin_b]),
            np.concatenate([twin_group, twin_group]),
        ),
        "jr_sr": (np.concatenate([sr, jr]), np.concatenate([jr_group, jr_group])),
        "common_name": (members, cluster_of),
    }
    return People(
        first=first.astype(object),
        middle=middle,
        last=last.astype(object),
        suffix=suffix,
        sex=sex,
        dob=dob,
        street=street_h[household],
        city=city_h[household],
        zip=zip_h[household],
        county=county_h[household],
        ssn=_ssns(n, rng),
        group=group,
        household=household,
        household_size=sizes[household],
        hard_cases=hard,
    )
