"""The requests API: an agency's system submits a request and follows its status.

POST /api/v1/requests            submit (Idempotency-Key: the same key twice makes one)
GET  /api/v1/requests            your agency's requests, newest first
GET  /api/v1/requests/{ref}      one request; another agency's is "not found"
POST /api/v1/requests/{ref}/documents   attach legal process (PDF or image, multipart)

Thin: parse, call the intake services, shape the answer. Errors are problem details.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from ninja import Field, File, Header, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from ninja.security import HttpBearer
from pydantic import ConfigDict

from recordwarden.accounts.services import api_token_authenticate
from recordwarden.records.catalogue import ELEMENTS

from .constants import (
    MAX_SUBJECTS,
    OUTWARD_CODE,
    OUTWARD_STATUS,
    Channel,
    Instrument,
    OutwardStatus,
    Purpose,
)
from .documents import DocumentInput
from .inputs import RequestInput, SubjectInput
from .selectors import get_request_for, request_list_for
from .services import request_document_add, request_submit

PREFIX = "requests"

InstrumentCode = Literal[tuple(Instrument.values)]  # type: ignore[valid-type]
PurposeCode = Literal[tuple(Purpose.values)]  # type: ignore[valid-type]
ElementCode = Literal[tuple(ELEMENTS)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(OutwardStatus.values)]  # type: ignore[valid-type]


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token belongs to one requester."""

    def authenticate(self, request, token):
        return api_token_authenticate(token)


router = Router(auth=TokenAuth(), tags=["requests"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class SubjectIn(Strict):
    first_name: str = Field(..., min_length=1, max_length=80)
    middle_name: str = Field("", max_length=80)
    last_name: str = Field(..., min_length=1, max_length=120)
    suffix: str = Field("", max_length=10)
    dob: dt.date | None = Field(None, description="Date of birth, YYYY-MM-DD.")
    ssn: str = Field(
        "", max_length=11, description="Full SSN (nine digits, dashes optional)."
    )
    ssn_last4: str = Field("", max_length=4, description="Last four digits of the SSN.")
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=80)
    state: str = Field("", max_length=2, description="Two-letter state code.")
    zip: str = Field("", max_length=10)


class RequestIn(Strict):
    instrument: InstrumentCode = Field(
        ..., description="The legal process behind the request."
    )
    case_number: str = Field("", max_length=64)
    purpose: PurposeCode
    purpose_text: str = Field(
        "", max_length=5000, description="What the records are for, in your words."
    )
    elements: list[ElementCode] = Field(
        ..., min_length=1, description="Data elements asked for, from the catalogue."
    )
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    emergency: bool = Field(False, description="Imminent danger to life is claimed.")
    instrument_subject_count: int | None = Field(
        None, ge=0, le=100000, description="How many people the legal process names."
    )
    subjects: list[SubjectIn] = Field(
        ...,
        min_length=1,
        max_length=MAX_SUBJECTS,
        description="The people the request is about: named people, not categories.",
    )


class SubjectOut(Schema):
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    dob: dt.date | None
    ssn_given: bool


class DocumentOut(Schema):
    filename: str
    content_type: str
    size: int
    sha256: str


class RequestOut(Schema):
    reference: str = Field(..., examples=["RW-2026-000123"])
    status: StatusCode = Field(
        ..., description="Outward status; it never says whether a person was found."
    )
    status_label: str
    received_at: dt.datetime
    instrument: InstrumentCode
    case_number: str
    purpose: PurposeCode
    elements: list[ElementCode]
    date_from: dt.date | None
    date_to: dt.date | None
    emergency: bool
    subjects: list[SubjectOut]
    documents: list[DocumentOut]
    joined_existing: bool = Field(
        False,
        description="True when this submission was added to an existing request "
        "(the same ask already open), whose reference is returned.",
    )


class ProblemError(Schema):
    field: str
    message: str


class Problem(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[ProblemError] = []


PROBLEMS = {401: Problem, 404: Problem, 409: Problem, 413: Problem, 422: Problem}


def _out(request, *, joined: bool = False) -> dict:
    return {
        "reference": request.reference,
        "status": OUTWARD_CODE[request.status].value,
        "status_label": OUTWARD_STATUS[request.status],
        "received_at": request.received_at,
        "instrument": request.instrument,
        "case_number": request.case_number,
        "purpose": request.purpose,
        "elements": list(request.elements),
        "date_from": request.date_from,
        "date_to": request.date_to,
        "emergency": request.emergency,
        "subjects": [
            {
                "first_name": s.first_name,
                "middle_name": s.middle_name,
                "last_name": s.last_name,
                "suffix": s.suffix,
                "dob": s.dob,
                "ssn_given": s.has_ssn or s.has_ssn_last4,
            }
            for s in request.subjects.all()
        ],
        "documents": [
            {
                "filename": d.filename,
                "content_type": d.content_type,
                "size": d.size,
                "sha256": d.sha256,
            }
            for d in request.documents.all()
        ],
        "joined_existing": joined,
    }


def _invalid(http_request, exc: ValidationError):
    from recordwarden.api import problem

    fields = exc.message_dict if hasattr(exc, "error_dict") else {"body": exc.messages}
    errors = [
        {"field": name, "message": message}
        for name, messages in fields.items()
        for message in messages
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(http_request, 422, "The request is not valid", detail, errors)


def _input(payload: RequestIn) -> RequestInput:
    data = payload.model_dump()
    subjects = [SubjectInput.from_dict(s) for s in data.pop("subjects")]
    return RequestInput(**data, subjects=subjects)


@router.post(
    "",
    response={201: RequestOut, **PROBLEMS},
    summary="Submit a request",
    description="Submit a request for named people's records. Send an "
    "`Idempotency-Key` header: retrying with the same key and body returns the same "
    "request; the same key with a different body is a 409.",
)
def create_request(
    request,
    payload: RequestIn,
    idempotency_key: str = Header(
        "", alias="Idempotency-Key", description="A unique key per request you make."
    ),
):
    try:
        made = request_submit(
            actor=request.auth,
            requester=request.auth,
            channel=Channel.API,
            data=_input(payload),
            raw=request.body,
            idempotency_key=idempotency_key or "",
        )
    except ValidationError as exc:
        return _invalid(request, exc)
    return Status(201, _out(made, joined=made.intake_joined))


@router.get("", response={200: list[RequestOut], **PROBLEMS}, summary="Your requests")
def list_requests(request, limit: int = 50):
    limit = max(1, min(limit, 200))
    rows = request_list_for(request.auth).prefetch_related("subjects", "documents")
    return [_out(r) for r in rows[:limit]]


@router.get("/{ref}", response={200: RequestOut, **PROBLEMS}, summary="One request")
def get_request(request, ref: str):
    return _out(get_request_for(request.auth, ref))


@router.post(
    "/{ref}/documents",
    response={201: list[DocumentOut], **PROBLEMS},
    summary="Attach legal process",
    description="Multipart upload of PDF, PNG, JPEG or TIFF files (checked by content, "
    "not by name), each at most the configured size.",
)
def add_documents(request, ref: str, files: list[UploadedFile] = File(...)):
    from recordwarden.api import problem

    target = get_request_for(request.auth, ref)
    too_big = [f.name for f in files if f.size > settings.UPLOAD_MAX_BYTES]
    if too_big:
        limit = settings.UPLOAD_MAX_BYTES / 1048576
        return problem(
            request,
            413,
            "File too large",
            f"{', '.join(too_big)}: the limit is {limit:.0f} MB per file.",
            [{"field": "files", "message": f"{name} is too large"} for name in too_big],
        )
    docs = [
        DocumentInput(filename=f.name or "document", content=f.read()) for f in files
    ]
    try:
        stored = request_document_add(
            actor=request.auth, request=target, documents=docs
        )
    except ValidationError as exc:
        return _invalid(request, exc)
    return Status(
        201,
        [
            {
                "filename": d.filename,
                "content_type": d.content_type,
                "size": d.size,
                "sha256": d.sha256,
            }
            for d in stored
        ],
    )
