"""The public audit log and the public report do not tell an immigration agency whether
the person it named is in the records.

The same request (an administrative subpoena naming one person, for civil immigration
enforcement) goes through the real services twice with the same clock: once when the
person IS a worker in the records, once when the records hold someone else instead.
Both are denied. What the public can read afterwards (every public entry's text, the
transparency page and its CSV) must be the same, apart from what differs between the
runs by construction: the signed root (restricted entries carry random salts) and the
log's size (see "Residual side channels" in docs/audit-verification.md).

Each run happens inside a savepoint that is rolled back, with the database's id
sequences reset before it, so both start from exactly the same state.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from recordwarden.transparency.tests.conftest import ORTEGA, PERIOD, WORKER_ROWS, _csv

pytestmark = pytest.mark.django_db

# The person the agency names (ORTEGA), or, in the other run, a stranger with the
# same shape of record in the same place, so the records hold as many workers.
NAMED = next(r for r in WORKER_ROWS if r[4] == "Ortega")
STRANGER = ("W-100009", "585-91-2231", "Marisol", "T", "Quintana", "", "1975-06-30",
            "77 Camino Real", "Santa Fe", "NM", "87501", "Santa Fe")  # fmt: skip
ON_FILE = [r for r in WORKER_ROWS if r is not NAMED]


@dataclass
class Seen:
    """What one run left for the public, and (for the test's own checks) the staff."""

    size: int
    root: str
    public: list[dict]  # what /api/v1/audit/entries served, every entry
    full: list[dict]  # what /api/v1/audit/entries/full served (an auditor)
    page: str
    csv: str
    full_csv: str  # the staff's full report
    flow_start: int


@pytest.fixture
def on_file(db, tmp_path, clock):
    from recordwarden.matching.services import match_index_workers
    from recordwarden.records.importers import WORKER_COLUMNS
    from recordwarden.records.models import Worker
    from recordwarden.records.services import workers_import

    clock.at("2024-12-02 16:00")
    path = _csv(tmp_path / "on-file.csv", WORKER_COLUMNS, ON_FILE)
    workers_import(actor="system:test", path=path)
    match_index_workers(
        actor="system:test",
        worker_ids=list(Worker.objects.values_list("pk", flat=True)),
    )


def _reset_sequences() -> None:
    """Point every id sequence just past its table's largest id (PostgreSQL keeps
    sequences across a rollback; SQLite's roll back with the savepoint)."""
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _load_one_more_worker(row, tmp_path) -> None:
    from recordwarden.matching.services import match_index_workers
    from recordwarden.records.importers import WORKER_COLUMNS
    from recordwarden.records.models import Worker
    from recordwarden.records.services import workers_import

    path = _csv(tmp_path / "monthly.csv", WORKER_COLUMNS, [row])
    workers_import(actor="system:test", path=path)
    worker = Worker.objects.get(worker_id=row[0])
    match_index_workers(actor="system:test", worker_ids=[worker.pk])


def _entries(client, size: int, endpoint: str) -> list[dict]:
    url = f"/api/v1/audit/{endpoint}?start=0&end={size}"
    response = client.get(url)
    assert response.status_code == 200
    return response.json()["entries"]


def _the_request(clock, submit, casework, requester_ice, reviewer, client_for):
    """Submitted on the portal, screened; the reviewer opens the case and denies it;
    the letter goes out; the daily notice scan runs; a checkpoint is signed."""
    from recordwarden.audit.checkpoints import checkpoint_sign
    from recordwarden.disclosure.notices import notices_send_due
    from recordwarden.review.letters import letters_dispatch

    clock.at("2025-01-08 17:00")
    request = submit(
        requester_ice,
        instrument="administrative_subpoena",
        purpose="civil_immigration",
        elements=["address", "employer"],
        instrument_subject_count=1,
        subjects=[ORTEGA],
        **PERIOD,
    )
    clock.advance(hours=2)
    case = client_for(reviewer).get(reverse("review:case", args=[request.reference]))
    assert case.status_code == 200
    clock.advance(days=1)
    casework.deny(request, "civil_immigration")
    clock.advance(minutes=5)
    letters_dispatch(actor="system:letters")
    clock.at("2025-01-13 16:00")
    notices_send_due(actor="system:notices")
    clock.at("2025-04-02 16:00")
    return checkpoint_sign(actor="system:test")


def _run(row, tmp_path, story, client_for, auditor) -> Seen:
    from recordwarden.audit.models import AuditEntry

    _reset_sequences()
    cache.clear()
    with transaction.atomic():
        _load_one_more_worker(row, tmp_path)
        flow_start = AuditEntry.objects.count()
        checkpoint = story()
        anonymous = Client()
        staff = client_for(auditor)
        seen = Seen(
            size=checkpoint.size,
            root=checkpoint.root_hash,
            public=_entries(anonymous, checkpoint.size, "entries"),
            full=_entries(staff, checkpoint.size, "entries/full"),
            page=anonymous.get("/transparency/").content.decode(),
            csv=anonymous.get("/transparency/report.csv").content.decode(),
            full_csv=staff.get("/transparency/full.csv").content.decode(),
            flow_start=flow_start,
        )
        transaction.set_rollback(True)
    return seen


@pytest.fixture
def both_runs(
    on_file,
    tmp_path,
    clock,
    submit,
    casework,
    requester_ice,
    reviewer,
    auditor,
    client_for,
    settings,
):
    settings.RATE_LIMITS = {k: (100_000, 60) for k in settings.RATE_LIMITS}

    def story():
        return _the_request(
            clock, submit, casework, requester_ice, reviewer, client_for
        )

    in_records = _run(NAMED, tmp_path, story, client_for, auditor)
    not_in_records = _run(STRANGER, tmp_path, story, client_for, auditor)
    return in_records, not_in_records


def _actions(entries: list[dict], start: int) -> list[str]:
    return [json.loads(e["canonical"])["action"] for e in entries[start:]]


def _public_texts(seen: Seen) -> list[tuple[int, str]]:
    return [
        (e["index"], e["canonical"])
        for e in seen.public[seen.flow_start :]
        if e["canonical"] is not None
    ]


def test_the_two_runs_really_differ_where_the_public_cannot_see(both_runs):
    """The staff's view: in one run the person matched and was sent a notice."""
    found, absent = both_runs
    resolved = [
        json.loads(e["canonical"])["data"]["outcome"]
        for seen in (found, absent)
        for e in seen.full[seen.flow_start :]
        if '"action":"matching.subject_resolved"' in e["canonical"]
    ]
    assert resolved == ["match", "none"]
    assert "disclosure.notice_sent" in _actions(found.full, found.flow_start)
    assert "disclosure.notice_sent" not in _actions(absent.full, absent.flow_start)
    # What the public page published before notices left it: "<5" against "0".
    assert "2025-Q1,checks,notices_sent,<5,banded" in found.full_csv
    assert "2025-Q1,checks,notices_sent,0,exact" in absent.full_csv


def test_every_public_entry_reads_the_same_whether_or_not_the_person_is_on_file(
    both_runs,
):
    found, absent = both_runs
    assert found.flow_start == absent.flow_start
    texts = _public_texts(found)
    assert texts == _public_texts(absent)  # text, index and order
    actions = {json.loads(t)["action"] for _i, t in texts}
    assert {"intake.request_submitted", "review.screened", "review.decided"} <= actions
    assert {"policy.findings_recorded", "review.letter_issued"} <= actions
    # Nothing public says what matching found.
    for _index, text in texts:
        assert '"outcome":"match"' not in text and "matching." not in text
    # The restricted entries are hashes only, and their hashes differ (salted) even
    # where their content is the same (the reviewer's look at the case page).
    hidden = [e for e in found.public[found.flow_start :] if e["canonical"] is None]
    assert hidden and all(e["restricted"] for e in hidden)
    other = {e["leaf_hash"] for e in absent.public if e["canonical"] is None}
    assert not {e["leaf_hash"] for e in hidden} & other


def test_the_only_difference_is_how_many_restricted_entries_there_are(both_runs):
    """The residual side channel, stated exactly: the notice written for a worker adds
    restricted entries, so the log is longer (docs/audit-verification.md)."""
    found, absent = both_runs
    extra = len(found.public) - len(absent.public)
    restricted = [
        sum(1 for e in seen.public[seen.flow_start :] if e["restricted"])
        for seen in (found, absent)
    ]
    assert extra == restricted[0] - restricted[1] == 2  # notice scheduled and sent
    assert found.public[-extra:] == [
        e for e in found.public[-extra:] if e["restricted"]
    ]
    assert found.root != absent.root


def _without_log_position(seen: Seen, text: str) -> tuple[str, int]:
    """Blank the places where the page and CSV name the log's size and roots, which
    differ by construction; return the text and how many places were blanked."""
    size, last = str(seen.size), str(seen.size - 1)
    patterns = [
        (r'<strong id="log-size">' + size + "</strong>", "<strong>SIZE</strong>"),
        (r'<dd id="checkpoint-size">' + size + "</dd>", "<dd>SIZE</dd>"),
        (r"entries 0 to " + last + r"\b", "entries 0 to LAST"),
        (r'<code id="report-root">[^<]+</code>', "<code>ROOT</code>"),
        (r"<dd><code>[A-Za-z0-9+/=]{44}</code></dd>", "<dd><code>ROOT</code></dd>"),
        (
            r'(<pre class="rw-note"[^>]*>)[^<]+(</pre>)',
            r"\1NOTE\2",
        ),
        (r"^all,audit_log_entries,," + size + ",exact$", "all,audit_log_entries,SIZE"),
        (r"^all,audit_log_root,,[^,]+,exact$", "all,audit_log_root,ROOT"),
    ]
    blanked = 0
    for pattern, replacement in patterns:
        text, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        blanked += count
    return text, blanked


def test_the_public_report_is_the_same_whether_or_not_the_person_is_on_file(
    both_runs,
):
    found, absent = both_runs
    csv_found, n_csv = _without_log_position(found, found.csv)
    csv_absent, _ = _without_log_position(absent, absent.csv)
    assert n_csv == 2 and csv_found == csv_absent
    assert "2025-Q1,requests,,1,exact" in csv_found
    assert "2025-Q1,checks,re_asks,0,exact" in csv_found
    assert "notices" not in csv_found
    page_found, n_page = _without_log_position(found, found.page)
    page_absent, _ = _without_log_position(absent, absent.page)
    assert n_page >= 6  # size, checkpoint size, two "0 to N", two roots, the note
    assert page_found == page_absent
