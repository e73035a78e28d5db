"""Writes of the disclosure app: build a package, hand it over once, purge its content.

``package_build`` runs inside the transaction in which a releasing decision becomes
final (review's ``decision_sign`` calls it), so a release whose package cannot be built
rolls back with the signature that would have made it final: the failure is closed.

Delivery is once per package, by whichever door comes first (a portal link or the API):
both doors compare-and-set ``delivered_at`` from NULL, so two simultaneous downloads
cannot both succeed. Links are one-time and expiring, and only their SHA-256 is stored.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import logging
import secrets
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from recordwarden.audit.services import actor_ref, audit_record
from recordwarden.core import crypto
from recordwarden.core.exceptions import Conflict, Forbidden, NotFound
from recordwarden.intake.constants import RequestStatus

from . import constants as c
from .accounting import accounting_letter_pdf, accounting_record
from .constants import DeliveryChannel, PackageFormat
from .models import DisclosurePackage, DownloadLink
from .pdf import package_pdf
from .permissions import requester_may_receive
from .snapshot import (
    PackageError,
    collect,
    confirmed_workers,
    released_elements,
    to_csv,
    to_json,
)

log = logging.getLogger("recordwarden.disclosure")
SYSTEM = "system:disclosure"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _seal(data: bytes, reference: str, part: str) -> bytes:
    """Encrypt a package part; the reference and part are bound as associated data."""
    return crypto.encrypt(
        base64.b64encode(data).decode("ascii"),
        context=f"disclosure.package:{reference}:{part}",
    )


def _open(blob, reference: str, part: str) -> bytes:
    text = crypto.decrypt(blob, context=f"disclosure.package:{reference}:{part}")
    return base64.b64decode(text)


def recipient_label(request) -> str:
    requester = request.requester
    agency = request.agency or getattr(requester, "agency", None)
    if agency and requester:
        return f"{agency.name} ({requester.name})"
    if agency:
        return agency.name
    if requester:
        return requester.name
    return request.claimed_agency or "the requester"


# --- Building ----------------------------------------------------------------------


def _check_decision(decision) -> None:
    from recordwarden.review.constants import RELEASE_KINDS, DecisionState
    from recordwarden.review.services import signatures_complete

    if decision.kind not in RELEASE_KINDS:
        raise PackageError("Only an approval or a partial approval releases records.")
    if decision.state != DecisionState.FINAL or decision.finalized_at is None:
        raise PackageError("The decision is not final: it still needs its signatures.")
    if not signatures_complete(decision, list(decision.signatures.all())):
        raise PackageError("Nothing is released without two staff signatures.")
    if decision.request.status not in (RequestStatus.APPROVED, RequestStatus.RELEASED):
        raise PackageError("The request is not approved.")


@transaction.atomic
def package_build(*, actor, decision) -> DisclosurePackage:
    """Build the package for a final releasing decision, record the accounting for
    each person in it, and make it available to the requester (request: RELEASED).

    Raises PackageError (the caller's transaction rolls back) if the decision does not
    release anything, no person in the request is confirmed, or the decision names an
    element the request did not ask for. Calling it again returns the same package."""
    from recordwarden.review.models import Decision

    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("request__agency", "request__requester__agency")
        .get(pk=decision.pk)
    )
    existing = DisclosurePackage.objects.filter(decision=decision).first()
    if existing is not None:
        return existing
    _check_decision(decision)
    request = decision.request
    released = released_elements(decision)
    if not released:
        raise PackageError("The decision approves no element, so nothing is released.")
    pairs = confirmed_workers(request)
    if not pairs:
        raise PackageError(
            "No person named in this request is confirmed in the records; confirm the "
            "match before the release is signed."
        )
    package, document = _package_store(
        actor=actor, decision=decision, released=released, pairs=pairs
    )
    entries = accounting_record(
        actor=actor, package=package, pairs=pairs, document=document
    )
    _release_request(request, package)
    _audit_built(actor, package, decision, len(entries))
    _notify_requester_on_commit(package)
    from .notices import notices_schedule

    notices_schedule(actor=actor, request=request)
    return package


def _audit_built(actor, package, decision, entries: int) -> None:
    """The hashes and the element list go on the audit log with the build."""
    audit_record(
        actor=actor,
        action=c.PACKAGE_BUILT,
        target=package,
        data={
            "request": package.request_id,
            "decision": decision.pk,
            "reference": package.reference,
            "sha256": package.sha256,
            "pdf_sha256": package.pdf_sha256,
            "csv_sha256": package.csv_sha256,
            "letter_sha256": package.letter_sha256,
            "elements": package.elements,
            "subjects": package.subject_count,
            "accounting_entries": entries,
        },
    )


def _package_store(*, actor, decision, released, pairs):
    request = decision.request
    now = timezone.now()
    reference = f"{request.reference}-P{decision.pk}"
    label = recipient_label(request)
    document = collect(
        reference=reference,
        decision=decision,
        released=released,
        pairs=pairs,
        recipient=label,
        built_at=now,
    )
    json_bytes, csv_bytes = to_json(document), to_csv(document)
    json_sha = sha256_hex(json_bytes)
    pdf_bytes = package_pdf(
        document, json_sha256=json_sha, built_on=timezone.localdate(now)
    )
    keys = [r.key for r in released]
    letter = b""
    if "accounting_of_disclosures" in keys:
        letter = accounting_letter_pdf(
            request=request, workers=[w for _, w in pairs], now=now
        )
    package = DisclosurePackage(
        reference=reference,
        request=request,
        decision=decision,
        recipient_agency=request.agency or getattr(request.requester, "agency", None),
        recipient_requester=request.requester,
        recipient_label=label[:300],
        elements=keys,
        subject_count=len(pairs),
        built_at=now,
        built_by=actor_ref(actor),
        sha256=json_sha,
        pdf_sha256=sha256_hex(pdf_bytes),
        csv_sha256=sha256_hex(csv_bytes),
        size_bytes=len(json_bytes) + len(csv_bytes) + len(pdf_bytes) + len(letter),
        json_encrypted=_seal(json_bytes, reference, "json"),
        csv_encrypted=_seal(csv_bytes, reference, "csv"),
        pdf_encrypted=_seal(pdf_bytes, reference, "pdf"),
        letter_pdf_encrypted=_seal(letter, reference, "letter") if letter else None,
        letter_sha256=sha256_hex(letter) if letter else "",
    )
    package.full_clean()
    package.save()
    return package, document


def _release_request(request, package) -> None:
    """APPROVED -> RELEASED through the review workflow's own move."""
    from recordwarden.intake.models import Request
    from recordwarden.review.services import request_transition

    current = Request.objects.select_for_update().get(pk=request.pk)
    if current.status == RequestStatus.RELEASED:
        return
    request_transition(
        actor=SYSTEM,
        request=current,
        to=RequestStatus.RELEASED,
        reason=f"package {package.reference} available",
    )
    request.status = current.status


def _notify_requester_on_commit(package) -> None:
    """Tell the requester the package is ready. The mail holds no link: links are made
    on the portal by a signed-in requester, so a forwarded mail releases nothing."""
    requester = package.recipient_requester
    if requester is None or not requester.email:
        return
    subject = f"Records ready: {package.request.reference}"
    body = (
        f"The records approved for your request {package.request.reference} are "
        "ready. Sign in to the portal and open Disclosures to download them once. "
        f"They stay available for {settings.PACKAGE_RETENTION_DAYS} days."
    )
    address = requester.email

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:  # the package stays on the portal whatever the mail does
            log.exception("could not mail the package notice for %s", package.reference)

    transaction.on_commit(send)


# --- Content -------------------------------------------------------------------------


def package_files(package: DisclosurePackage) -> dict[str, bytes]:
    """The stored parts, decrypted. Raises Conflict once the content is purged."""
    if package.is_purged or package.json_encrypted is None:
        raise Conflict("This package's content was removed after its retention period.")
    ref = package.reference
    files = {
        f"{ref}.pdf": _open(package.pdf_encrypted, ref, "pdf"),
        f"{ref}.json": _open(package.json_encrypted, ref, "json"),
        f"{ref}.csv": _open(package.csv_encrypted, ref, "csv"),
    }
    if package.letter_pdf_encrypted:
        files[f"{ref}-accounting-letter.pdf"] = _open(
            package.letter_pdf_encrypted, ref, "letter"
        )
    return files


def package_zip(package: DisclosurePackage) -> bytes:
    files = package_files(package)
    sums = "".join(f"{sha256_hex(data)}  {name}\n" for name, data in files.items())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("SHA256SUMS", sums)
    return out.getvalue()


CONTENT_TYPES = {
    PackageFormat.PDF: "application/pdf",
    PackageFormat.JSON: "application/json",
    PackageFormat.CSV: "text/csv; charset=utf-8",
    PackageFormat.ZIP: "application/zip",
}


def package_content(package: DisclosurePackage, fmt: str) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of one format of the package."""
    if fmt == PackageFormat.ZIP:
        return package_zip(package), CONTENT_TYPES[fmt], f"{package.reference}.zip"
    name = f"{package.reference}.{fmt}"
    files = package_files(package)
    if name not in files:
        raise NotFound("No such format.")
    return files[name], CONTENT_TYPES[PackageFormat(fmt)], name


# --- Delivery ----------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def valid_token_shape(token: str) -> bool:
    return (
        isinstance(token, str)
        and 40 <= len(token) <= 64
        and all(ch.isalnum() or ch in "-_" for ch in token)
    )


@transaction.atomic
def download_link_issue(
    *, actor, package: DisclosurePackage
) -> tuple[DownloadLink, str]:
    """A one-time link for a requester who may receive ``package``. Earlier unused links
    to it stop working. Returns the row and the clear token (shown once, never stored)."""
    requester = getattr(actor, "requester", None)
    if requester is None or not requester_may_receive(requester, package):
        raise NotFound("No such package.")
    package = DisclosurePackage.objects.select_for_update().get(pk=package.pk)
    if not package.is_available:
        raise Conflict(
            "This package was already downloaded."
            if package.is_delivered
            else "This package's content was removed after its retention period."
        )
    now = timezone.now()
    DownloadLink.objects.filter(
        package=package, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    clear = secrets.token_urlsafe(c.TOKEN_BYTES)
    link = DownloadLink(
        package=package,
        token_hash=token_hash(clear),
        created_at=now,
        expires_at=now + dt.timedelta(hours=settings.DOWNLOAD_LINK_HOURS),
        issued_by=actor_ref(actor),
    )
    link.full_clean()
    link.save()
    audit_record(
        actor=actor,
        action=c.LINK_ISSUED,
        target=package,
        data={"link": link.pk, "expires_at": link.expires_at},
    )
    return link, clear


class LinkState:
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    REPLACED = "replaced"
    DELIVERED = "delivered"
    PURGED = "purged"
    UNKNOWN = "unknown"


def link_state(link: DownloadLink | None, now=None) -> str:
    if link is None:
        return LinkState.UNKNOWN
    now = now or timezone.now()
    package = link.package
    if link.used_at:
        return LinkState.USED
    if package.is_purged:
        return LinkState.PURGED
    if package.is_delivered:
        return LinkState.DELIVERED
    if link.revoked_at:
        return LinkState.REPLACED
    if link.expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.VALID


def link_lookup(*, actor, token: str) -> DownloadLink | None:
    """The link for ``token`` if ``actor`` may receive its package; else None (the same
    answer for a made-up token and for someone else's)."""
    if not valid_token_shape(token):
        return None
    link = (
        DownloadLink.objects.select_related("package__request")
        .filter(token_hash=token_hash(token))
        .first()
    )
    requester = getattr(actor, "requester", None)
    if link is None or requester is None:
        return None
    if not requester_may_receive(requester, link.package):
        return None
    return link


@dataclass
class Delivery:
    ok: bool
    state: str
    package: DisclosurePackage | None = None
    content: bytes = b""
    content_type: str = ""
    filename: str = ""


class _Refused(Exception):
    def __init__(self, state: str):
        self.state = state


def _claim(package_pk: int, requester, via: str, now) -> None:
    """Compare-and-set: the first caller marks the package delivered, the others fail."""
    claimed = DisclosurePackage.objects.filter(
        pk=package_pk, delivered_at__isnull=True, purged_at__isnull=True
    ).update(delivered_at=now, delivered_via=via, delivered_to=requester)
    if claimed == 0:
        package = DisclosurePackage.objects.get(pk=package_pk)
        raise _Refused(LinkState.PURGED if package.is_purged else LinkState.DELIVERED)


def _refused(actor, package, state: str, via: str, link=None) -> Delivery:
    audit_record(
        actor=actor,
        action=c.DOWNLOAD_REFUSED,
        target=package,
        data={"reason": state, "via": via, "link": link.pk if link else None},
    )
    return Delivery(ok=False, state=state, package=package)


def _delivered(actor, package, via: str, fmt: str, link=None) -> Delivery:
    package.refresh_from_db()
    content, content_type, filename = package_content(package, fmt)
    audit_record(
        actor=actor,
        action=c.PACKAGE_DOWNLOADED,
        target=package,
        data={
            "via": via,
            "format": fmt,
            "link": link.pk if link else None,
            "sha256": package.sha256,
            "content_sha256": sha256_hex(content),
        },
    )
    return Delivery(True, LinkState.VALID, package, content, content_type, filename)


@transaction.atomic
def download_link_redeem(*, actor, token: str) -> Delivery:
    """Hand over the package behind ``token`` once, as a ZIP (PDF, JSON, CSV, sums).

    A used, expired, replaced or unknown link returns ``ok=False`` with its state;
    only one of two simultaneous uses of one link (or of two links) succeeds."""
    link = link_lookup(actor=actor, token=token)
    if link is None:
        return Delivery(ok=False, state=LinkState.UNKNOWN)
    requester = actor.requester
    now = timezone.now()
    try:
        with transaction.atomic():
            used = DownloadLink.objects.filter(
                pk=link.pk,
                used_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=now,
            ).update(used_at=now, used_by=requester)
            if used == 0:
                link.refresh_from_db()
                raise _Refused(link_state(link, now))
            _claim(link.package_id, requester, DeliveryChannel.PORTAL, now)
    except _Refused as refused:
        return _refused(
            actor, link.package, refused.state, DeliveryChannel.PORTAL, link
        )
    return _delivered(
        actor, link.package, DeliveryChannel.PORTAL, PackageFormat.ZIP, link
    )


@transaction.atomic
def package_download_api(*, actor, package: DisclosurePackage, fmt: str) -> Delivery:
    """Hand over ``package`` once to an agency system (bearer token), in one format
    (``zip`` for all of them). Any open portal link stops working."""
    requester = getattr(actor, "requester", actor)
    if not requester_may_receive(requester, package):
        raise NotFound("No such package.")
    if fmt not in PackageFormat.values:
        raise Forbidden("Ask for pdf, json, csv or zip.")
    now = timezone.now()
    try:
        with transaction.atomic():
            _claim(package.pk, requester, DeliveryChannel.API, now)
    except _Refused as refused:
        return _refused(requester, package, refused.state, DeliveryChannel.API)
    DownloadLink.objects.filter(
        package=package, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    return _delivered(requester, package, DeliveryChannel.API, fmt)


# --- Retention -----------------------------------------------------------------------


def purge_cutoff(now=None) -> dt.datetime:
    now = now or timezone.now()
    return now - dt.timedelta(days=settings.PACKAGE_RETENTION_DAYS)


def package_purge(*, actor, package: DisclosurePackage, now=None) -> bool:
    """Remove one package's content (its hashes, element list and accounting stay).
    Returns False if it was already purged."""
    now = now or timezone.now()
    with transaction.atomic():
        purged = DisclosurePackage.objects.filter(
            pk=package.pk, purged_at__isnull=True
        ).update(
            purged_at=now,
            json_encrypted=None,
            csv_encrypted=None,
            pdf_encrypted=None,
            letter_pdf_encrypted=None,
        )
        if purged == 0:
            return False
        DownloadLink.objects.filter(
            package=package, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        audit_record(
            actor=actor,
            action=c.PACKAGE_PURGED,
            target=package,
            data={
                "reference": package.reference,
                "sha256": package.sha256,
                "elements": package.elements,
                "built_at": package.built_at,
            },
        )
    return True


def packages_purge_expired(*, actor, now=None) -> int:
    """Purge every package built more than PACKAGE_RETENTION_DAYS ago; each in its own
    transaction with its audit entry. Returns how many were purged."""
    cutoff = purge_cutoff(now)
    due = DisclosurePackage.objects.filter(
        built_at__lt=cutoff, purged_at__isnull=True
    ).only("pk", "reference", "sha256", "elements", "built_at")
    return sum(package_purge(actor=actor, package=p, now=now) for p in due.iterator())
