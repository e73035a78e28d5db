"""Rule-based extraction of a request's structured fields from free text.

No database: the input is the subject line and body of a message (or a typed
description), the output is what the rules could find and the phrase that made each
finding, so a clerk can confirm or correct it. The rules prefer missing a field to
inventing one: a name is taken only next to an identifier (a date of birth or an SSN),
an element only from a sentence that asks for something.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field

from ..constants import Instrument, Purpose
from .dates import find_date_range
from .elements import find_elements
from .phrases import (
    BENEFITS,
    BULK_PATTERNS,
    CHILD_SUPPORT,
    CIVIL_IMMIGRATION,
    CIVIL_LITIGATION,
    CRIMINAL,
    EMERGENCY,
    INSTRUMENT_RULES,
    OWN_REQUEST,
    bulk_phrases,
    find_case_number,
    mentions_civil_immigration,
)
from .subjects import (
    INSTRUMENT_COUNT,
    FoundSubject,
    count_word,
    find_subjects,
    parse_date,
)
from .text import affirmed, first_match, flat, normalize, sentences

__all__ = [
    "BULK_PATTERNS",
    "Extraction",
    "FoundSubject",
    "bulk_phrases",
    "extract",
    "find_case_number",
    "find_date_range",
    "find_elements",
    "find_subjects",
    "mentions_civil_immigration",
    "normalize",
    "parse_date",
    "sentences",
]


@dataclass
class Extraction:
    instrument: str = Instrument.NONE
    purpose: str = Purpose.OTHER
    case_number: str = ""
    subjects: list[FoundSubject] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    emergency: bool = False
    bulk_access: bool = False
    own_request_language: bool = False
    civil_immigration: bool = False
    instrument_subject_count: int | None = None
    evidence: dict[str, list[str]] = field(default_factory=dict)

    @property
    def found_anything(self) -> bool:
        return bool(
            self.subjects
            or self.elements
            or self.bulk_access
            or self.emergency
            or self.case_number
            or self.instrument != Instrument.NONE
        )

    def summary(self) -> dict:
        """JSON-ready, with SSNs masked: this is stored and shown to clerks."""
        data = asdict(self)
        for subject in data["subjects"]:
            if subject["ssn"]:
                subject["ssn"] = "***-**-" + re.sub(r"\D", "", subject["ssn"])[-4:]
            if subject["dob"]:
                subject["dob"] = subject["dob"].isoformat()
            subject["evidence"] = _mask(subject["evidence"])
        for key in ("date_from", "date_to"):
            data[key] = data[key].isoformat() if data[key] else None
        data["evidence"] = {
            k: [_mask(v) for v in values] for k, values in self.evidence.items()
        }
        return data


def _mask(text: str) -> str:
    return re.sub(r"\b\d{3}-?\d{2}-?(\d{4})\b", r"***-**-\1", text)[:300]


def _purpose(body: str, own: bool) -> tuple[str, str]:
    for purpose, pattern in (
        (Purpose.CIVIL_IMMIGRATION, CIVIL_IMMIGRATION),
        (Purpose.EMERGENCY, EMERGENCY),
        (Purpose.CHILD_SUPPORT, CHILD_SUPPORT),
        (Purpose.CRIMINAL_INVESTIGATION, CRIMINAL),
        (Purpose.CIVIL_LITIGATION, CIVIL_LITIGATION),
        (Purpose.BENEFITS_ADMINISTRATION, BENEFITS),
    ):
        if phrase := first_match(pattern, body):
            return purpose, phrase
    if own:
        return Purpose.OWN_RECORDS, ""
    return Purpose.OTHER, ""


def _instrument(body: str) -> tuple[str, str]:
    for instrument, pattern in INSTRUMENT_RULES:
        if phrase := affirmed(pattern, body):
            return instrument, phrase
    return Instrument.NONE, ""


def extract(subject_line: str, body: str, *, today: dt.date) -> Extraction:
    """Everything the rules can read from a message's subject line and text."""
    text = normalize(f"{subject_line}\n\n{body}")
    whole = flat(text)
    result = Extraction()
    evidence: dict[str, list[str]] = {}
    result.own_request_language = bool(OWN_REQUEST.search(whole))
    result.instrument, phrase = _instrument(whole)
    if phrase:
        evidence["instrument"] = [phrase]
    result.purpose, phrase = _purpose(whole, result.own_request_language)
    if phrase:
        evidence["purpose"] = [phrase]
    result.civil_immigration = result.purpose == Purpose.CIVIL_IMMIGRATION
    result.case_number = find_case_number(text)
    result.subjects = find_subjects(text, today=today)
    result.elements, used = find_elements(normalize(body) or text)
    if used:
        evidence["elements"] = used[:5]
    result.date_from, result.date_to = find_date_range(text, today=today)
    if phrase := first_match(EMERGENCY, whole):
        result.emergency = True
        evidence["emergency"] = [phrase]
    phrases = bulk_phrases(whole)
    if phrases:
        result.bulk_access = True
        evidence["bulk_access"] = phrases
    if m := INSTRUMENT_COUNT.search(whole):
        result.instrument_subject_count = count_word(m.group("n"))
        evidence["instrument_subject_count"] = [m.group(0)]
    if result.subjects:
        evidence["subjects"] = [s.evidence for s in result.subjects][:10]
    result.evidence = evidence
    return result
