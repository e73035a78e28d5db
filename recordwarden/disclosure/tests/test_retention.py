"""Retention: package content goes after PACKAGE_RETENTION_DAYS; the hashes, the element
list and the accounting stay. Staff reads of content are logged inside the case."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import ProtectedError
from django.utils import timezone

from recordwarden.audit import actions as audit_actions
from recordwarden.disclosure import constants as c
from recordwarden.disclosure.models import AccountingEntry, DisclosurePackage
from recordwarden.disclosure.services import package_files, packages_purge_expired

from .conftest import audit_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(police_request, release):
    return release(police_request, {"employer": "approve", "wages": "approve"}).package


def test_purge_removes_content_but_keeps_hash_elements_and_accounting(
    package, settings
):
    from recordwarden.core.exceptions import Conflict

    sha, elements = package.sha256, list(package.elements)
    too_soon = timezone.now() + dt.timedelta(days=settings.PACKAGE_RETENTION_DAYS - 1)
    assert packages_purge_expired(actor="system:test", now=too_soon) == 0
    later = timezone.now() + dt.timedelta(days=settings.PACKAGE_RETENTION_DAYS + 1)
    assert packages_purge_expired(actor="system:test", now=later) == 1
    assert packages_purge_expired(actor="system:test", now=later) == 0
    package = DisclosurePackage.objects.get(pk=package.pk)
    assert package.purged_at is not None
    assert package.json_encrypted is None and package.pdf_encrypted is None
    assert package.csv_encrypted is None
    assert (package.sha256, package.elements) == (sha, elements)
    assert package.pdf_sha256 and package.csv_sha256
    assert AccountingEntry.objects.filter(package=package).count() == 1
    with pytest.raises(Conflict):
        package_files(package)
    (entry,) = audit_entries(c.PACKAGE_PURGED, package)
    assert entry.data["sha256"] == sha and entry.data["elements"] == elements


def test_a_link_to_a_purged_package_says_so_plainly(
    package, requester_police, client_for, settings
):
    client = client_for(requester_police)
    url = client.post(f"/disclosure/packages/{package.public_id}/link")["Location"]
    settings.PACKAGE_RETENTION_DAYS = 0
    call_command("purge_packages", stdout=io.StringIO())
    page = client.get(url)
    assert page.status_code == 410
    assert b"no longer available" in page.content
    listing = client.get("/disclosure/packages/").content
    assert b"No longer available" in listing and b"Get a download link" not in listing


def test_purge_packages_command_reports_what_it_did(package, settings):
    settings.PACKAGE_RETENTION_DAYS = 0
    out = io.StringIO()
    call_command("purge_packages", stdout=out)
    assert "1 package(s) older than 0 days purged" in out.getvalue()


def test_a_package_with_an_accounting_cannot_be_deleted(package):
    with pytest.raises(ProtectedError):
        DisclosurePackage.objects.filter(pk=package.pk).delete()


def test_staff_read_of_a_package_is_logged_in_its_case(package, reviewer, client_for):
    from recordwarden.audit.models import AuditEntry
    from recordwarden.audit.services import target_ref

    client = client_for(reviewer)
    detail = client.get(f"/disclosure/staff/packages/{package.public_id}/")
    assert detail.status_code == 200 and package.sha256.encode() in detail.content
    response = client.get(f"/disclosure/staff/packages/{package.public_id}/package.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    (read,) = AuditEntry.objects.filter(
        action=audit_actions.RECORD_READ, actor=f"user:{reviewer.pk}"
    )
    assert read.target == target_ref(package)
    assert read.data == {"case": target_ref(package.request), "what": "package"}
    for part in ("other", "..", "accounting-letter"):
        url = f"/disclosure/staff/packages/{package.public_id}/{part}.pdf"
        assert client.get(url).status_code == 404


def test_only_staff_open_package_records(
    package, client_for, requester_police, intake_clerk
):
    for user in (requester_police, intake_clerk):
        client = client_for(user)
        assert (
            client.get(f"/disclosure/staff/packages/{package.public_id}/").status_code
            == 403
        )
        assert client.get("/disclosure/").status_code == 403


def test_the_disclosures_index_lists_packages_without_personal_data(
    package, auditor, client_for
):
    page = client_for(auditor).get("/disclosure/")
    assert page.status_code == 200
    assert package.reference.encode() in page.content
    assert b"Keller" not in page.content
