"""From counters per quarter (fold.Counts) to the published report: tables with small
counts suppressed, medians and 90th percentiles of days to decision, and the CSV.

Nothing here reads the database: the same counters, whether kept up to date from the
log (the page) or folded afresh from the log (``--from-audit``), give the same report.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

from recordwarden.accounts.constants import AgencyType
from recordwarden.intake.constants import Instrument
from recordwarden.records.catalogue import ELEMENT_CHOICES

from .constants import (
    FULL,
    MIN_DECIDED_FOR_TIMES,
    NO_AGENCY,
    PUBLIC,
    SMALL_COUNT_LABEL,
    WITHHELD_LABEL,
    CellStatus,
    Outcome,
)
from .fold import scoped_counts
from .suppression import suppress_row

CSV_COLUMNS = ["quarter", "measure", "category", "value", "status"]
ALL = "all"


@dataclass(frozen=True)
class Cell:
    """A published number: ``number`` is None whenever the true value is hidden."""

    shown: str
    status: str
    number: int | float | None

    @classmethod
    def exact(cls, value: int) -> Cell:
        return cls(str(value), CellStatus.EXACT, value)


BANDED = Cell(SMALL_COUNT_LABEL, CellStatus.BANDED, None)
WITHHELD = Cell(WITHHELD_LABEL, CellStatus.WITHHELD, None)
NOT_PUBLISHED = Cell("not published", CellStatus.NOT_PUBLISHED, None)


@dataclass
class Row:
    quarter: str
    label: str
    total: int | None
    cells: list[Cell]
    whole_row_withheld: bool = False


@dataclass
class Table:
    key: str
    title: str
    caption: str
    columns: list[tuple[str, str]]
    rows: list[Row]
    exact_total: bool

    def row_for(self, quarter: str) -> Row | None:
        return next((r for r in self.rows if r.quarter == quarter), None)


@dataclass
class Timing:
    quarter: str
    label: str
    median: Cell
    p90: Cell


@dataclass
class Report:
    log_size: int
    log_root: str
    time_zone: str
    totals: list[tuple[str, str, int]]
    grand_total: int
    tables: list[Table]
    timing: list[Timing]
    overall_timing: Timing
    checkpoint: dict = field(default_factory=dict)
    # PUBLIC: from public audit entries alone; FULL: every entry (staff only).
    scope: str = PUBLIC

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def latest_quarter(self) -> str | None:
        """The most recent quarter in which any request was received."""
        return next((q for q, _l, total in reversed(self.totals) if total), None)

    def csv_rows(self) -> list[list[str]]:
        rows = [
            [ALL, "audit_log_entries", "", str(self.log_size), CellStatus.EXACT],
            [ALL, "audit_log_root", "", self.log_root, CellStatus.EXACT],
            [ALL, "time_zone", "", self.time_zone, CellStatus.EXACT],
            [ALL, "scope", "", self.scope, CellStatus.EXACT],
            [ALL, "requests", "", str(self.grand_total), CellStatus.EXACT],
        ]
        for timing in [self.overall_timing]:
            rows += _timing_rows(timing)
        for quarter, _label, total in self.totals:
            rows.append([quarter, "requests", "", str(total), CellStatus.EXACT])
        for table in self.tables:
            for row in table.rows:
                for (code, _label), cell in zip(table.columns, row.cells, strict=True):
                    rows.append([row.quarter, table.key, code, cell.shown, cell.status])
        for timing in self.timing:
            rows += _timing_rows(timing)
        return [[str(v) for v in row] for row in rows]

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(self.csv_rows())
        return out.getvalue()


def _timing_rows(timing: Timing) -> list[list[str]]:
    return [
        [
            timing.quarter,
            "days_to_decision_median",
            "",
            timing.median.shown,
            timing.median.status,
        ],
        [
            timing.quarter,
            "days_to_decision_p90",
            "",
            timing.p90.shown,
            timing.p90.status,
        ],
    ]


# --- Quarters ------------------------------------------------------------------------


def parse_quarter(code: str) -> tuple[int, int]:
    year, q = code.split("-Q")
    number = int(q)
    if not 1 <= number <= 4:
        raise ValueError(f"not a quarter: {code!r}")
    return int(year), number


def quarter_label(code: str) -> str:
    year, q = parse_quarter(code)
    return f"{year} Q{q}"


def quarter_range(first: str, last: str) -> list[str]:
    """Every quarter from ``first`` to ``last``: empty quarters are shown as zeros."""
    year, q = parse_quarter(first)
    end = parse_quarter(last)
    quarters = []
    while (year, q) <= end:
        quarters.append(f"{year}-Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return quarters


# --- Percentiles ---------------------------------------------------------------------


def quantile(histogram: dict[int, int], p: float) -> float:
    """The p-quantile of the values a histogram counts, interpolating linearly between
    the two nearest ranks (numpy's default; ``statistics.quantiles(method="inclusive")``).
    """
    items = sorted((k, v) for k, v in histogram.items() if v > 0)
    n = sum(v for _k, v in items)
    if n == 0:
        raise ValueError("no values")
    position = p * (n - 1)
    low, high = math.floor(position), math.ceil(position)

    def value_at(rank: int) -> int:
        seen = 0
        for value, count in items:
            seen += count
            if rank < seen:
                return value
        return items[-1][0]

    v_low, v_high = value_at(low), value_at(high)
    return v_low + (v_high - v_low) * (position - low)


def _days_histogram(counter: dict[str, int]) -> dict[int, int]:
    return {
        int(k.split(":", 1)[1]): v for k, v in counter.items() if k.startswith("days:")
    }


def timing_of(quarter: str, label: str, counter: dict[str, int]) -> Timing:
    histogram = _days_histogram(counter)
    if sum(histogram.values()) < MIN_DECIDED_FOR_TIMES:
        return Timing(quarter, label, NOT_PUBLISHED, NOT_PUBLISHED)

    def days(p: float) -> Cell:
        value = round(quantile(histogram, p) / 10, 2)
        return Cell(f"{value:.1f}", CellStatus.EXACT, value)

    return Timing(quarter, label, days(0.5), days(0.9))


# --- Tables --------------------------------------------------------------------------


def _columns(prefix: str, choices, seen: set[str]) -> list[tuple[str, str]]:
    known = [(str(code), str(label)) for code, label in choices]
    codes = {c for c, _l in known}
    extra = sorted(k.split(":", 1)[1] for k in seen if k.startswith(prefix))
    return known + [(c, c) for c in extra if c not in codes]


def _row(quarter, counter, prefix, columns, exact_total) -> Row:
    values = [counter.get(f"{prefix}{code}", 0) for code, _label in columns]
    total = counter.get("requests", 0) if exact_total else None
    hidden = suppress_row(values, exact_total=exact_total)
    cells = []
    for i, value in enumerate(values):
        if i in hidden.withheld:
            cells.append(WITHHELD)
        elif i in hidden.banded:
            cells.append(BANDED)
        else:
            cells.append(Cell.exact(value))
    return Row(quarter, quarter_label(quarter), total, cells, hidden.whole_row)


CHECK_COLUMNS = [
    ("re_asks", "Re-asks after a denial"),
    ("emergency", "Emergency requests"),
    ("emergency_verified", "Emergencies confirmed by call-back"),
    ("emergency_failed", "Emergencies that failed verification"),
]
# Only in the full report (fold.FULL_LOG_ONLY): they need restricted entries.
NOTICE_COLUMNS = [
    ("notices_sent", "Notices sent to workers"),
    ("notices_delayed", "Notices delayed by a court order"),
]


def _check_spec(scope: str) -> tuple:
    if scope == FULL:
        return (
            "checks",
            "Notices, re-asks and emergencies",
            "Notices to workers, re-asks after a denial and emergency requests, "
            "for the requests received in each quarter",
            NOTICE_COLUMNS + CHECK_COLUMNS,
            "",
            False,
        )
    return (
        "checks",
        "Re-asks and emergencies",
        "Re-asks after a denial and emergency requests, for the requests received "
        "in each quarter",
        CHECK_COLUMNS,
        "",
        False,
    )


def _tables(quarters, by_quarter, scope: str) -> list[Table]:
    seen: set[str] = set()
    for counter in by_quarter.values():
        seen.update(counter)
    agency_choices = [*AgencyType.choices, (NO_AGENCY, "No agency on file")]
    specs = [
        (
            "agency_type",
            "Requests by type of agency",
            "Requests received in each quarter, by the type of agency that asked",
            _columns("agency_type:", agency_choices, seen),
            "agency_type:",
            True,
        ),
        (
            "instrument",
            "Requests by legal process",
            "Requests received in each quarter, by the legal process behind them",
            _columns("instrument:", Instrument.choices, seen),
            "instrument:",
            True,
        ),
        (
            "outcome",
            "Requests by outcome",
            "Requests received in each quarter, by where they stand now",
            _columns("outcome:", Outcome.choices, seen),
            "outcome:",
            True,
        ),
        (
            "element_released",
            "Data elements released",
            "Requests received in each quarter in which each data element was released",
            _columns("element:", ELEMENT_CHOICES, seen),
            "element:",
            False,
        ),
        _check_spec(scope),
    ]
    tables = []
    for key, title, caption, columns, prefix, exact_total in specs:
        rows = [
            _row(q, by_quarter.get(q, {}), prefix, columns, exact_total)
            for q in quarters
        ]
        tables.append(Table(key, title, caption, columns, rows, exact_total))
    return tables


def build_report(
    by_quarter: dict[str, dict[str, int]],
    *,
    log_size: int,
    log_root: str,
    time_zone: str,
    scope: str = PUBLIC,
) -> Report:
    """The report of ``scope`` from counters per quarter (see fold.counts_of and
    fold.scoped_counts: a public report never shows a FULL_LOG_ONLY counter)."""
    by_quarter = scoped_counts(by_quarter, scope)
    present = sorted(q for q, c in by_quarter.items() if c.get("requests"))
    quarters = quarter_range(present[0], present[-1]) if present else []
    totals = [
        (q, quarter_label(q), by_quarter.get(q, {}).get("requests", 0))
        for q in quarters
    ]
    overall: dict[str, int] = {}
    for counter in by_quarter.values():
        for key, value in counter.items():
            if key.startswith("days:"):
                overall[key] = overall.get(key, 0) + value
    return Report(
        log_size=log_size,
        log_root=log_root,
        time_zone=time_zone,
        totals=totals,
        grand_total=sum(t for _q, _l, t in totals),
        tables=_tables(quarters, by_quarter, scope),
        timing=[
            timing_of(q, quarter_label(q), by_quarter.get(q, {})) for q in quarters
        ],
        overall_timing=timing_of(ALL, "All quarters", overall),
        scope=scope,
    )
