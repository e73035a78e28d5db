"""Which catalogue elements a message asks for: read only from sentences that ask."""

from __future__ import annotations

import re

from recordwarden.records.catalogue import validate_elements

from .subjects import IDENTIFIER
from .text import IGNORE, LABEL_LINE, sentences

_ASKING = re.compile(
    r"\b(?:provide|provision|send|need|needs|needed|request|requests|requested|"
    r"requesting|produce|production|look ?up|lookup|run|give|furnish|disclose|release|"
    r"obtain|seek|seeking|want|tell|share|commanding|directing|forward|fax|copy|copies|"
    r"asking|ask|access|verify|verification|confirm)\b",
    IGNORE,
)
_EMPLOYER_COMPOUND = re.compile(
    r"\b(?:employers?(?:'s?)?|company)((?:\s*(?:,|and|&)?\s*(?:names?|address(?:es)?|"
    r"FEINs?|phone(?: numbers?)?|telephone(?: numbers?)?|contact information))+)",
    IGNORE,
)
_EMPLOYER_OF = re.compile(
    r"\b(?:names?|address(?:es)?)(?:\s*(?:,|and|&)\s*(?:names?|address(?:es)?))*"
    r" of (?:the |his |her |their |each |any )?(?:current |last )?employers?\b",
    IGNORE,
)
_LAST4_ASK = re.compile(
    r"\blast (?:four|4)(?: digits)? of (?:the |his |her |their )?(?:SSN|social security"
    r" numbers?)s?\b",
    IGNORE,
)
ELEMENT_RULES: list[tuple[str, re.Pattern]] = [
    ("ssn_last4", _LAST4_ASK),
    (
        "employer",
        re.compile(
            r"\bemployers?\b|\bemployment\b|\bplace of (?:employment|work)\b|"
            r"\bwhere (?:he|she|they) works?\b|\bworks? for\b",
            IGNORE,
        ),
    ),
    (
        "wages",
        re.compile(
            r"\bwages?\b|\bwage-record\b|\bearnings\b|\bincome\b|\bpayroll\b|"
            r"\bquarterly (?:wage|earning)s?\b",
            IGNORE,
        ),
    ),
    ("name", re.compile(r"\bnames?\b", IGNORE)),
    (
        "address",
        re.compile(
            r"\baddress(?:es)?\b|\bresidences?\b|\bwhere (?:he|she|they) lives?\b",
            IGNORE,
        ),
    ),
    (
        "phone",
        re.compile(r"\b(?:tele)?phone(?: numbers?)?\b|\bcontact numbers?\b", IGNORE),
    ),
    ("dob", re.compile(r"\bdates? of birth\b|\bDOBs?\b|\bbirth ?dates?\b", IGNORE)),
    (
        "ssn",
        re.compile(r"\bSSNs?\b|\bsocial security numbers?\b|\bsocials\b", IGNORE),
    ),
    (
        "claim_dates",
        re.compile(
            r"\bclaim (?:dates?|history|records?)\b|\bclaims? filed\b|"
            r"\bunemployment insurance\b|\bunemployment (?:claims?|records?|history)\b|"
            r"\bUI (?:records?|claims?|history)\b|\bfiling dates?\b",
            IGNORE,
        ),
    ),
    (
        "benefit_amounts",
        re.compile(
            r"\bbenefit (?:amounts?|payments?|history|records?)\b|\bbenefits paid\b|"
            r"\bunemployment insurance\b|\bunemployment (?:benefits?|compensation)\b|"
            r"\bweekly benefit\b|\bUI benefits?\b",
            IGNORE,
        ),
    ),
    (
        "work_authorization",
        re.compile(
            r"\bwork[- ]authori[sz]ation\b|\bimmigration status\b|\bcitizenship\b|"
            r"\blegal status\b|\bwork permit\b",
            IGNORE,
        ),
    ),
    (
        "alien_number",
        re.compile(r"\balien (?:registration )?numbers?\b|\bA-?numbers?\b", IGNORE),
    ),
    ("save_result", re.compile(r"\bSAVE (?:results?|verification|check|response)\b")),
    ("sex", re.compile(r"\bsex\b|\bgender\b", IGNORE)),
    (
        "accounting_of_disclosures",
        re.compile(
            r"\baccounting of disclosures\b|\bwho (?:has |else )?(?:asked|requested|"
            r"accessed|received|seen|looked)\b|\b(?:anyone|anybody|any agency)\b"
            r"[^.]{0,60}?\b(?:asked|requested|accessed|looked)\b|"
            r"\bdisclosures? (?:of|about) my\b",
            IGNORE,
        ),
    ),
]


def find_elements(text: str) -> tuple[list[str], list[str]]:
    """Catalogue elements asked for, and the sentences they were read from."""
    candidates = [s for s in sentences(text) if not LABEL_LINE.match(s)]
    asking = [s for s in candidates if _ASKING.search(s)]
    found: list[str] = []
    used: list[str] = []
    for sentence in asking or candidates:
        cleaned = IDENTIFIER.sub(" ", sentence)
        cleaned = _EMPLOYER_COMPOUND.sub(" employer ", cleaned)
        cleaned = _EMPLOYER_OF.sub(" employer ", cleaned)
        hits = []
        for key, pattern in ELEMENT_RULES:
            if pattern.search(cleaned):
                hits.append(key)
                if key == "ssn_last4":
                    cleaned = pattern.sub(" ", cleaned)
        if hits:
            found.extend(hits)
            used.append(sentence)
    return validate_elements(found), used
