"""The published report equals what the audit log's public entries recompute, the full
(staff) report what the full log recomputes, and both what the database says happened:
requests driven through intake, screening, review and disclosure."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from recordwarden.transparency.tests.conftest import (
    GARCIA,
    KELLER,
    ORTEGA,
    PERIOD,
    sign_checkpoint,
)

pytestmark = pytest.mark.django_db
DENVER = ZoneInfo("America/Denver")


def warrant(subject, **extra):
    return {
        "instrument": "judicial_warrant",
        "case_number": "26-0001",
        "purpose": "criminal_investigation",
        "elements": ["employer", "wages"],
        "instrument_subject_count": 1,
        "subjects": [subject],
        "purpose_text": "Embezzlement; warrant signed by Judge M. Baca.",
        **PERIOD,
        **extra,
    }


def immigration_subpoena(subject, elements):
    return {
        "instrument": "administrative_subpoena",
        "purpose": "civil_immigration",
        "elements": elements,
        "instrument_subject_count": 1,
        "subjects": [subject],
        **PERIOD,
    }


def emergency(subject, elements, case_number):
    return {
        "instrument": "none",
        "purpose": "emergency",
        "emergency": True,
        "case_number": case_number,
        "elements": elements,
        "instrument_subject_count": 1,
        "subjects": [subject],
        "purpose_text": "Missing person; imminent danger to life.",
    }


@pytest.fixture
def story(
    clock,
    workers_on_file,
    submit,
    casework,
    requester_police,
    requester_ice,
    requester_csed,
    approver,
):
    """Nine requests over two quarters of 2025 (times in UTC; quarters in Denver)."""
    from recordwarden.disclosure.notices import notice_delay_record, notices_send_due

    r = {}
    clock.at("2025-01-06 16:00")
    r["warrant"] = submit(requester_police, **warrant(KELLER))
    clock.advance(days=2, hours=3)
    casework.release(r["warrant"], {"employer": "approve", "wages": "approve"})
    clock.at("2025-01-08 17:00")
    r["ice"] = submit(
        requester_ice, **immigration_subpoena(ORTEGA, ["address", "employer"])
    )
    clock.advance(days=1)
    casework.deny(r["ice"], "civil_immigration")
    notice_delay_record(
        actor=approver,
        request=r["ice"],
        order_reference="25-MC-0042",
        court="U.S. District Court, D.N.M.",
        ends_on=dt.date(2025, 4, 1),
    )
    # The notice scan runs daily in production; here on the days that matter (it
    # looks only at requests with activity in the last NOTICE_SCAN_DAYS).
    clock.at("2025-01-20 16:00")
    notices_send_due(actor="system:notices")
    clock.at("2025-02-10 16:00")
    r["ice_again"] = submit(requester_ice, **immigration_subpoena(ORTEGA, ["address"]))
    clock.advance(days=3)
    casework.deny(r["ice_again"], "civil_immigration")
    clock.at("2025-02-11 15:00")
    r["unconfirmed"] = submit(
        requester_police, **emergency(GARCIA, ["address"], "26-0911")
    )
    casework.call_back(r["unconfirmed"], confirmed=False)
    clock.advance(hours=12)
    casework.deny(r["unconfirmed"], "emergency_not_verified")
    clock.at("2025-02-12 15:00")
    r["confirmed"] = submit(
        requester_police, **emergency(KELLER, ["address", "phone"], "26-0912")
    )
    casework.call_back(r["confirmed"], confirmed=True)
    clock.advance(hours=6)
    casework.release(r["confirmed"], {"address": "approve", "phone": "deny"})
    clock.at("2025-02-14 16:00")
    notices_send_due(actor="system:notices")
    clock.at("2025-03-03 16:00")
    r["child_support"] = submit(
        requester_csed,
        instrument="data_sharing_agreement",
        purpose="child_support",
        case_number="IVD-2025-118",
        elements=["address", "wages"],
        instrument_subject_count=1,
        subjects=[GARCIA],
        **PERIOD,
    )
    clock.advance(days=4)
    casework.release(r["child_support"], {"wages": "approve", "address": "deny"})
    clock.at("2025-03-20 16:00")
    r["withdrawn"] = submit(requester_police, **warrant(ORTEGA, case_number="26-0002"))
    casework.withdraw(r["withdrawn"])
    clock.at("2025-03-21 16:00")
    notices_send_due(actor="system:notices")
    # 2025 Q2
    clock.at("2025-04-07 16:00")
    r["ice_order"] = submit(
        requester_ice,
        instrument="court_order",
        case_number="CR-25-0077",
        purpose="criminal_investigation",
        elements=["employer"],
        instrument_subject_count=1,
        subjects=[GARCIA],
        purpose_text="Order signed by a district judge in a smuggling case.",
        **PERIOD,
    )
    clock.advance(days=1)
    casework.release(r["ice_order"], {"employer": "approve"})
    clock.at("2025-04-08 16:00")
    r["pending"] = submit(requester_police, **warrant(GARCIA, case_number="26-0003"))
    clock.at("2025-04-21 16:00")
    notices_send_due(actor="system:notices")
    clock.at("2025-07-02 16:00")
    sign_checkpoint()
    return r


def truth_from_database() -> dict[str, dict[str, int]]:
    """The counters, computed independently from the application's own rows."""
    from recordwarden.disclosure.models import DisclosurePackage, Notice
    from recordwarden.intake.models import Request
    from recordwarden.review.models import Decision, Screening, Task

    outcome_for_status = {
        "withdrawn": "withdrawn",
        "denied": "denied",
        "quashed": "quashed",
    }
    by_quarter: dict[str, Counter] = {}
    for req in Request.objects.select_related("agency"):
        local = req.received_at.astimezone(DENVER)
        quarter = f"{local.year}-Q{(local.month - 1) // 3 + 1}"
        c = by_quarter.setdefault(quarter, Counter())
        c["requests"] += 1
        c[f"agency_type:{req.agency.type if req.agency else 'none'}"] += 1
        c[f"instrument:{req.instrument}"] += 1
        final = (
            Decision.objects.filter(request=req, state="final")
            .order_by("finalized_at", "pk")
            .last()
        )
        if req.status in ("approved", "released"):
            outcome = "released" if final.kind == "approve" else "released_in_part"
        else:
            outcome = outcome_for_status.get(req.status, "pending")
        c[f"outcome:{outcome}"] += 1
        for package in DisclosurePackage.objects.filter(request=req):
            for element in package.elements:
                c[f"element:{element}"] += 1
        if req.decided_at:
            c["decided"] += 1
            seconds = (req.decided_at - req.received_at).total_seconds()
            c[f"days:{int(seconds // 8640)}"] += 1
        notices = Notice.objects.filter(request=req)
        c["notices_sent"] += notices.filter(sent_at__isnull=False).count()
        c["notices_delayed"] += notices.filter(delayed_until__isnull=False).count()
        flags = Screening.objects.filter(request=req).values_list("flags", flat=True)
        if any("re_ask_after_denial" in f for f in flags):
            c["re_asks"] += 1
        if req.emergency:
            c["emergency"] += 1
            failed = Task.objects.filter(
                request=req, kind="emergency_callback", confirmed=False
            ).exists()
            if req.emergency_verified_at:
                c["emergency_verified"] += 1
            elif failed:
                c["emergency_failed"] += 1
    return {
        q: dict(sorted((k, v) for k, v in c.items() if v))
        for q, c in by_quarter.items()
    }


def public_part(counts: dict) -> dict:
    """The counters the public report publishes (no notices: see fold.FULL_LOG_ONLY)."""
    return {
        q: {k: v for k, v in c.items() if not k.startswith("notices_")}
        for q, c in counts.items()
    }


def run(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("transparency_report", *args, stdout=out, stderr=err)
    return out.getvalue()


def published_cells(html: str, table: str) -> list[tuple[str, str]]:
    """(status, shown) of every breakdown cell in one of the page's tables."""
    part = html.split(f'data-table="{table}"', 1)[1].split("</table>", 1)[0]
    return [
        (status, unescape(shown))
        for status, shown in re.findall(r'data-status="(\w+)">([^<]*)</td>', part)
    ]


def test_the_page_and_csv_equal_what_the_audit_log_recomputes(story, client):
    from recordwarden.audit.checkpoints import checkpoint_latest

    page = client.get("/transparency/")
    assert page.status_code == 200
    html = page.content.decode()
    download = client.get("/transparency/report.csv")
    assert download["Content-Type"].startswith("text/csv")
    csv_text = download.content.decode()

    # The page covers the log up to the signed checkpoint, and says so.
    size = checkpoint_latest().size
    assert f'<strong id="log-size">{size}</strong>' in html
    assert f'<dd id="checkpoint-size">{size}</dd>' in html
    assert "manage.py transparency_report --from-audit" in html
    # Charts are SVG drawn with presentation attributes: nothing the CSP would block.
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') >= 3
    assert "<style" not in html and " style=" not in html and "<script>" not in html

    # Recomputed from the log's public entries alone: the same bytes.
    assert run("--from-audit") == csv_text
    truth = truth_from_database()
    kept = json.loads(run("--format", "counts"))
    from_log = json.loads(run("--from-audit", "--format", "counts"))
    assert kept == from_log == public_part(truth)
    # Notices need restricted entries: not on the public page or in its CSV.
    assert "notices_sent" not in csv_text and "notices_delayed" not in csv_text
    assert 'data-category="notices_sent"' not in html
    assert 'id="notices-not-published"' in html
    # The full report (staff) is what the full log recomputes.
    full_kept = json.loads(run("--full", "--format", "counts"))
    full_log = json.loads(run("--from-audit", "--full", "--format", "counts"))
    assert full_kept == full_log == truth

    q1, q2 = full_log["2025-Q1"], full_log["2025-Q2"]
    assert q1["requests"] == 7 and q2["requests"] == 2
    assert q1["agency_type:immigration_enforcement"] == 2
    assert q1["outcome:denied"] == 3 and q1["outcome:withdrawn"] == 1
    assert q1["outcome:released"] == 1 and q1["outcome:released_in_part"] == 2
    assert q1["element:wages"] == 2 and q1["element:address"] == 1
    assert (q1["notices_sent"], q1["notices_delayed"], q1["re_asks"]) == (2, 1, 1)
    assert (q1["emergency"], q1["emergency_verified"], q1["emergency_failed"]) == (
        2,
        1,
        1,
    )
    assert q2["outcome:pending"] == 1 and q2["notices_sent"] == 1
    # Days to decision, in tenths: 2d3h, 1d, 3d, 12h, 6h and 4d.
    assert sorted(int(k[5:]) for k in q1 if k.startswith("days:")) == [
        2,
        5,
        10,
        21,
        30,
        40,
    ]

    # Published: totals exact; no breakdown cell shows a count from 1 to 4.
    assert ["2025-Q1", "requests", "", "7", "exact"] in [
        line.split(",") for line in csv_text.splitlines()
    ]
    for table in ("agency_type", "instrument", "outcome", "element_released", "checks"):
        for status, shown in published_cells(html, table):
            if status == "exact":
                assert shown == "0" or int(shown) >= 5
            else:
                assert shown in ("<5", "withheld")
    # Median of 0.2, 0.5, 1.0, 2.1, 3.0, 4.0 days, and the 90th percentile.
    assert "2025-Q1,days_to_decision_median,,1.6,exact" in csv_text
    assert "2025-Q1,days_to_decision_p90,,3.5,exact" in csv_text
    assert "2025-Q2,days_to_decision_median,,not published,not_published" in csv_text


def test_the_kept_report_follows_the_log_incrementally(story, client, casework, clock):
    """A later decision changes a past quarter: the kept counters move with the log."""
    client.get("/transparency/")
    first = json.loads(run("--format", "counts"))
    assert first["2025-Q2"]["outcome:pending"] == 1
    clock.at("2025-07-03 16:00")
    casework.deny(story["pending"], "no_legal_basis")
    # Not yet in a signed checkpoint: not yet in the report.
    assert json.loads(run("--format", "counts")) == first
    sign_checkpoint()
    csv_text = client.get("/transparency/report.csv").content.decode()
    assert run("--from-audit") == csv_text
    kept = json.loads(run("--full", "--format", "counts"))
    assert kept == json.loads(run("--from-audit", "--full", "--format", "counts"))
    assert kept == truth_from_database()
    assert json.loads(run("--format", "counts")) == public_part(kept)
    assert "outcome:pending" not in kept["2025-Q2"]
    assert kept["2025-Q2"]["outcome:denied"] == 1
    # Rebuilding from nothing gives the same counters as the increments did.
    assert json.loads(run("--rebuild", "--full", "--format", "counts")) == kept


def download_entries(client, path, size: int, endpoint: str = "entries") -> None:
    with path.open("w", encoding="utf-8") as fh:
        for start in range(0, size, 1000):
            page = client.get(
                f"/api/v1/audit/{endpoint}?start={start}&end={min(size, start + 1000)}"
            )
            assert page.status_code == 200
            fh.write(json.dumps(page.json()) + "\n")


@pytest.fixture
def short_story(
    clock, workers_on_file, submit, casework, requester_ice, requester_police
):
    """One denial and one release in 2025 Q1, and a checkpoint."""
    clock.at("2025-01-08 17:00")
    denied = submit(requester_ice, **immigration_subpoena(ORTEGA, ["address"]))
    clock.advance(days=1)
    casework.deny(denied, "civil_immigration")
    released = submit(requester_police, **warrant(KELLER))
    clock.advance(days=2)
    casework.release(released, {"employer": "approve", "wages": "deny"})
    clock.at("2025-04-02 16:00")
    return sign_checkpoint()


def test_an_outsider_recomputes_the_csv_from_public_entries(
    short_story, client, tmp_path
):
    from recordwarden.audit.selectors import verifier_key_text

    csv_text = client.get("/transparency/report.csv").content.decode()
    (tmp_path / "checkpoint.txt").write_text(
        client.get("/audit/checkpoint.txt").content.decode()
    )
    size = int((tmp_path / "checkpoint.txt").read_text().split("\n")[1])
    download_entries(client, tmp_path / "entries.jsonl", size)
    args = [
        "--from-audit",
        str(tmp_path / "entries.jsonl"),
        "--checkpoint",
        str(tmp_path / "checkpoint.txt"),
        "--key",
        verifier_key_text(),
    ]
    assert run(*args) == csv_text

    # One entry changed after the fact (a denial turned into a release): refused.
    lines = (tmp_path / "entries.jsonl").read_text().splitlines()
    pages = [json.loads(line) for line in lines]
    for page in pages:
        for entry in page["entries"]:
            if '"to":"denied"' in (entry["canonical"] or ""):
                entry["canonical"] = entry["canonical"].replace(
                    '"to":"denied"', '"to":"released"'
                )
                break
    (tmp_path / "tampered.jsonl").write_text(
        "\n".join(json.dumps(p) for p in pages) + "\n"
    )
    args[1] = str(tmp_path / "tampered.jsonl")
    with pytest.raises(CommandError, match="not the signed checkpoint's root") as info:
        run(*args)
    assert info.value.returncode == 1

    # The public entries cannot make the full report: it needs restricted entries.
    args[1] = str(tmp_path / "entries.jsonl")
    with pytest.raises(CommandError, match="restricted") as info:
        run(*args, "--full")
    assert info.value.returncode == 2


def test_the_public_download_hides_what_matching_found(short_story, client):
    size = short_story.size
    served = client.get(f"/api/v1/audit/entries?start=0&end={size}").json()
    texts = [e["canonical"] for e in served["entries"] if e["canonical"]]
    hidden = [e for e in served["entries"] if e["canonical"] is None]
    assert hidden and all(e["restricted"] for e in hidden)
    assert not any('"matching.' in t or '"outcome":"match"' in t for t in texts)
    assert not any('"disclosure.notice_' in t for t in texts)


def test_the_state_auditor_recomputes_the_full_report_from_the_full_log(
    short_story, client, client_for, auditor, tmp_path
):
    from recordwarden.audit.selectors import verifier_key_text

    staff = client_for(auditor)
    page = staff.get("/transparency/full/")
    assert page.status_code == 200 and 'id="full-scope"' in page.content.decode()
    full_csv = staff.get("/transparency/full.csv").content.decode()
    assert "all,scope,,full,exact" in full_csv
    assert "notices_sent" in full_csv
    (tmp_path / "checkpoint.txt").write_text(
        client.get("/audit/checkpoint.txt").content.decode()
    )
    download_entries(staff, tmp_path / "full.jsonl", short_story.size, "entries/full")
    args = ["--from-audit", str(tmp_path / "full.jsonl"), "--full"]
    args += ["--checkpoint", str(tmp_path / "checkpoint.txt")]
    assert run(*args, "--key", verifier_key_text()) == full_csv
    # The same file, read for the public report, gives the public CSV: restricted
    # entries are not read even when their text is at hand.
    public_csv = client.get("/transparency/report.csv").content.decode()
    assert run("--from-audit", str(tmp_path / "full.jsonl")) == public_csv


@pytest.mark.parametrize("persona", ["reviewer", "intake_clerk", "outsider"])
def test_the_full_report_is_not_for_everyone(client_for, persona, request):
    user = request.getfixturevalue(persona)
    assert client_for(user).get("/transparency/full/").status_code == 403
    assert client_for(user).get("/transparency/full.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_for_the_full_report(client, db):
    response = client.get("/transparency/full.csv")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
