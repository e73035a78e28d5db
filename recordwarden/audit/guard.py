"""Keep personal data out of the audit log.

The log is public (its entries are served to anyone who wants to verify it), so an entry
holds ids, hashes and codes only. This guard rejects the obvious mistakes: a key that
names a personal field, or a value that looks like an SSN or an e-mail address. It is a
net, not a proof: say *which* worker by id (``records.worker:123``) or keyed hash.
"""

from __future__ import annotations

import math
import re
from typing import Any

# Keys are compared after lower-casing and turning '-', ' ' and '.' into '_'.
PERSONAL_KEYS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "middle_name",
        "full_name",
        "given_name",
        "family_name",
        "surname",
        "maiden_name",
        "ssn",
        "social_security_number",
        "social_security",
        "ssn_last4",
        "dob",
        "date_of_birth",
        "birth_date",
        "birthdate",
        "address",
        "street",
        "street_address",
        "home_address",
        "mailing_address",
        "address_line1",
        "address_line2",
        "phone",
        "phone_number",
        "telephone",
        "email",
        "email_address",
        "alien_number",
        "a_number",
        "passport_number",
        "drivers_license",
    }
)
_SSN_RE = re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)|^\d{9}$")
_EMAIL_RE = re.compile(r"[^@\s:/]+@[^@\s]+\.[A-Za-z]{2,}")
MAX_DEPTH = 8


class PersonalDataError(ValueError):
    """The audit entry would have held personal data in clear."""


def _norm(key: str) -> str:
    return re.sub(r"[\s.\-]+", "_", key.strip().lower())


def check_text(value: str, where: str) -> None:
    if _SSN_RE.search(value):
        raise PersonalDataError(f"{where} looks like an SSN; log an id or keyed hash")
    if _EMAIL_RE.search(value):
        raise PersonalDataError(f"{where} looks like an e-mail address; log an id")


def check_data(value: Any, where: str = "data", depth: int = 0) -> None:
    """Raise PersonalDataError or TypeError unless ``value`` is safe, plain JSON."""
    if depth > MAX_DEPTH:
        raise TypeError(f"{where} is nested too deeply for an audit entry")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} has a non-string key {key!r}")
            if _norm(key) in PERSONAL_KEYS:
                raise PersonalDataError(
                    f"{where}.{key} names personal data; audit entries hold ids, "
                    "hashes and codes only"
                )
            check_data(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            check_data(item, f"{where}[{i}]", depth + 1)
    elif isinstance(value, str):
        check_text(value, where)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{where} is not a finite number")
    elif value is not None and not isinstance(value, bool | int):
        raise TypeError(
            f"{where} is a {type(value).__name__}; audit data is strings, numbers, "
            "booleans, lists and objects"
        )
