"""Rule-based extraction of a request's structured fields from free text.

Plain Python, no Django: the input is the subject line and body of a message (or a typed
description), the output is what the rules could find and the phrase that made each
finding, so a clerk can confirm or correct it. The rules prefer missing a field to
inventing one: a name is taken only next to an identifier (a date of birth or an SSN),
an element only from a sentence that asks for something.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from recordwarden.records.catalogue import validate_elements

from .constants import Instrument, Purpose

# Longer text is cut: a request is a few paragraphs, and the rules must stay fast on junk.
MAX_TEXT = 100_000

# ---------------------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset(
    "dr mr mrs ms det sgt lt st no inc co jr sr hon u.s u.s.c sec approx dept ave".split()
)
# "Obligor: Daniel R. Ortega" or "IV-D case number: 2026-118734": a form-like line.
_LABEL_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9 ./()#-]{0,40}:\s")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")[:MAX_TEXT]
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_prose(chunk: str) -> list[str]:
    """Split at sentence ends, but not after initials ("M. Baca") or abbreviations."""
    out, start = [], 0
    for match in re.finditer(r"[.!?]\s+(?=[A-Z\"(])", chunk):
        before = chunk[start : match.start()].rsplit(" ", 1)[-1].lower().strip("(")
        if len(before) <= 1 or before in _ABBREVIATIONS:
            continue
        out.append(chunk[start : match.start() + 1].strip())
        start = match.end()
    tail = chunk[start:].strip()
    if tail:
        out.append(tail)
    return out


def sentences(text: str) -> list[str]:
    """Sentences of prose, each form-like "Label: value" line on its own."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        buffer: list[str] = []
        for line in (ln.strip() for ln in paragraph.split("\n")):
            if not line:
                continue
            if _LABEL_LINE.match(line):
                out.extend(_split_prose(" ".join(buffer)))
                buffer = []
                out.append(re.sub(r"\s+", " ", line))
                continue
            buffer.append(line)
        out.extend(_split_prose(re.sub(r"\s+", " ", " ".join(buffer))))
    return [s for s in out if s]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _first(pattern: re.Pattern, text: str) -> str:
    match = pattern.search(text)
    return match.group(0) if match else ""


_NEGATION = re.compile(
    r"(?:\bno|\bnot|\bwithout|\bdon't have|\bdo not have|\blacking|\bin lieu of)"
    r"\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


def _affirmed(pattern: re.Pattern, text: str) -> str:
    """The first match not preceded by a negation ("without a warrant")."""
    for match in pattern.finditer(text):
        if not _NEGATION.search(text[max(0, match.start() - 30) : match.start()]):
            return match.group(0)
    return ""


# ---------------------------------------------------------------------------- phrases

_I = re.IGNORECASE
BULK_PATTERNS = [
    re.compile(
        r"\b(?:direct|read|read-only|standing|ongoing|continuous|continuing|bulk|"
        r"database|system|remote|online|query|unrestricted|full|real-time|live)"
        r"\s+(?:read\s+)?access\b",
        _I,
    ),
    re.compile(
        r"\baccess to (?:your|the|its|their)\b[^.\n]{0,40}?"
        r"\b(?:database|data base|system|records system)\b",
        _I,
    ),
    re.compile(
        r"\blog-?ins?\b[^.\n]{0,30}?\b(?:database|system|portal)\b|"
        r"\b(?:user )?accounts? (?:on|to|in|for) (?:your|the) (?:database|system)\b",
        _I,
    ),
    re.compile(
        r"\b(?:nightly|daily|weekly|monthly|quarterly|regular|recurring|bulk|batch|"
        r"automated|full|standing)\s+(?:data\s+)?(?:extracts?|files?|feeds?|exports?|"
        r"dumps?|transfers?|downloads?)\b",
        _I,
    ),
    re.compile(
        r"\b(?:extract|dump|export|copy) of (?:all|your|the entire|every)\b", _I
    ),
    re.compile(
        r"\ball (?:of (?:the|their) )?(?:employees|workers|claimants|staff|personnel|"
        r"wage earners|individuals|persons|people|employers) "
        r"(?:of|at|employed|working|in|on|from|who|whose)\b",
        _I,
    ),
    re.compile(r"\bevery (?:employee|worker|claimant|employer)\b", _I),
    re.compile(
        r"\b(?:employee|worker|staff|payroll|claimant) (?:rosters?|lists?)\b", _I
    ),
    re.compile(r"\bentire (?:database|dataset|data set|file|workforce|state)\b", _I),
]
EMERGENCY = re.compile(
    r"\b(?:emergency|exigent|exigency|imminent (?:danger|threat|harm)|danger to life|"
    r"threat to life|life[- ]threatening|abduct(?:ion|ed)|kidnap\w*|hostage|"
    r"missing child|amber alert|suicid\w*)\b",
    _I,
)
CIVIL_IMMIGRATION = re.compile(
    r"\b(?:removal(?! from office)|deport\w*|employer sanctions?|1324a|I-?138|I-?200|"
    r"I-?205|I-9 (?:audit|inspection)|civil immigration|immigration enforcement|"
    r"unlawful(?:ly)? present\w*|illegal aliens?|undocumented)\b",
    _I,
)
CHILD_SUPPORT = re.compile(
    r"\b(?:IV-D|child support|obligor|support order|support enforcement)\b", _I
)
CRIMINAL = re.compile(
    r"\b(?:criminal|crime|felony|embezzl\w*|fraud|homicide|murder|robbery|theft|"
    r"trafficking|narcotics|suspect|arrest warrant|search warrant|prosecution)\b",
    _I,
)
CIVIL_LITIGATION = re.compile(
    r"\b(?:divorce|custody|civil (?:action|matter|suit|case)|lawsuit|litigation|"
    r"plaintiff|duces tecum|personal injury|probate)\b",
    _I,
)
BENEFITS = re.compile(
    r"\b(?:eligibility (?:determination|verification)|benefits? administration|"
    r"SNAP|Medicaid|TANF|overpayment)\b"
)
OWN_REQUEST = re.compile(
    r"\b(?:my (?:own )?(?:wage|wages|records?|earnings|claims?|employment|information|"
    r"data|file|benefits?|history)|about me|I am a claimant|I was a claimant|"
    r"records about myself)\b",
    _I,
)

INSTRUMENT_RULES: list[tuple[str, re.Pattern]] = [
    (
        Instrument.ADMINISTRATIVE_WARRANT,
        re.compile(
            r"\bI-?20[05]\b|\badministrative (?:arrest )?warrant\b|"
            r"\bwarrant (?:of|for) (?:arrest of alien|removal)\b|"
            r"\bimmigration (?:detainer|warrant)\b",
            _I,
        ),
    ),
    (
        Instrument.ADMINISTRATIVE_SUBPOENA,
        re.compile(
            r"\bI-?138\b|\badministrative subpoena\b|"
            r"\b(?:DHS|ICE|HSI|immigration|agency) subpoena\b",
            _I,
        ),
    ),
    (
        Instrument.GRAND_JURY_SUBPOENA,
        re.compile(
            r"\bgrand[- ]jury\b[^.\n]{0,40}?\bsubpoena\b|"
            r"\bsubpoena\b[^.\n]{0,40}?\bgrand[- ]jury\b",
            _I,
        ),
    ),
    (
        Instrument.JUDICIAL_WARRANT,
        re.compile(r"\b(?:search|judicial|court|arrest)?\s?warrant\b", _I),
    ),
    (
        Instrument.COURT_ORDER,
        re.compile(
            r"\bcourt order\b|\border (?:signed|issued|entered) by (?:the )?"
            r"(?:judge|court|hon)|\bjudge-signed order\b|\border of the court\b|"
            r"\b2703\(d\) order\b|\bsigned (?:court )?order\b",
            _I,
        ),
    ),
    (
        Instrument.CLERK_SUBPOENA,
        re.compile(r"\bsubpoena\b|\bduces tecum\b", _I),
    ),
    (
        Instrument.DATA_SHARING_AGREEMENT,
        re.compile(
            r"\bdata[- ]sharing agreement\b|\bDSA-?\d|\binformation[- ]sharing "
            r"agreement\b|\bmemorandum of (?:understanding|agreement)\b|\bMOU\b|"
            r"\bcomputer matching agreement\b",
            _I,
        ),
    ),
    (
        Instrument.WRITTEN_CONSENT,
        re.compile(
            r"\b(?:written|signed) (?:consent|authori[sz]ation|release)\b|"
            r"\bconsent form\b|\bauthori[sz]ation to release\b",
            _I,
        ),
    ),
]

# ---------------------------------------------------------------------------- subjects

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
    _I,
)
_GAP = re.compile(r"^[\s,;()]*(?:and\s+)?$", _I)
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
    middle = " ".join(p.rstrip(".") if len(p) <= 2 else p for p in parts[1:-1])
    return {
        "first_name": parts[0].rstrip("."),
        "middle_name": middle,
        "last_name": parts[-1],
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
    _I,
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


_COUNT_WORDS = {
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
    _I,
)

# ---------------------------------------------------------------------------- elements

_ASKING = re.compile(
    r"\b(?:provide|provision|send|need|needs|needed|request|requests|requested|"
    r"requesting|produce|production|look ?up|lookup|run|give|furnish|disclose|release|"
    r"obtain|seek|seeking|want|tell|share|commanding|directing|forward|fax|copy|copies|"
    r"asking|ask|access|verify|verification|confirm)\b",
    _I,
)
_EMPLOYER_COMPOUND = re.compile(
    r"\b(?:employers?(?:'s?)?|company)((?:\s*(?:,|and|&)?\s*(?:names?|address(?:es)?|"
    r"FEINs?|phone(?: numbers?)?|telephone(?: numbers?)?|contact information))+)",
    _I,
)
_EMPLOYER_OF = re.compile(
    r"\b(?:names?|address(?:es)?)(?:\s*(?:,|and|&)\s*(?:names?|address(?:es)?))*"
    r" of (?:the |his |her |their |each |any )?(?:current |last )?employers?\b",
    _I,
)
_LAST4_ASK = re.compile(
    r"\blast (?:four|4)(?: digits)? of (?:the |his |her |their )?(?:SSN|social security"
    r" numbers?)s?\b",
    _I,
)
ELEMENT_RULES: list[tuple[str, re.Pattern]] = [
    ("ssn_last4", _LAST4_ASK),
    (
        "employer",
        re.compile(
            r"\bemployers?\b|\bemployment\b|\bplace of (?:employment|work)\b|"
            r"\bwhere (?:he|she|they) works?\b|\bworks? for\b",
            _I,
        ),
    ),
    (
        "wages",
        re.compile(
            r"\bwages?\b|\bwage-record\b|\bearnings\b|\bincome\b|\bpayroll\b|"
            r"\bquarterly (?:wage|earning)s?\b",
            _I,
        ),
    ),
    ("name", re.compile(r"\bnames?\b", _I)),
    (
        "address",
        re.compile(
            r"\baddress(?:es)?\b|\bresidences?\b|\bwhere (?:he|she|they) lives?\b", _I
        ),
    ),
    (
        "phone",
        re.compile(r"\b(?:tele)?phone(?: numbers?)?\b|\bcontact numbers?\b", _I),
    ),
    ("dob", re.compile(r"\bdates? of birth\b|\bDOBs?\b|\bbirth ?dates?\b", _I)),
    (
        "ssn",
        re.compile(r"\bSSNs?\b|\bsocial security numbers?\b|\bsocials\b", _I),
    ),
    (
        "claim_dates",
        re.compile(
            r"\bclaim (?:dates?|history|records?)\b|\bclaims? filed\b|"
            r"\bunemployment insurance\b|\bunemployment (?:claims?|records?|history)\b|"
            r"\bUI (?:records?|claims?|history)\b|\bfiling dates?\b",
            _I,
        ),
    ),
    (
        "benefit_amounts",
        re.compile(
            r"\bbenefit (?:amounts?|payments?|history|records?)\b|\bbenefits paid\b|"
            r"\bunemployment insurance\b|\bunemployment (?:benefits?|compensation)\b|"
            r"\bweekly benefit\b|\bUI benefits?\b",
            _I,
        ),
    ),
    (
        "work_authorization",
        re.compile(
            r"\bwork[- ]authori[sz]ation\b|\bimmigration status\b|\bcitizenship\b|"
            r"\blegal status\b|\bwork permit\b",
            _I,
        ),
    ),
    (
        "alien_number",
        re.compile(r"\balien (?:registration )?numbers?\b|\bA-?numbers?\b", _I),
    ),
    ("save_result", re.compile(r"\bSAVE (?:results?|verification|check|response)\b")),
    ("sex", re.compile(r"\bsex\b|\bgender\b", _I)),
    (
        "accounting_of_disclosures",
        re.compile(
            r"\baccounting of disclosures\b|\bwho (?:has |else )?(?:asked|requested|"
            r"accessed|received|seen|looked)\b|\b(?:anyone|anybody|any agency)\b"
            r"[^.]{0,60}?\b(?:asked|requested|accessed|looked)\b|"
            r"\bdisclosures? (?:of|about) my\b",
            _I,
        ),
    ),
]


def find_elements(text: str) -> tuple[list[str], list[str]]:
    """Catalogue elements asked for, and the sentences they were read from."""
    candidates = [s for s in sentences(text) if not _LABEL_LINE.match(s)]
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


# ---------------------------------------------------------------------------- dates

_Q = r"Q([1-4])"
_RANGE = r"\s*(?:-|to|through|thru|until)\s*"
_Q_RANGE_ONE_YEAR = re.compile(rf"\b{_Q}{_RANGE}{_Q},?\s*((?:19|20)\d\d)\b", _I)
_Q_RANGE = re.compile(
    rf"\b{_Q},?\s*((?:19|20)\d\d){_RANGE}{_Q},?\s*((?:19|20)\d\d)\b", _I
)
_Q_ONE = re.compile(rf"\b{_Q},?\s*((?:19|20)\d\d)\b|\b((?:19|20)\d\d)\s*{_Q}\b", _I)
_YEARS = re.compile(rf"\b((?:19|20)\d\d){_RANGE}((?:19|20)\d\d)\b", _I)
_LAST_N = re.compile(
    r"\b(?:last|past|previous|prior)\s+(?P<n>\d{1,2}|one|two|three|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve)\s+(?P<unit>quarters?|years?|months?)\b",
    _I,
)


def _quarter_start(year: int, q: int) -> dt.date:
    return dt.date(year, 3 * (q - 1) + 1, 1)


def _quarter_end(year: int, q: int) -> dt.date:
    return (
        dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
    ) - dt.timedelta(days=1)


def _count(raw: str) -> int:
    return int(raw) if raw.isdigit() else _COUNT_WORDS[raw.lower()]


def find_date_range(
    text: str, *, today: dt.date
) -> tuple[dt.date | None, dt.date | None]:
    body = flat(text)
    if m := _Q_RANGE.search(body):
        q1, y1, q2, y2 = (int(g) for g in m.groups())
        return _quarter_start(y1, q1), _quarter_end(y2, q2)
    if m := _Q_RANGE_ONE_YEAR.search(body):
        q1, q2, year = (int(g) for g in m.groups())
        return _quarter_start(year, q1), _quarter_end(year, q2)
    if m := _YEARS.search(body):
        y1, y2 = int(m.group(1)), int(m.group(2))
        if y1 <= y2:
            return dt.date(y1, 1, 1), dt.date(y2, 12, 31)
    if m := _Q_ONE.search(body):
        q = int(m.group(1) or m.group(4))
        year = int(m.group(2) or m.group(3))
        return _quarter_start(year, q), _quarter_end(year, q)
    if m := _LAST_N.search(body):
        n = min(_count(m.group("n")), 40)
        unit = m.group("unit").lower()
        if unit.startswith("quarter"):
            q = (today.month - 1) // 3 + 1  # the current quarter is not complete
            year, q = (today.year, q - 1) if q > 1 else (today.year - 1, 4)
            end = _quarter_end(year, q)
            for _ in range(n - 1):
                year, q = (year, q - 1) if q > 1 else (year - 1, 4)
            return _quarter_start(year, q), end
        days = 365 * n if unit.startswith("year") else 31 * n
        return today - dt.timedelta(days=days), today
    return None, None


# ---------------------------------------------------------------------------- case numbers

CASE_NUMBER = re.compile(
    r"\b(?:case|docket|cause|matter|file|report|incident|investigation|complaint)"
    r"(?:\s+(?:number|no\.?|num\.?|#))?\s*[:#]?\s*"
    r"(?P<num>[A-Za-z0-9]{1,10}(?:[-/][A-Za-z0-9]{1,12}){0,6})",
    _I,
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


# ---------------------------------------------------------------------------- the whole


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
        for key in ("date_from", "date_to"):
            data[key] = data[key].isoformat() if data[key] else None
        data["evidence"] = {
            k: [_mask(v) for v in values] for k, values in self.evidence.items()
        }
        return data


def _mask(text: str) -> str:
    return re.sub(r"\b\d{3}-?\d{2}-?(\d{4})\b", r"***-**-\1", text)[:300]


def bulk_phrases(text: str) -> list[str]:
    body = flat(normalize(text))
    return [m.group(0) for p in BULK_PATTERNS if (m := p.search(body))]


def mentions_civil_immigration(text: str) -> bool:
    return bool(CIVIL_IMMIGRATION.search(flat(normalize(text))))


def _purpose(body: str, own: bool) -> tuple[str, str]:
    for purpose, pattern in (
        (Purpose.CIVIL_IMMIGRATION, CIVIL_IMMIGRATION),
        (Purpose.EMERGENCY, EMERGENCY),
        (Purpose.CHILD_SUPPORT, CHILD_SUPPORT),
        (Purpose.CRIMINAL_INVESTIGATION, CRIMINAL),
        (Purpose.CIVIL_LITIGATION, CIVIL_LITIGATION),
        (Purpose.BENEFITS_ADMINISTRATION, BENEFITS),
    ):
        if phrase := _first(pattern, body):
            return purpose, phrase
    if own:
        return Purpose.OWN_RECORDS, ""
    return Purpose.OTHER, ""


def _instrument(body: str) -> tuple[str, str]:
    for instrument, pattern in INSTRUMENT_RULES:
        if phrase := _affirmed(pattern, body):
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
    if phrase := _first(EMERGENCY, whole):
        result.emergency = True
        evidence["emergency"] = [phrase]
    phrases = bulk_phrases(whole)
    if phrases:
        result.bulk_access = True
        evidence["bulk_access"] = phrases
    if m := INSTRUMENT_COUNT.search(whole):
        result.instrument_subject_count = _count(m.group("n"))
        evidence["instrument_subject_count"] = [m.group(0)]
    if result.subjects:
        evidence["subjects"] = [s.evidence for s in result.subjects][:10]
    result.evidence = evidence
    return result
