"""import_wages for CSV and ICESA: new hires, idempotence, all-or-nothing."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recordwarden.audit.models import AuditEntry
from recordwarden.core import crypto
from recordwarden.records import importers
from recordwarden.records.constants import WAGES_IMPORTED, WorkerOrigin
from recordwarden.records.importers import EmployerInfo, icesa_report
from recordwarden.records.models import Employer, WageRecord, Worker
from recordwarden.records.services import ImportRejected, wages_import, workers_import

from .helpers import WAGE_HEADER, WORKER_HEADER, snapshot, write

pytestmark = pytest.mark.django_db

MESA = EmployerInfo(
    fein="850000001",
    legal_name="MESA BUILDERS LLC",
    street="12 MAIN ST",
    city="GALLUP",
    state="NM",
    zip="87301",
    account="1234567",
)
ZIA = EmployerInfo(fein="850000002", legal_name="ZIA DENTAL", account="7654321")


def icesa(**overrides) -> str:
    employers = overrides.get("employers") or [
        (
            MESA,
            2026,
            2,
            [
                ("123456789", "GARCIA", "ANA", "M", 1_234_567),
                ("234567891", "BEGAY", "TOM", "", 250_000),
            ],
        ),
        (ZIA, 2026, 2, [("123456789", "GARCIA", "ANA", "M", 99_00)]),
    ]
    return icesa_report(transmitter_fein="850000001", employers=employers)


def known_worker(tmp_path):
    csv = (
        WORKER_HEADER + "\nW1,123-45-6789,Ana,María,García,,1980-05-01,"
        "12 Calle Luna,Gallup,NM,87301,McKinley\n"
    )
    workers_import(actor="system:test", path=write(tmp_path, "w.csv", csv))


def test_an_icesa_report_loads_wages_and_creates_the_new_hire(tmp_path):
    known_worker(tmp_path)
    result = wages_import(actor="system:test", path=write(tmp_path, "q2.txt", icesa()))
    assert result.format == "icesa"
    assert (result.created, result.workers_created, result.employers_created) == (
        3,
        1,
        2,
    )
    ana = Worker.objects.get(worker_id="W1")
    assert sorted(
        ana.wages.values_list("employer__fein", "year", "quarter", "wages_cents")
    ) == [("850000001", 2026, 2, 1_234_567), ("850000002", 2026, 2, 9_900)]
    tom = Worker.objects.get(ssn_hash=crypto.ssn_hash("234567891"))
    assert tom.origin == WorkerOrigin.WAGE_REPORT
    assert (tom.first_name, tom.last_name) == ("TOM", "BEGAY")
    assert tom.decrypt_ssn() == "234567891"
    mesa = Employer.objects.get(fein="850000001")
    assert (mesa.legal_name, mesa.city, mesa.state_account_number) == (
        "MESA BUILDERS LLC",
        "GALLUP",
        "1234567",
    )
    entry = AuditEntry.objects.get(action=WAGES_IMPORTED)
    assert entry.data["workers_created"] == 1 and entry.data["format"] == "icesa"


def test_reimporting_a_report_changes_nothing_and_a_correction_updates(tmp_path):
    path = write(tmp_path, "q2.txt", icesa())
    wages_import(actor="system:test", path=path)
    before = snapshot()
    again = wages_import(actor="system:test", path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.workers_created == again.employers_created == 0
    after = snapshot()
    assert after.pop("audit") == before.pop("audit") + 1
    assert after == before
    corrected = icesa().replace("00000001234567", "00000001234999")
    fixed = wages_import(
        actor="system:test", path=write(tmp_path, "fix.txt", corrected)
    )
    assert (fixed.created, fixed.updated, fixed.unchanged) == (0, 1, 2)
    assert WageRecord.objects.filter(wages_cents=1_234_999).count() == 1


def test_a_csv_report_loads_dollars_as_cents_and_is_idempotent(tmp_path):
    known_worker(tmp_path)
    csv = (
        "\n".join(
            [
                WAGE_HEADER,
                "123-45-6789,Ana,Garcia,85-0000009,2025,4,12345.6",
                "345678912,Luis,Tapia,850000009,2025,4,800",
            ]
        )
        + "\n"
    )
    path = write(tmp_path, "q.csv", csv)
    result = wages_import(actor="system:test", path=path)
    assert (result.format, result.created, result.workers_created) == ("csv", 2, 1)
    employer = Employer.objects.get(fein="850000009")
    assert employer.legal_name == "Unregistered employer 85-0000009"
    assert employer.state_account_number is None
    assert sorted(WageRecord.objects.values_list("wages_cents", flat=True)) == [
        80_000,
        1_234_560,
    ]
    before = snapshot()
    wages_import(actor="system:test", path=path)
    after = snapshot()
    after.pop("audit"), before.pop("audit")
    assert after == before


def test_every_bad_icesa_record_is_reported_and_nothing_is_written(tmp_path):
    known_worker(tmp_path)
    before = snapshot()
    records = icesa().split("\r\n")[:-1]
    # records: 0 A, 1 B, 2 E(Mesa), 3 S, 4 S, 5 T, 6 E(Zia), 7 S, 8 T, 9 F
    records[3] = records[3][:1] + "000000000" + records[3][10:]  # no SSN
    records[4] = records[4][:200]  # truncated record
    records[6] = records[6][:170] + "48" + records[6][172:]  # a Texas employer
    records.insert(1, "S" + " " * 274)  # an S record before any E
    records.append("X" + " " * 274)  # unknown type after F
    path = write(tmp_path, "bad.txt", "\r\n".join(records) + "\r\n")
    with pytest.raises(ImportRejected) as caught:
        wages_import(actor="system:test", path=path)
    reasons = {e.line: e.reason for e in caught.value.errors}
    assert "outside an employer group" in reasons[2]
    assert "SSN (positions 2-10)" in reasons[5]
    assert "record is 200 characters" in reasons[6]
    assert "must be 35" in reasons[8]
    assert "after the F" in reasons[12]
    assert snapshot() == before


def test_icesa_totals_sequence_and_period_are_checked(tmp_path):
    records = icesa().split("\r\n")[:-1]
    records[5] = "T0000009" + records[5][8:]  # Mesa's T says 9 employees, not 2
    records[7] = records[7][:214] + "032026" + records[7][220:]  # Q1 inside a Q2 group
    del records[9]  # no F record
    path = write(tmp_path, "bad.txt", "\r\n".join(records) + "\r\n")
    with pytest.raises(ImportRejected) as caught:
        wages_import(actor="system:test", path=path)
    reasons = {e.line: e.reason for e in caught.value.errors}
    assert "must be 0000002" in reasons[6]
    assert "reporting quarter" in reasons[8]
    assert "ends without an F record" in reasons[9]
    assert WageRecord.objects.count() == 0


def test_every_bad_csv_wage_line_is_reported(tmp_path):
    lines = [
        WAGE_HEADER,
        "123456789,Ana,Garcia,850000001,2026,2,100.00",
        "123456789,Ana,Garcia,850000001,2026,2,100.00",  # duplicate of line 2
        "123456789,Ana,Garcia,8500001,2026,2,100.00",  # short FEIN
        "123456789,Ana,Garcia,850000001,1980,2,100.00",  # year out of range
        "123456789,Ana,Garcia,850000001,2026,5,100.00",  # quarter
        "123456789,Ana,Garcia,850000001,2026,3,-5",  # negative wages
        '123456789,Ana,Garcia,850000001,2026,4,"1,000"',  # comma in amount
        "12345678,Ana,Garcia,850000001,2026,1,1",  # short SSN
    ]
    path = write(tmp_path, "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(ImportRejected) as caught:
        wages_import(actor="system:test", path=path)
    assert [e.line for e in caught.value.errors] == [3, 4, 5, 6, 7, 8, 9]
    assert Worker.objects.count() == WageRecord.objects.count() == 0


def test_the_command_detects_the_format_and_reports_bad_lines(tmp_path, capsys):
    call_command("import_wages", str(write(tmp_path, "q2.txt", icesa())))
    assert "(icesa): 3 rows, 3 created" in capsys.readouterr().out
    junk = write(tmp_path, "junk.bin", bytes(range(256)) * 40)
    with pytest.raises(CommandError, match="bad line"):
        call_command("import_wages", str(junk))
    assert "junk.bin: line 1:" in capsys.readouterr().err


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.binary(max_size=3000))
def test_parsers_turn_any_bytes_into_rows_or_line_errors(data):
    for parse in (importers.parse_wage_icesa, importers.parse_wage_csv):
        parsed = parse(io.BytesIO(data), max_year=2027)
        assert parsed.rows or parsed.error_count or not data.strip()
    parsed = importers.parse_worker_csv(
        io.BytesIO(data), today=datetime.date(2026, 1, 1)
    )
    assert all(e.line >= 1 for e in parsed.errors)
