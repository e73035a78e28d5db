"""Phrases that decide an instrument, a purpose, an emergency, bulk access and case
numbers. Each pattern is written to miss rather than to invent."""

from __future__ import annotations

import re

from ..constants import Instrument
from .text import IGNORE, flat, normalize

BULK_PATTERNS = [
    re.compile(
        r"\b(?:direct|read|read-only|standing|ongoing|continuous|continuing|bulk|"
        r"database|system|remote|online|query|unrestricted|full|real-time|live)"
        r"\s+(?:read\s+)?access\b",
        IGNORE,
    ),
    re.compile(
        r"\baccess to (?:your|the|its|their)\b[^.\n]{0,40}?"
        r"\b(?:database|data base|system|records system)\b",
        IGNORE,
    ),
    re.compile(
        r"\blog-?ins?\b[^.\n]{0,30}?\b(?:database|system|portal)\b|"
        r"\b(?:user )?accounts? (?:on|to|in|for) (?:your|the) (?:database|system)\b",
        IGNORE,
    ),
    re.compile(
        r"\b(?:nightly|daily|weekly|monthly|quarterly|regular|recurring|bulk|batch|"
        r"automated|full|standing)\s+(?:data\s+)?(?:extracts?|files?|feeds?|exports?|"
        r"dumps?|transfers?|downloads?)\b",
        IGNORE,
    ),
    re.compile(
        r"\b(?:extract|dump|export|copy) of (?:all|your|the entire|every)\b", IGNORE
    ),
    re.compile(
        r"\ball (?:of (?:the|their) )?(?:employees|workers|claimants|staff|personnel|"
        r"wage earners|individuals|persons|people|employers) "
        r"(?:of|at|employed|working|in|on|from|who|whose)\b",
        IGNORE,
    ),
    re.compile(r"\bevery (?:employee|worker|claimant|employer)\b", IGNORE),
    re.compile(
        r"\b(?:employee|worker|staff|payroll|claimant) (?:rosters?|lists?)\b", IGNORE
    ),
    re.compile(
        r"\bentire (?:database|dataset|data set|file|workforce|state)\b", IGNORE
    ),
]
EMERGENCY = re.compile(
    r"\b(?:emergency|exigent|exigency|imminent (?:danger|threat|harm)|danger to life|"
    r"threat to life|life[- ]threatening|abduct(?:ion|ed)|kidnap\w*|hostage|"
    r"missing child|amber alert|suicid\w*)\b",
    IGNORE,
)
CIVIL_IMMIGRATION = re.compile(
    r"\b(?:removal(?! from office)|deport\w*|employer sanctions?|1324a|I-?138|I-?200|"
    r"I-?205|I-9 (?:audit|inspection)|civil immigration|immigration enforcement|"
    r"unlawful(?:ly)? present\w*|illegal aliens?|undocumented)\b",
    IGNORE,
)
CHILD_SUPPORT = re.compile(
    r"\b(?:IV-D|child support|obligor|support order|support enforcement)\b", IGNORE
)
CRIMINAL = re.compile(
    r"\b(?:criminal|crime|felony|embezzl\w*|fraud|homicide|murder|robbery|theft|"
    r"trafficking|narcotics|suspect|arrest warrant|search warrant|prosecution)\b",
    IGNORE,
)
CIVIL_LITIGATION = re.compile(
    r"\b(?:divorce|custody|civil (?:action|matter|suit|case)|lawsuit|litigation|"
    r"plaintiff|duces tecum|personal injury|probate)\b",
    IGNORE,
)
BENEFITS = re.compile(
    r"\b(?:eligibility (?:determination|verification)|benefits? administration|"
    r"SNAP|Medicaid|TANF|overpayment)\b"
)
OWN_REQUEST = re.compile(
    r"\b(?:my (?:own )?(?:wage|wages|records?|earnings|claims?|employment|information|"
    r"data|file|benefits?|history)|about me|I am a claimant|I was a claimant|"
    r"records about myself)\b",
    IGNORE,
)

INSTRUMENT_RULES: list[tuple[str, re.Pattern]] = [
    (
        Instrument.ADMINISTRATIVE_WARRANT,
        re.compile(
            r"\bI-?20[05]\b|\badministrative (?:arrest )?warrant\b|"
            r"\bwarrant (?:of|for) (?:arrest of alien|removal)\b|"
            r"\bimmigration (?:detainer|warrant)\b",
            IGNORE,
        ),
    ),
    (
        Instrument.ADMINISTRATIVE_SUBPOENA,
        re.compile(
            r"\bI-?138\b|\badministrative subpoena\b|"
            r"\b(?:DHS|ICE|HSI|immigration|agency) subpoena\b",
            IGNORE,
        ),
    ),
    (
        Instrument.GRAND_JURY_SUBPOENA,
        re.compile(
            r"\bgrand[- ]jury\b[^.\n]{0,40}?\bsubpoena\b|"
            r"\bsubpoena\b[^.\n]{0,40}?\bgrand[- ]jury\b",
            IGNORE,
        ),
    ),
    (
        Instrument.JUDICIAL_WARRANT,
        re.compile(r"\b(?:(?:search|judicial|court|arrest)\s)?warrant\b", IGNORE),
    ),
    (
        Instrument.COURT_ORDER,
        re.compile(
            r"\bcourt order\b|\border (?:signed|issued|entered) by (?:the )?"
            r"(?:judge|court|hon)|\bjudge-signed order\b|\border of the court\b|"
            r"\b2703\(d\) order\b|\bsigned (?:court )?order\b",
            IGNORE,
        ),
    ),
    (
        Instrument.CLERK_SUBPOENA,
        re.compile(r"\bsubpoena\b|\bduces tecum\b", IGNORE),
    ),
    (
        Instrument.DATA_SHARING_AGREEMENT,
        re.compile(
            r"\bdata[- ]sharing agreement\b|\bDSA-?\d|\binformation[- ]sharing "
            r"agreement\b|\bmemorandum of (?:understanding|agreement)\b|\bMOU\b|"
            r"\bcomputer matching agreement\b",
            IGNORE,
        ),
    ),
    (
        Instrument.WRITTEN_CONSENT,
        re.compile(
            r"\b(?:written|signed) (?:consent|authori[sz]ation|release)\b|"
            r"\bconsent form\b|\bauthori[sz]ation to release\b",
            IGNORE,
        ),
    ),
]


CASE_NUMBER = re.compile(
    r"\b(?:case|docket|cause|matter|file|report|incident|investigation|complaint)"
    r"(?:\s+(?:number|no\.?|num\.?|#))?\s*[:#]?\s*"
    r"(?P<num>[A-Za-z0-9]{1,10}(?:[-/][A-Za-z0-9]{1,12}){0,6})",
    IGNORE,
)


def find_case_number(text: str) -> str:
    for match in CASE_NUMBER.finditer(flat(text)):
        num = match.group("num")
        if not re.search(r"\d", num):
            continue
        if len(num) < 5 or (len(num) == 4 and "-" not in num):
            continue
        return num[:64]
    return ""


def bulk_phrases(text: str) -> list[str]:
    body = flat(normalize(text))
    return [m.group(0) for p in BULK_PATTERNS if (m := p.search(body))]


def mentions_civil_immigration(text: str) -> bool:
    return bool(CIVIL_IMMIGRATION.search(flat(normalize(text))))
