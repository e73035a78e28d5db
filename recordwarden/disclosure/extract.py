"""How each catalogue element is read from the records for one worker.

``EXTRACTORS`` maps every key of ``records.catalogue.ELEMENTS`` to a function; the module
refuses to import if the catalogue gains an element without one (or if this module names
an element the catalogue does not have), so a package can never hold a field that is not
in the catalogue, and a new element cannot be released before someone writes down how.

An extractor sees only what the decision released: employer identity appears in the
wage rows only when ``employer`` itself was released, and claims are numbered rather
than named by claim number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from recordwarden.records.catalogue import ELEMENTS

from .constants import DEFAULT_QUARTERS

Quarter = tuple[int, int]


@dataclass(frozen=True)
class Period:
    """The quarters a request covers, inclusive."""

    first: Quarter
    last: Quarter

    def contains(self, year: int, quarter: int) -> bool:
        return self.first <= (year, quarter) <= self.last

    def overlaps(self, start: dt.date, end: dt.date | None) -> bool:
        begin = quarter_start(self.first)
        finish = quarter_end(self.last)
        return start <= finish and (end is None or end >= begin)

    def label(self) -> str:
        return f"{self.first[0]} Q{self.first[1]} to {self.last[0]} Q{self.last[1]}"


def quarter_of(day: dt.date) -> Quarter:
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(q: Quarter) -> dt.date:
    return dt.date(q[0], 3 * (q[1] - 1) + 1, 1)


def quarter_end(q: Quarter) -> dt.date:
    year, number = q
    if number == 4:
        return dt.date(year, 12, 31)
    return quarter_start((year, number + 1)) - dt.timedelta(days=1)


def previous_quarter(q: Quarter) -> Quarter:
    return (q[0] - 1, 4) if q[1] == 1 else (q[0], q[1] - 1)


def period_for(date_from: dt.date | None, date_to: dt.date | None, received: dt.date):
    """The quarters asked for; without dates, the last DEFAULT_QUARTERS complete ones."""
    if date_from or date_to:
        last = quarter_of(date_to or received)
        first = quarter_of(date_from) if date_from else last
        if first > last:
            first, last = last, first
        return Period(first, last)
    last = previous_quarter(quarter_of(received))
    first = last
    for _ in range(DEFAULT_QUARTERS - 1):
        first = previous_quarter(first)
    return Period(first, last)


@dataclass
class Context:
    """What an extractor may use: the worker, the period and the released element set."""

    worker: Any
    period: Period
    released: frozenset[str]
    # The employer fields released (None: all of them, if employer is released).
    employer_fields: frozenset[str] | None = None
    # Filled lazily and shared between extractors of one worker and period.
    cache: dict[str, Any] = field(default_factory=dict)
    # "Employer 1", "Employer 2": the same numbering across periods of one worker.
    labels: dict[int, int] = field(default_factory=dict)

    def wages(self) -> list:
        if "wages" not in self.cache:
            rows = self.worker.wages.select_related("employer").order_by(
                "year", "quarter", "employer__fein"
            )
            self.cache["wages"] = [
                w for w in rows if self.period.contains(w.year, w.quarter)
            ]
        return self.cache["wages"]

    def claims(self) -> list:
        if "claims" not in self.cache:
            rows = self.worker.claims.order_by("filed_on", "id")
            self.cache["claims"] = [
                c for c in rows if self.period.overlaps(c.effective_on, c.ended_on)
            ]
        return self.cache["claims"]

    def employer_label(self, employer) -> str:
        """How a wage row names its employer: as released under ``employer`` (FEIN, or
        the name if only the name was released), else a neutral label."""
        fields = self.employer_fields
        if "employer" in self.released:
            if fields is None or "fein" in fields:
                return employer.fein_display
            if "name" in fields:
                return employer.legal_name
        self.labels.setdefault(employer.pk, len(self.labels) + 1)
        return f"Employer {self.labels[employer.pk]}"


def _dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _name(ctx: Context):
    w = ctx.worker
    return {
        "first": w.first_name,
        "middle": w.middle_name,
        "last": w.last_name,
        "suffix": w.suffix,
        "full": w.full_name,
    }


def _dob(ctx: Context):
    return ctx.worker.dob.isoformat() if ctx.worker.dob else None


def _address(ctx: Context):
    w = ctx.worker
    return {
        "street": w.street,
        "city": w.city,
        "state": w.state,
        "zip": w.zip,
        "county": w.county,
    }


def _phone(ctx: Context):
    seen: list[str] = []
    for claim in sorted(
        ctx.worker.claims.all(), key=lambda c: c.filed_on, reverse=True
    ):
        if claim.phone and claim.phone not in seen:
            seen.append(claim.phone)
    return seen


def _ssn(ctx: Context):
    digits = ctx.worker.decrypt_ssn()
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def _ssn_last4(ctx: Context):
    return ctx.worker.decrypt_ssn_last4()


def _employer(ctx: Context):
    employers: dict[int, Any] = {}
    for wage in ctx.wages():
        employers.setdefault(wage.employer_id, wage.employer)
    return [
        {
            "name": e.legal_name,
            "fein": e.fein_display,
            "street": e.street,
            "city": e.city,
            "state": e.state,
            "zip": e.zip,
        }
        for e in employers.values()
    ]


def _wages(ctx: Context):
    return [
        {
            "year": w.year,
            "quarter": w.quarter,
            "employer": ctx.employer_label(w.employer),
            "wages": _dollars(w.wages_cents),
        }
        for w in ctx.wages()
    ]


def _claim_dates(ctx: Context):
    return [
        {
            "claim": n,
            "filed_on": c.filed_on.isoformat(),
            "effective_on": c.effective_on.isoformat(),
            "ended_on": c.ended_on.isoformat() if c.ended_on else None,
        }
        for n, c in enumerate(ctx.claims(), start=1)
    ]


def _benefit_amounts(ctx: Context):
    return [
        {
            "claim": n,
            "weekly_benefit": _dollars(c.weekly_benefit_cents),
            "status": c.get_status_display(),
        }
        for n, c in enumerate(ctx.claims(), start=1)
    ]


def _protected(method: str) -> Callable[[Context], list]:
    def extract(ctx: Context):
        values = []
        for n, claim in enumerate(ctx.claims(), start=1):
            value = getattr(claim, method)()
            if value:
                values.append({"claim": n, "value": value})
        return values

    return extract


def _accounting(ctx: Context):
    """The worker's own accounting: every disclosure about them that is not suspended."""
    from .accounting import accounting_visible_to_worker

    return [
        {
            "date": entry.disclosed_at.date().isoformat(),
            "recipient": entry.recipient_name,
            "recipient_address": entry.recipient_address,
            "description": entry.description,
            "purpose": entry.purpose,
            "request": entry.request_reference,
        }
        for entry in accounting_visible_to_worker(ctx.worker)
    ]


EXTRACTORS: dict[str, Callable[[Context], Any]] = {
    "name": _name,
    "dob": _dob,
    "address": _address,
    "phone": _phone,
    "ssn": _ssn,
    "ssn_last4": _ssn_last4,
    "employer": _employer,
    "wages": _wages,
    "claim_dates": _claim_dates,
    "benefit_amounts": _benefit_amounts,
    "work_authorization": _protected("decrypt_work_authorization"),
    "alien_number": _protected("decrypt_alien_number"),
    "save_result": _protected("decrypt_save_result"),
    "sex": _protected("decrypt_sex"),
    "accounting_of_disclosures": _accounting,
}


def _check_catalogue() -> None:
    missing = set(ELEMENTS) - set(EXTRACTORS)
    extra = set(EXTRACTORS) - set(ELEMENTS)
    if missing or extra:
        raise ImportError(
            "disclosure extractors and the catalogue disagree: "
            f"no extractor for {sorted(missing)}; not in the catalogue {sorted(extra)}"
        )


_check_catalogue()


@dataclass(frozen=True)
class Planned:
    """One released element: its period (None: the narrowing leaves no quarter) and the
    fields kept (None: all)."""

    key: str
    period: Period | None
    fields: frozenset[str] | None = None


def _keep(value, fields: frozenset[str] | None):
    if fields is None:
        return value
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k in fields}
    if isinstance(value, list):
        return [_keep(item, fields) for item in value]
    return value


def extract(worker, plan: list[Planned]) -> dict[str, Any]:
    """The released values for ``worker``, one per planned element, in plan order."""
    released = frozenset(p.key for p in plan)
    employer_fields = next((p.fields for p in plan if p.key == "employer"), None)
    labels: dict[int, int] = {}
    contexts: dict[Period, Context] = {}
    values: dict[str, Any] = {}
    for item in plan:
        if item.period is None:
            values[item.key] = []
            continue
        ctx = contexts.setdefault(
            item.period,
            Context(worker, item.period, released, employer_fields, labels=labels),
        )
        values[item.key] = _keep(EXTRACTORS[item.key](ctx), item.fields)
    return values
