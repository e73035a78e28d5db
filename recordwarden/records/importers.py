"""Parsing and validating worker files and wage reports, before anything is written.

Pure functions over bytes: no database. Each parser returns the rows it understood and
one ``RowError`` per rejected line (line number and a plain reason), so the service can
refuse the whole file while telling the operator every line to fix. Hostile input is
expected: files over the size limit are refused unread, lines over the length limit are
skipped to the next newline without being held in memory, and bytes that do not decode,
control characters and NUL bytes are reported per line. SSNs never appear in a reason.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from recordwarden.core.crypto import normalize_ssn

WORKER_COLUMNS = (
    "worker_id",
    "ssn",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "street",
    "city",
    "state",
    "zip",
    "county",
)
WAGE_COLUMNS = (
    "ssn",
    "first_name",
    "last_name",
    "employer_fein",
    "year",
    "quarter",
    "wages",
)
MAX_CSV_LINE = 4096
ICESA_LENGTH = 275
MAX_ERRORS_KEPT = 1000
NEW_MEXICO_FIPS = "35"
# Longest values the models accept; a longer value is a bad row, never truncated.
LIMITS = {
    "worker_id": 20,
    "first_name": 60,
    "middle_name": 60,
    "last_name": 80,
    "suffix": 10,
    "street": 120,
    "city": 60,
    "county": 40,
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WORKER_ID = re.compile(r"^[A-Za-z0-9-]+$")
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_STATE = re.compile(r"^[A-Z]{2}$")
_FEIN = re.compile(r"^\d{2}-?\d{7}$")
_MONEY = re.compile(r"^\d{1,9}(\.\d{1,2})?$")
_QUARTER_END = {"03": 1, "06": 2, "09": 3, "12": 4}


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class Parsed:
    """What a parser understood: rows, errors (the first MAX_ERRORS_KEPT of
    ``error_count``), lines read and the SHA-256 of the file's bytes."""

    rows: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    lines: int = 0
    sha256: str = ""

    def reject(self, line: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(line, reason))


@dataclass(frozen=True)
class WorkerRow:
    line: int
    worker_id: str
    ssn: str
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    dob: datetime.date
    street: str
    city: str
    state: str
    zip: str
    county: str


@dataclass(frozen=True)
class EmployerInfo:
    fein: str
    legal_name: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    account: str = ""


@dataclass(frozen=True)
class WageRow:
    line: int
    ssn: str
    first_name: str
    middle_name: str
    last_name: str
    employer: EmployerInfo
    year: int
    quarter: int
    wages_cents: int


class FileTooLarge(ValueError):
    pass


def check_size(path: Path, max_bytes: int) -> None:
    size = path.stat().st_size
    if size > max_bytes:
        raise FileTooLarge(
            f"{path.name} is {size:,} bytes; the limit is {max_bytes:,} bytes"
        )


def read_lines(
    fh: BinaryIO, *, max_line: int, encoding: str, parsed: Parsed
) -> Iterator[tuple[int, str]]:
    """Yield (line number, decoded text without the newline) for good lines; report
    overlong, undecodable and control-character lines into ``parsed``."""
    digest = hashlib.sha256()
    number = 0
    while True:
        raw = fh.readline(max_line + 2)
        if not raw:
            break
        digest.update(raw)
        number += 1
        if not raw.endswith(b"\n") and len(raw) > max_line:
            while raw and not raw.endswith(b"\n"):
                raw = fh.readline(65536)
                digest.update(raw)
            parsed.reject(number, f"line is longer than {max_line} bytes")
            continue
        raw = raw.rstrip(b"\r\n")
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if b"\x00" in raw:
            parsed.reject(number, "contains NUL bytes: this looks like binary data")
            continue
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            parsed.reject(
                number,
                f"not valid {encoding} (byte 0x{raw[exc.start]:02x} at column "
                f"{exc.start + 1}); save the file as UTF-8 or give its encoding",
            )
            continue
        if _CONTROL.search(text):
            parsed.reject(number, "contains control characters")
            continue
        yield number, text
    parsed.lines = number
    parsed.sha256 = digest.hexdigest()


def _csv_fields(text: str) -> list[str]:
    try:
        return next(csv.reader([text], strict=True))
    except csv.Error as exc:
        raise ValueError(f"malformed CSV ({exc})") from None
    except StopIteration:
        return []


def _text(values: dict[str, str], name: str, *, required: bool = False) -> str:
    value = values[name].strip()
    if required and not value:
        raise ValueError(f"{name} is required")
    if len(value) > LIMITS.get(name, 120):
        raise ValueError(f"{name} is longer than {LIMITS.get(name, 120)} characters")
    return value


def _date(value: str, today: datetime.date) -> datetime.date:
    try:
        parsed = datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("dob must be a real date written YYYY-MM-DD") from None
    if len(value.strip()) != 10:
        raise ValueError("dob must be a real date written YYYY-MM-DD")
    if parsed.year < 1900 or parsed > today:
        raise ValueError("dob must be between 1900-01-01 and today")
    return parsed


def _worker_row(line: int, values: dict[str, str], today) -> WorkerRow:
    worker_id = _text(values, "worker_id", required=True)
    if not _WORKER_ID.match(worker_id):
        raise ValueError("worker_id may hold only letters, digits and dashes")
    ssn = normalize_ssn(values["ssn"])
    state = values["state"].strip().upper()
    if not _STATE.match(state):
        raise ValueError("state must be a two-letter postal code")
    zip_code = values["zip"].strip()
    if not _ZIP.match(zip_code):
        raise ValueError("zip must be five digits, or ZIP+4 as 12345-6789")
    return WorkerRow(
        line=line,
        worker_id=worker_id,
        ssn=ssn,
        first_name=_text(values, "first_name", required=True),
        middle_name=_text(values, "middle_name"),
        last_name=_text(values, "last_name", required=True),
        suffix=_text(values, "suffix"),
        dob=_date(values["dob"], today),
        street=_text(values, "street"),
        city=_text(values, "city"),
        state=state,
        zip=zip_code,
        county=_text(values, "county"),
    )


def _csv_rows(fh, *, columns, encoding, parsed, build):
    header_seen = False
    for line, text in read_lines(
        fh, max_line=MAX_CSV_LINE, encoding=encoding, parsed=parsed
    ):
        if not text.strip():
            continue
        try:
            fields = _csv_fields(text)
        except ValueError as exc:
            parsed.reject(line, str(exc))
            continue
        if not header_seen:
            header_seen = True
            if tuple(f.strip() for f in fields) != columns:
                parsed.reject(line, "the header must be exactly: " + ",".join(columns))
                return
            continue
        if len(fields) != len(columns):
            parsed.reject(line, f"expected {len(columns)} fields, found {len(fields)}")
            continue
        try:
            yield build(line, dict(zip(columns, fields, strict=True)))
        except ValueError as exc:
            parsed.reject(line, str(exc))
    if not header_seen and parsed.error_count == 0:
        parsed.reject(max(parsed.lines, 1), "the file is empty; expected a header line")


def parse_worker_csv(
    fh: BinaryIO, *, encoding: str = "utf-8", today: datetime.date
) -> Parsed:
    parsed = Parsed()
    seen_id: dict[str, int] = {}
    seen_ssn: dict[str, int] = {}
    rows = _csv_rows(
        fh,
        columns=WORKER_COLUMNS,
        encoding=encoding,
        parsed=parsed,
        build=lambda line, values: _worker_row(line, values, today),
    )
    for row in rows:
        if row.worker_id in seen_id:
            parsed.reject(
                row.line,
                f"worker_id {row.worker_id} is also on line {seen_id[row.worker_id]}",
            )
            continue
        if row.ssn in seen_ssn:
            parsed.reject(row.line, f"the same SSN is also on line {seen_ssn[row.ssn]}")
            continue
        seen_id[row.worker_id] = seen_ssn[row.ssn] = row.line
        parsed.rows.append(row)
    return parsed


def _fein(value: str) -> str:
    value = value.strip()
    if not _FEIN.match(value):
        raise ValueError("employer_fein must be nine digits (12-3456789)")
    return value.replace("-", "")


def _year_quarter(year: str, quarter: str, max_year: int) -> tuple[int, int]:
    if not re.fullmatch(r"\d{4}", year.strip()) or not (1990 <= int(year) <= max_year):
        raise ValueError(f"year must be between 1990 and {max_year}")
    if quarter.strip() not in {"1", "2", "3", "4"}:
        raise ValueError("quarter must be 1, 2, 3 or 4")
    return int(year), int(quarter)


def _wage_csv_row(line: int, values: dict[str, str], max_year: int) -> WageRow:
    ssn = normalize_ssn(values["ssn"])
    year, quarter = _year_quarter(values["year"], values["quarter"], max_year)
    money = values["wages"].strip()
    if not _MONEY.match(money):
        raise ValueError(
            "wages must be dollars with at most two decimals, no sign, $ or commas"
        )
    dollars, _, cents = money.partition(".")
    return WageRow(
        line=line,
        ssn=ssn,
        first_name=_text(values, "first_name", required=True),
        middle_name="",
        last_name=_text(values, "last_name", required=True),
        employer=EmployerInfo(fein=_fein(values["employer_fein"])),
        year=year,
        quarter=quarter,
        wages_cents=int(dollars) * 100 + int((cents + "00")[:2]),
    )


def _dedupe_wages(parsed: Parsed, rows) -> None:
    seen: dict[tuple, int] = {}
    for row in rows:
        key = (row.ssn, row.employer.fein, row.year, row.quarter)
        if key in seen:
            parsed.reject(
                row.line,
                f"the same worker, employer and quarter is also on line {seen[key]}",
            )
            continue
        seen[key] = row.line
        parsed.rows.append(row)


def parse_wage_csv(fh: BinaryIO, *, encoding: str = "utf-8", max_year: int) -> Parsed:
    parsed = Parsed()
    rows = _csv_rows(
        fh,
        columns=WAGE_COLUMNS,
        encoding=encoding,
        parsed=parsed,
        build=lambda line, values: _wage_csv_row(line, values, max_year),
    )
    _dedupe_wages(parsed, rows)
    return parsed


def looks_like_icesa(head: bytes) -> bool:
    """ICESA files start with a 275-character A record."""
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    return len(first) == ICESA_LENGTH and first[:1] == b"A"


# ICESA positions, 1-based and inclusive, as in the published layouts (docs/icesa.md).
ICESA_E = {
    "year": (2, 5),
    "fein": (6, 14),
    "name": (24, 73),
    "street": (74, 113),
    "city": (114, 138),
    "state": (139, 140),
    "zip": (154, 158),
    "state_code": (171, 172),
    "account": (173, 187),
    "period": (188, 189),
}
ICESA_S = {
    "ssn": (2, 10),
    "last": (11, 30),
    "first": (31, 42),
    "middle": (43, 43),
    "state_code": (44, 45),
    "ui_wages": (64, 77),
    "period": (215, 220),
}
ICESA_T = {"employees": (2, 8)}


def _cut(text: str, layout: dict, name: str) -> str:
    start, end = layout[name]
    return text[start - 1 : end].strip()


@dataclass
class _Group:
    line: int
    employer: EmployerInfo | None
    year: int
    quarter: int
    count: int = 0
    errors_before: int = 0


def _icesa_employer(text: str, max_year: int) -> tuple[EmployerInfo, int, int]:
    year = _cut(text, ICESA_E, "year")
    if not re.fullmatch(r"\d{4}", year) or not 1990 <= int(year) <= max_year:
        raise ValueError(f"payment year (positions 2-5) must be 1990-{max_year}")
    fein = _cut(text, ICESA_E, "fein")
    if not re.fullmatch(r"\d{9}", fein):
        raise ValueError("federal EIN (positions 6-14) must be nine digits")
    if _cut(text, ICESA_E, "state_code") != NEW_MEXICO_FIPS:
        raise ValueError(
            f"state identifier code (positions 171-172) must be {NEW_MEXICO_FIPS}"
            " (New Mexico)"
        )
    period = _cut(text, ICESA_E, "period")
    if period not in _QUARTER_END:
        raise ValueError(
            "reporting period (positions 188-189) must be 03, 06, 09 or 12"
        )
    info = EmployerInfo(
        fein=fein,
        legal_name=_cut(text, ICESA_E, "name")[:120],
        street=_cut(text, ICESA_E, "street"),
        city=_cut(text, ICESA_E, "city")[:60],
        state=_cut(text, ICESA_E, "state")[:2],
        zip=_cut(text, ICESA_E, "zip"),
        account=_cut(text, ICESA_E, "account"),
    )
    return info, int(year), _QUARTER_END[period]


def _icesa_wage(line: int, text: str, group: _Group) -> WageRow:
    try:
        ssn = normalize_ssn(_cut(text, ICESA_S, "ssn"))
    except ValueError as exc:
        raise ValueError(f"SSN (positions 2-10): {exc}") from None
    last, first = _cut(text, ICESA_S, "last"), _cut(text, ICESA_S, "first")
    if not last or not first:
        raise ValueError("last name (11-30) and first name (31-42) are required")
    if _cut(text, ICESA_S, "state_code") != NEW_MEXICO_FIPS:
        raise ValueError(f"state code (positions 44-45) must be {NEW_MEXICO_FIPS}")
    wages = _cut(text, ICESA_S, "ui_wages")
    if not re.fullmatch(r"\d{14}", wages):
        raise ValueError("UI total wages (positions 64-77) must be 14 digits, in cents")
    period = _cut(text, ICESA_S, "period")
    if period and period != f"{group.quarter * 3:02d}{group.year}":
        raise ValueError(
            "reporting quarter (positions 215-220) differs from the E record's"
        )
    if group.employer is None:
        raise ValueError("S record of an employer whose E record was rejected")
    return WageRow(
        line=line,
        ssn=ssn,
        first_name=first,
        middle_name=_cut(text, ICESA_S, "middle"),
        last_name=last,
        employer=group.employer,
        year=group.year,
        quarter=group.quarter,
        wages_cents=int(wages),
    )


class _IcesaReader:
    """The record sequence: A, optional B, then (E, S..., T) groups, then F."""

    def __init__(self, parsed: Parsed, max_year: int) -> None:
        self.parsed = parsed
        self.max_year = max_year
        self.rows: list[WageRow] = []
        self.seen_a = self.done = False
        self.group: _Group | None = None
        self.last_line = 0

    def feed(self, line: int, text: str) -> None:
        self.last_line = line
        if len(text) != ICESA_LENGTH:
            raise ValueError(
                f"record is {len(text)} characters; ICESA records are {ICESA_LENGTH}"
            )
        kind = text[0]
        if self.done:
            raise ValueError("record after the F (final) record")
        if kind not in "ABESTF":
            raise ValueError(
                f"unknown record type {kind!r}; expected A, B, E, S, T or F"
            )
        if not self.seen_a and kind != "A":
            self.seen_a = True  # report once, then read on
            raise ValueError("the file must start with an A (transmitter) record")
        getattr(self, f"_{kind.lower()}")(line, text)

    def _a(self, line, text):
        if self.seen_a:
            raise ValueError("a second A record")
        self.seen_a = True

    def _b(self, line, text):
        if self.group is not None:
            raise ValueError("B record inside an employer group")

    def _e(self, line, text):
        previous = self.group
        self.group = _Group(
            line=line,
            employer=None,
            year=0,
            quarter=0,
            errors_before=self.parsed.error_count,
        )
        if previous is not None:
            self.parsed.reject(line, "E record before the T record of the previous one")
        info, year, quarter = _icesa_employer(text, self.max_year)
        self.group.employer, self.group.year, self.group.quarter = info, year, quarter

    def _s(self, line, text):
        if self.group is None:
            raise ValueError(
                "S record outside an employer group (no E record before it)"
            )
        self.group.count += 1
        if self.group.employer is not None:
            self.rows.append(_icesa_wage(line, text, self.group))

    def _t(self, line, text):
        group, self.group = self.group, None
        if group is None:
            raise ValueError("T record without an E record before it")
        if self.parsed.error_count > group.errors_before:
            return  # lines of this group were unreadable: the count cannot be checked
        count = _cut(text, ICESA_T, "employees")
        if not re.fullmatch(r"\d{7}", count) or int(count) != group.count:
            raise ValueError(
                f"number of employees (positions 2-8) must be {group.count:07d}, "
                "the S records of this employer"
            )

    def _f(self, line, text):
        if self.group is not None:
            self.parsed.reject(
                line, "F record before the T record of the last employer"
            )
            self.group = None
        self.done = True

    def finish(self) -> None:
        if not self.done and self.parsed.lines:
            self.parsed.reject(self.parsed.lines, "the file ends without an F record")
        if not self.parsed.lines:
            self.parsed.reject(1, "the file is empty")


def parse_wage_icesa(fh: BinaryIO, *, encoding: str = "ascii", max_year: int) -> Parsed:
    parsed = Parsed()
    reader = _IcesaReader(parsed, max_year)
    for line, text in read_lines(
        fh, max_line=ICESA_LENGTH * 4, encoding=encoding, parsed=parsed
    ):
        try:
            reader.feed(line, text)
        except ValueError as exc:
            parsed.reject(line, str(exc))
    reader.finish()
    _dedupe_wages(parsed, reader.rows)
    return parsed


def _put(record: list[str], layout: dict, name: str, value: str, numeric=False) -> None:
    start, end = layout[name]
    width = end - start + 1
    text = value.rjust(width, "0") if numeric else value.ljust(width)
    if len(text) != width:
        raise ValueError(f"{name} does not fit in positions {start}-{end}")
    record[start - 1 : end] = list(text)


def icesa_report(
    *, transmitter_fein: str, employers: list[tuple[EmployerInfo, int, int, list]]
) -> str:
    """Write an ICESA file: ``employers`` is a list of (employer, year, quarter,
    [(ssn, last, first, middle initial, wages in cents), ...]). Used by tests and to
    make example files; the layout is the one the parser reads."""

    def blank(kind: str) -> list[str]:
        return [kind] + [" "] * (ICESA_LENGTH - 1)

    a = blank("A")
    a[1:5] = list(str(employers[0][1]) if employers else "0000")
    a[5:14] = list(transmitter_fein)
    a[14:18] = list("UTAX")
    lines = ["".join(a), "".join(blank("B"))]
    for info, year, quarter, wages in employers:
        e = blank("E")
        _put(e, ICESA_E, "year", str(year))
        _put(e, ICESA_E, "fein", info.fein)
        _put(e, ICESA_E, "name", info.legal_name[:50])
        _put(e, ICESA_E, "street", info.street[:40])
        _put(e, ICESA_E, "city", info.city[:25])
        _put(e, ICESA_E, "state", info.state[:2])
        _put(e, ICESA_E, "zip", info.zip[:5])
        _put(e, ICESA_E, "state_code", NEW_MEXICO_FIPS)
        _put(e, ICESA_E, "account", info.account)
        _put(e, ICESA_E, "period", f"{quarter * 3:02d}")
        lines.append("".join(e))
        for ssn, last, first, middle, cents in wages:
            s = blank("S")
            _put(s, ICESA_S, "ssn", ssn)
            _put(s, ICESA_S, "last", last[:20])
            _put(s, ICESA_S, "first", first[:12])
            _put(s, ICESA_S, "middle", middle[:1])
            _put(s, ICESA_S, "state_code", NEW_MEXICO_FIPS)
            _put(s, ICESA_S, "ui_wages", str(cents), numeric=True)
            _put(s, ICESA_S, "period", f"{quarter * 3:02d}{year}")
            lines.append("".join(s))
        t = blank("T")
        _put(t, ICESA_T, "employees", str(len(wages)), numeric=True)
        lines.append("".join(t))
    lines.append("".join(blank("F")))
    return "\r\n".join(lines) + "\r\n"
