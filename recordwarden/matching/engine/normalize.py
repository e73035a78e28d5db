"""Turning names, dates and addresses into comparable forms.

Everything here is pure and cached: the same surname ("garcia") recurs thousands of
times in one state, so each distinct string is folded once per process.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

import jellyfish

from .nicknames import canonical_forms

# Letters that NFKD does not decompose into a base letter plus a mark.
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
    }
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['’`´]")

# Surname particles: kept in the full form ("delacruz") and dropped from the core
# tokens, so "De La Cruz", "Delacruz" and "Cruz" can be compared.
PARTICLES = frozenset(
    "de del della dela la las los le y e van von der den da das do dos di du st".split()
)

SUFFIXES = {
    "jr": "jr",
    "junior": "jr",
    "sr": "sr",
    "senior": "sr",
    "ii": "ii",
    "2nd": "ii",
    "iii": "iii",
    "3rd": "iii",
    "iv": "iv",
    "4th": "iv",
    "v": "v",
}

_STREET_WORDS = {
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "boulevard": "blvd",
    "circle": "cir",
    "circuit": "cct",
    "crescent": "cres",
    "highway": "hwy",
    "parkway": "pkwy",
    "terrace": "ter",
    "trail": "trl",
    "way": "wy",
    "square": "sq",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    "camino": "cam",
    "calle": "c",
    "avenida": "ave",
    "mount": "mt",
    "saint": "st",
}
_UNIT_WORDS = frozenset({"apt", "unit", "ste", "suite", "trlr", "lot", "spc", "space"})


@lru_cache(maxsize=200_000)
def fold(text: str | None) -> str:
    """Lower case, accents removed, anything but letters and digits turned into single
    spaces; apostrophes vanish ("O'Brien" -> "obrien")."""
    if not text:
        return ""
    text = _APOSTROPHES.sub("", text.lower().translate(_SPECIAL))
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", stripped).strip()


@lru_cache(maxsize=200_000)
def soundex(token: str) -> str:
    return jellyfish.soundex(token) if token else ""


@lru_cache(maxsize=200_000)
def split_surname(raw: str) -> tuple[str, tuple[str, ...], str]:
    """(full key, core tokens, suffix found inside the surname).

    "García-López" -> ("garcialopez", ("garcia", "lopez"), "");
    "de la Cruz" -> ("delacruz", ("cruz",), ""); "Smith Jr." -> ("smith", ("smith",), "jr").
    """
    tokens = fold(raw).split()
    suffix = ""
    if len(tokens) > 1 and tokens[-1] in SUFFIXES:
        suffix = SUFFIXES[tokens.pop()]
    core = tuple(t for t in tokens if t not in PARTICLES) or tuple(tokens)
    return "".join(tokens), core, suffix


@lru_cache(maxsize=200_000)
def split_given(raw: str) -> tuple[str, ...]:
    """Folded given-name tokens; a lone initial keeps its letter."""
    return tuple(fold(raw).split())


def normalize_suffix(raw: str | None) -> str:
    return SUFFIXES.get(fold(raw).replace(" ", ""), "")


def normalize_dob(value: object) -> str:
    """An 8-digit YYYYMMDD string, or "" when missing. Impossible dates that still
    have eight digits are kept: a typo'd date is evidence too."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%Y%m%d")
    digits = re.sub(r"\D", "", str(value))
    return digits if len(digits) == 8 else ""


@lru_cache(maxsize=200_000)
def normalize_street(raw: str) -> tuple[str, str]:
    """(house number, street name) with standard abbreviations and units dropped."""
    tokens = fold(raw).split()
    number = ""
    if tokens and tokens[0].isdigit():
        number = tokens.pop(0)
    out: list[str] = []
    skip = False
    for token in tokens:
        if skip:
            skip = False
            continue
        if token in _UNIT_WORDS:
            skip = True
            continue
        out.append(_STREET_WORDS.get(token, token))
    return number, " ".join(out)


def normalize_zip(raw: str | None) -> str:
    digits = re.sub(r"\D", "", raw or "")
    return digits[:5]


@dataclass(slots=True)
class Person:
    """A subject or a worker, as the engine sees it. Any field may be empty.

    ``ssn_hash`` and ``ssn_last4_hash`` are compared for equality only: the engine
    never sees an SSN, only keyed hashes (or, in benchmarks, any opaque string).
    """

    id: object = None
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    suffix: str = ""
    dob: object = None
    ssn_hash: str = ""
    ssn_last4_hash: str = ""
    street: str = ""
    city: str = ""
    zip: str = ""


@dataclass(slots=True)
class Prepared:
    """The comparable form of a Person."""

    id: object
    first: str  # folded given name, tokens joined by spaces
    first_tokens: tuple[str, ...]
    first_canons: tuple[str, ...]
    middle: str
    last: str  # full surname key, no spaces
    last_core: tuple[str, ...]
    suffix: str
    dob: str  # YYYYMMDD or ""
    ssn: str
    last4: str
    house: str
    street: str
    city: str
    zip: str
    last_keys: tuple[str, ...] = field(default=())  # full key plus core tokens
    swap: Prepared | None = None  # the same with given and family names exchanged


def _surname_parts(
    tokens: tuple[str, ...],
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    core = tuple(t for t in tokens if t not in PARTICLES) or tokens
    full = "".join(tokens)
    return full, core, tuple(dict.fromkeys((full, *core))) if full else ()


def swapped_names(p: Prepared) -> Prepared:
    """``p`` as if its given and family names had been written the other way round
    (computed once per subject, on demand)."""
    if p.swap is None:
        given = p.last_core or ((p.last,) if p.last else ())
        full, core, keys = _surname_parts(p.first_tokens)
        p.swap = replace(
            p,
            first=" ".join(given),
            first_tokens=given,
            first_canons=canonical_forms(given[0]) if given else (),
            last=full,
            last_core=core,
            last_keys=keys,
            swap=p,
        )
    return p.swap


def prepare(person: Person) -> Prepared:
    last, core, suffix_in_last = split_surname(person.last_name or "")
    first_tokens = split_given(person.first_name or "")
    first = " ".join(first_tokens)
    canons: tuple[str, ...] = ()
    if first_tokens:
        canons = canonical_forms(first_tokens[0])
    house, street = normalize_street(person.street or "")
    last_keys = tuple(dict.fromkeys((last, *core))) if last else ()
    return Prepared(
        id=person.id,
        first=first,
        first_tokens=first_tokens,
        first_canons=canons,
        middle=fold(person.middle_name),
        last=last,
        last_core=core if last else (),
        suffix=normalize_suffix(person.suffix) or suffix_in_last,
        dob=normalize_dob(person.dob),
        ssn=person.ssn_hash or "",
        last4=person.ssn_last4_hash or "",
        house=house,
        street=street,
        city=fold(person.city),
        zip=normalize_zip(person.zip),
        last_keys=last_keys,
    )
