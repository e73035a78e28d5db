"""Handing a package over: a one-time, expiring portal link and a one-time API download,
each audited; used, expired, replaced and unknown links get a plain page."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
import zipfile
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from recordwarden.disclosure import constants as c
from recordwarden.disclosure.models import DisclosurePackage, DownloadLink
from recordwarden.disclosure.services import (
    download_link_issue,
    download_link_redeem,
    package_files,
    token_hash,
)

from .conftest import audit_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(police_request, release):
    return release(police_request, {"employer": "approve", "wages": "approve"}).package


def _link(client, package):
    response = client.post(f"/disclosure/packages/{package.public_id}/link")
    assert response.status_code == 302
    return response["Location"]


def test_a_link_works_once_and_then_never(package, requester_police, client_for):
    client = client_for(requester_police)
    listing = client.get("/disclosure/packages/")
    assert package.reference in listing.content.decode()
    url = _link(client, package)
    page = client.get(url)
    assert page.status_code == 200 and b"works <strong>once</strong>" in page.content
    assert client.get(url).status_code == 200  # looking does not use it up
    first = client.post(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(first.content))
    names = set(archive.namelist())
    assert names == {
        f"{package.reference}.pdf",
        f"{package.reference}.json",
        f"{package.reference}.csv",
        "SHA256SUMS",
    }
    stored = package_files(package)
    for name, data in stored.items():
        assert archive.read(name) == data
    assert (
        hashlib.sha256(archive.read(f"{package.reference}.json")).hexdigest()
        == package.sha256
    )

    again = client.post(url)
    assert again.status_code == 410
    assert b"already been used" in again.content
    assert client.get(url).status_code == 410
    package.refresh_from_db()
    assert (
        package.delivered_via == "portal" and package.delivered_to == requester_police
    )
    (downloaded,) = audit_entries(c.PACKAGE_DOWNLOADED, package)
    assert (
        downloaded.data["via"] == "portal"
        and downloaded.data["sha256"] == package.sha256
    )
    (refused,) = audit_entries(c.DOWNLOAD_REFUSED, package)
    assert refused.data["reason"] == "used"
    assert audit_entries(c.LINK_ISSUED, package)
    # Once delivered, no new link can be made.
    assert b"Get a download link" not in client.get("/disclosure/packages/").content
    response = client.post(
        f"/disclosure/packages/{package.public_id}/link", follow=True
    )
    assert b"already downloaded" in response.content


def test_an_expired_link_shows_a_plain_page_and_hands_nothing_over(
    package, requester_police, client_for, settings
):
    settings.SESSION_COOKIE_AGE = 30 * 24 * 3600  # the session outlives the link
    client = client_for(requester_police)
    url = _link(client, package)
    later = timezone.now() + dt.timedelta(hours=settings.DOWNLOAD_LINK_HOURS, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        page = client.get(url)
        assert page.status_code == 410
        assert b"This download link has expired" in page.content
        assert b"Traceback" not in page.content
        posted = client.post(url)
    assert posted.status_code == 410
    package.refresh_from_db()
    assert package.delivered_at is None
    assert [e.data["reason"] for e in audit_entries(c.DOWNLOAD_REFUSED, package)] == [
        "expired"
    ]


def test_a_new_link_replaces_the_old_one(package, requester_police, client_for):
    client = client_for(requester_police)
    old, new = _link(client, package), _link(client, package)
    assert client.post(old).status_code == 410
    assert b"newer download link" in client.get(old).content
    assert client.post(new).status_code == 200


def test_links_cannot_be_guessed_or_used_by_anyone_else(
    package, requester_police, requester_csed, client_for, reviewer
):
    owner = client_for(requester_police)
    url = _link(owner, package)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43
    link = DownloadLink.objects.get(package=package)
    assert link.token_hash == token_hash(token) and token not in link.token_hash
    # Another agency, a staff member and an anonymous visitor: nothing, not even a hint.
    other = client_for(requester_csed)
    assert (
        other.post(f"/disclosure/packages/{package.public_id}/link").status_code == 404
    )
    for client in (other, client_for(reviewer)):
        page = client.post(url)
        assert page.status_code == 404 and b"not valid" in page.content
    from django.test import Client

    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert owner.post(url).status_code == 200  # none of that used it up


@pytest.mark.parametrize(
    "token",
    [
        "x",
        "A" * 43,
        "A" * 500,
        "%00%0a" * 10,
        "' OR 1=1 --" + "a" * 40,
        "..%2F..%2Fetc%2Fpasswd" + "b" * 30,
        "é" * 45,
    ],
)
def test_made_up_or_hostile_tokens_get_the_plain_page(
    token, package, requester_police, client_for
):
    client = client_for(requester_police)
    for method in (client.get, client.post):
        response = method(f"/disclosure/download/{token}/")
        assert response.status_code == 404
        # The link page, or the site's plain "not found" page for a token with a slash.
        assert b"not valid" in response.content or b"Page not found" in response.content
    package.refresh_from_db()
    assert package.delivered_at is None


@pytest.mark.parametrize("public_id", ["not-a-uuid", "1", "0" * 32, "' OR 1=1"])
def test_hostile_package_ids_are_not_found(
    public_id, package, requester_police, client_for
):
    client = client_for(requester_police)
    assert client.post(f"/disclosure/packages/{public_id}/link").status_code == 404


def test_a_link_survives_only_while_the_package_is_undelivered(
    package, requester_police
):
    from recordwarden.core.exceptions import Conflict

    _link_row, token = download_link_issue(actor=requester_police.user, package=package)
    assert download_link_redeem(actor=requester_police.user, token=token).ok
    with pytest.raises(Conflict):
        download_link_issue(actor=requester_police.user, package=package)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_uses_of_one_link_hand_it_over_once(
    police_request, release, requester_police
):
    package = release(
        police_request, {"employer": "approve", "wages": "approve"}
    ).package
    _row, token = download_link_issue(actor=requester_police.user, package=package)
    user = requester_police.user
    barrier = threading.Barrier(2)
    results: list = []

    def use():
        try:
            barrier.wait()
            results.append(download_link_redeem(actor=user, token=token))
        except OperationalError as exc:  # SQLite's shared-cache lock refused the writer
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [r for r in results if not isinstance(r, Exception) and r.ok]
    assert len(ok) == 1
    assert (
        DisclosurePackage.objects.filter(
            pk=package.pk, delivered_at__isnull=False
        ).count()
        == 1
    )
    assert (
        DownloadLink.objects.filter(package=package, used_at__isnull=False).count() == 1
    )
    assert len(audit_entries(c.PACKAGE_DOWNLOADED, package)) == 1
    if connection.vendor == "postgresql":  # a real server queues the second writer
        assert not any(isinstance(r, Exception) for r in results)
