"""Comparison levels: how well one field of a subject agrees with a worker's.

Each comparison returns a level index (0 = disagrees, higher = closer agreement) or
None when either side lacks the field, which is no evidence either way. The address
is compared as one piece of evidence: a household shares street, city and ZIP, so
counting them separately would count one fact three times.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from .nicknames import are_nicknames
from .normalize import Prepared, swapped_names


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    levels: tuple[str, ...]  # level index -> what agreement at that level means
    tf_level: int | None = None  # the exact level, whose weight uses term frequency


FIRST, MIDDLE, LAST, SUFFIX, DOB, SSN, LAST4, ADDRESS = range(8)

FIELDS: tuple[Field, ...] = (
    Field(
        "first_name",
        "Given name",
        (
            "different",
            "loosely similar or initial only",
            "close spelling",
            "nickname, alias or middle name",
            "same",
        ),
        tf_level=4,
    ),
    Field("middle_name", "Middle name", ("different", "initial agrees", "same")),
    Field(
        "last_name",
        "Family name",
        (
            "different",
            "loosely similar or shares a part",
            "close spelling",
            "one part of a compound name",
            "same",
        ),
        tf_level=4,
    ),
    Field("suffix", "Suffix (Jr/Sr)", ("different", "only one has a suffix", "same")),
    Field(
        "dob",
        "Date of birth",
        (
            "different",
            "same year only",
            "year off by one",
            "one digit mistyped",
            "day and month swapped",
            "same",
        ),
    ),
    Field("ssn", "SSN", ("different", "last four agree, rest differs", "same")),
    Field("ssn_last4", "SSN last four (only these given)", ("different", "same")),
    Field(
        "address",
        "Address (street, city, ZIP together)",
        (
            "different",
            "same city or ZIP",
            "same city and ZIP, another street",
            "same city and ZIP (no street to compare)",
            "same street",
            "same house",
        ),
    ),
)
FIELD_INDEX = {f.name: i for i, f in enumerate(FIELDS)}


def _jw(a: str, b: str) -> float:
    return JaroWinkler.similarity(a, b)


def cmp_first(q: Prepared, r: Prepared) -> int | None:
    if not q.first or not r.first:
        return None
    if q.first == r.first:
        return 4
    qa, ra = q.first_tokens[0], r.first_tokens[0]
    if len(qa) == 1 or len(ra) == 1:  # an initial
        return 1 if qa[0] == ra[0] else 0
    if qa == ra or are_nicknames(qa, ra):
        return 3
    if (r.middle and qa == r.middle.split()[0]) or (
        q.middle and ra == q.middle.split()[0]
    ):
        return 3
    if len(qa) >= 3 and len(ra) >= 3 and (qa.startswith(ra) or ra.startswith(qa)):
        return 3
    sim = _jw(q.first, r.first)
    if sim >= 0.92:
        return 2
    if sim >= 0.85:
        return 1
    return 0


def cmp_middle(q: Prepared, r: Prepared) -> int | None:
    if not q.middle or not r.middle:
        return None
    if q.middle == r.middle or _jw(q.middle, r.middle) >= 0.92:
        return 2
    if (len(q.middle) == 1 or len(r.middle) == 1) and q.middle[0] == r.middle[0]:
        return 1
    return 0


def cmp_last(q: Prepared, r: Prepared) -> int | None:
    if not q.last or not r.last:
        return None
    if q.last == r.last:
        return 4
    qs, rs = set(q.last_core), set(r.last_core)
    if qs <= rs or rs <= qs:
        return 3
    sim = _jw(q.last, r.last)
    if len(qs) > 1 or len(rs) > 1:
        sim = max([sim] + [_jw(a, b) for a in qs for b in rs])
    if sim >= 0.92:
        return 2
    if sim >= 0.84 or not qs.isdisjoint(rs):
        return 1
    return 0


def cmp_suffix(q: Prepared, r: Prepared) -> int | None:
    if not q.suffix and not r.suffix:
        return None
    if q.suffix and r.suffix:
        return 2 if q.suffix == r.suffix else 0
    return 1


def cmp_dob(q: Prepared, r: Prepared) -> int | None:
    a, b = q.dob, r.dob
    if not a or not b:
        return None
    if a == b:
        return 5
    if a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]:
        return 4
    if DamerauLevenshtein.distance(a, b) <= 1:
        return 3
    if a[4:] == b[4:] and a[:4].isdigit() and b[:4].isdigit():
        if abs(int(a[:4]) - int(b[:4])) == 1:
            return 2
    if a[:4] == b[:4]:
        return 1
    return 0


def cmp_ssn(q: Prepared, r: Prepared) -> int | None:
    if not q.ssn or not r.ssn:
        return None
    if q.ssn == r.ssn:
        return 2
    if q.last4 and q.last4 == r.last4:
        return 1
    return 0


def cmp_last4(q: Prepared, r: Prepared) -> int | None:
    """Used only when the subject gives the last four without the whole SSN."""
    if not q.last4 or not r.last4:
        return None
    return 1 if q.last4 == r.last4 else 0


def cmp_address(q: Prepared, r: Prepared) -> int | None:
    if not (q.street or q.city or q.zip) or not (r.street or r.city or r.zip):
        return None
    same_zip = bool(q.zip) and q.zip == r.zip
    same_city = (
        bool(q.city)
        and bool(r.city)
        and (q.city == r.city or _jw(q.city, r.city) >= 0.92)
    )
    locality_ok = same_zip or same_city or not (q.zip or q.city)
    same_street = (
        bool(q.street)
        and bool(r.street)
        and (q.street == r.street or _jw(q.street, r.street) >= 0.9)
    )
    if same_street and locality_ok:
        return 5 if q.house and q.house == r.house else 4
    if same_zip and same_city:
        # A street that differs is a little evidence against (people move, though).
        return 2 if q.street and r.street else 3
    if same_zip or same_city:
        return 1
    return 0


COMPARATORS = (
    cmp_first,
    cmp_middle,
    cmp_last,
    cmp_suffix,
    cmp_dob,
    cmp_ssn,
    cmp_last4,
    cmp_address,
)


def compare(q: Prepared, r: Prepared) -> tuple[list[int | None], bool]:
    """Levels for every field, and whether given and family names were swapped."""
    levels = [fn(q, r) for fn in COMPARATORS]
    if levels[SSN] is not None:
        # The last four are part of the whole SSN: never count them twice.
        levels[LAST4] = None
    swapped = False
    first, last = levels[FIRST], levels[LAST]
    if first is not None and last is not None and first <= 1 and last <= 1:
        # Family name written as given name and vice versa (typos allowed): both
        # must then agree at least closely.
        s = swapped_names(q)
        first2, last2 = cmp_first(s, r), cmp_last(s, r)
        if first2 is not None and last2 is not None and min(first2, last2) >= 2:
            levels[FIRST], levels[LAST] = first2, last2
            swapped = True
    return levels, swapped
