"""People named in free text: a name is taken only right before an identifier (a date
of birth, an SSN or its last four), so "Judge M. Baca" or "Sunland Dairy LLC" never
become subjects."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .text import IGNORE, flat

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "jan",
            "feb",
            "mar",
            "apr",
            "may",
            "jun",
            "jul",
            "aug",
            "sep",
            "oct",
            "nov",
            "dec",
        ]
    )
}
DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b|\d{4}-\d{2}-\d{2}\b|"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2},? \d{4}\b"
    r"|\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{4}\b)"
)
_SSN_WORD = r"(?:SSN|S\.S\.N\.|SS#|SS No\.?|social security(?: number| no\.?| #)?)"
IDENTIFIER = re.compile(
    r"(?P<dobw>\b(?:DOB|D\.O\.B\.?|date of birth|born(?: on)?|birth ?date)\s*[:#]?\s*"
    rf"(?P<dob>{DATE}))"
    rf"|(?P<l4w>\b{_SSN_WORD}\s*(?:last (?:four|4)(?: digits)?|ending(?: in)?|ends in)"
    r"\s*[:#]?\s*(?P<last4>\d{4})\b)"
    r"|(?P<l4x>\blast (?:four|4)(?: digits)? of (?:the |his |her |their )?"
    rf"{_SSN_WORD}\s*[:#]?\s*(?:is |are )?(?P<last4b>\d{{4}})\b)"
    r"|(?P<l4m>\b(?:XXX|xxx|\*\*\*)-(?:XX|xx|\*\*)-(?P<last4c>\d{4})\b)"
    rf"|(?P<ssnw>\b{_SSN_WORD}\s*[:#]?\s*(?P<ssn>\d{{3}}-?\d{{2}}-?\d{{4}})\b)",
    IGNORE,
)
_GAP = re.compile(r"^[\s,;()]*(?:and\s+)?$", IGNORE)
_NAME_TOKEN = re.compile(r"^[^\W\d_][^\W\d_'-]*\.?$")
_PARTICLES = frozenset(
    {"de", "del", "de la", "la", "van", "von", "da", "dos", "di", "y"}
)
_SUFFIXES = {"jr": "Jr.", "sr": "Sr.", "ii": "II", "iii": "III", "iv": "IV"}
_NOT_NAMES = frozenset(
    """mr mrs ms miss dr det detective sgt sergeant officer agent lt subject obligor
    respondent petitioner claimant employee worker defendant suspect name re please the
    attn i judge hon honorable for of and dear hello hi ssn dob date our your his her
    their client minor child victim mother father person individual""".split()
)


@dataclass
class FoundSubject:
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    suffix: str = ""
    dob: dt.date | None = None
    ssn: str = ""
    ssn_last4: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    evidence: str = ""


def parse_date(raw: str, *, today: dt.date | None = None) -> dt.date | None:
    """A date as written in US correspondence (month first), or None."""
    raw = raw.strip().rstrip(".,")
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return dt.date.fromisoformat(raw)
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})", raw)
        if match:
            month, day, year = (int(g) for g in match.groups())
            if year < 100:
                pivot = (today or dt.date.today()).year % 100
                year += 2000 if year <= pivot else 1900
            return dt.date(year, month, day)
        words = re.findall(r"[A-Za-z]+|\d+", raw)
        if len(words) == 3:
            if words[0].isdigit():
                words = [words[1], words[0], words[2]]
            month = _MONTHS.get(words[0][:3].lower())
            if month:
                return dt.date(int(words[2]), month, int(words[1]))
    except ValueError:
        return None
    return None


def _name_before(text: str) -> list[str]:
    """The capitalised words that end ``text`` (right to left), as a name."""
    tokens = text.rstrip(" ,;:(-").split(" ")
    found: list[str] = []
    while tokens and len(found) < 6:
        token = tokens.pop()
        opening = token[:1] in "(\"'["
        bare = token.strip("(\"'[],")
        if (
            token.endswith(",")
            and found
            and found[0].rstrip(".").lower() not in _SUFFIXES
        ):
            break
        if not bare or not _NAME_TOKEN.match(bare):
            break
        is_particle = bare.lower() in _PARTICLES
        if not (bare[0].isupper() or (is_particle and found)):
            break
        if bare.rstrip(".").lower() in _NOT_NAMES:
            break
        found.insert(0, bare)
        if opening:
            break
    while found and found[0].lower() in _PARTICLES:
        found.pop(0)
    return found


def _split_name(tokens: list[str]) -> dict[str, str]:
    parts = list(tokens)
    suffix = ""
    if parts and parts[-1].rstrip(".").lower() in _SUFFIXES:
        suffix = _SUFFIXES[parts.pop().rstrip(".").lower()]
    if len(parts) < 2:
        return {}
    # "de la Cruz": particles before the last word belong to the last name.
    last = [parts.pop()]
    while len(parts) > 1 and parts[-1].lower() in _PARTICLES:
        last.insert(0, parts.pop())
    middle = " ".join(p.rstrip(".") if len(p) <= 2 else p for p in parts[1:])
    return {
        "first_name": parts[0].rstrip("."),
        "middle_name": middle,
        "last_name": " ".join(last),
        "suffix": suffix,
    }


def _clusters(text: str) -> list[list[re.Match]]:
    """Identifiers that follow one another ("DOB 03/14/1988, SSN last four 4417")."""
    groups: list[list[re.Match]] = []
    for match in IDENTIFIER.finditer(text):
        if groups and _GAP.match(text[groups[-1][-1].end() : match.start()]):
            groups[-1].append(match)
        else:
            groups.append([match])
    return groups


def _apply_identifier(subject: FoundSubject, match: re.Match, today: dt.date) -> None:
    if match.group("dob"):
        subject.dob = parse_date(match.group("dob"), today=today)
    elif match.group("ssn"):
        subject.ssn = match.group("ssn")
    else:
        last4 = match.group("last4") or match.group("last4b") or match.group("last4c")
        subject.ssn_last4 = last4 or ""


_ADDRESS = re.compile(
    r"\b(?:last known |home |residential |current |mailing )?address\s*[:#-]\s*"
    r"(?P<street>\d+[^,\n]{2,80}),\s*(?P<city>[A-Za-z .'-]{2,60}?),?\s+"
    r"(?P<state>[A-Z]{2})\s+(?P<zip>\d{5}(?:-\d{4})?)\b",
    IGNORE,
)


def find_subjects(text: str, *, today: dt.date) -> list[FoundSubject]:
    """People named next to an identifier, in order of appearance, without repeats."""
    body = flat(text)
    subjects: list[FoundSubject] = []
    for cluster in _clusters(body):
        start = cluster[0].start()
        tokens = _name_before(body[max(0, start - 120) : start])
        parts = _split_name(tokens)
        subject = FoundSubject(**parts)
        for match in cluster:
            _apply_identifier(subject, match, today)
        if not parts and not subject.ssn:
            continue
        subject.evidence = body[
            max(0, start - len(" ".join(tokens)) - 2) : cluster[-1].end()
        ]
        subjects.append(subject)
    subjects = _dedupe(subjects)
    address = _ADDRESS.search(body)
    if address and len(subjects) == 1:
        for key in ("street", "city", "state", "zip"):
            setattr(subjects[0], key, address.group(key).strip())
        subjects[0].state = subjects[0].state.upper()
    return subjects


def _dedupe(subjects: list[FoundSubject]) -> list[FoundSubject]:
    seen: dict[tuple, FoundSubject] = {}
    for subject in subjects:
        key = (subject.first_name.lower(), subject.last_name.lower(), subject.ssn)
        if key in seen and key != ("", "", ""):
            kept = seen[key]
            kept.dob = kept.dob or subject.dob
            kept.ssn_last4 = kept.ssn_last4 or subject.ssn_last4
            continue
        seen[key] = subject
    return list(seen.values())


COUNT_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
INSTRUMENT_COUNT = re.compile(
    r"\b(?:warrant|subpoena|order|instrument|process)\b[^.\n]{0,40}?"
    r"\b(?:names?|naming|lists?|listing|covers?|covering|identif(?:y|ies|ying))\s+"
    r"(?:only\s+)?(?P<n>\d{1,4}|zero|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve)\s+(?:persons?|people|individuals?|subjects?|employees?|workers?|"
    r"named persons?)\b",
    IGNORE,
)


def count_word(raw: str) -> int:
    return int(raw) if raw.isdigit() else COUNT_WORDS[raw.lower()]
