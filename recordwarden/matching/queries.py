"""Subjects given as JSON lines (``resolve_subjects``, ``train_matcher --queries``).

Each line: ``{"id", "first_name", "middle_name", "last_name", "suffix", "dob", "ssn",
"ssn_last4", "street", "city", "zip"}``, any of them null. SSNs are turned into the
same keyed hashes the records hold and are not kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from recordwarden.core import crypto

from .engine import Person


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def person_from_query(data: dict) -> Person:
    ssn_hash = last4_hash = ""
    ssn = _text(data.get("ssn"))
    if ssn:
        try:
            digits = crypto.normalize_ssn(ssn)
        except ValueError:
            digits = ""
        if digits:
            ssn_hash = crypto.ssn_hash(digits)
            last4_hash = crypto.ssn_last4_hash(digits[-4:])
    last4 = _text(data.get("ssn_last4"))
    if not last4_hash and len(last4) == 4 and last4.isdigit():
        last4_hash = crypto.ssn_last4_hash(last4)
    return Person(
        id=data.get("id"),
        first_name=_text(data.get("first_name")),
        middle_name=_text(data.get("middle_name")),
        last_name=_text(data.get("last_name")),
        suffix=_text(data.get("suffix")),
        dob=_text(data.get("dob")) or None,
        ssn_hash=ssn_hash,
        ssn_last4_hash=last4_hash,
        street=_text(data.get("street")),
        city=_text(data.get("city")),
        zip=_text(data.get("zip")),
    )


def read_queries(path: Path) -> Iterator[Person]:
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number}: not JSON ({exc.msg})") from None
            if not isinstance(data, dict):
                raise ValueError(f"line {number}: expected an object")
            yield person_from_query(data)
