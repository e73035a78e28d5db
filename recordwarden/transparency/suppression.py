"""Small-count suppression for the published breakdowns.

Every breakdown is published one quarter at a time: a row of counts by category (agency
type, instrument, outcome, element released...). Some rows add up to a total that is
published exactly (the requests received in the quarter); others do not (a request may
release several elements, so the element counts add up to nothing published).

Primary suppression: a count from 1 to 4 is shown as "<5".

Secondary suppression, for rows with an exact total: a reader who knows the total, the
visible cells, that each "<5" is between 1 and 4 and that each withheld cell is 0 or at
least 5 must not be able to work out any "<5" exactly. So, while some "<5" cell could
take only one value, the smallest other cell (non-zero first) is withheld too. If even
withholding every cell leaves one "<5" determined (a quarter of one or two requests),
the whole row is withheld and only its total is published.

Breakdowns are not summed over quarters on the page: an all-quarters row would tie the
columns together and let a hidden quarter be found by subtraction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .constants import SMALL_COUNT_MAX

LOW, HIGH = 1, SMALL_COUNT_MAX


@dataclass(frozen=True)
class RowSuppression:
    banded: frozenset[int]  # shown as "<5"
    withheld: frozenset[int]  # shown as "withheld"
    whole_row: bool = False  # nothing but the total is published


def _achievable(total: int, primaries: int, secondaries: int) -> bool:
    """Can ``primaries`` cells of 1..4 plus ``secondaries`` cells each 0 or >= 5 add
    up to ``total``? (A sum of cells that are each 0 or >= 5 is itself 0 or >= 5.)"""
    low, high = LOW * primaries, HIGH * primaries
    if low <= total <= high:
        return True
    return secondaries > 0 and total >= low + HIGH + 1


def _values_left(hidden_sum: int, primaries: int, secondaries: int) -> int:
    """How many values a reader cannot rule out for one "<5" cell."""
    return sum(
        1
        for v in range(LOW, HIGH + 1)
        if _achievable(hidden_sum - v, primaries - 1, secondaries)
    )


def _safe(row: Sequence[int], banded: set[int], withheld: set[int]) -> bool:
    if not banded:
        return True
    hidden_sum = sum(row[i] for i in banded | withheld)
    return _values_left(hidden_sum, len(banded), len(withheld)) >= 2


def suppress_row(row: Sequence[int], *, exact_total: bool) -> RowSuppression:
    """Which cells of one quarter's breakdown to hide."""
    banded = {i for i, v in enumerate(row) if LOW <= v <= HIGH}
    withheld: set[int] = set()
    if not exact_total:
        return RowSuppression(frozenset(banded), frozenset())
    while not _safe(row, banded, withheld):
        rest = [i for i in range(len(row)) if i not in banded and i not in withheld]
        if not rest:
            every = frozenset(range(len(row)))
            return RowSuppression(frozenset(), every, whole_row=True)
        withheld.add(min(rest, key=lambda i: (row[i] == 0, row[i], i)))
    return RowSuppression(frozenset(banded), frozenset(withheld))
