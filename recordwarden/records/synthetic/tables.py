"""Name, place and industry tables for the synthetic state, read once from ../data.

The head of every name distribution is this project's own hand-set table (see the
comment at the top of each file for how its weights were chosen). The long tail of
Hispanic and Anglo surnames and the general given-name list come from Faker's es_MX and
en_US person providers, read at run time, as the issue that asked for this allows.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent / "data"
GROUPS = ("hispanic", "anglo", "dine", "pueblo", "apache", "other")
# Weights in surnames.tsv are per 10,000 people of a group; whatever a group's listed
# names leave over goes to the Faker tail for the groups that have one.
SURNAME_SCALE = 10_000
SURNAME_TAIL = {"hispanic": "es_MX", "anglo": "en_US", "other": "en_US"}


def fold(text: str) -> str:
    """Drop accents (García -> Garcia, Peña -> Pena), as most records do."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def read_tsv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


@dataclass(frozen=True)
class Distribution:
    """Names with accents, the same names without, and cumulative probabilities."""

    names: np.ndarray
    folded: np.ndarray
    cumulative: np.ndarray

    @classmethod
    def build(cls, weights: dict[str, float]) -> Distribution:
        names = list(weights)
        w = np.array([weights[n] for n in names], dtype=np.float64)
        cumulative = np.cumsum(w / w.sum())
        cumulative[-1] = 1.0
        return cls(
            names=np.array(names, dtype=object),
            folded=np.array([fold(n) for n in names], dtype=object),
            cumulative=cumulative,
        )

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.searchsorted(self.cumulative, rng.random(size), side="right")

    def __len__(self) -> int:
        return len(self.names)


def _faker_provider(locale: str):
    if locale == "es_MX":
        from faker.providers.person.es_MX import Provider
    else:
        from faker.providers.person.en_US import Provider
    return Provider


def _as_weights(names) -> dict[str, float]:
    if isinstance(names, dict):
        return {str(k): float(v) for k, v in names.items()}
    return {str(n): 1.0 for n in names}


@lru_cache(maxsize=1)
def surnames() -> dict[str, Distribution]:
    by_group: dict[str, dict[str, float]] = {g: {} for g in GROUPS}
    for row in read_tsv("surnames.tsv"):
        by_group[row["group"]][row["surname"]] = float(row["weight"])
    result = {}
    for group, head in by_group.items():
        weights = dict(head)
        locale = SURNAME_TAIL.get(group)
        if locale:
            tail = _as_weights(_faker_provider(locale).last_names)
            left = SURNAME_SCALE - sum(head.values())
            total = sum(tail.values())
            for name, w in tail.items():
                weights[name] = weights.get(name, 0.0) + left * w / total
        result[group] = Distribution.build(weights)
    return result


@lru_cache(maxsize=1)
def given_names() -> dict[tuple[str, str], Distribution]:
    """(pool, sex) -> names; pools are "hispanic" (own table) and "general" (Faker)."""
    hispanic: dict[str, dict[str, float]] = {"M": {}, "F": {}}
    for row in read_tsv("given_names_hispanic.tsv"):
        hispanic[row["sex"]][row["name"]] = float(row["weight"])
    provider = _faker_provider("en_US")
    general = {
        "M": _as_weights(provider.first_names_male),
        "F": _as_weights(provider.first_names_female),
    }
    return {
        (pool, sex): Distribution.build(table[sex])
        for pool, table in (("hispanic", hispanic), ("general", general))
        for sex in ("M", "F")
    }


@lru_cache(maxsize=1)
def nicknames() -> dict[str, tuple[str, ...]]:
    """Given name (accents folded) -> nicknames."""
    return {
        row["name"]: tuple(row["nicknames"].split())
        for row in read_tsv("nicknames.tsv")
    }


@dataclass(frozen=True)
class County:
    name: str
    population: int
    group_shares: np.ndarray  # over GROUPS
    cities: tuple[str, ...]
    city_cumulative: np.ndarray
    zips: tuple[tuple[str, ...], ...]
    city_small: tuple[bool, ...]


@lru_cache(maxsize=1)
def counties() -> tuple[County, ...]:
    places: dict[str, list[dict[str, str]]] = {}
    for row in read_tsv("places.tsv"):
        places.setdefault(row["county"], []).append(row)
    result = []
    for row in read_tsv("counties.tsv"):
        shares = np.array([float(row[g]) for g in GROUPS])
        rows = places[row["county"]]
        w = np.array([float(p["weight"]) for p in rows])
        cumulative = np.cumsum(w / w.sum())
        cumulative[-1] = 1.0
        population = int(row["population"])
        result.append(
            County(
                name=row["county"],
                population=population,
                group_shares=shares / shares.sum(),
                cities=tuple(p["city"] for p in rows),
                city_cumulative=cumulative,
                zips=tuple(tuple(p["zips"].split()) for p in rows),
                city_small=tuple(
                    population * float(p["weight"]) / w.sum() < 15_000 for p in rows
                ),
            )
        )
    return tuple(result)


@lru_cache(maxsize=1)
def streets() -> dict[str, tuple[str, ...]]:
    kinds: dict[str, list[str]] = {"urban": [], "spanish": []}
    for row in read_tsv("streets.tsv"):
        kinds[row["kind"]].append(row["street"])
    return {k: tuple(v) for k, v in kinds.items()}


@dataclass(frozen=True)
class Industry:
    naics: str
    label: str
    share: float
    pull: float
    wage: float
    nouns: tuple[str, ...]


@lru_cache(maxsize=1)
def industries() -> tuple[Industry, ...]:
    return tuple(
        Industry(
            naics=row["naics"],
            label=row["label"],
            share=float(row["share"]),
            pull=float(row["pull"]),
            wage=float(row["wage"]),
            nouns=tuple(row["nouns"].split("|")),
        )
        for row in read_tsv("industries.tsv")
    )
