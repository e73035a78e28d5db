"""The period a request covers: quarters, years, or "the last four quarters"."""

from __future__ import annotations

import datetime as dt
import re

from .subjects import count_word
from .text import IGNORE, flat

_Q = r"Q([1-4])"
_RANGE = r"\s*(?:-|to|through|thru|until)\s*"
_Q_RANGE_ONE_YEAR = re.compile(rf"\b{_Q}{_RANGE}{_Q},?\s*((?:19|20)\d\d)\b", IGNORE)
_Q_RANGE = re.compile(
    rf"\b{_Q},?\s*((?:19|20)\d\d){_RANGE}{_Q},?\s*((?:19|20)\d\d)\b", IGNORE
)
_Q_ONE = re.compile(rf"\b{_Q},?\s*((?:19|20)\d\d)\b|\b((?:19|20)\d\d)\s*{_Q}\b", IGNORE)
_YEARS = re.compile(rf"\b((?:19|20)\d\d){_RANGE}((?:19|20)\d\d)\b", IGNORE)
_LAST_N = re.compile(
    r"\b(?:last|past|previous|prior)\s+(?P<n>\d{1,2}|one|two|three|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve)\s+(?P<unit>quarters?|years?|months?)\b",
    IGNORE,
)


def _quarter_start(year: int, q: int) -> dt.date:
    return dt.date(year, 3 * (q - 1) + 1, 1)


def _quarter_end(year: int, q: int) -> dt.date:
    return (
        dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
    ) - dt.timedelta(days=1)


def find_date_range(
    text: str, *, today: dt.date
) -> tuple[dt.date | None, dt.date | None]:
    body = flat(text)
    if m := _Q_RANGE.search(body):
        q1, y1, q2, y2 = (int(g) for g in m.groups())
        return _quarter_start(y1, q1), _quarter_end(y2, q2)
    if m := _Q_RANGE_ONE_YEAR.search(body):
        q1, q2, year = (int(g) for g in m.groups())
        return _quarter_start(year, q1), _quarter_end(year, q2)
    if m := _YEARS.search(body):
        y1, y2 = int(m.group(1)), int(m.group(2))
        if y1 <= y2:
            return dt.date(y1, 1, 1), dt.date(y2, 12, 31)
    if m := _Q_ONE.search(body):
        q = int(m.group(1) or m.group(4))
        year = int(m.group(2) or m.group(3))
        return _quarter_start(year, q), _quarter_end(year, q)
    if m := _LAST_N.search(body):
        n = min(count_word(m.group("n")), 40)
        unit = m.group("unit").lower()
        if unit.startswith("quarter"):
            q = (today.month - 1) // 3 + 1  # the current quarter is not complete
            year, q = (today.year, q - 1) if q > 1 else (today.year - 1, 4)
            end = _quarter_end(year, q)
            for _ in range(n - 1):
                year, q = (year, q - 1) if q > 1 else (year - 1, 4)
            return _quarter_start(year, q), end
        days = 365 * n if unit.startswith("year") else 31 * n
        return today - dt.timedelta(days=days), today
    return None, None
