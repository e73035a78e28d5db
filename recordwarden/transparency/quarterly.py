"""The quarterly report on requests from immigration agencies.

Modelled on Colorado SB21-131 (C.R.S. 24-74-101 et seq.): a state agency keeps a record
of each request for personal identifying information made for immigration enforcement
and reports them each quarter, and may disclose such information only as required by
law or by a court-issued subpoena, warrant or order (C.R.S. 24-74-103 and 24-74-106).

The report lists every request received in the quarter from an immigration agency or
for civil immigration enforcement: reference, date, legal process, purpose, outcome and
the kinds of data released. No personal data: nothing names or describes a worker.
It ends with the agency's attestation and the approver's sign-off (services.py).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from recordwarden.accounts.constants import AgencyType
from recordwarden.intake.constants import JUDICIAL_INSTRUMENTS, Instrument, Purpose
from recordwarden.records.catalogue import ELEMENTS

from .constants import RELEASED_OUTCOMES, Outcome
from .fold import parse_time
from .models import RequestFact
from .summary import parse_quarter, quarter_label

TEMPLATE = "transparency/quarterly_report.html"
# Bases on which an immigration agency may receive records: a judge's process, or the
# worker's own request or written consent.
PERMITTED_INSTRUMENTS = frozenset(
    {*JUDICIAL_INSTRUMENTS, Instrument.WRITTEN_CONSENT, Instrument.OWN_REQUEST}
)
ATTESTATION = (
    "The Department attests that no personal identifying information was disclosed "
    "or made accessible in response to any request listed in this report for the "
    "purpose of investigating for, participating in, cooperating with or assisting in "
    "federal immigration enforcement, except as required by state or federal law or "
    "to comply with a court-issued subpoena, warrant or order; and that every request "
    "of this kind received in the quarter is listed."
)


def quarter_bounds(quarter: str) -> tuple[dt.datetime, dt.datetime]:
    """Start (inclusive) and end (exclusive) of a quarter, in the agency's time zone."""
    year, q = parse_quarter(quarter)
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime(year, 3 * q - 2, 1, tzinfo=tz)
    end = dt.datetime(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1, tzinfo=tz)
    return start, end


def quarter_has_ended(quarter: str) -> bool:
    return timezone.now() >= quarter_bounds(quarter)[1]


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "none")


def _row(fact: dict) -> dict:
    tz = ZoneInfo(settings.TIME_ZONE)
    outcome = fact["outcome"]
    released = outcome in RELEASED_OUTCOMES
    return {
        "reference": fact["ref"],
        "received": parse_time(fact["received"]).astimezone(tz).date().isoformat(),
        "agency_type": _label(AgencyType, fact["agency_type"])
        if fact["agency_type"]
        else "No agency on file",
        "instrument": _label(Instrument, fact["instrument"]),
        "judicial": fact["instrument"] in JUDICIAL_INSTRUMENTS,
        "purpose": _label(Purpose, fact["purpose"]),
        "outcome": _label(Outcome, outcome),
        "released": [
            ELEMENTS[e].label if e in ELEMENTS else e for e in fact["released"]
        ]
        if released
        else [],
        "permitted": not released or fact["instrument"] in PERMITTED_INSTRUMENTS,
    }


def quarterly_rows(quarter: str) -> tuple[list[dict], list[dict]]:
    """The report's rows (from the report's request facts, i.e. from the audit log) and
    the rows that contradict the attestation."""
    facts = RequestFact.objects.filter(quarter=quarter, immigration=True)
    rows = []
    for fact in facts:
        rows.append(_row({**fact.state, "outcome": fact.outcome}))
    rows.sort(key=lambda r: (r["received"], r["reference"]))
    return rows, [r for r in rows if not r["permitted"]]


def quarterly_pdf(report) -> bytes:
    from weasyprint import HTML

    from recordwarden.review.letters import LETTERHEAD

    start, end = quarter_bounds(report.quarter)
    outcomes: dict[str, int] = {}
    for row in report.rows:
        outcomes[row["outcome"]] = outcomes.get(row["outcome"], 0) + 1
    html = render_to_string(
        TEMPLATE,
        {
            "report": report,
            "label": quarter_label(report.quarter),
            "start": start.date(),
            "last_day": (end - dt.timedelta(days=1)).date(),
            "rows": report.rows,
            "outcomes": sorted(outcomes.items()),
            "attestation": ATTESTATION,
            "letterhead": LETTERHEAD,
            "time_zone": settings.TIME_ZONE,
            "signed_at": report.signed_at.astimezone(ZoneInfo(settings.TIME_ZONE)),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
