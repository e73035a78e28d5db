"""The disclosures API: bearer tokens, the agency's own packages only, one download."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from recordwarden.accounts.services import api_token_create, api_token_revoke
from recordwarden.disclosure import constants as c
from recordwarden.disclosure.services import package_files

from .conftest import audit_entries

pytestmark = pytest.mark.django_db
BASE = "/api/v1/disclosures"


@pytest.fixture
def package(police_request, release):
    return release(police_request, {"employer": "approve", "wages": "approve"}).package


def _token(requester):
    _row, clear = api_token_create(actor="system:test", requester=requester, name="cms")
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def test_an_agency_system_lists_and_reads_its_packages(
    client, package, requester_police
):
    auth = _token(requester_police)
    listing = client.get(BASE, **auth)
    assert listing.status_code == 200
    (row,) = listing.json()
    assert row["id"] == str(package.public_id)
    assert row["reference"] == package.reference
    assert row["elements"] == ["employer", "wages"]
    assert row["sha256"] == package.sha256 and row["available"] is True
    detail = client.get(f"{BASE}/{package.public_id}", **auth)
    assert detail.status_code == 200 and detail.json()["people"] == 1


def test_the_api_download_works_once_then_says_gone(client, package, requester_police):
    auth = _token(requester_police)
    first = client.post(f"{BASE}/{package.public_id}/download?format=json", **auth)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/json"
    assert hashlib.sha256(first.content).hexdigest() == package.sha256
    assert first.content == package_files(package)[f"{package.reference}.json"]
    second = client.post(f"{BASE}/{package.public_id}/download?format=csv", **auth)
    assert second.status_code == 410
    assert second["Content-Type"] == "application/problem+json"
    assert "handed over once" in second.json()["detail"]
    (entry,) = audit_entries(c.PACKAGE_DOWNLOADED, package)
    assert entry.data["via"] == "api" and entry.data["format"] == "json"
    assert entry.actor == f"accounts.requester:{requester_police.pk}"
    assert [e.data["reason"] for e in audit_entries(c.DOWNLOAD_REFUSED, package)] == [
        "delivered"
    ]
    assert (
        client.get(f"{BASE}/{package.public_id}", **auth).json()["available"] is False
    )


def test_a_zip_download_holds_every_format(client, package, requester_police):
    response = client.post(
        f"{BASE}/{package.public_id}/download?format=zip", **_token(requester_police)
    )
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert f"{package.reference}.pdf" in names and "SHA256SUMS" in names


def test_an_api_download_ends_any_portal_link(
    client, package, requester_police, client_for
):
    portal = client_for(requester_police)
    url = portal.post(f"/disclosure/packages/{package.public_id}/link")["Location"]
    client.post(f"{BASE}/{package.public_id}/download", **_token(requester_police))
    page = portal.post(url)
    assert page.status_code == 410


def test_another_agency_gets_not_found(client, package, requester_csed):
    auth = _token(requester_csed)
    assert client.get(BASE, **auth).json() == []
    assert client.get(f"{BASE}/{package.public_id}", **auth).status_code == 404
    response = client.post(f"{BASE}/{package.public_id}/download", **auth)
    assert response.status_code == 404
    package.refresh_from_db()
    assert package.delivered_at is None


def test_without_a_valid_token_nothing_is_answered(client, package, requester_police):
    assert client.get(BASE).status_code == 401
    assert client.get(BASE, HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    row, clear = api_token_create(
        actor="system:test", requester=requester_police, name="x"
    )
    api_token_revoke(actor="system:test", token=row)
    response = client.post(
        f"{BASE}/{package.public_id}/download", HTTP_AUTHORIZATION=f"Bearer {clear}"
    )
    assert response.status_code == 401
    package.refresh_from_db()
    assert package.delivered_at is None


@pytest.mark.parametrize(
    "path",
    [
        "/not-a-uuid",
        "/00000000-0000-0000-0000-000000000000",
        "/' OR 1=1 --",
        "/%00",
        "/" + "a" * 5000,
    ],
)
def test_hostile_ids_are_not_found(client, package, requester_police, path):
    auth = _token(requester_police)
    assert client.get(BASE + path, **auth).status_code == 404
    assert client.post(BASE + path + "/download", **auth).status_code == 404


@pytest.mark.parametrize("fmt", ["exe", "", "JSON", "json;rm -rf", "../json"])
def test_an_unknown_format_is_refused_and_hands_nothing_over(
    client, package, requester_police, fmt
):
    response = client.post(
        f"{BASE}/{package.public_id}/download",
        {"format": fmt},
        QUERY_STRING=f"format={fmt}",
        **_token(requester_police),
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    package.refresh_from_db()
    assert package.delivered_at is None


def test_a_worker_token_cannot_use_the_agency_api(client, requester_worker):
    assert client.get(BASE, **_token(requester_worker)).status_code == 404
