"""Applying a reviewer's narrowing ("approve, narrowed") to what a package holds.

The reviewer writes the narrowing in words. Two kinds are understood, and both only
ever take data away:

* quarters, for elements read per quarter (employer, wages, claims): "Q1-Q2 2026",
  "2025 Q3 to 2026 Q1", "Q4 2025", "2026" (the whole year). The element then covers
  the quarters both the request and the narrowing name;
* fields, for elements made of fields (name, address, employer): "city and state",
  "last name only", "name and FEIN". Only the fields named are kept.

A narrowing that says neither cannot be applied by a machine, so the package is not
built (the release fails closed and the reviewer is told how to write it): releasing
the element whole would release more than two people signed for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .extract import Period, Quarter

# Elements read per quarter of the request's period.
PERIOD_ELEMENTS = frozenset(
    {
        "employer",
        "wages",
        "claim_dates",
        "benefit_amounts",
        "work_authorization",
        "alien_number",
        "save_result",
        "sex",
    }
)
# Elements made of named fields, and the words that name each field.
FIELD_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "name": {
        "first": ("first", "given"),
        "middle": ("middle",),
        "last": ("last", "surname", "family"),
        "suffix": ("suffix",),
        "full": ("full",),
    },
    "address": {
        "street": ("street",),
        "city": ("city", "town"),
        "state": ("state",),
        "zip": ("zip", "postal"),
        "county": ("county",),
    },
    "employer": {
        "name": ("name", "names"),
        "fein": ("fein", "ein"),
        "street": ("street",),
        "city": ("city",),
        "state": ("state",),
        "zip": ("zip",),
    },
}

_RANGE_SAME_YEAR = re.compile(
    r"\bQ([1-4])\s*(?:-|–|—|to|through)\s*Q([1-4])\s*,?\s*(\d{4})\b", re.I
)
_YEAR_Q = re.compile(r"\b(\d{4})\s*-?\s*Q([1-4])\b", re.I)
_Q_YEAR = re.compile(r"\bQ([1-4])\s*,?\s*(\d{4})\b", re.I)
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")

HOW_TO = (
    "Write the narrowing as quarters (for example 'Q1-Q2 2026' or '2025 Q3 to "
    "2026 Q1') or, for name, address and employer, as the fields to keep (for example "
    "'city and state')."
)


class NarrowingError(ValueError):
    """The narrowing cannot be applied: the words name no quarter or field."""


@dataclass(frozen=True)
class Narrowing:
    quarters: tuple[Quarter, Quarter] | None = None
    fields: frozenset[str] | None = None


def _quarters(text: str) -> tuple[Quarter, Quarter] | None:
    found: list[Quarter] = []
    rest = text
    for m in _RANGE_SAME_YEAR.finditer(text):
        year = int(m.group(3))
        found += [(year, int(m.group(1))), (year, int(m.group(2)))]
    rest = _RANGE_SAME_YEAR.sub(" ", rest)
    for m in _YEAR_Q.finditer(rest):
        found.append((int(m.group(1)), int(m.group(2))))
    rest = _YEAR_Q.sub(" ", rest)
    for m in _Q_YEAR.finditer(rest):
        found.append((int(m.group(2)), int(m.group(1))))
    rest = _Q_YEAR.sub(" ", rest)
    if not found:
        for m in _YEAR.finditer(rest):
            year = int(m.group(1))
            found += [(year, 1), (year, 4)]
    if not found:
        return None
    return min(found), max(found)


def _fields(text: str, element: str) -> frozenset[str] | None:
    vocabulary = FIELD_WORDS.get(element)
    if not vocabulary:
        return None
    words = set(re.findall(r"[a-z]+", text.lower()))
    chosen = {field for field, names in vocabulary.items() if words & set(names)}
    return frozenset(chosen) or None


def parse(text: str, element: str) -> Narrowing:
    """What ``text`` narrows ``element`` to; NarrowingError if nothing applies."""
    quarters = _quarters(text) if element in PERIOD_ELEMENTS else None
    fields = _fields(text, element)
    if quarters is None and fields is None:
        raise NarrowingError(HOW_TO)
    return Narrowing(quarters=quarters, fields=fields)


def narrowed_period(period: Period, narrowing: Narrowing) -> Period | None:
    """The quarters both name, or None when they do not overlap (nothing is released)."""
    if narrowing.quarters is None:
        return period
    first = max(period.first, narrowing.quarters[0])
    last = min(period.last, narrowing.quarters[1])
    return Period(first, last) if first <= last else None
