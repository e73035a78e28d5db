"""Request-like subjects made from the records, with known truth, for evaluating and
training the matcher: the mistakes people make when they name someone in a request,
and people who are not in the records at all (many of them namesakes of workers).

Nothing here is used to resolve a real request.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from .nicknames import NICKNAME_GROUPS
from .normalize import Person, fold

# Accented spellings requesters type for names the records hold without accents.
_ACCENTED = {
    "garcia": "García",
    "martinez": "Martínez",
    "chavez": "Chávez",
    "sanchez": "Sánchez",
    "lopez": "López",
    "gonzalez": "González",
    "hernandez": "Hernández",
    "rodriguez": "Rodríguez",
    "perez": "Pérez",
    "pena": "Peña",
    "nunez": "Núñez",
    "jose": "José",
    "jesus": "Jesús",
    "maria": "María",
    "ramon": "Ramón",
    "aragon": "Aragón",
    "dominguez": "Domínguez",
    "gomez": "Gómez",
    "ruiz": "Ruíz",
    "benitez": "Benítez",
    "ramirez": "Ramírez",
    "jimenez": "Jiménez",
    "marquez": "Márquez",
    "ibanez": "Ibáñez",
    "andres": "Andrés",
    "ines": "Inés",
}
_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


@dataclass(frozen=True)
class Query:
    person: Person
    truth: object  # the worker id, or None for someone not in the records
    kind: str  # what kind of subject this is (for per-kind figures)
    noise: tuple[str, ...]  # the corruptions applied


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text))
    op = rng.randrange(4)
    if op == 0:  # substitute
        return text[:i] + rng.choice(_KEYBOARD) + text[i + 1 :]
    if op == 1:  # delete
        return text[:i] + text[i + 1 :]
    if op == 2:  # insert
        return text[:i] + rng.choice(_KEYBOARD) + text[i:]
    j = min(i + 1, len(text) - 1)  # transpose
    return text[:i] + text[j] + text[i] + text[j + 1 :] if j > i else text


def _nickname(rng: random.Random, first: str) -> str | None:
    token = fold(first).split()[0] if first.strip() else ""
    options = sorted(
        other
        for other, groups in NICKNAME_GROUPS.items()
        if other != token and set(groups) & set(NICKNAME_GROUPS.get(token, ()))
    )
    return rng.choice(options).capitalize() if options else None


def _accent(name: str) -> str:
    return " ".join(_ACCENTED.get(fold(t), t) for t in name.split())


def _date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _dob_noise(rng: random.Random, dob: datetime.date) -> tuple[str, str]:
    """A corrupted date of birth as YYYY-MM-DD text, and what was done."""
    s = dob.strftime("%Y%m%d")
    roll = rng.random()
    if roll < 0.4 and dob.day <= 12 and dob.day != dob.month:
        s = s[:4] + s[6:8] + s[4:6]
        what = "dob_swapped"
    elif roll < 0.7:
        s = f"{dob.year + rng.choice((-1, 1)):04d}{s[4:]}"
        what = "dob_year"
    else:
        i = rng.choice((2, 3, 6, 7))
        s = s[:i] + str((int(s[i]) + rng.randrange(1, 9)) % 10) + s[i + 1 :]
        what = "dob_digit"
    try:
        datetime.date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        return dob.isoformat(), ""
    return f"{s[:4]}-{s[4:6]}-{s[6:8]}", what


def _compound(rng: random.Random, last: str) -> tuple[str, str]:
    parts = last.replace("-", " ").split()
    if len(parts) >= 2 and parts[0].lower() not in {"de", "del", "c"}:
        roll = rng.random()
        if roll < 0.5:
            return parts[0], "surname_first_part"
        if "-" not in last:
            return "-".join(parts), "surname_hyphenated"
        return " ".join(parts), "surname_unhyphenated"
    if len(parts) >= 2:  # "De La Cruz" -> "Delacruz", "C de Baca" -> "Baca"
        return (
            ("".join(parts), "particles_joined")
            if rng.random() < 0.5
            else (parts[-1], "particles_dropped")
        )
    return last, ""


def noisy_subject(
    rng: random.Random,
    worker: Person,
    ssn: str,
    other_address: Callable[[], tuple[str, str, str]],
) -> tuple[Person, list[str]]:
    """A request naming ``worker`` (whose nine-digit SSN is ``ssn``), as a requester
    might write it. Returns the subject (with raw SSN digits in ssn_hash and the last
    four in ssn_last4_hash: callers hash them) and the corruptions applied."""
    noise: list[str] = []
    first, last = worker.first_name, worker.last_name
    if rng.random() < 0.10 and (nick := _nickname(rng, first)):
        first, noise = nick, [*noise, "nickname"]
    if rng.random() < 0.06:
        first, noise = _typo(rng, first), [*noise, "first_typo"]
    if rng.random() < 0.06:
        last, noise = _typo(rng, last), [*noise, "last_typo"]
    if rng.random() < 0.35 and (accented := _accent(last)) != last:
        last, noise = accented, [*noise, "accent_added"]
    if rng.random() < 0.5 and (" " in last.strip() or "-" in last):
        last, what = _compound(rng, last)
        noise = [*noise, what] if what else noise
    if rng.random() < 0.015:
        first, last = last, first
        noise.append("names_swapped")
    middle = worker.middle_name if rng.random() < 0.3 else ""
    if middle and rng.random() < 0.5:
        middle = middle[0]
    suffix = worker.suffix if rng.random() < 0.7 else ""
    if worker.suffix and not suffix:
        noise.append("suffix_dropped")
    dob = _date(worker.dob)
    dob_text = None
    if dob and rng.random() < 0.88:
        dob_text = dob.isoformat()
        if rng.random() < 0.07:
            dob_text, what = _dob_noise(rng, dob)
            if what:
                noise.append(what)
    else:
        noise.append("no_dob")
    ssn_text = last4 = ""
    roll = rng.random()
    if roll < 0.35:
        ssn_text = ssn
        if rng.random() < 0.04:
            i = rng.randrange(9)
            ssn_text = (
                ssn[:i] + str((int(ssn[i]) + rng.randrange(1, 9)) % 10) + ssn[i + 1 :]
            )
            noise.append("ssn_typo")
    elif roll < 0.50:
        last4 = ssn[-4:]
    street, city, zip_code = worker.street, worker.city, worker.zip
    if rng.random() < 0.10:
        street, city, zip_code = other_address()
        noise.append("moved")
    if rng.random() < 0.05:
        street = _typo(rng, street)
        noise.append("street_typo")
    if rng.random() < 0.4:
        street = ""
    if rng.random() < 0.2:
        zip_code = ""
    if rng.random() < 0.15:
        city = ""
    subject = Person(
        id=None,
        first_name=first,
        middle_name=middle,
        last_name=last,
        suffix=suffix,
        dob=dob_text,
        ssn_hash=ssn_text,
        ssn_last4_hash=last4 or ssn_text[-4:],
        street=street,
        city=city,
        zip=zip_code,
    )
    return subject, noise


def namesake(
    rng: random.Random,
    worker: Person,
    other_address: Callable[[], tuple[str, str, str]],
) -> Person:
    """Someone not in the records who shares ``worker``'s name and town: a different
    date of birth, no SSN, a different street."""
    dob = _date(worker.dob) or datetime.date(1980, 1, 1)
    other = dob
    while abs((other - dob).days) < 400:
        other = datetime.date(
            rng.randrange(1950, 2006), rng.randrange(1, 13), rng.randrange(1, 29)
        )
    street, _, _ = other_address()
    return Person(
        id=None,
        first_name=worker.first_name,
        last_name=_accent(worker.last_name) if rng.random() < 0.3 else worker.last_name,
        middle_name="",
        suffix="",
        dob=other.isoformat() if rng.random() < 0.9 else None,
        street=street if rng.random() < 0.5 else "",
        city=worker.city,
        zip=worker.zip if rng.random() < 0.6 else "",
    )


def stranger(rng: random.Random, first: Person, last: Person, address) -> Person:
    """Someone not in the records: a given name and a surname borrowed from two
    different workers, a random birth date and an address."""
    street, city, zip_code = address()
    return Person(
        id=None,
        first_name=first.first_name,
        last_name=last.last_name,
        dob=datetime.date(
            rng.randrange(1950, 2006), rng.randrange(1, 13), rng.randrange(1, 29)
        ).isoformat(),
        street=street,
        city=city,
        zip=zip_code,
    )


def make_queries(
    workers: Sequence[Person],
    ssns: dict,
    hard_cases: dict[str, list],
    *,
    n: int,
    seed: int,
    absent_share: float = 1 / 3,
    hard_share: float = 0.4,
    exclude: set | None = None,
) -> list[Query]:
    """``n`` subjects: ``absent_share`` of them not in the records (namesakes and
    strangers), the rest noisy requests about workers, ``hard_share`` of those drawn
    from the hard cases (kind -> worker ids). ``exclude`` lists workers that are
    absent from the records being searched (their queries count as not in records)."""
    rng = random.Random(seed)  # seeded, for statistics  # nosec B311
    by_id = {w.id: w for w in workers}
    exclude = exclude or set()

    def address() -> tuple[str, str, str]:
        w = workers[rng.randrange(len(workers))]
        return w.street, w.city, w.zip

    queries: list[Query] = []
    kinds = [k for k, ids in sorted(hard_cases.items()) if ids]
    for _ in range(n):
        roll = rng.random()
        if roll < absent_share:
            base = workers[rng.randrange(len(workers))]
            if rng.random() < 0.75:
                q = Query(namesake(rng, base, address), None, "absent_namesake", ())
            else:
                other = workers[rng.randrange(len(workers))]
                q = Query(
                    stranger(rng, base, other, address), None, "absent_stranger", ()
                )
            queries.append(q)
            continue
        if kinds and rng.random() < hard_share:
            kind = rng.choice(kinds)
            worker = by_id[rng.choice(hard_cases[kind])]
        else:
            kind = "random"
            worker = workers[rng.randrange(len(workers))]
        subject, noise = noisy_subject(rng, worker, ssns[worker.id], address)
        truth = None if worker.id in exclude else worker.id
        queries.append(Query(subject, truth, kind, tuple(noise)))
    for i, q in enumerate(queries):
        queries[i] = replace(q, person=replace(q.person, id=f"q{i}"))
    return queries
