"""The matching engine on its own (no database): each hard case, each kind of mistake,
and people who are not in the records. The rule under test everywhere: a wrong
automatic match never happens; doubt goes to a human."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordwarden.matching.engine import AMBIGUOUS, MATCH, NONE, Model, Person, resolve
from recordwarden.matching.engine.keys import dob_variants, query_keys, record_keys
from recordwarden.matching.engine.normalize import fold, prepare, split_surname

from .town import build_town, town_index, town_model

NAMED, PEOPLE = build_town()
INDEX = town_index(PEOPLE)
MODEL = town_model(PEOPLE)


def ask(**fields) -> object:
    return resolve(Person(**fields), INDEX, MODEL)


def like(pid: str, **changes) -> Person:
    """A subject written from a worker's record, with ``changes``."""
    return replace(NAMED[pid], id=None, **changes)


def resolve_like(pid: str, **changes):
    return resolve(like(pid, **changes), INDEX, MODEL)


def assert_match(result, pid: str) -> None:
    assert result.outcome == MATCH, [
        (c.id, round(c.weight, 1)) for c in result.candidates
    ]
    assert result.best.id == pid


def assert_never_wrong(result, truth: str | None) -> None:
    """Never an automatic match to anyone but ``truth`` (None: not in the records)."""
    if result.outcome == MATCH:
        assert result.best.id == truth


# ---------------------------------------------------------------- the plain cases


def test_an_exact_subject_matches_its_worker():
    assert_match(resolve_like("rare"), "rare")


def test_typos_in_both_names_still_match_with_date_of_birth_and_address():
    assert_match(
        resolve_like("rare", first_name="Xochtil", last_name="Quintana-Archuleda"),
        "rare",
    )


def test_a_swapped_day_and_month_still_matches_and_says_so():
    subject = like("household_mother", dob="1970-02-11")  # 2 November -> 11 February
    result = resolve(subject, INDEX, MODEL)
    assert_match(result, "household_mother")
    dob = next(e for e in result.best.evidence if e.field == "dob")
    assert dob.agreement == "day and month swapped"


def test_a_year_off_by_one_still_matches():
    result = resolve_like("robert", dob="1959-10-15")  # three digits change
    assert_match(result, "robert")
    assert next(e for e in result.best.evidence if e.field == "dob").level == 2


def test_nicknames_find_the_given_name():
    result = resolve_like("robert", first_name="Bob")
    assert_match(result, "robert")
    first = next(e for e in result.best.evidence if e.field == "first_name")
    assert first.agreement.startswith("nickname")
    assert_match(
        resolve_like("household_father", first_name="Manny"), "household_father"
    )


def test_dropped_and_added_accents_are_the_same_name():
    assert_match(resolve_like("pena", last_name="Pena"), "pena")
    assert_match(
        resolve_like("garcia_1", first_name="Jose", last_name="Garcia"), "garcia_1"
    )
    assert_match(
        resolve_like("garcia_2", first_name="José", last_name="García"), "garcia_2"
    )


def test_compound_surnames_match_by_either_form():
    assert_match(resolve_like("compound", last_name="García"), "compound")
    assert_match(resolve_like("compound", last_name="Garcia-Lopez"), "compound")
    assert_match(resolve_like("particles", last_name="Delacruz"), "particles")
    assert_match(resolve_like("particles", last_name="de la cruz"), "particles")
    assert_match(resolve_like("rare", last_name="Quintana Archuleta"), "rare")


def test_given_and_family_names_swapped_on_the_form():
    result = resolve_like("rare", first_name="Quintana-Archuleta", last_name="Xochitl")
    assert_match(result, "rare")
    assert result.best.names_swapped
    typo = resolve_like("household_son", first_name="Lucer", last_name="Adrian")
    assert_match(typo, "household_son")
    assert typo.best.names_swapped


# ---------------------------------------------------------------- missing fields


def test_missing_date_of_birth_is_made_up_by_the_ssn():
    assert_match(resolve_like("household_son", dob=None), "household_son")


def test_last_four_and_birth_date_are_enough_without_the_address():
    subject = like("robert", ssn_hash="", street="", city="", zip="")
    assert_match(resolve(subject, INDEX, MODEL), "robert")


def test_a_name_and_a_town_alone_never_match_automatically():
    subject = like("rare", dob=None, ssn_hash="", ssn_last4_hash="", street="")
    result = resolve(subject, INDEX, MODEL)
    assert result.outcome == AMBIGUOUS
    assert result.best.id == "rare"


def test_only_a_common_name_goes_to_a_human_never_to_a_match():
    result = ask(first_name="Jose", last_name="Garcia")
    assert result.outcome in {AMBIGUOUS, NONE}
    assert_never_wrong(result, None)


def test_an_empty_subject_is_none():
    assert ask().outcome == NONE


# ---------------------------------------------------------------- the hard cases


@pytest.mark.parametrize(
    "pid", ["household_father", "household_mother", "household_son"]
)
def test_each_household_member_matches_themself_not_a_relative(pid):
    subject = like(pid, ssn_hash="", ssn_last4_hash="")
    assert_match(resolve(subject, INDEX, MODEL), pid)


def test_a_household_member_named_only_by_surname_and_address_is_never_matched():
    result = ask(
        last_name="Lucero",
        street="412 Isleta Blvd SW",
        city="Albuquerque",
        zip="87105",
        dob="1970-11-02",
    )
    assert_never_wrong(result, "household_mother")
    result = ask(last_name="Lucero", street="412 Isleta Blvd SW", zip="87105")
    assert result.outcome != MATCH


def test_twins_are_told_apart_by_given_name():
    for pid in ("twin_a", "twin_b"):
        subject = like(pid, ssn_hash="", ssn_last4_hash="")
        assert_match(resolve(subject, INDEX, MODEL), pid)


def test_a_twin_without_a_given_name_goes_to_a_human_with_both_twins():
    subject = like("twin_a", first_name="", ssn_hash="", ssn_last4_hash="")
    result = resolve(subject, INDEX, MODEL)
    assert result.outcome == AMBIGUOUS
    assert {c.id for c in result.candidates[:2]} == {"twin_a", "twin_b"}


def test_a_twin_with_a_typo_that_looks_like_the_other_twin_is_not_matched_wrongly():
    subject = like("twin_a", first_name="Maribel", ssn_hash="", ssn_last4_hash="")
    # The requester typed the other twin's name: the data points at twin B; what
    # matters is that nothing else is matched and doubt is surfaced.
    result = resolve(subject, INDEX, MODEL)
    assert_never_wrong(result, "twin_b")


@pytest.mark.parametrize("pid", ["junior", "senior"])
def test_jr_and_sr_are_told_apart_by_birth_date(pid):
    subject = like(pid, suffix="", ssn_hash="", ssn_last4_hash="")
    assert_match(resolve(subject, INDEX, MODEL), pid)


def test_jr_without_birth_date_or_suffix_goes_to_a_human():
    subject = like("junior", suffix="", dob=None, ssn_hash="", ssn_last4_hash="")
    result = resolve(subject, INDEX, MODEL)
    assert result.outcome == AMBIGUOUS
    assert {c.id for c in result.candidates[:2]} == {"junior", "senior"}


def test_the_suffix_counts_against_the_other_generation():
    subject = like("junior", dob=None, ssn_hash="", ssn_last4_hash="")
    result = resolve(subject, INDEX, MODEL)
    assert_never_wrong(result, "junior")
    weights = {c.id: c.weight for c in result.candidates}
    assert weights["junior"] > weights.get("senior", -99) + 5


@pytest.mark.parametrize("pid", ["garcia_1", "garcia_2", "garcia_3", "garcia_4"])
def test_a_common_name_cluster_is_resolved_by_birth_date(pid):
    subject = like(pid, middle_name="", ssn_hash="", ssn_last4_hash="", street="")
    assert_match(resolve(subject, INDEX, MODEL), pid)


def test_a_common_name_without_birth_date_is_never_guessed():
    subject = like("garcia_3", dob=None, ssn_hash="", ssn_last4_hash="", street="")
    result = resolve(subject, INDEX, MODEL)
    assert result.outcome != MATCH


# ---------------------------------------------------------------- not in the records


def test_a_namesake_with_another_birth_date_is_never_matched():
    for pid in ("rare", "robert", "garcia_2", "pena"):
        subject = like(pid, dob="1949-06-01", ssn_hash="", ssn_last4_hash="", street="")
        result = resolve(subject, INDEX, MODEL)
        assert_never_wrong(result, None)


def test_a_stranger_is_none():
    result = ask(
        first_name="Evangeline",
        last_name="Oyelaran",
        dob="1971-07-07",
        city="Gallup",
        zip="87301",
    )
    assert result.outcome == NONE
    assert result.candidates == []


def test_a_stranger_with_someones_ssn_typo_is_not_matched():
    # Nine digits that happen to be a worker's, with nothing else agreeing.
    result = ask(
        first_name="Evangeline",
        last_name="Oyelaran",
        dob="1971-07-07",
        ssn_hash=NAMED["rare"].ssn_hash,
        ssn_last4_hash=NAMED["rare"].ssn_last4_hash,
    )
    assert_never_wrong(result, None)


# ---------------------------------------------------------------- explanations


def test_the_evidence_adds_up_to_the_score():
    result = resolve_like("robert", first_name="Bob")
    best = result.best
    assert best.weight == pytest.approx(
        result.prior + sum(e.weight for e in best.evidence)
    )
    labels = {e.field: e.agreement for e in best.evidence}
    assert labels["ssn"] == "same"
    assert labels["middle_name"] == "same"
    assert labels["suffix"] == "not given"


def test_a_common_surname_counts_for_less_than_a_rare_one():
    common = resolve_like("garcia_2").best.evidence[2].weight
    rare = resolve_like("rare").best.evidence[2].weight
    assert rare > common + 3


def test_the_model_survives_a_round_trip():
    again = Model.loads(MODEL.dumps())
    flat = [w for row in MODEL.weights for w in row]
    assert [w for row in again.weights for w in row] == pytest.approx(flat)
    assert resolve_like("rare").best.weight == pytest.approx(
        resolve(like("rare"), INDEX, again).best.weight
    )


# ---------------------------------------------------------------- properties


names = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzáéíóúñÁÉ -'"), max_size=20
)


@given(names)
def test_folding_is_idempotent_and_ascii(text):
    once = fold(text)
    assert fold(once) == once
    assert once.isascii()


@given(
    first=names,
    last=names,
    dob=st.dates(
        min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)
    ),
    zip_code=st.from_regex(r"\A8[78]\d{3}\Z"),
)
def test_a_subject_identical_to_a_worker_always_looks_the_worker_up(
    first, last, dob, zip_code
):
    p = prepare(
        Person(
            first_name=first,
            last_name=last,
            dob=dob,
            zip=zip_code,
            ssn_hash="abc",
            ssn_last4_hash="1234",
        )
    )
    assert record_keys(p) <= query_keys(p)


@given(
    st.dates(
        min_value=datetime.date(1900, 1, 13), max_value=datetime.date(2020, 12, 31)
    )
)
def test_date_corruptions_include_the_swap_and_both_neighbouring_years(dob):
    s = dob.strftime("%Y%m%d")
    variants = dob_variants(s)
    assert s in variants
    assert f"{dob.year - 1}{s[4:]}" in variants or dob.month == 2 and dob.day == 29
    if dob.day <= 12:
        assert s[:4] + s[6:] + s[4:6] in variants


def test_surnames_split_into_full_form_and_parts():
    assert split_surname("García-López") == ("garcialopez", ("garcia", "lopez"), "")
    assert split_surname("de la Cruz") == ("delacruz", ("cruz",), "")
    assert split_surname("Trujillo Jr.") == ("trujillo", ("trujillo",), "jr")
