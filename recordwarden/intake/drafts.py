"""A portal request being written, kept in the session between steps.

SSNs are encrypted before they go into the session (sessions live in the database);
uploaded documents are stored by hash at once and the draft keeps only their names.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

from recordwarden.core import crypto

from .documents import DocumentInput
from .inputs import RequestInput, SubjectInput
from .storage import blob_read

KEY = "intake_draft"
_SSN_CONTEXT = "intake.draft.ssn"


def draft_get(session) -> dict:
    draft = session.get(KEY)
    if not isinstance(draft, dict) or "token" not in draft:
        draft = {
            "token": uuid.uuid4().hex,
            "who": {},
            "subjects": [],
            "records": {},
            "documents": [],
        }
        session[KEY] = draft
    return draft


def draft_save(session, draft: dict) -> None:
    session[KEY] = draft
    session.modified = True


def draft_clear(session) -> None:
    session.pop(KEY, None)


def iso_date(value) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def _parse_date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def subjects_to_session(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        row = dict(row)
        row.pop("DELETE", None)
        row["dob"] = iso_date(row.get("dob"))
        ssn = row.pop("ssn", "") or ""
        row["ssn_sealed"] = (
            base64.b64encode(crypto.encrypt(ssn, context=_SSN_CONTEXT)).decode()
            if ssn
            else ""
        )
        row["ssn_last4"] = row.get("ssn_last4") or (ssn[-4:] if ssn else "")
        row["has_ssn"] = bool(ssn)
        out.append(row)
    return out


def subjects_for_form(rows: list[dict]) -> list[dict]:
    """Initial data for the subjects formset: the SSN is not shown again."""
    out = []
    for row in rows:
        initial = {k: v for k, v in row.items() if k not in ("ssn_sealed", "has_ssn")}
        initial["dob"] = _parse_date(row.get("dob"))
        if row.get("has_ssn"):
            initial["ssn_last4"] = ""
        out.append(initial)
    return out


def _subject_input(row: dict) -> SubjectInput:
    ssn = ""
    if row.get("ssn_sealed"):
        ssn = crypto.decrypt(base64.b64decode(row["ssn_sealed"]), context=_SSN_CONTEXT)
    data = {k: v for k, v in row.items() if k not in ("ssn_sealed", "has_ssn", "dob")}
    subject = SubjectInput.from_dict(data)
    subject.dob = _parse_date(row.get("dob"))
    subject.ssn = ssn
    if ssn:
        subject.ssn_last4 = ""
    return subject


def to_request_input(draft: dict) -> RequestInput:
    who, records = draft.get("who", {}), draft.get("records", {})
    return RequestInput(
        instrument=who.get("instrument", ""),
        case_number=who.get("case_number", ""),
        purpose=who.get("purpose", ""),
        purpose_text=who.get("purpose_text", ""),
        emergency=bool(who.get("emergency")),
        instrument_subject_count=who.get("instrument_subject_count"),
        elements=list(records.get("elements", [])),
        date_from=_parse_date(records.get("date_from")),
        date_to=_parse_date(records.get("date_to")),
        subjects=[_subject_input(row) for row in draft.get("subjects", [])],
    )


def documents_of(draft: dict) -> list[DocumentInput]:
    return [
        DocumentInput(filename=d["filename"], content=blob_read(d["storage_name"]))
        for d in draft.get("documents", [])
    ]


def raw_of(draft: dict) -> bytes:
    """The portal submission as kept: what was entered, SSNs sealed as in the session."""
    body = {k: draft.get(k) for k in ("who", "subjects", "records", "documents")}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def is_complete(draft: dict) -> str:
    """The first step still to do, or "" when the draft can be reviewed."""
    if not draft.get("who"):
        return "who"
    if not draft.get("subjects"):
        return "subjects"
    if not draft.get("records"):
        return "records"
    return ""
