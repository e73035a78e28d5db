"""The disclosures API: an agency's system lists the packages released to its agency and
downloads each one once.

GET  /api/v1/disclosures                       your agency's packages, newest first
GET  /api/v1/disclosures/{id}                  one package's facts (hashes, elements)
POST /api/v1/disclosures/{id}/download?format=json|csv|pdf|zip
                                               the content, once; then 410 Gone

``id`` is the package's UUID. Another agency's package is "not found". A package is
handed over once by whichever door is first (this API or a portal link); the download is
a POST because it changes the package's state.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.security import HttpBearer

from recordwarden.accounts.services import api_token_authenticate
from recordwarden.core.exceptions import NotFound

from .constants import PackageFormat
from .selectors import package_get_for_requester, packages_for_requester
from .services import package_download_api

PREFIX = "disclosures"
MAX_LIST = 200

FormatCode = Literal[tuple(PackageFormat.values)]  # type: ignore[valid-type]


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token belongs to one requester."""

    def authenticate(self, request, token):
        return api_token_authenticate(token)


router = Router(auth=TokenAuth(), tags=["disclosures"])


class PackageOut(Schema):
    id: uuid.UUID = Field(..., description="Package id (UUID).")
    reference: str
    request: str = Field(..., description="The request's reference.")
    built_at: dt.datetime
    elements: list[str]
    people: int
    sha256: str = Field(..., description="SHA-256 of the JSON document.")
    pdf_sha256: str
    csv_sha256: str
    available: bool = Field(..., description="Not yet downloaded and not purged.")
    delivered_at: dt.datetime | None
    purged_at: dt.datetime | None


class DownloadQuery(Schema):
    format: FormatCode = Field("json", description="json, csv, pdf or zip (all three).")


def _out(package) -> dict:
    return {
        "id": package.public_id,
        "reference": package.reference,
        "request": package.request.reference,
        "built_at": package.built_at,
        "elements": package.elements,
        "people": package.subject_count,
        "sha256": package.sha256,
        "pdf_sha256": package.pdf_sha256,
        "csv_sha256": package.csv_sha256,
        "available": package.is_available,
        "delivered_at": package.delivered_at,
        "purged_at": package.purged_at,
    }


def _requester(request):
    requester = request.auth
    if requester is None or requester.agency_id is None:
        # API tokens are for agency systems; a worker downloads on the portal.
        raise NotFound("No such resource.")
    return requester


@router.get("", response=list[PackageOut], summary="Packages released to your agency")
def list_packages(request):
    requester = _requester(request)
    return [_out(p) for p in packages_for_requester(requester)[:MAX_LIST]]


@router.get("/{package_id}", response=PackageOut, summary="One package's facts")
def get_package(request, package_id: str):
    return _out(package_get_for_requester(_requester(request), package_id))


@router.post(
    "/{package_id}/download",
    summary="Download the package once",
    response={200: None, 410: dict},
)
def download_package(request, package_id: str, query: Query[DownloadQuery]):
    requester = _requester(request)
    package = package_get_for_requester(requester, package_id)
    delivery = package_download_api(actor=requester, package=package, fmt=query.format)
    if not delivery.ok:
        from recordwarden.api import problem

        detail = (
            "The package's content was removed after its retention period."
            if delivery.state == "purged"
            else "The package was already downloaded; it is handed over once."
        )
        return problem(request, 410, "Gone", detail)
    response = HttpResponse(delivery.content, content_type=delivery.content_type)
    response["Content-Disposition"] = f'attachment; filename="{delivery.filename}"'
    response["Cache-Control"] = "no-store"
    response["Digest"] = f"sha-256={_b64sha(delivery.content)}"
    return response


def _b64sha(content: bytes) -> str:
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha256(content).digest()).decode()
