"""The accounting of disclosures: every release about a worker and nothing about anyone
else, the staff page inside a case, the worker's own letter, and suspensions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from recordwarden.audit import actions as audit_actions
from recordwarden.core.exceptions import Forbidden
from recordwarden.disclosure import constants as c
from recordwarden.disclosure.accounting import (
    accounting_for_staff,
    accounting_suspend,
    accounting_visible_to_worker,
)
from recordwarden.disclosure.models import AccountingEntry, AccountingSuspension
from recordwarden.disclosure.services import package_files

from .conftest import GARCIA, KELLER, PERIOD, audit_entries, pdf_pages

pytestmark = pytest.mark.django_db
BOTH = {"employer": "approve", "wages": "approve"}


@pytest.fixture
def three_releases(police_request, csed_request, submit, requester_police, release):
    """Police about Keller; child support about Ortega and Keller; police about Garcia."""
    garcia = submit(
        requester_police,
        instrument="judicial_warrant",
        case_number="26-2",
        purpose="criminal_investigation",
        elements=["employer", "wages"],
        instrument_subject_count=1,
        subjects=[GARCIA],
        purpose_text="Burglary.",
        **PERIOD,
    )
    return [release(r, BOTH).package for r in (police_request, csed_request, garcia)]


def test_a_workers_accounting_lists_every_release_about_them_and_nothing_else(
    three_releases, workers_on_file
):
    police, csed, garcia = three_releases
    by_worker = {
        last: {row.entry.package_id for row in accounting_for_staff(worker)}
        for last, worker in workers_on_file.items()
    }
    assert by_worker == {
        "Keller": {police.pk, csed.pk},
        "Ortega": {csed.pk},
        "Garcia": {garcia.pk},
    }
    keller = workers_on_file["Keller"]
    recipients = {e.recipient_name for e in accounting_visible_to_worker(keller)}
    assert recipients == {police.recipient_label, csed.recipient_label}
    entry = AccountingEntry.objects.get(worker=keller, package=csed)
    assert entry.retain_until >= timezone.localdate() + dt.timedelta(days=6 * 365)
    assert "Telephone +1-505-555-0120" in entry.recipient_address
    assert "Child support (IV-D)" in entry.purpose and "2026-118734" in entry.purpose


def test_the_staff_page_shows_the_accounting_inside_the_case_and_logs_the_read(
    three_releases, workers_on_file, auditor, client_for
):
    from recordwarden.audit.models import AuditEntry
    from recordwarden.audit.services import target_ref

    police, csed, _garcia = three_releases
    reference = csed.request.reference
    page = client_for(auditor).get(f"/disclosure/cases/{reference}/accounting/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Thomas A Keller" in text and "Daniel R Ortega" in text
    assert "Rosa" not in text  # Garcia is not in this case
    assert (
        police.recipient_label in text
    )  # Keller's earlier release is on his accounting
    reads = AuditEntry.objects.filter(
        action=audit_actions.RECORD_READ, actor=f"user:{auditor.pk}"
    )
    assert {(r.target, r.data["case"], r.data["what"]) for r in reads} == {
        (target_ref(workers_on_file["Keller"]), target_ref(csed.request), "accounting"),
        (target_ref(workers_on_file["Ortega"]), target_ref(csed.request), "accounting"),
    }


@pytest.mark.parametrize("role", ["reviewer", "counsel", "approver", "auditor"])
def test_accounting_staff_may_open_the_page(role, police_request, release, client_for):
    from conftest import make_staff

    release(police_request, BOTH)
    user = make_staff(f"{role}-acct", role)
    url = f"/disclosure/cases/{police_request.reference}/accounting/"
    assert client_for(user).get(url).status_code == 200


def test_others_may_not_and_an_unknown_case_is_not_found(
    police_request,
    release,
    client_for,
    intake_clerk,
    administrator,
    requester_police,
    auditor,
):
    release(police_request, BOTH)
    url = f"/disclosure/cases/{police_request.reference}/accounting/"
    for user in (intake_clerk, administrator, requester_police):
        assert client_for(user).get(url).status_code == 403
    from django.test import Client

    assert Client().get(url).status_code == 302
    for ref in ("RW-2099-999999", "x" * 300, "%00", "' OR 1=1"):
        assert (
            client_for(auditor).get(f"/disclosure/cases/{ref}/accounting/").status_code
            == 404
        )


def test_the_workers_own_request_produces_the_accounting_letter(
    three_releases, requester_keller, own_request, release, tmp_path, workers_on_file
):
    police, csed, garcia = three_releases
    request = own_request(requester_keller, KELLER)
    package = release(request, {"accounting_of_disclosures": "approve"}).package
    assert package.letter_sha256
    files = package_files(package)
    letter = files[f"{package.reference}-accounting-letter.pdf"]
    text = " ".join(" ".join(pdf_pages(letter, tmp_path)).split())
    assert "Accounting of disclosures" in text
    assert "Albuquerque Police Department" in text
    assert "Child Support Enforcement Division" in text
    assert "Burglary" not in text  # Garcia's release is not Keller's
    assert "12 Elm St NE" in text  # addressed to him, at his address on file
    # Handing the worker their own accounting is not itself an accounted disclosure.
    assert not AccountingEntry.objects.filter(package=package).exists()
    (built,) = audit_entries(c.PACKAGE_BUILT, package)
    assert built.data["letter_sha256"] == package.letter_sha256
    # The same list is in the package for systems.
    import json

    doc = json.loads(files[f"{package.reference}.json"])
    listed = doc["subjects"][0]["data"]["accounting_of_disclosures"]
    assert sorted(e["request"] for e in listed) == sorted(
        [police.request.reference, csed.request.reference]
    )


def test_a_suspension_hides_entries_from_the_worker_until_its_end_date(
    three_releases,
    workers_on_file,
    counsel,
    requester_keller,
    own_request,
    release,
    auditor,
    client_for,
    tmp_path,
):
    police, csed, _garcia = three_releases
    keller = workers_on_file["Keller"]
    ends = timezone.localdate() + dt.timedelta(days=60)
    suspension = accounting_suspend(
        actor=counsel,
        request=police.request,
        statement_reference="APD letter 2026-04-01 #77",
        written=True,
        reason="Ongoing undercover investigation.",
        ends_on=ends,
    )
    (entry,) = audit_entries(c.ACCOUNTING_SUSPENDED, police.request)
    assert entry.data["suspension"] == suspension.pk and entry.data["written"] is True
    visible = {e.package_id for e in accounting_visible_to_worker(keller)}
    assert visible == {csed.pk}
    later = {
        e.package_id
        for e in accounting_visible_to_worker(keller, ends + dt.timedelta(days=1))
    }
    assert later == {police.pk, csed.pk}
    # Staff see every entry, with the suspension noted.
    rows = accounting_for_staff(keller)
    assert {r.entry.package_id: bool(r.suspension) for r in rows} == {
        police.pk: True,
        csed.pk: False,
    }
    page = client_for(auditor).get(
        f"/disclosure/cases/{police.request.reference}/accounting/"
    )
    assert b"Suspended until" in page.content
    # The worker's letter leaves it out.
    request = own_request(requester_keller, KELLER)
    package = release(request, {"accounting_of_disclosures": "approve"}).package
    letter = package_files(package)[f"{package.reference}-accounting-letter.pdf"]
    letter_text = " ".join(" ".join(pdf_pages(letter, tmp_path)).split())
    assert csed.request.reference in letter_text
    assert police.request.reference not in letter_text
    import json

    doc = json.loads(package_files(package)[f"{package.reference}.json"])
    listed = [
        e["request"] for e in doc["subjects"][0]["data"]["accounting_of_disclosures"]
    ]
    assert listed == [csed.request.reference]


def test_an_oral_suspension_lasts_thirty_days_at_most(police_request, release, counsel):
    release(police_request, BOTH)
    with pytest.raises(ValidationError, match="at most 30 days"):
        accounting_suspend(
            actor=counsel,
            request=police_request,
            statement_reference="Call from Lt. Ruiz",
            written=False,
            reason="Investigation.",
            ends_on=timezone.localdate() + dt.timedelta(days=31),
        )
    accounting_suspend(
        actor=counsel,
        request=police_request,
        statement_reference="Call from Lt. Ruiz",
        written=False,
        reason="Investigation.",
        ends_on=timezone.localdate() + dt.timedelta(days=30),
    )


def test_only_law_enforcement_requests_and_only_counsel_or_approver(
    csed_request, police_request, release, counsel, reviewer
):
    release(csed_request, BOTH)
    args = {
        "statement_reference": "letter",
        "written": True,
        "reason": "x",
        "ends_on": timezone.localdate() + dt.timedelta(days=10),
    }
    with pytest.raises(ValidationError, match="law-enforcement"):
        accounting_suspend(actor=counsel, request=csed_request, **args)
    with pytest.raises(Forbidden):
        accounting_suspend(actor=reviewer, request=police_request, **args)
    with pytest.raises(ValidationError, match="after today"):
        accounting_suspend(
            actor=counsel,
            request=police_request,
            **{**args, "ends_on": timezone.localdate()},
        )
    assert not AccountingSuspension.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        (
            {
                "statement_reference": "",
                "written": "yes",
                "ends_on": "2099-01-01",
                "reason": "r",
            },
            "statement_reference",
        ),
        (
            {
                "statement_reference": "a\x00b",
                "written": "yes",
                "ends_on": "2099-01-01",
                "reason": "r",
            },
            "statement_reference",
        ),
        (
            {
                "statement_reference": "x" * 201,
                "written": "yes",
                "ends_on": "2099-01-01",
                "reason": "r",
            },
            "statement_reference",
        ),
        (
            {
                "statement_reference": "ok",
                "written": "maybe",
                "ends_on": "2099-01-01",
                "reason": "r",
            },
            "written",
        ),
        (
            {
                "statement_reference": "ok",
                "written": "yes",
                "ends_on": "not a date",
                "reason": "r",
            },
            "ends_on",
        ),
        (
            {
                "statement_reference": "ok",
                "written": "yes",
                "ends_on": "1999-01-01",
                "reason": "r",
            },
            "ends_on",
        ),
        (
            {
                "statement_reference": "ok",
                "written": "yes",
                "ends_on": "9999-12-31",
                "reason": "r",
            },
            "ends_on",
        ),
        (
            {
                "statement_reference": "ok",
                "written": "yes",
                "ends_on": "2099-01-01",
                "reason": "r" * 2001,
            },
            "reason",
        ),
        (
            {
                "statement_reference": "ok",
                "written": "no",
                "ends_on": "2099-01-01",
                "reason": "r",
            },
            "ends_on",
        ),
    ],
)
def test_the_suspension_form_refuses_bad_input(
    data, field, police_request, release, counsel, client_for
):
    release(police_request, BOTH)
    if data["ends_on"] == "2099-01-01":
        data = {
            **data,
            "ends_on": (timezone.localdate() + dt.timedelta(days=40 * 30)).isoformat(),
        }
    response = client_for(counsel).post(
        f"/disclosure/cases/{police_request.reference}/suspend-accounting/", data
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not AccountingSuspension.objects.exists()


def test_the_suspension_form_records_a_good_statement(
    police_request, release, approver, client_for
):
    release(police_request, BOTH)
    ends = timezone.localdate() + dt.timedelta(days=90)
    response = client_for(approver).post(
        f"/disclosure/cases/{police_request.reference}/suspend-accounting/",
        {
            "statement_reference": "APD 77",
            "written": "yes",
            "ends_on": ends.isoformat(),
            "reason": "Undercover.",
        },
    )
    assert response.status_code == 302
    assert AccountingSuspension.objects.get().ends_on == ends


def test_reviewers_may_not_record_a_suspension(
    police_request, release, reviewer, client_for
):
    release(police_request, BOTH)
    url = f"/disclosure/cases/{police_request.reference}/suspend-accounting/"
    assert client_for(reviewer).get(url).status_code == 403
