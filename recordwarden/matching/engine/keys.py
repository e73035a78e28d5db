"""Blocking keys: which workers are worth scoring against a subject.

A worker is indexed under a handful of exact keys; a subject is looked up under the
same keys *and* their common corruptions (swapped day and month, a year off by one,
one mistyped or transposed digit of the birth date, first and last names swapped), so
the index stays small while the look-up forgives the usual mistakes. Every key is
selective on its own: a look-up touches tens to hundreds of index rows, not the state.
"""

from __future__ import annotations

import datetime
import hashlib

from .normalize import Prepared, soundex

SSN = "ssn"  # keyed hash of the whole SSN
LAST4_YEAR = "l4y"  # keyed hash of the last four + year of birth
LAST4_NAME = "l4n"  # keyed hash of the last four + surname initial
DOB_LAST = "dl"  # date of birth + surname code
DOB_FIRST = "df"  # date of birth + given-name code
NAME_ZIP = "nz"  # given-name code + surname code + ZIP
NAME = "nn"  # given-name code + surname code (too common names are skipped)
DOB_ZIP = "dz"  # date of birth + ZIP
HOUSE = "ad"  # ZIP + house number + street-name code (a household or a building)
NAME_CITY = "nc"  # given-name code + surname code + city (for subjects without ZIP)

KEY_TYPES = (
    SSN,
    LAST4_YEAR,
    LAST4_NAME,
    DOB_LAST,
    DOB_FIRST,
    NAME_ZIP,
    NAME,
    DOB_ZIP,
    HOUSE,
    NAME_CITY,
)
# Blocks that can be large; a look-up reads at most cap + 1 of their rows and drops
# the block if it is larger (see resolve). A name on its own is worth scoring only
# when few workers carry it; a subject with a common name is found through its date
# of birth, SSN or ZIP instead.
CAPS = {NAME: 60, NAME_ZIP: 300, HOUSE: 100, NAME_CITY: 300}
CAPPED = frozenset(CAPS)
# Small integer codes for storing the key type in a database.
KEY_CODES = {name: code for code, name in enumerate(KEY_TYPES, start=1)}
HASH_CHARS = 16  # 64 bits of an HMAC is plenty to find candidates; scoring compares all


def key_hash(key: tuple[str, str]) -> int:
    """A signed 64-bit integer for a key, for compact database storage. The key type is
    part of the hashed text, so values of different types never collide by design."""
    digest = hashlib.blake2b(f"{key[0]}:{key[1]}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _given_codes(p: Prepared) -> list[str]:
    return list(dict.fromkeys(soundex(c) for c in p.first_canons if c))


def _surname_codes(p: Prepared) -> list[str]:
    return list(dict.fromkeys(soundex(k) for k in p.last_keys if k))


def record_keys(p: Prepared) -> set[tuple[str, str]]:
    """The keys a worker is indexed under."""
    keys: set[tuple[str, str]] = set()
    given = _given_codes(p)
    surnames = _surname_codes(p)
    if p.ssn:
        keys.add((SSN, p.ssn[:HASH_CHARS]))
    if p.last4:
        l4 = p.last4[:HASH_CHARS]
        if p.dob:
            keys.add((LAST4_YEAR, l4 + p.dob[:4]))
        initials = {k[0] for k in p.last_keys if k}
        keys.update((LAST4_NAME, l4 + i) for i in initials)
    if p.dob:
        keys.update((DOB_LAST, p.dob + s) for s in surnames)
        keys.update((DOB_FIRST, p.dob + g) for g in given)
        if p.zip:
            keys.add((DOB_ZIP, p.dob + p.zip))
    if p.zip and p.house and p.street:
        keys.add((HOUSE, p.zip + p.house + soundex(p.street.split()[0])))
    for g in given:
        for s in surnames:
            keys.add((NAME, g + s))
            if p.zip:
                keys.add((NAME_ZIP, g + s + p.zip))
            if p.city:
                keys.add((NAME_CITY, g + s + ":" + p.city))
    return keys


def _valid(dob: str) -> bool:
    try:
        year = int(dob[:4])
        datetime.date(year, int(dob[4:6]), int(dob[6:8]))
    except ValueError:
        return False
    return 1890 <= year <= 2030


def dob_variants(dob: str, *, typos: bool = True) -> list[str]:
    """The date itself and its usual corruptions, valid dates only: day and month
    swapped, the year off by one and (with ``typos``) one digit mistyped or two
    neighbouring digits transposed."""
    if not dob:
        return []
    out = [dob]
    y, m, d = dob[:4], dob[4:6], dob[6:8]
    out.append(y + d + m)
    for delta in (-1, 1):
        if y.isdigit():
            out.append(f"{int(y) + delta:04d}{m}{d}")
    if not typos:
        return [v for v in dict.fromkeys(out) if v == dob or _valid(v)]
    for i in range(8):  # one mistyped digit
        for c in "0123456789":
            if c != dob[i]:
                out.append(dob[:i] + c + dob[i + 1 :])
    for i in range(7):  # two neighbouring digits transposed
        if dob[i] != dob[i + 1]:
            out.append(dob[:i] + dob[i + 1] + dob[i] + dob[i + 2 :])
    return [v for v in dict.fromkeys(out) if v == dob or _valid(v)]


def query_keys(p: Prepared) -> set[tuple[str, str]]:
    """The keys to look a subject up under: its own keys and their corruptions."""
    keys = record_keys(p)
    given = _given_codes(p)
    surnames = _surname_codes(p)
    # First and last names swapped on the form.
    swapped_given = [soundex(k) for k in p.last_keys[:1]]
    swapped_surnames = [soundex(t) for t in p.first_tokens[:1]]
    # Every corruption with the surname code (the more selective); only the common
    # ones with the given-name code and the ZIP, so that a common given name does
    # not bring in a hundred workers born on neighbouring dates.
    near = dob_variants(p.dob, typos=False)
    for dob in dob_variants(p.dob):
        keys.update((DOB_LAST, dob + s) for s in surnames + swapped_surnames)
    for dob in near:
        keys.update((DOB_FIRST, dob + g) for g in given + swapped_given)
        if p.zip:
            keys.add((DOB_ZIP, dob + p.zip))
    if p.last4:
        l4 = p.last4[:HASH_CHARS]
        keys.update((LAST4_YEAR, l4 + y) for y in {v[:4] for v in near})
    return keys
