"""Folding entries into facts and counters, quarters, percentiles and the CSV: the
pure functions both the page and --from-audit use."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recordwarden.transparency.fold import (
    Counts,
    Folder,
    counts_from_entries,
    quarter_of,
)
from recordwarden.transparency.summary import (
    CSV_COLUMNS,
    build_report,
    quantile,
    quarter_range,
)

DENVER = ZoneInfo("America/Denver")


def entry(index, time, action, target, **data):
    return {
        "v": 1,
        "index": index,
        "time": time,
        "actor": "user:1",
        "action": action,
        "target": target,
        "data": data,
    }


def submitted(index, pk, time, **codes):
    data = {
        "reference": f"RW-2025-{pk:06d}",
        "channel": "portal",
        "agency_type": "local_police",
        "instrument": "judicial_warrant",
        "purpose": "criminal_investigation",
        "emergency": False,
        **codes,
    }
    return entry(
        index, time, "intake.request_submitted", f"intake.request:{pk}", **data
    )


def moved(index, pk, time, to):
    return entry(index, time, "review.request_moved", f"intake.request:{pk}", to=to)


def test_quarters_follow_the_agencys_time_zone_not_utc():
    # 05:59 UTC on 1 April is still 31 March in Denver (MDT, UTC-6).
    assert (
        quarter_of(dt.datetime(2025, 4, 1, 5, 59, tzinfo=dt.UTC), DENVER) == "2025-Q1"
    )
    assert quarter_of(dt.datetime(2025, 4, 1, 6, 0, tzinfo=dt.UTC), DENVER) == "2025-Q2"
    assert (
        quarter_of(dt.datetime(2026, 1, 1, 6, 59, tzinfo=dt.UTC), DENVER) == "2025-Q4"
    )


def test_empty_quarters_between_busy_ones_are_shown():
    assert quarter_range("2024-Q4", "2025-Q2") == ["2024-Q4", "2025-Q1", "2025-Q2"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=60),
    st.sampled_from([0.5, 0.9]),
)
def test_percentiles_from_the_histogram_match_the_values(values, p):
    histogram: dict[int, int] = {}
    for v in values:
        histogram[v] = histogram.get(v, 0) + 1
    if len(values) == 1:
        expected = values[0]
    elif p == 0.5:
        expected = statistics.median(values)
    else:
        expected = statistics.quantiles(values, n=10, method="inclusive")[8]
    assert quantile(histogram, p) == pytest.approx(expected)


def test_a_request_is_decided_once_and_closing_keeps_its_outcome():
    entries = [
        submitted(0, 1, "2025-01-06T16:00:00.000000Z"),
        moved(1, 1, "2025-01-06T17:00:00.000000Z", "in_review"),
        moved(2, 1, "2025-01-08T16:00:00.000000Z", "denied"),
        entry(
            3,
            "2025-01-08T16:00:00.000000Z",
            "review.decided",
            "intake.request:1",
            kind="deny",
            state="final",
        ),
        moved(4, 1, "2025-01-20T16:00:00.000000Z", "closed"),
    ]
    counts, facts = counts_from_entries(entries, DENVER)
    assert counts.as_dict() == {
        "2025-Q1": {
            "agency_type:local_police": 1,
            "days:20": 1,
            "decided": 1,
            "instrument:judicial_warrant": 1,
            "outcome:denied": 1,
            "requests": 1,
        }
    }
    assert facts[1]["status"] == "denied"


def test_a_joined_submission_and_a_clerks_correction_change_the_codes():
    entries = [
        submitted(
            0, 7, "2025-05-01T16:00:00.000000Z", agency_type=None, instrument="none"
        ),
        entry(
            1,
            "2025-05-01T17:00:00.000000Z",
            "intake.submission_joined",
            "intake.submission:9",
            request="RW-2025-000007",
            instrument="court_order",
            purpose="civil_immigration",
            emergency=True,
            agency_type=None,
        ),
        entry(
            2,
            "2025-05-02T17:00:00.000000Z",
            "intake.request_confirmed",
            "intake.request:7",
            reference="RW-2025-000007",
            agency_type="immigration_enforcement",
            instrument="court_order",
            purpose="civil_immigration",
            emergency=True,
        ),
    ]
    counts, facts = counts_from_entries(entries, DENVER)
    q2 = counts.as_dict()["2025-Q2"]
    assert q2["agency_type:immigration_enforcement"] == 1
    assert q2["instrument:court_order"] == 1 and q2["emergency"] == 1
    assert "agency_type:none" not in q2


def test_entries_about_requests_the_log_never_opened_are_ignored():
    entries = [
        moved(0, 99, "2025-01-06T16:00:00.000000Z", "denied"),
        entry(
            1, "2025-01-06T16:00:00.000000Z", "audit.record_read", "records.worker:1"
        ),
    ]
    counts, facts = counts_from_entries(entries, DENVER)
    assert counts.as_dict() == {} and facts == {}


def test_taking_a_fact_back_leaves_nothing_behind():
    folder = Folder(DENVER).apply_all(
        [submitted(0, 1, "2025-01-06T16:00:00.000000Z", emergency=True)]
    )
    counts = Counts()
    counts.add(folder.facts[1])
    counts.add(folder.facts[1], -1)
    assert counts.as_dict() == {}


def test_the_csv_has_its_columns_and_a_row_per_published_number():
    entries = [submitted(i, i + 1, "2025-02-01T16:00:00.000000Z") for i in range(6)]
    counts, _ = counts_from_entries(entries, DENVER)
    report = build_report(
        counts.as_dict(), log_size=6, log_root="AAAA", time_zone="America/Denver"
    )
    rows = list(csv.reader(io.StringIO(report.to_csv())))
    assert (
        rows[0] == CSV_COLUMNS == ["quarter", "measure", "category", "value", "status"]
    )
    body = {tuple(r[:3]): r[3:] for r in rows[1:]}
    assert body[("all", "audit_log_entries", "")] == ["6", "exact"]
    assert body[("all", "requests", "")] == ["6", "exact"]
    assert body[("2025-Q1", "agency_type", "local_police")] == ["6", "exact"]
    assert body[("2025-Q1", "agency_type", "immigration_enforcement")] == ["0", "exact"]
    assert body[("2025-Q1", "element_released", "wages")] == ["0", "exact"]
    assert body[("2025-Q1", "days_to_decision_median", "")] == [
        "not published",
        "not_published",
    ]
    measures = {r[1] for r in rows[1:]}
    assert {
        "agency_type",
        "instrument",
        "outcome",
        "element_released",
        "checks",
        "days_to_decision_p90",
    } <= measures


def test_an_empty_log_makes_an_empty_report():
    report = build_report({}, log_size=0, log_root="", time_zone="America/Denver")
    assert (
        report.grand_total == 0
        and report.totals == []
        and report.latest_quarter is None
    )
    assert report.to_csv().startswith("quarter,measure,category,value,status\n")
