"""Checking a request's input, in plain words, naming the field each problem is in.

Portal, API and paper input is refused with a ValidationError (a dict: field -> messages;
subject fields are named ``subjects.<n>.<field>``). Email input is never refused: what is
invalid is dropped and reported as a problem for the clerk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from recordwarden.core import crypto
from recordwarden.records.catalogue import validate_elements

from .constants import MAX_SUBJECTS, Channel, Instrument, ProblemCode, Purpose
from .extract import bulk_phrases
from .inputs import RequestInput, SubjectInput

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LIMITS = {
    "first_name": 80,
    "middle_name": 80,
    "last_name": 120,
    "suffix": 10,
    "street": 200,
    "city": 80,
}


def _text(value, limit: int, *, multiline: bool = False) -> str:
    text = _CONTROL.sub("", str(value or ""))
    if not multiline:
        text = re.sub(r"\s+", " ", text)
    return text.strip()[:limit] if limit else text.strip()


def _sentence(exc) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:]


class _Errors(dict):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def _check_dob(dob, errors: _Errors, name: str):
    if dob is None:
        return None
    if not isinstance(dob, dt.date):
        errors.add(name, "Enter the date of birth as a date, like 1979-07-02.")
        return None
    if dob > timezone.localdate():
        errors.add(name, "The date of birth is in the future.")
        return None
    if dob.year < 1900:
        errors.add(name, "The date of birth is before 1900.")
        return None
    return dob


def _subject(raw: SubjectInput, index: int, errors: _Errors, strict: bool):
    prefix = f"subjects.{index}."
    values = {k: _text(getattr(raw, k), n) for k, n in _LIMITS.items()}
    subject = SubjectInput(**values)
    subject.dob = _check_dob(raw.dob, errors, prefix + "dob")
    if raw.ssn:
        try:
            subject.ssn = crypto.normalize_ssn(str(raw.ssn))
        except ValueError as exc:
            errors.add(prefix + "ssn", f"{_sentence(exc)}.")
    last4 = re.sub(r"\s", "", str(raw.ssn_last4 or ""))
    if last4 and not subject.ssn:
        if re.fullmatch(r"\d{4}", last4):
            subject.ssn_last4 = last4
        else:
            errors.add(prefix + "ssn_last4", "The last four of an SSN are four digits.")
    state = _text(raw.state, 2).upper()
    if state and not re.fullmatch(r"[A-Z]{2}", state):
        errors.add(prefix + "state", "Use the two-letter state code, like NM.")
    subject.state = state if re.fullmatch(r"[A-Z]{2}", state) else ""
    zip_code = _text(raw.zip, 10)
    if zip_code and not re.fullmatch(r"\d{5}(-\d{4})?", zip_code):
        errors.add(prefix + "zip", "A ZIP code is five digits (or ZIP+4).")
    subject.zip = zip_code if re.fullmatch(r"\d{5}(-\d{4})?", zip_code) else ""
    if strict and not (subject.first_name and subject.last_name):
        errors.add(
            prefix + "last_name" if subject.first_name else prefix + "first_name",
            "Give the person's first and last name.",
        )
    return subject


def _check(data: RequestInput, *, strict: bool, need_subject: bool):
    errors = _Errors()
    clean = dataclasses.replace(data)
    if clean.instrument not in Instrument.values:
        errors.add("instrument", "Choose the kind of legal process from the list.")
        clean.instrument = Instrument.NONE
    if clean.purpose not in Purpose.values:
        errors.add("purpose", "Choose the purpose from the list.")
        clean.purpose = Purpose.OTHER
    clean.case_number = _text(data.case_number, 0)
    if len(clean.case_number) > 64:
        errors.add("case_number", "A case number has at most 64 characters.")
        clean.case_number = clean.case_number[:64]
    clean.purpose_text = _text(data.purpose_text, 0, multiline=True)
    if len(clean.purpose_text) > 5000:
        if strict:
            errors.add(
                "purpose_text", "Describe the purpose in 5,000 characters or fewer."
            )
        clean.purpose_text = clean.purpose_text[:5000]
    clean.claimed_agency = _text(data.claimed_agency, 200)
    try:
        clean.elements = validate_elements(data.elements or [])
    except ValueError as exc:
        errors.add("elements", f"{_sentence(exc)}. Choose from the list.")
        clean.elements = []
    if strict and not clean.elements:
        errors.add("elements", "Choose at least one kind of record.")
    if data.date_from and data.date_to and data.date_from > data.date_to:
        errors.add("date_to", "The end of the period is before its start.")
        clean.date_from = clean.date_to = None
    count = data.instrument_subject_count
    if count is not None and not (0 <= int(count) <= 100_000):
        errors.add("instrument_subject_count", "Give the number of people it names.")
        clean.instrument_subject_count = None
    subjects = [s for s in data.subjects if not s.is_blank()]
    if len(subjects) > MAX_SUBJECTS:
        errors.add(
            "subjects",
            f"A request can name at most {MAX_SUBJECTS} people. Requests are considered "
            "case by case; there is no bulk access.",
        )
        subjects = subjects[:MAX_SUBJECTS]
        clean.bulk_access = True
    if need_subject and not subjects:
        errors.add(
            "subjects",
            "Name at least one person. Requests for groups of people or whole "
            "employers are not accepted.",
        )
    clean.subjects = [_subject(s, i, errors, strict) for i, s in enumerate(subjects)]
    clean.bulk_access = clean.bulk_access or bool(bulk_phrases(clean.purpose_text))
    clean.emergency = bool(data.emergency)
    clean.notice_delay_order = bool(data.notice_delay_order)
    return clean, errors


def clean_request_input(data: RequestInput, *, channel: str) -> RequestInput:
    """Return cleaned input or raise ValidationError naming every field at fault."""
    need_subject = channel in (Channel.PORTAL, Channel.API)
    clean, errors = _check(data, strict=True, need_subject=need_subject)
    if errors:
        raise ValidationError(dict(errors))
    return clean


def clean_extracted_input(data: RequestInput) -> tuple[RequestInput, list[dict]]:
    """Keep what is valid from extracted input; report the rest as problems."""
    clean, errors = _check(data, strict=False, need_subject=False)
    problems = [
        {
            "code": ProblemCode.INVALID_VALUE,
            "message": f"{name}: {' '.join(messages)}",
        }
        for name, messages in errors.items()
    ]
    return clean, problems
