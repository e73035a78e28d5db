"""The generator alone (no database): determinism, hard cases in their stated shares,
and the features of New Mexico the matching engine must cope with."""

from collections import Counter

import numpy as np
import pytest

from recordwarden.records.synthetic import (
    QUARTERS,
    expected_shares,
    generate_state,
    tables,
)
from recordwarden.records.synthetic.economy import CLAIMANT_SHARE
from recordwarden.records.synthetic.tables import fold

N = 20_000


@pytest.fixture(scope="module")
def state():
    return generate_state(N, seed=11)


def test_the_same_seed_gives_the_same_state_and_another_seed_does_not():
    a, b, c = generate_state(3000, 7), generate_state(3000, 7), generate_state(3000, 8)
    assert a.digest() == b.digest()
    assert a.people.ssn.tolist() == b.people.ssn.tolist()
    assert a.people.first.tolist() == b.people.first.tolist()
    assert a.claims.claim_number == b.claims.claim_number
    assert a.digest() != c.digest()
    assert a.people.ssn.tolist() != c.people.ssn.tolist()


def _members(state, kind):
    idx, group = state.people.hard_cases[kind]
    groups: dict[int, list[int]] = {}
    for i, g in zip(idx.tolist(), group.tolist(), strict=True):
        groups.setdefault(g, []).append(i)
    return groups


def test_hard_cases_exist_in_their_stated_shares(state):
    shares = expected_shares()
    for kind in ("twin", "jr_sr", "common_name"):
        idx, _ = state.people.hard_cases[kind]
        assert len(idx) / N == pytest.approx(shares[kind], abs=2 / N), kind
    idx, _ = state.people.hard_cases["household"]
    assert len(idx) / N == pytest.approx(shares["household"], abs=0.02)


def test_households_share_surname_and_address(state):
    p = state.people
    households = _members(state, "household")
    assert len(households) > N * 0.15
    for members in households.values():
        assert len(members) >= 2
        assert len({fold(p.last[i]).lower() for i in members}) == 1
        assert len({(p.street[i], p.city[i], p.zip[i]) for i in members}) == 1


def test_twins_share_surname_address_and_birth_date_but_not_first_name(state):
    p = state.people
    for a, b in _members(state, "twin").values():
        assert p.dob[a] == p.dob[b]
        assert fold(p.last[a]) == fold(p.last[b])
        assert p.street[a] == p.street[b]
        assert fold(p.first[a]) != fold(p.first[b])
        assert p.ssn[a] != p.ssn[b]


def test_jr_sr_pairs_share_full_name_and_address_a_generation_apart(state):
    p = state.people
    pairs = _members(state, "jr_sr")
    for sr, jr in pairs.values():
        assert fold(p.first[sr]) == fold(p.first[jr])
        assert fold(p.middle[sr]) == fold(p.middle[jr])
        assert fold(p.last[sr]) == fold(p.last[jr])
        assert p.street[sr] == p.street[jr]
        assert p.suffix[jr] in {"Jr", "II"}
        assert p.suffix[sr] in {"Sr", ""}
        years = (p.dob[jr] - p.dob[sr]).astype(int) / 365.25
        assert 17 < years < 40
    # Some seniors carry no suffix at all: the records alone cannot tell them apart.
    assert any(p.suffix[sr] == "" for sr, _ in pairs.values())


def test_common_name_clusters_are_unrelated_people_with_one_full_name(state):
    p = state.people
    clusters = _members(state, "common_name")
    assert all(len(m) >= 3 for m in clusters.values())
    for members in clusters.values():
        assert len({(p.first[i], p.middle[i], p.last[i]) for i in members}) == 1
        assert len({p.ssn[i] for i in members}) == len(members)
        assert len({p.street[i] for i in members}) > 1
    # Beyond the injected clusters, common names collide by themselves, as in life.
    names = Counter(zip(p.first.tolist(), p.last.tolist(), strict=True))
    assert sum(c for c in names.values() if c >= 5) > N * 0.02


def test_new_mexico_surnames_lead_with_accents_mostly_dropped(state):
    p = state.people
    folded = Counter(fold(x) for x in p.last.tolist())
    top = [name for name, _ in folded.most_common(20)]
    for name in ("Garcia", "Martinez", "Chavez", "Sanchez", "Lucero", "Baca"):
        assert name in top, (name, top)
    with_accent = sum(1 for x in p.last.tolist() if x == "García")
    without = sum(1 for x in p.last.tolist() if x == "Garcia")
    assert 0 < with_accent < without
    assert any(" " in x or "-" in x for x in p.last.tolist())  # compound surnames
    assert any(x in {"De La Cruz", "C de Baca"} for x in p.last.tolist())


def test_native_american_names_concentrate_where_the_nations_are(state):
    p = state.people
    dine = {"Begay", "Yazzie", "Benally", "Tsosie", "Nez"}
    mckinley = [
        fold(x) for x, c in zip(p.last, p.county, strict=True) if c == "McKinley"
    ]
    elsewhere = [
        fold(x) for x, c in zip(p.last, p.county, strict=True) if c == "Doña Ana"
    ]
    share_mckinley = sum(x in dine for x in mckinley) / len(mckinley)
    share_dona_ana = sum(x in dine for x in elsewhere) / len(elsewhere)
    assert share_mckinley > 0.15 > share_dona_ana


def test_nicknames_appear_in_place_of_given_names(state):
    nick = {n for ns in tables.nicknames().values() for n in ns}
    recorded = sum(1 for x in state.people.first.tolist() if x in nick)
    assert 0.005 * N < recorded < 0.08 * N


def test_places_are_real_counties_cities_and_zip_codes(state):
    counties = {c.name: c for c in tables.counties()}
    p = state.people
    assert len(counties) == 33
    for county, city, zip_code in zip(
        p.county[:2000], p.city[:2000], p.zip[:2000], strict=True
    ):
        c = counties[county]
        i = c.cities.index(city)
        assert zip_code in c.zips[i]
        assert zip_code[:2] in {"87", "88"}
    assert Counter(p.county.tolist()).most_common(1)[0][0] == "Bernalillo"


def test_employers_have_a_heavy_tailed_size_distribution(state):
    last_quarter = state.wages.quarter == len(QUARTERS) - 1
    sizes = np.bincount(
        state.wages.employer[last_quarter], minlength=len(state.employers)
    )
    assert np.median(sizes) <= 6
    assert sizes.max() > 50 * max(np.median(sizes), 1)
    assert len({f for f in state.employers.fein.tolist()}) == len(state.employers)


def test_wage_histories_span_eight_quarters_with_job_changes(state):
    w = state.wages
    assert set(np.unique(w.quarter).tolist()) == set(range(8))
    employers_per_worker = np.bincount(
        np.unique(w.worker.astype(np.int64) * len(state.employers) + w.employer)
        // len(state.employers),
        minlength=N,
    )
    changed = (employers_per_worker >= 2).mean()
    assert 0.15 < changed < 0.50
    assert (w.cents > 0).all()


def test_claimants_are_recent_separations_in_the_state_share(state):
    c = state.claims
    assert len(c) == round(N * CLAIMANT_SHARE)
    w = state.wages
    statuses = Counter(c.status)
    assert {"active", "exhausted", "denied", "closed"} <= set(statuses)
    for i in range(0, len(c), 37):
        quarters = w.quarter[(w.worker == c.worker[i]) & (w.employer == c.employer[i])]
        filed = (c.filed_on[i].year, (c.filed_on[i].month - 1) // 3 + 1)
        filed_q = QUARTERS.index(filed) if filed in QUARTERS else len(QUARTERS)
        # The separating employer paid wages in the filing quarter or the one
        # before (separated late in a quarter, filed early in the next), and the
        # separation is one of the last four quarters.
        assert {filed_q, filed_q - 1} & set(quarters.tolist())
        assert filed_q >= 4
        assert c.effective_on[i] <= c.filed_on[i]
    non_citizens = [i for i, a in enumerate(c.work_authorization) if a != "citizen"]
    assert non_citizens and all(c.alien_number[i].startswith("A") for i in non_citizens)
