"""A small hand-made town for engine tests: filler residents (so names have realistic
frequencies) and every kind of hard case, with plain SSN digits standing in for the
keyed hashes (the engine compares them for equality only)."""

from __future__ import annotations

import datetime
import random

from recordwarden.matching.engine import MemoryIndex, Model, Person
from recordwarden.matching.engine.train import count_values

FIRST = [
    "Maria",
    "Jose",
    "Juan",
    "Ana",
    "Luis",
    "Carmen",
    "Robert",
    "Linda",
    "James",
    "Patricia",
    "Michael",
    "Rosa",
    "Daniel",
    "Teresa",
    "David",
    "Elena",
]
LAST = [
    "Garcia",
    "Martinez",
    "Chavez",
    "Sanchez",
    "Romero",
    "Lucero",
    "Baca",
    "Montoya",
    "Trujillo",
    "Smith",
    "Johnson",
    "Begay",
    "Yazzie",
    "Brown",
]
STREETS = ["Central Ave", "Isleta Blvd", "Coors Rd", "Bridge Blvd", "Rio Grande Blvd"]


def _ssn(n: int) -> str:
    return f"{500000000 + n * 7919:09d}"


def person(
    pid, first, last, dob, n, *, middle="", suffix="", street="", city="", zip_code=""
) -> Person:
    ssn = _ssn(n)
    return Person(
        id=pid,
        first_name=first,
        middle_name=middle,
        last_name=last,
        suffix=suffix,
        dob=dob,
        ssn_hash=ssn,
        ssn_last4_hash=ssn[-4:],
        street=street,
        city=city,
        zip=zip_code,
    )


# The people the tests ask about. Ids are strings so they read well in failures.
NAMED = [
    # household: the Luceros at 412 Isleta Blvd
    ("household_father", "Manuel", "Lucero", datetime.date(1968, 3, 14), "", ""),
    ("household_mother", "Rosa", "Lucero", datetime.date(1970, 11, 2), "", ""),
    ("household_son", "Adrian", "Lucero", datetime.date(1995, 6, 21), "", ""),
    # twins: same surname, address and date of birth
    ("twin_a", "Marisol", "Begay", datetime.date(1999, 4, 5), "", ""),
    ("twin_b", "Maribel", "Begay", datetime.date(1999, 4, 5), "", ""),
    # Jr and Sr at one address
    ("senior", "Ramon", "Trujillo", datetime.date(1955, 8, 30), "", "Sr"),
    ("junior", "Ramon", "Trujillo", datetime.date(1981, 1, 12), "", "Jr"),
    # a common-name cluster: four unrelated José Garcías in town
    ("garcia_1", "José", "García", datetime.date(1975, 2, 10), "Luis", ""),
    ("garcia_2", "Jose", "Garcia", datetime.date(1982, 7, 19), "", ""),
    ("garcia_3", "Jose", "Garcia", datetime.date(1990, 12, 1), "Antonio", ""),
    ("garcia_4", "Jose", "Garcia", datetime.date(1963, 5, 27), "", ""),
    # a compound surname, particles, a nickname-prone name, an accent
    ("compound", "Elena", "García López", datetime.date(1984, 9, 9), "", ""),
    ("particles", "Tomas", "De La Cruz", datetime.date(1977, 1, 30), "", ""),
    ("robert", "Robert", "Whitehorse", datetime.date(1960, 10, 15), "Allen", ""),
    ("pena", "Dolores", "Peña", datetime.date(1988, 3, 3), "", ""),
    ("rare", "Xochitl", "Quintana-Archuleta", datetime.date(1992, 12, 25), "", ""),
]
ADDRESSES = {
    "household_father": ("412 Isleta Blvd SW", "Albuquerque", "87105"),
    "household_mother": ("412 Isleta Blvd SW", "Albuquerque", "87105"),
    "household_son": ("412 Isleta Blvd SW", "Albuquerque", "87105"),
    "twin_a": ("77 Coors Rd", "Albuquerque", "87121"),
    "twin_b": ("77 Coors Rd", "Albuquerque", "87121"),
    "senior": ("9 Bridge Blvd", "Albuquerque", "87105"),
    "junior": ("9 Bridge Blvd", "Albuquerque", "87105"),
}


def build_town(
    fillers: int = 600, seed: int = 3
) -> tuple[dict[str, Person], list[Person]]:
    rng = random.Random(seed)
    named: dict[str, Person] = {}
    people: list[Person] = []
    for n, (pid, first, last, dob, middle, suffix) in enumerate(NAMED, start=1):
        street, city, zip_code = ADDRESSES.get(
            pid, (f"{100 + n} Central Ave", "Albuquerque", "87102")
        )
        p = person(
            pid,
            first,
            last,
            dob,
            n,
            middle=middle,
            suffix=suffix,
            street=street,
            city=city,
            zip_code=zip_code,
        )
        named[pid] = p
        people.append(p)
    for i in range(fillers):
        n = 1000 + i
        dob = datetime.date(
            rng.randrange(1950, 2005), rng.randrange(1, 13), rng.randrange(1, 29)
        )
        people.append(
            person(
                f"filler_{i}",
                rng.choice(FIRST),
                rng.choice(LAST),
                dob,
                n,
                street=f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}",
                city=rng.choice(["Albuquerque", "Belen", "Los Lunas"]),
                zip_code=rng.choice(["87102", "87105", "87002", "87031"]),
            )
        )
    return named, people


def town_model(people: list[Person]) -> Model:
    """The default m and u with this town's name frequencies and size."""
    counts = count_values(people)
    return Model(
        first_counts=dict(counts.first),
        last_counts=dict(counts.last),
        population=counts.population,
    )


def town_index(people: list[Person]) -> MemoryIndex:
    return MemoryIndex(people)
