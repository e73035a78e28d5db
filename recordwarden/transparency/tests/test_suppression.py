"""Small counts: never published in a breakdown, never recoverable from the total."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from recordwarden.transparency.suppression import suppress_row


def possible_values(row, result) -> dict[int, set[int]]:
    """Brute force: every value each '<5' cell could take, for a reader who sees the
    exact total, the visible cells, '<5' (1..4) and 'withheld' (0 or >= 5)."""
    total = sum(row)
    hidden = sorted(result.banded | result.withheld)
    visible = sum(v for i, v in enumerate(row) if i not in hidden)
    domains = [
        range(1, 5) if i in result.banded else [0, *range(5, total + 1)] for i in hidden
    ]
    seen: dict[int, set[int]] = {i: set() for i in result.banded}
    for values in itertools.product(*domains):
        if visible + sum(values) == total:
            for i, v in zip(hidden, values, strict=True):
                if i in seen:
                    seen[i].add(v)
    return seen


def test_counts_from_one_to_four_are_banded_and_zero_stays_zero():
    result = suppress_row([0, 3, 12, 9], exact_total=False)
    assert result.banded == {1}
    assert result.withheld == frozenset()


def test_a_lone_small_cell_takes_a_second_cell_with_it_when_the_total_is_exact():
    # Total 10: with only the 3 hidden, 10 - 7 would give it away.
    result = suppress_row([7, 3, 0], exact_total=True)
    assert result.banded == {1}
    assert result.withheld == {0}
    assert possible_values([7, 3, 0], result)[1] == {1, 2, 3, 4}


def test_the_smallest_large_cell_is_withheld_rather_than_a_bigger_one():
    result = suppress_row([40, 6, 2, 9], exact_total=True)
    assert result.banded == {2}
    assert result.withheld == {1}


def test_a_quarter_of_two_requests_publishes_only_its_total():
    result = suppress_row([1, 1, 0], exact_total=True)
    assert result.whole_row
    assert result.banded == frozenset() and result.withheld == {0, 1, 2}


def test_rows_without_a_published_total_need_no_second_cell():
    result = suppress_row([7, 3, 0], exact_total=False)
    assert result.banded == {1} and result.withheld == frozenset()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=14), min_size=2, max_size=5))
def test_no_small_count_can_be_worked_out_from_an_exact_total(row):
    result = suppress_row(row, exact_total=True)
    assert not {i for i, v in enumerate(row) if 1 <= v <= 4} - (
        result.banded | result.withheld
    ), "every count from 1 to 4 is hidden"
    assert all(row[i] == 0 or row[i] >= 5 for i in result.withheld) or result.whole_row
    if result.whole_row:
        return
    for cell, values in possible_values(row, result).items():
        assert len(values) >= 2, (row, result, cell, values)
